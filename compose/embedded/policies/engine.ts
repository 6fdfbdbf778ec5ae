/**
 * The policy engine (authentik/policies/engine.py PolicyEngine) over the bindings of a PolicyBindingModel (an
 * application, a flow or a flow-stage binding): enabled bindings only, none at all passes (empty_result True);
 * a binding passes by its policy, or for its user, or for members of its group; `negate` inverts; an error gives
 * the binding's failure_result; policy_engine_mode `any` passes when one passes, `all` when all pass. Messages
 * (ak_message) are collected. Expression policies run in the subset of blueprints/policy-expression.ts.
 */
import type { ResolvedPolicy, ResolvedPolicyBinding, ResolvedUser } from '../blueprints/index.ts';

/** What a policy sees (PolicyRequest): the user, and the flow plan when it runs inside one. */
export interface PolicyRequest {
  user: ResolvedUser | null;
  /** `request.context["flow_plan"]` is set (planning and re-evaluation inside a flow). */
  inFlowPlan: boolean;
  /** The plan's pending user was authenticated by a backend (`hasattr(pending_user, "backend")`). */
  pendingUserAuthenticated: boolean;
}

export interface PolicyResult {
  passing: boolean;
  messages: string[];
}

function evaluatePolicy(policy: ResolvedPolicy, request: PolicyRequest): PolicyResult {
  if (policy.model.endsWith('dummypolicy')) return { passing: policy.result, messages: [] };
  const parsed = policy.parsed;
  if (!parsed) throw new Error(policy.problem ?? 'policy not evaluated');
  switch (parsed.kind) {
    case 'constant':
      return { passing: parsed.value, messages: parsed.messages };
    case 'group-member': {
      const member = request.user !== null && request.user.groups.includes(parsed.group);
      return { passing: parsed.negate ? !member : member, messages: parsed.messages };
    }
    case 'pending-user-not-authenticated':
      return { passing: !request.inFlowPlan || !request.pendingUserAuthenticated, messages: [] };
  }
}

function evaluateBinding(binding: ResolvedPolicyBinding, request: PolicyRequest): PolicyResult {
  let result: PolicyResult;
  if (binding.policy) {
    try {
      result = evaluatePolicy(binding.policy, request);
    } catch {
      result = { passing: binding.failure_result, messages: [] };
    }
  } else if (binding.user) {
    result = { passing: request.user !== null && (binding.user === request.user.username || binding.user === String(request.user.pk)), messages: [] };
  } else if (binding.group) {
    result = { passing: request.user !== null && request.user.groups.includes(binding.group), messages: [] };
  } else {
    result = { passing: false, messages: [] };
  }
  return binding.negate ? { ...result, passing: !result.passing } : result;
}

export function evaluateBindings(bindings: readonly ResolvedPolicyBinding[], mode: 'any' | 'all', request: PolicyRequest): PolicyResult {
  const enabled = bindings.filter((b) => b.enabled);
  if (enabled.length === 0) return { passing: true, messages: [] };
  const results = enabled.map((b) => evaluateBinding(b, request));
  const passing = mode === 'all' ? results.every((r) => r.passing) : results.some((r) => r.passing);
  return { passing, messages: results.flatMap((r) => r.messages) };
}
