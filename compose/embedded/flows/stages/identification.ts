/**
 * The identification stage (authentik/stages/identification/stage.py IdentificationStageView,
 * IdentificationChallengeResponse.validate): the user is looked up by the stage's user_fields (case-insensitively
 * unless configured otherwise); an unknown user passes only with pretend_user_exists and no password field
 * ("Failed to authenticate." otherwise); with a password stage inline the password is checked in the same step.
 * [2026.2+] login_hint skips a simple stage (no password field, no policies on the binding).
 */
import type { ResolvedStage, ResolvedUser } from '../../blueprints/index.ts';
import { constantEquals } from '../../oauth2/client-auth.ts';
import type { PendingUser } from '../../sessions.ts';
import { fieldError, type Execution, type StageView } from '../stage.ts';

type IdentificationStage = Extract<ResolvedStage, { type: 'identification' }>;

function stageOf(x: Execution): IdentificationStage {
  return x.current.stage as IdentificationStage;
}

/** get_user: any of user_fields matches (email, username, attributes.upn), exact or case-insensitive. */
export function findUser(users: readonly ResolvedUser[], stage: IdentificationStage, uid: string): ResolvedUser | null {
  const same = (a: string, b: string) => (stage.case_insensitive_matching ? a.toLowerCase() === b.toLowerCase() : a === b);
  return users.find((u) => stage.user_fields.some((f) => {
    const value = f === 'upn' ? u.attributes.upn : u[f];
    return typeof value === 'string' && value !== '' && same(value, uid);
  })) ?? null;
}

/** Django's InbuiltBackend: an inactive user or a wrong password authenticates nobody (authentik.md §12). */
export function passwordMatches(user: ResolvedUser | null, password: unknown): user is ResolvedUser {
  return user !== null && user.is_active && user.password !== null && typeof password === 'string' && constantEquals(password, user.password);
}

function challenge(x: Execution): Record<string, unknown> {
  const stage = stageOf(x);
  const app = x.plan.context.application;
  return {
    component: 'ak-stage-identification',
    user_fields: stage.user_fields,
    password_fields: stage.password_stage !== null,
    allow_show_password: stage.password_stage?.allow_show_password ?? false,
    ...(app ? { application_pre: app.name } : {}),
    ...(app && x.fc.features.challengeFields2026_2 ? { application_pre_launch: x.fc.launchUrl(app) } : {}),
    enable_remember_me: stage.enable_remember_me,
    flow_designation: x.flow.designation,
    primary_action: x.flow.designation === 'authentication' ? 'Log in' : 'Continue',
    sources: [],
    show_source_labels: stage.show_source_labels,
    captcha_stage: null,
    passkey_challenge: null,
    ...(x.fc.features.challengeFields2026_2 ? { pending_user_identifier: x.plan.context.pendingUserIdentifier } : {}),
    // reverse_with_qs("authentik_core:if-flow", query=SESSION_KEY_GET): the linked flows keep the query
    ...linkedFlows(x, { enroll_url: stage.enrollment_flow, recovery_url: stage.recovery_flow, passwordless_url: stage.passwordless_flow }),
  };
}

function linkedFlows(x: Execution, flows: Record<string, string | null>): Record<string, string> {
  const qs = x.session.get.toString();
  const out: Record<string, string> = {};
  for (const [key, slug] of Object.entries(flows)) if (slug) out[key] = `/if/flow/${slug}/${qs ? `?${qs}` : ''}`;
  return out;
}

function unknownUser(uid: string): PendingUser {
  return { user: null, username: uid, email: uid };
}

/** challenge_valid: the pending user is set; the typed identifier is shown instead unless show_matched_user. */
function identified(x: Execution, pending: PendingUser, uid: string, authenticated: boolean): Promise<void> {
  const ctx = x.plan.context;
  ctx.pendingUser = pending;
  if (authenticated) {
    ctx.authenticated = true;
    ctx.method = 'password';
  }
  if (!stageOf(x).show_matched_user) ctx.pendingUserIdentifier = uid;
  return x.stageOk();
}

export const identificationStage: StageView = {
  component: 'ak-stage-identification',
  get(x) {
    const stage = stageOf(x);
    const hint = x.session.get.get('login_hint');
    const simple = stage.password_stage === null && (x.current.binding?.policies.length ?? 0) === 0;
    if (x.fc.features.loginHintSkipsIdentification && hint && simple) {
      const user = findUser(x.fc.bp.users, stage, hint);
      return identified(x, user ? { user, username: user.username, email: user.email } : unknownUser(hint), hint, false);
    }
    x.challenge(challenge(x));
  },
  post(x, body) {
    const stage = stageOf(x);
    const uid = body.uid_field;
    if (uid !== undefined && uid !== null && typeof uid !== 'string') return x.invalid(challenge(x), fieldError('uid_field', 'Not a valid string.', 'invalid'));
    if (!uid) return x.invalid(challenge(x), fieldError('non_field_errors', 'No identification data provided.', 'invalid'));
    const failed = () => x.invalid(challenge(x), fieldError('non_field_errors', 'Failed to authenticate.', 'invalid'));
    const user = findUser(x.fc.bp.users, stage, uid);
    if (!user) {
      // the pending user is set even on failure (it stays in the context for a restart)
      x.plan.context.pendingUser = unknownUser(uid);
      if (!stage.show_matched_user) x.plan.context.pendingUserIdentifier = uid;
      if (stage.pretend_user_exists && !stage.password_stage) return identified(x, unknownUser(uid), uid, false);
      return failed();
    }
    const pending = { user, username: user.username, email: user.email };
    if (!stage.password_stage) return identified(x, pending, uid, false);
    if (!passwordMatches(user, body.password)) return failed();
    return identified(x, pending, uid, true);
  },
};
