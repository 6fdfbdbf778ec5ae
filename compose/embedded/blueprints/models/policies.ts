/**
 * authentik_policies: expression and dummy policies, and policy bindings (authentik/policies/models.py PolicyBinding,
 * authentik/policies/expression/models.py, authentik/policies/dummy/models.py). A binding's target is any
 * PolicyBindingModel: an application, a flow, or a flow-stage binding. Other policy types load; binding one to
 * something a login evaluates is refused, as is an expression outside the evaluated subset (policy-expression.ts).
 */
import { randomUUID } from 'node:crypto';
import { defineSlot, type ModelFamily } from '../build.ts';
import { parsePolicyExpression, SUPPORTED_POLICY_SUBSET } from '../policy-expression.ts';
import { requireRef, resolveRef } from '../refs.ts';
import type { ResolvedApplication, ResolvedFlow, ResolvedFlowStageBinding, ResolvedPolicy, ResolvedPolicyBinding } from '../types.ts';
import { FindRef } from '../tags.ts';
import { bool, fail, str } from '../values.ts';

const EXPRESSION = 'authentik_policies_expression.expressionpolicy';
const DUMMY = 'authentik_policies_dummy.dummypolicy';
export const POLICY_BINDING_MODEL = 'authentik_policies.policybinding';

/** Policies by entry id (or `#<index>` without one). */
export const POLICIES = defineSlot('policies', () => new Map<string, ResolvedPolicy>());

const TARGET_MODELS = ['authentik_core.application', 'authentik_flows.flow', 'authentik_flows.flowstagebinding'];

function isPolicyModel(model: string): boolean {
  return model.startsWith('authentik_policies_') && model.endsWith('policy');
}

function bindingsOf(target: unknown): ResolvedPolicyBinding[] {
  const t = target as Partial<ResolvedApplication & ResolvedFlow & ResolvedFlowStageBinding>;
  return 'slug' in t && 'designation' in t ? (t as ResolvedFlow).policies : 'stage' in t ? (t as ResolvedFlowStageBinding).policies : (t as ResolvedApplication).bindings;
}

export const policyFamily: ModelFamily = {
  models: [EXPRESSION, DUMMY, POLICY_BINDING_MODEL],
  apply(input, build) {
    const { model, index, ctx, id, all } = input;
    if (isPolicyModel(model)) {
      const name = str(all.name, ctx, 'name');
      let policy: ResolvedPolicy = { id, name, model, expression: null, parsed: null, problem: `${model} policies are not evaluated by the reference provider`, result: false };
      if (model === EXPRESSION) {
        const expression = str(all.expression, ctx, 'expression');
        const p = parsePolicyExpression(expression);
        policy = { ...policy, expression, parsed: 'parsed' in p ? p.parsed : null, problem: 'problem' in p ? p.problem : null };
      } else if (model === DUMMY) {
        policy = { ...policy, problem: null, result: bool(all.result, false) };
      }
      build.get(POLICIES).set(id ?? `#${index}`, policy);
      build.store(model, typeof all.pk === 'string' ? all.pk : randomUUID(), { name }, policy, id);
      return;
    }
    const site = (attr: string) => ({ ctx, index, attr });
    if (all.target === undefined) fail(ctx, 'target is required');
    const target = requireRef(build, all.target, TARGET_MODELS, site('target'));
    let policy: ResolvedPolicy | null = null;
    if (all.policy !== undefined && all.policy !== null) {
      policy = (resolveRef(build, all.policy, ['authentik_policies.policy'], site('policy'))?.value as ResolvedPolicy | undefined) ?? null;
      if (!policy) fail(ctx, 'policy: the !Find matches no policy');
      if (policy.problem) {
        fail(ctx, `policy "${policy.name}" cannot be evaluated by the reference provider (${policy.problem}); supported: ${SUPPORTED_POLICY_SUBSET}`);
      }
    }
    const ref = (v: unknown, model: string, field: string): string | null => {
      if (v === undefined || v === null) return null;
      const obj = resolveRef(build, v, [model], site(field));
      if (obj) return String(obj.fields[model === 'authentik_core.user' ? 'username' : 'name']);
      // a !Find of a user or group defined further down: matched by the looked-up value when the policy runs
      return v instanceof FindRef ? String(v.query[0]?.[1] ?? '') : String(v);
    };
    const binding: ResolvedPolicyBinding = {
      policy,
      user: ref(all.user, 'authentik_core.user', 'user'),
      group: ref(all.group, 'authentik_core.group', 'group'),
      order: Number(all.order ?? 0),
      enabled: bool(all.enabled, true),
      negate: bool(all.negate, false),
      failure_result: bool(all.failure_result, false),
    };
    // PolicyBindingSerializer.validate (authentik/policies/api/bindings.py): exactly one of policy, group or user
    const count = [binding.policy, binding.group, binding.user].filter((v) => v !== null).length;
    if (count > 1) fail(ctx, "Only one of 'policy', 'group' or 'user' can be set.".replace(/\.$/, ''));
    if (count < 1) fail(ctx, "One of 'policy', 'group' or 'user' must be set.".replace(/\.$/, ''));
    const list = bindingsOf(target.value);
    list.push(binding);
    list.sort((a, b) => a.order - b.order);
  },
};

/** Other policy models (password, reputation, expiry, geoip, event matcher, ...): loaded, refused when bound. */
export function isOtherPolicyModel(model: string): boolean {
  return isPolicyModel(model) && model !== EXPRESSION && model !== DUMMY;
}
