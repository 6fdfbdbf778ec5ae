/**
 * The flow executor JSON API (authentik/flows/views/executor.py FlowExecutorView): `GET|POST
 * /api/v3/flows/executor/<slug>/?query=…`. It keeps SESSION_KEY_GET from `query` on every call, continues the
 * session's plan (or plans the authentication flow), checks JSON bodies and, once the session is authenticated,
 * CSRF (DRF SessionAuthentication), then hands the request to the current stage's view. Every exception is
 * 200 `ak-stage-flow-error` (handle_exception).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_AUTHENTICATION_FLOW, type FrontContext } from '../context.ts';
import { parseCookies, readBody, sendJson } from '../http-util.ts';
import { fulfillmentStage } from '../oauth2/fulfillment.ts';
import { CSRF_COOKIE, SESSION_COOKIE, type AkSession, type StageName } from '../sessions.ts';
import { accessDenied } from './challenge.ts';
import { EXPLICIT_CONSENT, IMPLICIT_CONSENT, planAuthentication } from './planner.ts';
import { ExecutorError, type StageView } from './stage.ts';
import { authenticatorValidateStage } from './stages/authenticator-validate.ts';
import { consentStage } from './stages/consent.ts';
import { identificationStage } from './stages/identification.ts';
import { passwordStage } from './stages/password.ts';
import { userLoginStage } from './stages/user-login.ts';

const STAGE_VIEWS: Record<StageName, StageView> = {
  identification: identificationStage,
  password: passwordStage,
  mfa: authenticatorValidateStage,
  login: userLoginStage,
  consent: consentStage,
  fulfilment: fulfillmentStage,
};

/** DRF with the orjson parser only: anything but a JSON object is an exception. */
async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req);
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new ExecutorError('unsupported media type');
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new ExecutorError('malformed JSON');
  }
}

/** CSRF is enforced by SessionAuthentication only once the session is authenticated (authentik.md §8). */
function checkCsrf(req: IncomingMessage, session: AkSession, cookies: Record<string, string>): void {
  if (session.userPk === null) return;
  const header = String(req.headers['x-authentik-csrf'] ?? '');
  const cookie = cookies[CSRF_COOKIE] ?? '';
  if (!session.csrf || !header || header !== cookie || header !== session.csrf) throw new ExecutorError('CSRF Failed');
}

export async function handleExecutor(fc: FrontContext, req: IncomingMessage, res: ServerResponse, slug: string, url: URL, requestId: string): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'POST') throw new ExecutorError('method not allowed');
    if (![fc.authenticationFlow, DEFAULT_AUTHENTICATION_FLOW, IMPLICIT_CONSENT, EXPLICIT_CONSENT].includes(slug)) throw new ExecutorError('flow not found');
    const cookies = parseCookies(req);
    const session = await fc.startSession(req, res, await fc.sessions.load(cookies[SESSION_COOKIE]));
    session.get = new URLSearchParams(url.searchParams.get('query') ?? '');
    let body: Record<string, unknown> | null = null;
    if (req.method === 'POST') {
      body = await jsonBody(req);
      checkCsrf(req, session, cookies);
    }
    let plan = session.plan && session.plan.flow === slug ? session.plan : null;
    if (!plan) {
      if (slug !== fc.authenticationFlow && slug !== DEFAULT_AUTHENTICATION_FLOW) return sendJson(res, 200, accessDenied(null, 'Flow does not apply to current user.'));
      plan = planAuthentication(fc, null, null);
      session.plan = plan;
    }
    const view = STAGE_VIEWS[plan.stages[plan.index]!];
    const r = { fc, req, res, url, session, plan, requestId };
    if (!body) return await view.get(r);
    if (!view.post || body.component !== view.component) throw new ExecutorError('unknown component');
    return await view.post(r, body);
  } catch (e) {
    if (!(e instanceof ExecutorError)) fc.log(`flow executor exception: ${(e as Error).message}`);
    return sendJson(res, 200, { component: 'ak-stage-flow-error', request_id: requestId });
  }
}
