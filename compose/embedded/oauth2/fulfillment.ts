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
import { send } from '../http-util.ts';
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
  if (ar.codeChallenge) {
    // oidc-provider only knows S256; a plain challenge c is stored as S256(c), which a verifier v matches iff v = c.
    q.set('code_challenge', ar.codeChallengeMethod === 'S256' ? ar.codeChallenge : createHash('sha256').update(ar.codeChallenge).digest('base64url'));
    q.set('code_challenge_method', 'S256');
  }
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
    userPk: session.userPk!, scopes: ar.scopes, nonce: ar.nonce, authTime: session.authTime, amr: session.amr,
    sid: createHash('sha256').update(session.key).digest('hex'), redirectUri: ar.redirectUri, consumed: false,
  });
  setTimeout(() => fc.codes.delete(code), (fc.provider.access_code_validity_s + 600) * 1000).unref();
  // OAuthFulfillmentStage.create_response_uri: keep the redirect URI's query, add code and state (always present).
  const cb = new URL(ar.redirectUri);
  const qs = new URLSearchParams(cb.search);
  qs.set('code', code);
  qs.set('state', ar.state ?? '');
  cb.search = qs.toString();
  return cb.toString();
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
