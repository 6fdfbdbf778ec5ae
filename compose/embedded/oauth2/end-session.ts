/**
 * End session (authentik/providers/oauth2/views/end_session.py EndSessionView): the provider's invalidation flow (or
 * the default brand's) is planned for the application, with SessionEndStage appended, and the client is sent to it.
 * For a logged-in user the access tokens this provider issued in this session are deleted first. An anonymous
 * request is a valid no-op: the flow runs all the same. The authentik session itself ends only if the flow has a
 * user_logout stage (default-invalidation-flow has one; default-provider-invalidation-flow has none, so the user
 * stays logged in to authentik and its "You've logged out of <app>" page offers the brand's logout).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FrontContext } from '../context.ts';
import { emptyContext, FlowNonApplicable, planFlow, sessionUser } from '../flows/planner.ts';
import { isUrlAbsolute, parseCookies, send } from '../http-util.ts';
import { notFoundPage, permissionDeniedPage } from '../pages.ts';
import { SESSION_COOKIE } from '../sessions.ts';

const HTML = { 'Content-Type': 'text/html; charset=utf-8' };

export async function handleEndSession(fc: FrontContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const slug = fc.provider.invalidation_flow ?? fc.bp.brand.flow_invalidation;
  const flow = slug ? fc.flowBySlug(slug) : null;
  if (!flow) return send(res, 404, notFoundPage(), HTML);
  const session = await fc.startSession(req, res, await fc.sessions.load(parseCookies(req)[SESSION_COOKIE]));
  const user = sessionUser(fc, session);
  if (user) {
    // AccessToken.objects.filter(user=request.user, provider=self.provider, session=auth_session).delete()
    const sid = createHash('sha256').update(session.key).digest('hex');
    for (const [token, record] of fc.tokens) if (record.kind === 'access' && record.userPk === user.pk && record.sid === sid) fc.tokens.delete(token);
  }
  let plan;
  try {
    plan = planFlow(fc, flow, session, emptyContext({ application: fc.app }));
  } catch (e) {
    if (!(e instanceof FlowNonApplicable)) throw e;
    return send(res, 200, permissionDeniedPage(e.message), HTML);
  }
  plan.bindings.push({ stage: { type: 'session_end', pk: 'in-memory-session-end', name: 'SessionEndStage' }, binding: null, reevaluate: false });
  session.plan = plan;
  // FlowPlan.to_redirect: /if/flow/<slug>/ with the request's query
  return send(res, 302, '', { Location: `/if/flow/${flow.slug}/${url.search}` });
}

/**
 * flows/views/executor.py ToDefaultFlow (`/flows/-/default/authentication/`, `/flows/-/default/invalidation/`): the
 * default brand's flow for that designation; a plan for another flow is dropped.
 */
export async function handleDefaultFlow(fc: FrontContext, req: IncomingMessage, res: ServerResponse, url: URL, designation: 'authentication' | 'invalidation'): Promise<void> {
  const slug = designation === 'authentication' ? fc.authenticationFlow : fc.bp.brand.flow_invalidation;
  if (!slug || !fc.flowBySlug(slug)) return send(res, 404, notFoundPage(), HTML);
  const session = await fc.sessions.load(parseCookies(req)[SESSION_COOKIE]);
  if (session?.plan && session.plan.flowSlug !== slug) session.plan = null;
  return send(res, 302, '', { Location: `/if/flow/${slug}/${url.search}` });
}

/** flows/views/executor.py CancelView: the plan goes; to a relative `next`, else to the brand's logout. */
export async function handleCancel(fc: FrontContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const session = await fc.sessions.load(parseCookies(req)[SESSION_COOKIE]);
  if (session) session.plan = null;
  const next = url.searchParams.get('next');
  const relative = next && !isUrlAbsolute(next);
  return send(res, 302, '', { Location: relative ? next : '/flows/-/default/invalidation/' });
}
