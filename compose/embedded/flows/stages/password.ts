/**
 * The password stage (authentik/stages/password/stage.py PasswordStageView, PasswordChallengeResponse): the password
 * of the pending user, "Invalid password" otherwise; each invalid answer counts in the session
 * (SESSION_KEY_INVALID_TRIES) and at failed_attempts_before_cancel (default 5) the flow is denied.
 */
import type { ResolvedStage } from '../../blueprints/index.ts';
import { fieldError, requiredString, type Execution, type ResponseErrors, type StageView } from '../stage.ts';
import { passwordMatches } from './identification.ts';

type PasswordStage = Extract<ResolvedStage, { type: 'password' }>;

function challenge(x: Execution): Record<string, unknown> {
  // recovery_url only when the brand has a recovery flow (absolute, build_absolute_uri; authentik.md §13.1)
  const recovery = x.fc.bp.brand.flow_recovery;
  return {
    component: 'ak-stage-password', allow_show_password: (x.current.stage as PasswordStage).allow_show_password,
    ...(recovery ? { recovery_url: `${x.fc.baseUrl(x.req)}/if/flow/${recovery}/` } : {}),
  };
}

function invalid(x: Execution, errors: ResponseErrors): void {
  x.session.invalidTries++;
  if (x.session.invalidTries >= (x.current.stage as PasswordStage).failed_attempts_before_cancel) {
    x.session.invalidTries = 0;
    return x.stageInvalid('Invalid password');
  }
  x.invalid(challenge(x), errors, { withUserInfo: true });
}

export const passwordStage: StageView = {
  component: 'ak-stage-password',
  get: (x) => x.challenge(challenge(x), { withUserInfo: true }),
  post(x, body) {
    const field = requiredString(body, 'password');
    if ('errors' in field) return invalid(x, field.errors);
    const pending = x.plan.context.pendingUser;
    if (!pending) return x.stageInvalid();
    if (!passwordMatches(pending.user, field.value)) return invalid(x, fieldError('password', 'Invalid password', 'invalid'));
    x.plan.context.pendingUser = { user: pending.user, username: pending.user.username, email: pending.user.email };
    x.plan.context.authenticated = true;
    x.plan.context.method = 'password';
    return x.stageOk();
  },
};
