/**
 * Flow plans (authentik/flows/planner.py FlowPlanner, FlowPlan; flows/markers.py ReevaluateMarker): the flow's own
 * policies and authentication requirement decide whether it applies; its stage bindings are taken in `order`,
 * those with evaluate_on_plan only when their policies pass now, those with re_evaluate_policies checked again when
 * they come up. The plan lives in the session (SESSION_KEY_PLAN) until the flow is done or cancelled.
 */
import type { ResolvedApplication, ResolvedFlow, ResolvedUser } from '../blueprints/index.ts';
import type { FrontContext } from '../context.ts';
import { evaluateBindings, type PolicyRequest } from '../policies/engine.ts';
import type { AkSession, FlowPlan, PlanContext, PlannedBinding } from '../sessions.ts';

/** flows/exceptions.py FlowNonApplicableException (its message when no policy said why). */
export class FlowNonApplicable extends Error {
  constructor(readonly messages: string[]) {
    super(messages.length ? messages.join('\n') : 'Flow does not apply to current user.');
  }
}

export function emptyContext(overrides: Partial<PlanContext> = {}): PlanContext {
  return {
    pendingUser: null, pendingUserIdentifier: null, authenticated: false, method: null, mfaDevices: 0, application: null,
    authorize: null, consentHeader: null, consentPermissions: null, consentAdditionalPermissions: null, ...overrides,
  };
}

/** The session's logged-in user (request.user), or null when anonymous. */
export function sessionUser(fc: FrontContext, session: AkSession | null): ResolvedUser | null {
  const user = session?.userPk != null ? fc.userByPk(session.userPk) : null;
  return user?.is_active ? user : null;
}

function policyRequest(user: ResolvedUser | null, context: PlanContext, inFlowPlan: boolean): PolicyRequest {
  return { user, inFlowPlan, pendingUserAuthenticated: context.authenticated };
}

/** FlowPlanner._check_authentication (no superusers and no outposts in a blueprint's users). */
function checkAuthentication(flow: ResolvedFlow, user: ResolvedUser | null): void {
  const ok: Record<ResolvedFlow['authentication'], boolean> = {
    none: true,
    require_authenticated: user !== null,
    require_unauthenticated: user === null,
    require_superuser: false,
    require_redirect: false,
    require_outpost: false,
  };
  if (!ok[flow.authentication]) throw new FlowNonApplicable([]);
}

/** FlowPlanner.plan: throws FlowNonApplicable; an empty plan is returned (the caller decides, as allow_empty_flows). */
export function planFlow(fc: FrontContext, flow: ResolvedFlow, session: AkSession, context: PlanContext): FlowPlan {
  const requestUser = sessionUser(fc, session);
  checkAuthentication(flow, requestUser);
  const user = context.pendingUser?.user ?? requestUser;
  const flowResult = evaluateBindings(flow.policies, flow.policy_engine_mode, policyRequest(user, context, false));
  if (!flowResult.passing) throw new FlowNonApplicable(flowResult.messages);
  const plan: FlowPlan = { flowSlug: flow.slug, bindings: [], context };
  for (const binding of flow.bindings) {
    if (binding.evaluate_on_plan && !evaluateBindings(binding.policies, binding.policy_engine_mode, policyRequest(user, context, true)).passing) continue;
    plan.bindings.push({ stage: binding.stage, binding, reevaluate: binding.re_evaluate_policies });
  }
  return plan;
}

/** FlowPlan.next: the first remaining stage whose re-evaluated policies pass (those that fail are dropped). */
export function nextBinding(fc: FrontContext, plan: FlowPlan, session: AkSession): PlannedBinding | null {
  while (plan.bindings.length > 0) {
    const first = plan.bindings[0]!;
    if (!first.reevaluate || !first.binding) return first;
    const user = plan.context.pendingUser?.user ?? sessionUser(fc, session);
    if (evaluateBindings(first.binding.policies, first.binding.policy_engine_mode, policyRequest(user, plan.context, true)).passing) return first;
    plan.bindings.shift();
  }
  return null;
}

/** Context of a flow started at the executor: the application an anonymous authorize request was for. */
export function executorContext(application: ResolvedApplication | null): PlanContext {
  return emptyContext({ application });
}
