/**
 * authentik_brands.brand: the default brand's flows (blueprints/default/default-brand.yaml: flow_authentication
 * default-authentication-flow, flow_invalidation default-invalidation-flow). The authentication flow is the one an
 * anonymous authorize request is sent to when the provider has no authentication_flow (authentik.md §8).
 */
import { defineSlot, type ModelFamily } from '../build.ts';
import { resolveRef } from '../refs.ts';
import type { ResolvedFlow } from '../types.ts';
import { bool } from '../values.ts';

export const BRAND = defineSlot('default brand', () => ({ flow_authentication: null as string | null, flow_invalidation: null as string | null, flow_recovery: null as string | null }));

export const brandFamily: ModelFamily = {
  models: ['authentik_brands.brand'],
  apply(input, build) {
    const { all } = input;
    // only the default brand is modelled (the one that serves the provider's host in a fresh install)
    if (!(bool(all.default, false) || all.domain === 'authentik-default')) return;
    const brand = build.get(BRAND);
    for (const key of ['flow_authentication', 'flow_invalidation', 'flow_recovery'] as const) {
      if (all[key] === undefined) continue;
      const flow = all[key] === null ? null : resolveRef(build, all[key], ['authentik_flows.flow'], { ctx: input.ctx, index: input.index, attr: key });
      brand[key] = flow ? (flow.value as ResolvedFlow).slug : null;
    }
  },
};
