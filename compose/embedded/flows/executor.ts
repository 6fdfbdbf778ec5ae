/**
 * The flow executor JSON API (authentik/flows/views/executor.py FlowExecutorView): `GET|POST
 * /api/v3/flows/executor/<slug>/?query=…`. Every call stores `query` as SESSION_KEY_GET; the session's plan for this
 * flow continues, or the flow is planned (a plan for another flow is cancelled). JSON bodies only, and CSRF once the
 * session is authenticated (DRF SessionAuthentication). The current stage's view answers; stage_ok goes on with a
 * raw 302 to the same URL while stages remain, else the flow is done (xak-flow-redirect to `next`). Every exception
 * is 200 `ak-stage-flow-error` (handle_exception).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FrontContext } from '../context.ts';
import { isUrlAbsolute, parseCookies, readBody, send, sendJson } from '../http-util.ts';
import { CSRF_COOKIE, SESSION_COOKIE, type AkSession, type FlowPlan, type PlannedBinding } from '../sessions.ts';
import { flowInfo, userInfo } from './challenge.ts';
import { executorContext, FlowNonApplicable, nextBinding, planFlow, sessionUser } from './planner.ts';
import { ExecutorError, type Execution, type FlowCall, type ResponseErrors } from './stage.ts';
import { viewFor } from './stages/index.ts';

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

type Call = FlowCall;

/** FlowExecutorView.cancel: the plan and SESSION_KEY_GET go. */
function cancel(c: Call): void {
  c.session.plan = null;
  c.session.get = new URLSearchParams();
}

/** stage_invalid without a current stage: access denied, with the flow's info (AccessDeniedStage). */
function accessDenied(c: Call, plan: FlowPlan | null, message: string | undefined): void {
  sendJson(c.res, 200, {
    component: 'ak-stage-access-denied', error_message: message || 'Unknown error',
    flow_info: flowInfo(c.fc, c.flow, plan, c.session), ...userInfo(c.fc, plan, c.session),
  });
  cancel(c);
}

/** _flow_done: to the plan's `redirect`, else to `next` (default "/"), relative only ("Invalid next URL"). */
function flowDone(c: Call, plan: FlowPlan | null): void {
  const next = c.session.get.get('next') ?? '/';
  cancel(c);
  if (isUrlAbsolute(next)) return accessDenied(c, plan, 'Invalid next URL');
  sendJson(c.res, 200, { component: 'xak-flow-redirect', to: next });
}

/** handle_invalid_flow: denied_action continue/message_continue go to a relative `next` of the executor's own query. */
function handleInvalidFlow(c: Call, err: FlowNonApplicable): void {
  const next = c.url.searchParams.get('next');
  if (c.flow.denied_action !== 'message' && next && !isUrlAbsolute(next)) return sendJson(c.res, 200, { component: 'xak-flow-redirect', to: next });
  if (c.flow.denied_action === 'continue') return sendJson(c.res, 200, { component: 'xak-flow-redirect', to: '/' });
  accessDenied(c, null, err.message);
}

/** The Execution a stage view works with, for the current binding of the plan. */
function execution(c: Call, plan: FlowPlan, current: PlannedBinding): Execution {
  const x: Execution = {
    ...c,
    plan,
    current,
    challenge(data, opts = {}) {
      sendJson(c.res, 200, { flow_info: flowInfo(c.fc, c.flow, plan, c.session), ...(opts.withUserInfo ? userInfo(c.fc, plan, c.session) : {}), ...data });
    },
    invalid(data, errors: ResponseErrors, opts = {}) {
      const action = current.binding?.invalid_response_action ?? 'retry';
      if (action !== 'retry') return restart(c, action === 'restart_with_context' ? plan : null);
      x.challenge({ ...data, response_errors: errors }, opts);
    },
    async stageOk() {
      plan.bindings.shift();
      c.session.plan = plan;
      if (plan.bindings.length > 0) return send(c.res, 302, '', { Location: c.url.pathname + c.url.search });
      flowDone(c, plan);
    },
    stageInvalid(message) {
      const action = current.binding?.invalid_response_action ?? 'retry';
      if (action !== 'retry') return restart(c, action === 'restart_with_context' ? plan : null);
      accessDenied(c, plan, message);
    },
    respond(value) {
      sendJson(c.res, 200, value);
    },
  };
  return x;
}

/** restart_flow: plan the flow again (keeping the context for restart_with_context) and 302 to the executor. */
function restart(c: Call, keep: FlowPlan | null): void {
  try {
    c.session.plan = planFlow(c.fc, c.flow, c.session, keep ? keep.context : executorContext(null));
  } catch (e) {
    if (!(e instanceof FlowNonApplicable)) throw e;
    return handleInvalidFlow(c, e);
  }
  send(c.res, 302, '', { Location: c.url.pathname + c.url.search });
}

/** The session's plan for this flow, or a new one; null when the call was answered (not applicable, empty). */
function currentPlan(c: Call): FlowPlan | null {
  const { fc, session, flow } = c;
  if (session.plan && session.plan.flowSlug === flow.slug) return session.plan;
  session.plan = null;
  let plan: FlowPlan;
  try {
    const application = session.applicationPre;
    session.applicationPre = null;
    plan = planFlow(fc, flow, session, executorContext(application));
  } catch (e) {
    if (!(e instanceof FlowNonApplicable)) throw e;
    // an authentication flow for a user who is logged in already: straight to `next`
    if (flow.designation === 'authentication' && sessionUser(fc, session)) {
      flowDone(c, null);
      return null;
    }
    handleInvalidFlow(c, e);
    return null;
  }
  session.plan = plan;
  return plan;
}

export async function handleExecutor(fc: FrontContext, req: IncomingMessage, res: ServerResponse, slug: string, url: URL, requestId: string): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'POST') throw new ExecutorError('method not allowed');
    const flow = fc.flowBySlug(slug);
    if (!flow) throw new ExecutorError('flow not found');
    const cookies = parseCookies(req);
    const session = await fc.startSession(req, res, await fc.sessions.load(cookies[SESSION_COOKIE]));
    session.get = new URLSearchParams(url.searchParams.get('query') ?? '');
    let body: Record<string, unknown> | null = null;
    if (req.method === 'POST') {
      body = await jsonBody(req);
      checkCsrf(req, session, cookies);
    }
    let c: Call = { fc, req, res, url, session, flow, requestId };
    const plan = currentPlan(c);
    if (!plan) return;
    // The plan belongs to the application whose authorize request made it (its provider, issuer and keys).
    const planApp = plan.context.authorize ? fc.appByClientId(plan.context.authorize.clientId) : undefined;
    if (planApp) {
      fc = fc.forApp(planApp);
      c = { ...c, fc };
    }
    const current = nextBinding(fc, plan, session);
    if (!current) return flowDone(c, plan);
    const view = viewFor(current.stage);
    const x = execution(c, plan, current);
    if (!body || (!view.post && view.component === null)) return await view.get(x);
    if (!view.post || body.component !== view.component) throw new ExecutorError('unknown component');
    return await view.post(x, body);
  } catch (e) {
    if (!(e instanceof ExecutorError)) fc.log(`flow executor exception: ${(e as Error).message}`);
    return sendJson(res, 200, { component: 'ak-stage-flow-error', request_id: requestId });
  }
}

