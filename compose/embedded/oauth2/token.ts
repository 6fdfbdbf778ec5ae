/**
 * The token endpoint (authentik/providers/oauth2/views/token.py TokenView): client authentication, grant_types per
 * profile, the redirect_uri checked against the provider's list (invalid_client), the code and refresh grants.
 * oidc-provider checks the code, PKCE and the secret (oidc-core.ts); the answer carries authentik's JWTs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { issuerFor } from '../claims.ts';
import type { FrontContext } from '../context.ts';
import { parseForm, readBody, send, sendJson } from '../http-util.ts';
import { clientAuth, constantEquals } from './client-auth.ts';
import { sendTokenError } from './errors.ts';
import { redirectAllowed } from './redirect-uris.ts';
import { createHash } from 'node:crypto';
import { issueTokens, type CodeRecord, type TokenRecord } from './tokens.ts';
import type { ResolvedProvider } from '../blueprints/index.ts';
import type { ProfileFeatures } from '../profiles.ts';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

async function coreToken(fc: FrontContext, issuer: string, form: URLSearchParams) {
  const r = await fc.core.send(issuer, { method: 'POST', path: '/application/o/token/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  return { status: r.status, body: JSON.parse(r.body || '{}') as Record<string, unknown> };
}

/**
 * TokenParams.__post_init_code PKCE: with a stored challenge a verifier is required and S256(verifier) (or the
 * verifier itself for plain) must equal it; a verifier without a stored challenge is refused (downgrade
 * protection). A challenge of any shape was accepted at authorize, so a malformed one fails here.
 */
export function pkceMatches(record: Pick<CodeRecord, 'codeChallenge' | 'codeChallengeMethod'>, verifier: string | null): boolean {
  if (!record.codeChallenge) return !verifier;
  if (!verifier) return false;
  const computed = record.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  return computed === record.codeChallenge;
}

/** grant_type=authorization_code (TokenParams.__post_init_code). */
async function codeGrant(fc: FrontContext, res: ServerResponse, base: string, form: URLSearchParams, coreForm: URLSearchParams, requestId: string) {
  const redirectUri = form.get('redirect_uri') ?? '';
  if (!redirectUri || !redirectAllowed(fc, redirectUri)) {
    fc.log('configuration_error: Invalid redirect URI used by provider');
    return sendTokenError(res, 'invalid_client', requestId);
  }
  const code = form.get('code') ?? '';
  const record = fc.codes.get(code);
  // A reused code is refused here, so oidc-provider never sees it and never revokes the grant (authentik keeps the
  // tokens it already issued, authentik.md §6).
  // a code issued to another provider is invalid_grant (authorization_code.provider != self.provider)
  if (!record || record.consumed || record.clientId !== fc.provider.client_id) return sendTokenError(res, 'invalid_grant', requestId);
  if (!pkceMatches(record, form.get('code_verifier'))) return sendTokenError(res, 'invalid_grant', requestId);
  coreForm.set('code', code);
  coreForm.set('redirect_uri', record.redirectUri);
  const r = await coreToken(fc, issuerFor(base, fc.bp), coreForm);
  if (r.status !== 200) return sendTokenError(res, r.body.error === 'invalid_client' ? 'invalid_client' : 'invalid_grant', requestId);
  record.consumed = true;
  const out = await issueTokens(fc, base, record, typeof r.body.refresh_token === 'string' ? r.body.refresh_token : undefined);
  return sendJson(res, 200, out, NO_STORE);
}

/**
 * create_refresh_response: whether this refresh issues a new refresh token (and revokes the old one). Before
 * refresh_token_threshold existed it always did; from 2025.10 the condition is `threshold == 0 or (now - expires) >
 * threshold`, which for a token that has not expired holds only at 0; from 2026.5 (PR #21537) it is
 * `threshold == 0 or (expires - now) < threshold`. Without rotation the answer has no refresh_token.
 */
export function refreshRotates(features: ProfileFeatures, provider: ResolvedProvider, record: TokenRecord, nowMs: number): boolean {
  const threshold = provider.refresh_token_threshold_s * 1000;
  if (!features.refreshTokenThreshold || threshold === 0) return true;
  if (!features.refreshThresholdFixed) return nowMs - record.expiresAtMs > threshold;
  return record.expiresAtMs - nowMs < threshold;
}

/** grant_type=refresh_token (TokenParams.__post_init_refresh): scope subset incl. offline_access, rotation. */
async function refreshGrant(fc: FrontContext, res: ServerResponse, base: string, form: URLSearchParams, coreForm: URLSearchParams, requestId: string) {
  const refreshToken = form.get('refresh_token') ?? '';
  const record = fc.tokens.get(refreshToken);
  // RefreshToken.objects.filter(token=raw_token, provider=self.provider)
  if (!record || record.kind !== 'refresh' || record.clientId !== fc.provider.client_id || record.revoked || record.expiresAtMs <= Date.now()) {
    if (record?.revoked) fc.log('suspicious_request: revoked refresh token used');
    return sendTokenError(res, 'invalid_grant', requestId);
  }
  let scopes = record.scopes;
  if (form.has('scope')) {
    const requested = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (!requested.includes('offline_access') || !requested.every((s) => record.scopes.includes(s))) return sendTokenError(res, 'invalid_scope', requestId);
    scopes = requested;
  }
  coreForm.set('refresh_token', refreshToken);
  // The core never holds offline_access (see oidc-core.ts refreshTokenWanted); pass the rest of the scopes.
  const coreScopes = scopes.filter((s) => s !== 'offline_access');
  if (coreScopes.length) coreForm.set('scope', coreScopes.join(' '));
  const r = await coreToken(fc, issuerFor(base, fc.bp), coreForm);
  if (r.status !== 200) {
    return sendTokenError(res, r.body.error === 'invalid_client' ? 'invalid_client' : r.body.error === 'invalid_scope' ? 'invalid_scope' : 'invalid_grant', requestId);
  }
  // Without rotation oidc-provider answers with the same refresh token; authentik answers with none.
  const rotated = typeof r.body.refresh_token === 'string' && r.body.refresh_token !== refreshToken ? r.body.refresh_token : undefined;
  if (rotated) record.revoked = true;
  // create_refresh_response: the new tokens keep the refresh token's scopes ("Keep same scopes as previous token"),
  // a narrower `scope` only passes the subset check above.
  const out = await issueTokens(fc, base, record, rotated);
  return sendJson(res, 200, out, NO_STORE);
}

export async function handleToken(fc: FrontContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  if (req.method !== 'POST') return send(res, 405, '');
  const form = parseForm(req, await readBody(req));
  const creds = clientAuth(fc, req, form);
  // OAuth2Provider.objects.filter(client_id=client_id).first(): the provider is the client's
  const app = fc.appByClientId(creds.id);
  if (!app) return sendTokenError(res, 'invalid_client', requestId);
  fc = fc.forApp(app);
  const { provider } = fc;
  const grantType = form.get('grant_type') ?? '';
  if (fc.features.enforceGrantTypes && !(provider.grant_types ?? []).includes(grantType)) {
    fc.log(`grant_type_not_configured: ${grantType}`);
    return sendTokenError(res, 'invalid_grant', requestId);
  }
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return sendTokenError(res, 'unsupported_grant_type', requestId);
  if (provider.client_type === 'confidential' && !constantEquals(creds.secret, provider.client_secret)) return sendTokenError(res, 'invalid_client', requestId);
  const coreForm = new URLSearchParams({ grant_type: grantType, client_id: creds.id });
  if (provider.client_type === 'confidential') coreForm.set('client_secret', creds.secret);
  const base = fc.baseUrl(req);
  if (grantType === 'authorization_code') return codeGrant(fc, res, base, form, coreForm, requestId);
  return refreshGrant(fc, res, base, form, coreForm, requestId);
}
