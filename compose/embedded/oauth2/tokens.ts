/**
 * Authorization codes and tokens as authentik stores and issues them: the id_token claims (authentik/providers/oauth2/
 * id_token.py IDToken.new / to_dict), the JWT access token (to_access_token), the token response (views/token.py).
 * The JWTs are encoded as OAuth2Provider.encode does (jwt.ts).
 */
import { randomInt } from 'node:crypto';
import { claimsForScopes, issuerFor, subjectFor } from '../claims.ts';
import type { FrontContext } from '../context.ts';
import { encodeJwt } from './jwt.ts';

export const ACR = 'goauthentik.io/providers/oauth2/default';

/** What a login granted, carried by a code and by the tokens issued for it. */
export interface Grant {
  /** The provider the grant belongs to (a code or token of another provider is invalid_grant / invalid_token). */
  clientId: string;
  userPk: number;
  scopes: string[];
  nonce: string | null;
  authTime: number;
  amr: string[];
  sid: string;
}

export interface CodeRecord extends Grant {
  redirectUri: string;
  consumed: boolean;
  /** As sent at authorize, not checked for shape (views/authorize.py create_code). */
  codeChallenge: string | null;
  codeChallengeMethod: 'plain' | 'S256' | null;
}

export interface TokenRecord extends Grant {
  kind: 'access' | 'refresh';
  sub: string;
  claims: Record<string, unknown>;
  expiresAtMs: number;
  revoked: boolean;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** authentik/lib/generators.py generate_id: letters and digits from SystemRandom, 40 by default. */
export function generateId(length = 40): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** Records the front layer shares with the core (codes by value). */
export function createCodeStore(): Map<string, CodeRecord> {
  return new Map<string, CodeRecord>();
}

/**
 * id_token.py to_access_token: the ID token's claims plus azp and uid (generate_id()), and `scope` by profile: none
 * in 2025.8, the token's over a mapping's in 2025.10-2025.12 (`final["scope"] = …`), a mapping's kept from 2026.2
 * (`final.setdefault("scope", …)`, PR #19226).
 */
export function accessTokenClaims(fc: FrontContext, idClaims: Record<string, unknown>, scopes: readonly string[]): Record<string, unknown> {
  const final: Record<string, unknown> = { ...idClaims, azp: fc.provider.client_id, uid: generateId() };
  const { accessTokenScopeClaim, accessTokenScopeFromMapping } = fc.features;
  if (accessTokenScopeClaim && !(accessTokenScopeFromMapping && Object.hasOwn(final, 'scope'))) final.scope = scopes.join(' ');
  return final;
}

/** Issues the id_token and the JWT access token (and stores the refresh token the core made, if any). */
export async function issueTokens(fc: FrontContext, base: string, grant: Grant, refreshToken: string | undefined) {
  const { provider } = fc;
  const user = fc.userByPk(grant.userPk);
  if (!user) throw new Error('user vanished');
  const issuer = issuerFor(base, fc.bp);
  const now = fc.nowSec();
  const exp = now + provider.access_token_validity_s;
  const sub = subjectFor(provider, user, fc.o.installId);
  const idClaims: Record<string, unknown> = {
    iss: issuer,
    sub,
    aud: provider.client_id,
    exp,
    iat: now,
    auth_time: grant.authTime,
    acr: ACR,
    amr: grant.amr,
    sid: grant.sid,
    // jti exists from 2026.2.0 (id_token.py IDToken.new, generate_id()); 2025.10.x and 2025.12.x have none.
    ...(fc.features.idTokenJti ? { jti: generateId() } : {}),
    ...(grant.nonce !== null ? { nonce: grant.nonce } : {}),
    // IDToken.to_dict: the mappings' claims are applied last and may overwrite any of the above, sub included
    // (authentik/providers/oauth2/id_token.py, `id_dict.update(self.claims)`).
    ...(provider.include_claims_in_id_token ? claimsForScopes(provider, grant.scopes, user, fc.features, fc.o.installId) : {}),
  };
  // Both signed at once (jose signs through WebCrypto, on libuv's pool): with authentik's RSA-4096 default key a
  // signature is ~5 ms, and one after the other they were most of a login's wait (issue 12, bench/split.ts). The
  // tokens are the same (the claims are built first; RS256 and ES256 signatures do not depend on the order).
  const [idToken, accessToken] = await Promise.all([
    encodeJwt(provider, fc.o.keys, idClaims),
    encodeJwt(provider, fc.o.keys, accessTokenClaims(fc, idClaims, grant.scopes)),
  ]);
  const base_ = { clientId: provider.client_id, userPk: grant.userPk, scopes: grant.scopes, nonce: grant.nonce, authTime: grant.authTime, amr: grant.amr, sid: grant.sid, sub, claims: idClaims, revoked: false };
  fc.tokens.set(accessToken, { kind: 'access', ...base_, expiresAtMs: Date.now() + provider.access_token_validity_s * 1000 });
  if (refreshToken) fc.tokens.set(refreshToken, { kind: 'refresh', ...base_, expiresAtMs: Date.now() + provider.refresh_token_validity_s * 1000 });
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    scope: grant.scopes.join(' '),
    expires_in: provider.access_token_validity_s,
    id_token: idToken,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
  };
}
