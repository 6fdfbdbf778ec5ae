/**
 * OAuthFulfillmentStage (authentik/providers/oauth2/views/authorize.py): the last stage of an authorization, which
 * issues the code and builds the callback URL. The code itself comes from oidc-provider (oidc-core.ts), asked over
 * the internal loopback server with the session's account; the callback is put in authentik's shape.
 */
import { createHash } from 'node:crypto';
import { issuerFor } from '../claims.ts';
import type { FrontContext } from '../context.ts';
import { CORE_EMPTY_SCOPE } from '../oidc-core.ts';
import type { AkSession, AuthorizeRequest } from '../sessions.ts';
import { AUTHORIZE_ERRORS, authorizeErrorUri } from './errors.ts';
import type { StageView } from '../flows/stage.ts';
import { pyParseQs, pyUrlencode, send } from '../http-util.ts';
import { ACR } from './tokens.ts';

/** The oidc-provider session of this authentik session for an issuer (created on first use). */
async function coreSessionFor(fc: FrontContext, issuer: string, session: AkSession): Promise<string> {
  let coreSession = session.coreSessions.get(issuer);
  if (!coreSession) {
    coreSession = await fc.core.createSession(issuer, { accountId: String(session.userPk), loginTs: session.authTime, amr: session.amr, acr: ACR });
    session.coreSessions.set(issuer, coreSession);
  }
  return coreSession;
}

/** Issues a code for the validated request and returns the callback URL (or an error redirect). */
export async function fulfil(fc: FrontContext, base: string, session: AkSession, ar: AuthorizeRequest): Promise<string> {
  const issuer = issuerFor(base, fc.bp);
  const coreSession = await coreSessionFor(fc, issuer, session);
  const q = new URLSearchParams({ client_id: ar.clientId, redirect_uri: ar.redirectUri, response_type: 'code' });
  const coreScopes = ar.scopes.filter((s) => s !== 'offline_access');
  q.set('scope', coreScopes.length ? coreScopes.join(' ') : CORE_EMPTY_SCOPE);
  // PKCE stays in the front layer (token.ts pkceMatches): authentik stores any challenge as given and compares at the
  // token endpoint, while oidc-provider refuses a challenge or verifier outside RFC 7636's shape at once.
  const r = await fc.core.send(issuer, { method: 'GET', path: `/application/o/authorize/?${q}`, headers: { cookie: `_session=${coreSession}` } });
  const location = r.headers.location;
  if (!location) throw new Error(`oidc-provider answered the authorization request with HTTP ${r.status}`);
  const answer = new URL(location, base);
  const code = answer.searchParams.get('code');
  if (!code) {
    const error = answer.searchParams.get('error') ?? 'server_error';
    return authorizeErrorUri(ar.redirectUri, AUTHORIZE_ERRORS[error] ? error : 'invalid_request', ar.state);
  }
  fc.codes.set(code, {
    clientId: fc.provider.client_id, userPk: session.userPk!, scopes: ar.scopes, nonce: ar.nonce, authTime: session.authTime, amr: session.amr,
    sid: createHash('sha256').update(session.key).digest('hex'), redirectUri: ar.redirectUri, consumed: false,
    codeChallenge: ar.codeChallenge, codeChallengeMethod: ar.codeChallengeMethod,
  });
  setTimeout(() => fc.codes.delete(code), (fc.provider.access_code_validity_s + 600) * 1000).unref();
  return responseUri(ar.redirectUri, code, ar.state);
}

/**
 * OAuthFulfillmentStage.create_response_uri (response_mode query): urlsplit the redirect URI, parse_qs its query
 * (blank values dropped), set code and state (always present), urlencode(doseq=True) and urlunsplit. Nothing is
 * normalised: `http://localhost?x=1` stays without a path (`http://localhost?x=1&code=…`), unlike WHATWG URL.
 */
export function responseUri(redirectUri: string, code: string, state: string | null): string {
  const m = /^([^?#]*)(?:\?([^#]*))?(#.*)?$/.exec(redirectUri)!;
  const query = pyParseQs(m[2] ?? '');
  query.set('code', [code]);
  query.set('state', [state ?? '']);
  return `${m[1]}?${pyUrlencode(query)}${m[3] ?? ''}`;
}

/**
 * The stage view. It does not call stage_ok: the callback URL comes back inside xak-flow-redirect (or the error
 * redirect), the plan stays in the session without its authorize parameters, and a second call is a 400.
 */
export const fulfillmentStage: StageView = {
  component: null,
  async get(x) {
    const ar = x.plan.context.authorize;
    if (!ar) return send(x.res, 400, '');
    x.plan.context.authorize = null;
    return x.respond({ component: 'xak-flow-redirect', to: await fulfilOrError(x.fc, x.fc.baseUrl(x.req), x.session, ar) });
  },
};

/** {none, consent} both in prompt is consent_required; anything else gets a code. */
export async function fulfilOrError(fc: FrontContext, base: string, session: AkSession, ar: AuthorizeRequest): Promise<string> {
  if (ar.prompt.includes('none') && ar.prompt.includes('consent')) return authorizeErrorUri(ar.redirectUri, 'consent_required', ar.state);
  return fulfil(fc, base, session, ar);
}
