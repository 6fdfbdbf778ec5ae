/**
 * The user_login stage (authentik/stages/user_login/stage.py): Django login() rotates the session key and the CSRF
 * token; the flow ends with xak-flow-redirect to `next` (flows/views/executor.py _flow_done: an absolute `next` is
 * "Invalid next URL").
 */
import { appendSetCookie } from '../../http-util.ts';
import { csrfCookie, sessionCookie } from '../../sessions.ts';
import { accessDenied } from '../challenge.ts';
import { ExecutorError, respond, type StageView } from '../stage.ts';

export const userLoginStage: StageView = {
  component: null,
  async get(r) {
    const { fc, plan, session } = r;
    const user = plan.pendingUser ? fc.findUser(plan.pendingUser) : null;
    if (!user) throw new ExecutorError('no pending user');
    session.plan = null;
    fc.sessions.rotate(session);
    session.userPk = user.pk;
    session.authTime = fc.nowSec();
    session.amr = ['pwd'];
    session.coreSessions.clear();
    const secure = fc.isSecure(r.req);
    appendSetCookie(r.res, sessionCookie(await fc.sessions.cookieValue(session), secure));
    appendSetCookie(r.res, csrfCookie(session.csrf!, secure));
    const next = session.get.get('next') ?? '/';
    if (/^[a-z][a-z0-9+.-]*:/i.test(next) || next.startsWith('//')) return respond(r, accessDenied(plan, 'Invalid next URL'));
    return respond(r, { component: 'xak-flow-redirect', to: next });
  },
};
