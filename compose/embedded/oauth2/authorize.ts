/**
 * The authorization endpoint (authentik/providers/oauth2/views/authorize.py AuthorizationFlowInitView), in
 * authentik's order: 404 without a query, "Client ID Error" / "Redirect URI Error" pages, strict/regex redirect
 * matching, response_type, grant_types, PKCE method, silent scope dropping; then login through the authentication
 * flow (policies/views.py handle_no_permission), the application's policies, consent, and the code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { grantScopes, scopePermissions } from '../claims.ts';
import type { FrontContext } from '../context.ts';
import { emptyContext, FlowNonApplicable, planFlow, sessionUser } from '../flows/planner.ts';
import { parseCookies, send } from '../http-util.ts';
import { errorPage, notFoundPage, permissionDeniedPage } from '../pages.ts';
import { evaluateBindings } from '../policies/engine.ts';
import { SESSION_COOKIE, type AkSession, type AuthorizeRequest, type FlowPlan } from '../sessions.ts';
import { authorizeErrorUri } from './errors.ts';
import { fulfilOrError } from './fulfillment.ts';
import { loginRedirectUris, redirectAllowed } from './redirect-uris.ts';

const HTML = { 'Content-Type': 'text/html; charset=utf-8' };

/**
 * ui_locales (PR #17140, 2025.10+): the first requested locale is passed on to the flow interface as `locale`, the
 * query parameter authentik's web interface takes its language from.
 */
function localeOf(fc: FrontContext, params: URLSearchParams): string | null {
  const first = (params.get('ui_locales') ?? '').split(/\s+/).find(Boolean);
  return fc.features.uiLocales && first ? first : null;
}

function withLocale(fc: FrontContext, qs: URLSearchParams, params: URLSearchParams): void {
  const locale = localeOf(fc, params);
  if (locale) qs.set('locale', locale);
}

type Parsed = { ok: AuthorizeRequest } | { page: [number, string] } | { redirect: string };

/** Parses and validates an authorize request; returns a response to send instead when it fails. */
function parseAuthorize(fc: FrontContext, params: URLSearchParams, fullPath: string): Parsed {
  const { provider, features } = fc;
  const clientId = params.get('client_id') ?? '';
  if (clientId !== provider.client_id) {
    return { page: [400, errorPage('Client ID Error', 'The client identifier (client_id) is missing or invalid.')] };
  }
  const redirectUri = params.get('redirect_uri') ?? '';
  const redirectError: { page: [number, string] } = { page: [400, errorPage('Redirect URI Error', 'The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).')] };
  if (/^(javascript|data|vbscript):/i.test(redirectUri)) return redirectError;
  if (loginRedirectUris(fc).length === 0 && redirectUri) {
    // No redirect URIs configured: the first one seen is saved as strict, before login (authentik.md §3).
    provider.redirect_uris.push({ matching_mode: 'strict', url: redirectUri, redirect_uri_type: 'authorization' });
    fc.log(`saved first redirect URI for provider ${provider.name}`);
  }
  if (!redirectUri || !redirectAllowed(fc, redirectUri)) return redirectError;
  const state = params.get('state');
  const responseType = params.get('response_type') ?? '';
  if (responseType !== 'code') {
    // Implicit and hybrid response types exist in authentik but are not implemented here (CONTRACT.md).
    return { redirect: authorizeErrorUri(redirectUri, 'unsupported_response_type', state) };
  }
  if (features.enforceGrantTypes && !(provider.grant_types ?? []).includes('authorization_code')) {
    fc.log('Invalid grant_type for provider');
    return { redirect: authorizeErrorUri(redirectUri, 'invalid_request', state) };
  }
  const method = params.get('code_challenge_method');
  const challenge = params.get('code_challenge');
  if (challenge && method && method !== 'plain' && method !== 'S256') {
    return { redirect: authorizeErrorUri(redirectUri, 'invalid_request', state) };
  }
  // Request objects are refused after every other check (OAuthAuthorizationParams.__post_init__).
  if (params.get('request')) return { redirect: authorizeErrorUri(redirectUri, 'request_not_supported', state) };
  return {
    ok: {
      clientId,
      redirectUri,
      responseType,
      scopes: grantScopes(provider, params.has('scope') ? params.get('scope') : null, responseType),
      state,
      nonce: params.get('nonce'),
      codeChallenge: challenge || null,
      codeChallengeMethod: challenge ? ((method as 'plain' | 'S256' | null) ?? 'plain') : null,
      prompt: (params.get('prompt') ?? '').split(/\s+/).filter(Boolean),
      loginHint: params.get('login_hint'),
      fullPath,
    },
  };
}

/** The authorization flow's plan (AuthorizationFlowInitView.get): context, prompt=consent, the fulfilment stage. */
function planAuthorization(fc: FrontContext, session: AkSession, ar: AuthorizeRequest): FlowPlan | null {
  const flow = fc.flowBySlug(fc.provider.authorization_flow);
  if (!flow) throw new Error(`authorization flow ${fc.provider.authorization_flow} does not exist`);
  let plan: FlowPlan;
  try {
    plan = planFlow(fc, flow, session, emptyContext({
      application: fc.app,
      authorize: ar,
      consentHeader: `You're about to sign into ${fc.app.name}.`,
      consentPermissions: scopePermissions(fc.provider, ar.scopes),
    }));
  } catch (e) {
    if (e instanceof FlowNonApplicable) return null;
    throw e;
  }
  // prompt=consent: a consent stage (mode always_require) is added in memory
  if (ar.prompt.includes('consent')) plan.bindings.push({ stage: { type: 'consent_in_memory', pk: 'in-memory-consent', name: 'OAuth2 Provider In-memory consent stage' }, binding: null, reevaluate: false });
  plan.bindings.push({ stage: { type: 'oauth_fulfillment', pk: 'in-memory-fulfillment', name: 'OAuthFulfillmentStage' }, binding: null, reevaluate: false });
  return plan;
}

export async function handleAuthorize(fc: FrontContext, req: IncomingMessage, res: ServerResponse, url: URL, params: URLSearchParams): Promise<void> {
  if ([...params.keys()].length === 0) return send(res, 404, notFoundPage(), HTML);
  // OAuth2Provider.objects.filter(client_id=...): the request's application (its provider, flows, issuer).
  const app = fc.appByClientId(params.get('client_id') ?? '');
  if (app) fc = fc.forApp(app);
  const parsed = parseAuthorize(fc, params, url.pathname + url.search);
  if ('page' in parsed) return send(res, parsed.page[0], parsed.page[1], HTML);
  if ('redirect' in parsed) return send(res, 302, '', { Location: parsed.redirect });
  const ar = parsed.ok;
  let session = await fc.sessions.load(parseCookies(req)[SESSION_COOKIE]);
  const user = sessionUser(fc, session);
  const mustLogin = !user || (ar.prompt.includes('login') && !session!.forcedLogin);
  if (mustLogin) {
    if (ar.prompt.includes('none')) return send(res, 302, '', { Location: authorizeErrorUri(ar.redirectUri, 'login_required', ar.state) });
    session = await fc.startSession(req, res, session);
    if (user && ar.prompt.includes('login')) session.forcedLogin = true;
    // PolicyAccessView.handle_no_permission: remember the application, 302 to the authentication flow with `next`
    session.applicationPre = fc.app;
    session.plan = null;
    const qs = new URLSearchParams(url.search);
    qs.set('next', ar.fullPath);
    withLocale(fc, qs, params);
    return send(res, 302, '', { Location: `/if/flow/${fc.authenticationFlow}/?${qs}` });
  }
  session!.forcedLogin = false;
  // policies/denied.py AccessDeniedResponse: an HTML page with HTTP 200, not an error redirect.
  const denied = () => send(res, 200, permissionDeniedPage(), HTML);
  if (!evaluateBindings(fc.app.bindings, fc.app.policy_engine_mode, { user, inFlowPlan: false, pendingUserAuthenticated: false }).passing) return denied();
  const plan = planAuthorization(fc, session!, ar);
  if (!plan) return denied();
  // FlowPlan.to_redirect(allowed_silent_types=[OAuthFulfillmentStage]): only the fulfilment left, so no executor
  if (plan.bindings.every((b) => b.stage.type === 'oauth_fulfillment' && !b.reevaluate)) {
    return send(res, 302, '', { Location: await fulfilOrError(fc, fc.baseUrl(req), session!, ar) });
  }
  session!.plan = plan;
  const locale = localeOf(fc, params);
  return send(res, 302, '', { Location: `/if/flow/${plan.flowSlug}/${url.search}${locale ? `&locale=${encodeURIComponent(locale)}` : ''}` });
}
