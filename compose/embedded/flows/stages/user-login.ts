/**
 * The user_login stage (authentik/stages/user_login/stage.py UserLoginStageView): with remember_me_offset it first
 * asks `ak-stage-user-login` ({remember_me}); then Django login() rotates the session key and the CSRF token, and
 * the stage is ok. amr follows id_token.py: `pwd` after a password, `mfa` added after MFA devices.
 */
import type { ResolvedStage } from '../../blueprints/index.ts';
import { appendSetCookie } from '../../http-util.ts';
import { csrfCookie, sessionCookie } from '../../sessions.ts';
import { fieldError, type Execution, type StageView } from '../stage.ts';

type UserLoginStage = Extract<ResolvedStage, { type: 'user_login' }>;

async function doLogin(x: Execution): Promise<void> {
  const { fc, plan, session } = x;
  const user = plan.context.pendingUser?.user;
  if (!user || !user.is_active) return x.stageInvalid();
  fc.sessions.rotate(session);
  session.userPk = user.pk;
  session.authTime = fc.nowSec();
  const amr = plan.context.method === 'password' ? ['pwd'] : [];
  if (plan.context.mfaDevices > 0 && amr.length > 0) amr.push('mfa');
  session.amr = amr;
  session.coreSessions.clear();
  const secure = fc.isSecure(x.req);
  appendSetCookie(x.res, sessionCookie(await fc.sessions.cookieValue(session), secure));
  appendSetCookie(x.res, csrfCookie(session.csrf!, secure));
  return x.stageOk();
}

export const userLoginStage: StageView = {
  component: 'ak-stage-user-login',
  get(x) {
    if ((x.current.stage as UserLoginStage).remember_me_offset_s > 0) return x.challenge({ component: 'ak-stage-user-login' }, { withUserInfo: true });
    return doLogin(x);
  },
  post(x, body) {
    if (typeof body.remember_me !== 'boolean') {
      const errors = body.remember_me === undefined ? fieldError('remember_me', 'This field is required.', 'required') : fieldError('remember_me', 'Must be a valid boolean.', 'invalid');
      return x.invalid({ component: 'ak-stage-user-login' }, errors, { withUserInfo: true });
    }
    return doLogin(x);
  },
};
