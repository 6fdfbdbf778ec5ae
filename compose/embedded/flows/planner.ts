/**
 * Flow plans (authentik/flows/planner.py FlowPlanner / FlowPlan): the stages a flow runs for this request, stored in
 * the session (SESSION_KEY_PLAN) until the flow is done.
 */
import { randomUUID } from 'node:crypto';
import type { FrontContext } from '../context.ts';
import type { AuthorizeRequest, FlowPlan } from '../sessions.ts';

export const IMPLICIT_CONSENT = 'default-provider-authorization-implicit-consent';
export const EXPLICIT_CONSENT = 'default-provider-authorization-explicit-consent';

/**
 * The authentication flow (blueprints/default/flow-default-authentication-flow.yaml): identification, password,
 * MFA validation (skipped without devices), user_login.
 */
export function planAuthentication(fc: FrontContext, ar: AuthorizeRequest | null, applicationName: string | null): FlowPlan {
  const plan: FlowPlan = {
    flow: fc.authenticationFlow, kind: 'authentication', stages: ['identification', 'password', 'mfa', 'login'], index: 0,
    pendingUser: null, failedAttempts: 0, applicationName, authorize: ar, consentToken: null,
  };
  if (fc.features.loginHintSkipsIdentification && ar?.loginHint) {
    // [2026.2+] login_hint skips a simple identification stage (stages/identification/stage.py).
    plan.pendingUser = ar.loginHint;
    plan.index = 1;
  }
  return plan;
}

/** The explicit-consent authorization flow: a consent stage, then the OAuth fulfilment stage. */
export function planExplicitConsent(fc: FrontContext, ar: AuthorizeRequest, username: string): FlowPlan {
  return {
    flow: EXPLICIT_CONSENT, kind: 'consent', stages: ['consent', 'fulfilment'], index: 0, pendingUser: username,
    failedAttempts: 0, applicationName: fc.app.name, authorize: ar, consentToken: randomUUID(),
  };
}
