/**
 * The password stage (authentik/stages/password/stage.py PasswordStageView): "Invalid password" as a response error;
 * after failed_attempts_before_cancel (default 5) failures the flow is denied.
 */
import { constantEquals } from '../../oauth2/client-auth.ts';
import { accessDenied, DEFAULT_AVATAR, flowInfo } from '../challenge.ts';
import { respond, stageOk, withErrors, type StageRequest, type StageView } from '../stage.ts';

const FAILED_ATTEMPTS_BEFORE_CANCEL = 5;

function challenge(r: StageRequest): Record<string, unknown> {
  return {
    flow_info: flowInfo(r.plan), component: 'ak-stage-password', pending_user: r.plan.pendingUser ?? '',
    pending_user_avatar: DEFAULT_AVATAR, recovery_url: '', allow_show_password: false,
  };
}

export const passwordStage: StageView = {
  component: 'ak-stage-password',
  get: (r) => respond(r, challenge(r)),
  post(r, body) {
    const { plan } = r;
    const password = body.password;
    const user = plan.pendingUser ? r.fc.findUser(plan.pendingUser) : null;
    const ok = typeof password === 'string' && user !== null && user.is_active && user.password !== null && constantEquals(password, user.password);
    if (!ok) {
      plan.failedAttempts++;
      if (plan.failedAttempts >= FAILED_ATTEMPTS_BEFORE_CANCEL) {
        r.session.plan = null;
        return respond(r, accessDenied(plan, 'Invalid password'));
      }
      return respond(r, withErrors(challenge(r), 'password', 'Invalid password', 'invalid'));
    }
    plan.pendingUser = user.username;
    return stageOk(r);
  },
};
