/**
 * authentik_policies: expression and dummy policies, and policy bindings (authentik/policies/models.py,
 * authentik/policies/expression/models.py). Bindings are linked to their target when the file is assembled.
 */
import { defineSlot, type ModelFamily } from '../build.ts';
import { FindRef } from '../tags.ts';
import type { ResolvedPolicy, ResolvedPolicyBinding } from '../types.ts';
import { bool, str, type Ctx } from '../values.ts';

export interface BindingEntry {
  target: unknown;
  binding: Omit<ResolvedPolicyBinding, 'policy'> & { policyRef: unknown };
  ctx: Ctx;
}

/** Policies by entry id (or `#<index>` without one). */
export const POLICIES = defineSlot('policies', () => new Map<string, ResolvedPolicy>());
export const POLICY_BINDINGS = defineSlot('policy bindings', (): BindingEntry[] => []);

const POLICY_MODELS = ['authentik_policies_expression.expressionpolicy', 'authentik_policies_dummy.dummypolicy'];

export const policyFamily: ModelFamily = {
  models: [...POLICY_MODELS, 'authentik_policies.policybinding'],
  apply({ model, index, ctx, id, all }, build) {
    if (POLICY_MODELS.includes(model)) {
      build.get(POLICIES).set(id ?? `#${index}`, {
        id,
        name: str(all.name, ctx, 'name'),
        model,
        expression: model.endsWith('expressionpolicy') ? str(all.expression, ctx, 'expression') : null,
      });
      return;
    }
    build.get(POLICY_BINDINGS).push({
      target: all.target,
      binding: {
        policyRef: all.policy ?? null,
        user: all.user === undefined || all.user === null ? null : String(all.user instanceof FindRef ? all.user.query[0]?.[1] : all.user),
        group: all.group === undefined || all.group === null ? null : String(all.group instanceof FindRef ? all.group.query[0]?.[1] : all.group),
        order: Number(all.order ?? 0),
        enabled: bool(all.enabled, true),
        negate: bool(all.negate, false),
      },
      ctx,
    });
  },
};
