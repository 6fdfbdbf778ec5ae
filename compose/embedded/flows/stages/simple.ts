/**
 * Stages with little logic: deny (authentik/stages/deny/stage.py: the flow is denied with deny_message), dummy
 * (authentik/stages/dummy/stage.py: a challenge any answer passes; throw_error raises), user_logout
 * (authentik/stages/user_logout/stage.py: Django logout(), which deletes the session's access tokens through
 * providers/oauth2/signals.py), and a stage type the reference provider does not run (named, then a flow error).
 */
import type { ResolvedStage } from '../../blueprints/index.ts';
import { appendSetCookie } from '../../http-util.ts';
import { sessionCookie } from '../../sessions.ts';
import { ExecutorError, type StageView } from '../stage.ts';

export const denyStage: StageView = {
  component: null,
  get: (x) => x.stageInvalid((x.current.stage as Extract<ResolvedStage, { type: 'deny' }>).deny_message || undefined),
};

export const dummyStage: StageView = {
  component: 'ak-stage-dummy',
  get(x) {
    const stage = x.current.stage as Extract<ResolvedStage, { type: 'dummy' }>;
    if (stage.throw_error) throw new Error('Test error');
    x.challenge({ component: 'ak-stage-dummy', title: stage.name, name: stage.name });
  },
  post: (x) => x.stageOk(),
};

export const userLogoutStage: StageView = {
  component: null,
  async get(x) {
    x.fc.endSession(x.session);
    appendSetCookie(x.res, sessionCookie(await x.fc.sessions.cookieValue(x.session), x.fc.isSecure(x.req)));
    return x.stageOk();
  },
};

export const unsupportedStage: StageView = {
  component: null,
  get(x) {
    const stage = x.current.stage as Extract<ResolvedStage, { type: 'unsupported' }>;
    x.fc.log(`flow ${x.flow.slug} reached stage "${stage.name}" (${stage.model}), which the reference provider does not run`);
    throw new ExecutorError(`stage type ${stage.model} is not reproduced`);
  },
};
