/**
 * authentik_flows.flow and authentik_flows.flowstagebinding (authentik/flows/models.py, with the defaults of its
 * migrations: evaluate_on_plan False, re_evaluate_policies True, invalid_response_action retry, denied_action
 * message_continue, authentication none, layout stacked).
 */
import { randomUUID } from 'node:crypto';
import { defineSlot, type EntryInput, type ModelFamily, upsert } from '../build.ts';
import { requireRef } from '../refs.ts';
import type { FlowAuthentication, FlowDesignation, ResolvedFlow, ResolvedFlowStageBinding, ResolvedStage } from '../types.ts';
import { bool, fail, str } from '../values.ts';

export const FLOW_MODEL = 'authentik_flows.flow';
export const BINDING_MODEL = 'authentik_flows.flowstagebinding';

/** Every flow, built-in defaults first, in the order they were created. */
export const FLOWS = defineSlot('flows', (): ResolvedFlow[] => []);

const DESIGNATIONS: readonly FlowDesignation[] = ['authentication', 'authorization', 'invalidation', 'enrollment', 'unenrollment', 'recovery', 'stage_configuration'];
const AUTHENTICATION: readonly FlowAuthentication[] = ['none', 'require_authenticated', 'require_unauthenticated', 'require_superuser', 'require_redirect', 'require_outpost'];

function oneOf<T extends string>(input: EntryInput, key: string, choices: readonly T[], current: T): T {
  const v = input.all[key];
  if (v === undefined || v === null) return current;
  if (!choices.includes(v as T)) fail(input.ctx, `${key} "${String(v)}" is not one of ${choices.join(', ')}`);
  return v as T;
}

function applyFlowAttrs(flow: ResolvedFlow, input: EntryInput): Record<string, unknown> {
  const a = input.all;
  if (a.slug !== undefined) flow.slug = str(a.slug, input.ctx, 'slug');
  if (!/^[-a-zA-Z0-9_]+$/.test(flow.slug)) fail(input.ctx, `slug "${flow.slug}" is not a valid slug (letters, numbers, underscores or hyphens)`);
  if (a.name !== undefined) flow.name = str(a.name, input.ctx, 'name');
  if (a.title !== undefined) flow.title = str(a.title, input.ctx, 'title');
  flow.designation = oneOf(input, 'designation', DESIGNATIONS, flow.designation);
  flow.authentication = oneOf(input, 'authentication', AUTHENTICATION, flow.authentication);
  flow.denied_action = oneOf(input, 'denied_action', ['message_continue', 'message', 'continue'] as const, flow.denied_action);
  flow.policy_engine_mode = oneOf(input, 'policy_engine_mode', ['any', 'all'] as const, flow.policy_engine_mode);
  if (a.layout !== undefined) flow.layout = str(a.layout, input.ctx, 'layout');
  return { slug: flow.slug, name: flow.name, title: flow.title, designation: flow.designation };
}

function applyFlow(input: EntryInput, build: Parameters<ModelFamily['apply']>[1]): void {
  upsert<ResolvedFlow>(
    build,
    input,
    Object.entries(input.identifiers),
    () => {
      for (const key of ['slug', 'name', 'title', 'designation']) if (input.all[key] === undefined) fail(input.ctx, `${key} is required`);
      const pk = typeof input.all.pk === 'string' ? input.all.pk : randomUUID();
      const flow: ResolvedFlow = {
        pk, slug: '', name: '', title: '', designation: 'authentication', authentication: 'none', layout: 'stacked',
        denied_action: 'message_continue', policy_engine_mode: 'any', policies: [], bindings: [], builtIn: build.builtIn,
      };
      const fields = applyFlowAttrs(flow, input);
      build.get(FLOWS).push(flow);
      return { pk, value: flow, fields };
    },
    (flow) => applyFlowAttrs(flow, input),
  );
}

function applyBinding(input: EntryInput, build: Parameters<ModelFamily['apply']>[1]): void {
  const site = (attr: string) => ({ ctx: input.ctx, index: input.index, attr });
  const targetRef = input.all.target;
  const stageRef = input.all.stage;
  if (targetRef === undefined) fail(input.ctx, 'target is required');
  if (stageRef === undefined) fail(input.ctx, 'stage is required');
  const flowObj = requireRef(build, targetRef, [FLOW_MODEL], site('target'));
  const stageObj = requireRef(build, stageRef, ['authentik_flows.stage'], site('stage'));
  const flow = flowObj.value as ResolvedFlow;
  const order = Number(input.all.order ?? NaN);
  if (!Number.isInteger(order)) fail(input.ctx, 'order is required (an integer)');
  // identifiers reference other objects by pk (importer.py __update_pks_for_attrs)
  const identifiers = Object.entries(input.identifiers).map(([k, v]): [string, unknown] =>
    k === 'target' ? [k, flowObj.pk] : k === 'stage' ? [k, stageObj.pk] : [k, v]);
  const apply = (b: ResolvedFlowStageBinding) => {
    const a = input.all;
    b.order = order;
    b.stage = stageObj.value as ResolvedStage;
    if (a.evaluate_on_plan !== undefined) b.evaluate_on_plan = bool(a.evaluate_on_plan, false);
    if (a.re_evaluate_policies !== undefined) b.re_evaluate_policies = bool(a.re_evaluate_policies, true);
    if (a.invalid_response_action !== undefined) {
      const v = a.invalid_response_action;
      if (v !== 'retry' && v !== 'restart' && v !== 'restart_with_context') fail(input.ctx, `invalid_response_action "${String(v)}" is not one of retry, restart, restart_with_context`);
      b.invalid_response_action = v;
    }
    if (a.policy_engine_mode === 'any' || a.policy_engine_mode === 'all') b.policy_engine_mode = a.policy_engine_mode;
    // FlowStageBinding.Meta.ordering = ["target", "order"]; equal orders keep their creation order here.
    flow.bindings.sort((x, y) => x.order - y.order);
    return { target: flowObj.pk, stage: stageObj.pk, order };
  };
  upsert<ResolvedFlowStageBinding>(
    build,
    input,
    identifiers,
    () => {
      const pk = typeof input.all.pk === 'string' ? input.all.pk : randomUUID();
      const b: ResolvedFlowStageBinding = {
        pk, order, stage: stageObj.value as ResolvedStage, evaluate_on_plan: false, re_evaluate_policies: true,
        invalid_response_action: 'retry', policy_engine_mode: 'any', policies: [],
      };
      flow.bindings.push(b);
      return { pk, value: b, fields: apply(b) };
    },
    apply,
  );
}

export const flowFamily: ModelFamily = {
  models: [FLOW_MODEL, BINDING_MODEL],
  apply(input, build) {
    if (input.model === FLOW_MODEL) applyFlow(input, build);
    else applyBinding(input, build);
  },
  remove(input, build) {
    if (input.model !== BINDING_MODEL) return;
    // state: absent on a binding, e.g. to drop a stage from a stock flow
    const site = (attr: string) => ({ ctx: input.ctx, index: input.index, attr });
    const ids = Object.entries(input.identifiers).map(([k, v]): [string, unknown] => {
      if (k === 'target' || k === 'stage') return [k, requireRef(build, v, [k === 'target' ? FLOW_MODEL : 'authentik_flows.stage'], site(k)).pk];
      return [k, v];
    });
    const obj = build.find(BINDING_MODEL, ids)[0];
    if (!obj) return;
    for (const flow of build.get(FLOWS)) flow.bindings = flow.bindings.filter((b) => b !== obj.value);
    build.remove(obj);
  },
};
