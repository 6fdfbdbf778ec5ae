/**
 * authentik's claim logic: `sub` per sub_mode (authentik/providers/oauth2/id_token.py IDToken.new), the default
 * scope mappings' claims (blueprints/system/providers-oauth2.yaml), scope granting at authorize (views/authorize.py
 * check_scope), the discovery document (views/provider.py ProviderInfoView) and the JWKS (views/jwks.py).
 */
import { createHash } from 'node:crypto';
import type { ResolvedBlueprint, ResolvedProvider, ResolvedUser } from './blueprint.ts';
import type { RsaKey } from './keys.ts';
import type { ProfileFeatures } from './profiles.ts';

/** user.uid = sha256 hex of "<pk>-<install_id>" (authentik/core/models.py User.uid). */
export function userUid(user: ResolvedUser, installId: string): string {
  return createHash('sha256').update(`${user.pk}-${installId}`).digest('hex');
}

export function subjectFor(provider: ResolvedProvider, user: ResolvedUser, installId: string): string {
  switch (provider.sub_mode) {
    case 'hashed_user_id':
      return userUid(user, installId);
    case 'user_id':
      return String(user.pk);
    case 'user_uuid':
      return user.uuid;
    case 'user_username':
      return user.username;
    case 'user_email':
      return user.email;
    case 'user_upn': {
      const upn = user.attributes.upn;
      return typeof upn === 'string' && upn ? upn : userUid(user, installId);
    }
  }
}

/** Claims of one scope mapping for a user (null user = anonymous, used for claims_supported). */
export function scopeClaims(scope: string, user: ResolvedUser | null, features: ProfileFeatures): Record<string, unknown> {
  switch (scope) {
    case 'email':
      return { email: user?.email ?? '', email_verified: features.emailVerified };
    case 'profile':
      // given_name is the full name, not split; there is no family_name (authentik.md §5).
      return {
        name: user?.name ?? '',
        given_name: user?.name ?? '',
        preferred_username: user?.username ?? '',
        nickname: user?.username ?? '',
        groups: user?.groups ?? [],
      };
    case 'entitlements':
      return { entitlements: [], roles: [] };
    default:
      return {};
  }
}

export function claimsForScopes(scopes: readonly string[], user: ResolvedUser, features: ProfileFeatures): Record<string, unknown> {
  return Object.assign({}, ...scopes.map((s) => scopeClaims(s, user, features)));
}

/** Scope handling at authorize: split on whitespace only, intersect with the mapped scopes (authentik.md §5). */
export function grantScopes(provider: ResolvedProvider, rawScope: string | null, responseType: string): string[] {
  const mapped = new Set(provider.scopes);
  let granted = rawScope === null ? [...mapped] : [...new Set(rawScope.split(/\s+/).filter(Boolean))].filter((s) => mapped.has(s));
  if (!responseType.split(' ').includes('code')) granted = granted.filter((s) => s !== 'offline_access');
  return granted;
}

export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  email: 'Email address',
  profile: 'General Profile Information',
  offline_access: 'Access to request new tokens without interaction',
  entitlements: 'Application entitlements',
  'goauthentik.io/api': 'authentik API Access on behalf of your user',
};

export function issuerFor(base: string, blueprint: ResolvedBlueprint): string {
  return blueprint.provider.issuer_mode === 'global' ? `${base}/` : `${base}/application/o/${blueprint.application.slug}/`;
}

export function discoveryDocument(base: string, blueprint: ResolvedBlueprint, features: ProfileFeatures): Record<string, unknown> {
  const { provider, application } = blueprint;
  const slug = application.slug;
  const scopes = [...provider.scopes];
  if (!scopes.includes('openid')) scopes.push('openid');
  const claims = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'amr', 'nonce'];
  for (const s of provider.scopes) for (const k of Object.keys(scopeClaims(s, null, features))) if (!claims.includes(k)) claims.push(k);
  const doc: Record<string, unknown> = {
    issuer: issuerFor(base, blueprint),
    authorization_endpoint: `${base}/application/o/authorize/`,
    token_endpoint: `${base}/application/o/token/`,
    userinfo_endpoint: `${base}/application/o/userinfo/`,
    end_session_endpoint: `${base}/application/o/${slug}/end-session/`,
    introspection_endpoint: `${base}/application/o/introspect/`,
    revocation_endpoint: `${base}/application/o/revoke/`,
    device_authorization_endpoint: `${base}/application/o/device/`,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    ...(features.frontchannelDiscovery ? { frontchannel_logout_supported: true, frontchannel_logout_session_supported: true } : {}),
    response_types_supported: ['code', 'id_token', 'id_token token', 'code token', 'code id_token', 'code id_token token'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    jwks_uri: `${base}/application/o/${slug}/jwks/`,
    grant_types_supported: ['authorization_code', 'refresh_token', 'implicit', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code'],
    id_token_signing_alg_values_supported: [provider.signing_key ? 'RS256' : 'HS256'],
    subject_types_supported: ['public'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    acr_values_supported: ['goauthentik.io/providers/oauth2/default'],
    scopes_supported: scopes,
    request_parameter_supported: false,
    claims_supported: claims,
    claims_parameter_supported: false,
    code_challenge_methods_supported: ['plain', 'S256'],
  };
  if (provider.encryption_key) {
    doc.id_token_encryption_alg_values_supported = ['RSA-OAEP-256'];
    doc.id_token_encryption_enc_values_supported = ['A256CBC-HS512'];
  }
  return doc;
}

/** views/jwks.py: `{}` without `keys` when there is neither a signing nor an encryption key. */
export function jwksDocument(blueprint: ResolvedBlueprint, signing: RsaKey, encryption: RsaKey | null): Record<string, unknown> {
  const keys: Record<string, unknown>[] = [];
  if (blueprint.provider.signing_key) keys.push({ ...signing.publicJwk, use: 'sig', alg: 'RS256' });
  if (encryption) keys.push({ ...encryption.publicJwk, use: 'enc', alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512' });
  return keys.length ? { keys } : {};
}
