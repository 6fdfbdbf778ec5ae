/**
 * authentik_policies: expression and dummy policies, and policy bindings (authentik/policies/models.py PolicyBinding,
 * authentik/policies/expression/models.py, authentik/policies/dummy/models.py). A binding's target is any
 * PolicyBindingModel: an application, a flow, or a flow-stage binding. Other policy types load; binding one to
 * something a login evaluates is refused, as is an expression outside the evaluated subset (policy-expression.ts).
 */
import { randomUUID } from 'node:crypto';
import { defineSlot, type BlueprintBuild, type ModelFamily } from '../build.ts';
import { parsePolicyExpression, SUPPORTED_POLICY_SUBSET } from '../policy-expression.ts';
import { requireRef, resolveRef } from '../refs.ts';
import type { ResolvedApplication, ResolvedFlow, ResolvedFlowStageBinding, ResolvedPolicy, ResolvedPolicyBinding } from '../types.ts';
import { FindRef } from '../tags.ts';
import { bool, fail, str, type Ctx } from '../values.ts';

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
    if (build.exportMode && isUnidentifiedTarget(build, all.target)) {
      build.get(UNIDENTIFIED).push(describeBinding(build, all));
      return;
    }
    const target = requireRef(build, all.target, TARGET_MODELS, site('target'));
    let policy: ResolvedPolicy | null = null;
    if (all.policy !== undefined && all.policy !== null) {
      policy = (resolveRef(build, all.policy, ['authentik_policies.policy'], site('policy'))?.value as ResolvedPolicy | undefined) ?? null;
      if (!policy) fail(ctx, 'policy: the !Find matches no policy');
      if (policy.problem && !build.exportMode) {
        fail(ctx, `policy "${policy.name}" cannot be evaluated by the reference provider (${policy.problem}); supported: ${SUPPORTED_POLICY_SUBSET}`);
      }
      // an export binds every policy of the install: only the ones a login of the application under test reaches matter
      if (policy.problem) build.get(UNEVALUATED).push({ policy, target: target.value, ctx });
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

/**
 * An export's policy binding whose target is no object of the export. PolicyBinding.target is the PolicyBindingModel's
 * pk (policies/models.py): an application's own pk, but for a flow or a stage binding their `pbm_uuid`, which the
 * export leaves out (`policybindingmodel_ptr_id` is a read-only field of FlowSerializer and FlowStageBindingSerializer,
 * and common.py get_attrs drops read-only fields). authentik re-applies the export to the database that has that
 * object; the replay cannot tell which flow or binding it is, so the binding is not applied and the start says so.
 */
const UNIDENTIFIED = defineSlot('policy bindings whose target the export does not identify', (): string[] => []);

function isUnidentifiedTarget(build: BlueprintBuild, ref: unknown): boolean {
  return (typeof ref === 'string' || typeof ref === 'number') && !build.byPkOf(String(ref), TARGET_MODELS);
}

function describeBinding(build: BlueprintBuild, all: Record<string, unknown>): string {
  const named = (ref: unknown, model: string, field: string) => {
    const obj = typeof ref === 'string' || typeof ref === 'number' ? build.byPkOf(String(ref), [model]) : undefined;
    return obj ? `"${String(obj.fields[field])}"` : String(ref);
  };
  const what = all.policy !== undefined && all.policy !== null ? `policy ${named(all.policy, 'authentik_policies.policy', 'name')}`
    : all.group ? `group ${named(all.group, 'authentik_core.group', 'name')}` : `user ${named(all.user, 'authentik_core.user', 'username')}`;
  return `${what} on ${String(all.target)}`;
}

/** Policies outside the evaluated subset that an export binds, with what they are bound to (checked at the end). */
const UNEVALUATED = defineSlot('policies bound but not evaluated', (): Array<{ policy: ResolvedPolicy; target: unknown; ctx: Ctx }> => []);

/** What a policy binding's target is, in words ("flow corp-login", "a stage binding of flow x", "application y"). */
function describeTarget(target: unknown, flows: readonly ResolvedFlow[]): { flow: string | null; words: string } {
  const t = target as Partial<ResolvedFlow & ResolvedFlowStageBinding & ResolvedApplication>;
  if ('designation' in t) return { flow: t.slug!, words: `flow ${t.slug}` };
  if ('stage' in t) {
    const owner = flows.find((f) => f.bindings.includes(target as ResolvedFlowStageBinding));
    return { flow: owner?.slug ?? null, words: `the binding of stage "${t.stage!.name}" in flow ${owner?.slug ?? '(none)'}` };
  }
  return { flow: null, words: `application ${t.slug}` };
}

/**
 * An export's policies outside the evaluated subset: refused in one sentence when a login of the application under
 * test evaluates them (its application, its authentication flow or the brand's, its authorization flow); listed in
 * one note otherwise (a login never reaches them, so the replay serves the install's behaviour without them).
 */
export function checkUnevaluatedPolicies(build: BlueprintBuild, login: { application: ResolvedApplication; flows: readonly string[] }, flows: readonly ResolvedFlow[]): void {
  const unidentified = build.get(UNIDENTIFIED);
  if (unidentified.length) {
    build.notes.push(`${unidentified.length} policy binding${unidentified.length > 1 ? 's' : ''} of the export target a flow or a stage binding by its policy-binding key, which an export does not carry (policybindingmodel_ptr_id is read-only): not applied, so a policy bound there is not evaluated (${unidentified.join('; ')})`);
  }
  const elsewhere: string[] = [];
  for (const { policy, target, ctx } of build.get(UNEVALUATED)) {
    const where = describeTarget(target, flows);
    const reached = target === login.application || (where.flow !== null && login.flows.includes(where.flow));
    if (reached) {
      fail(ctx, `policy "${policy.name}" is bound to ${where.words}, which osTicket's login through ${login.application.slug} evaluates, and the reference provider cannot evaluate it (${policy.problem}); supported: ${SUPPORTED_POLICY_SUBSET}`);
    }
    elsewhere.push(`"${policy.name}" (${where.words})`);
  }
  if (elsewhere.length) {
    build.notes.push(`policies the reference provider cannot evaluate are bound where osTicket's login through ${login.application.slug} never goes, so they are not evaluated: ${elsewhere.join(', ')}`);
  }
}

/** Other policy models (password, reputation, expiry, geoip, event matcher, ...): loaded, refused when bound. */
export function isOtherPolicyModel(model: string): boolean {
  return isPolicyModel(model) && model !== EXPRESSION && model !== DUMMY;
}
