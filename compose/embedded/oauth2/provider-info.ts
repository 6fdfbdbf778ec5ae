/**
 * Per-provider metadata endpoints: the discovery document (authentik/providers/oauth2/views/provider.py
 * ProviderInfoView), the RFC 8414 path (urls_root.py), the JWKS (views/jwks.py) and the provider root, which
 * redirects to discovery (urls.py).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedBlueprint } from '../blueprints/index.ts';
import { issuerFor, mappingClaimKeys } from '../claims.ts';
import type { FrontContext } from '../context.ts';
import { send, sendJson } from '../http-util.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { jwkFor } from '../crypto/keypairs.ts';
import { providerAlg } from './jwt.ts';
import type { ProfileFeatures } from '../profiles.ts';

export function discoveryDocument(base: string, blueprint: ResolvedBlueprint, features: ProfileFeatures, keys: KeyRing): Record<string, unknown> {
  const { provider, application } = blueprint;
  const slug = application.slug;
  // scopes_supported: the scope_name of every attached mapping (one per mapping, as values_list gives them), openid
  // appended when missing (views/provider.py ProviderInfoView.get_info).
  const scopes = provider.scope_mappings.map((m) => m.scope_name);
  if (!scopes.includes('openid')) scopes.push('openid');
  // claims_supported: the fixed claims plus the keys each attached mapping returns for the anonymous user (authentik.md §1).
  const claims = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'amr', 'nonce'];
  for (const m of provider.scope_mappings) for (const k of mappingClaimKeys(m, features)) if (!claims.includes(k)) claims.push(k);
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
    id_token_signing_alg_values_supported: [providerAlg(provider, keys)],
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

/** views/jwks.py JWKSView.get: the signing key, then the encryption key; `{}` without `keys` when there is neither. */
export async function jwksDocument(blueprint: ResolvedBlueprint, ring: KeyRing): Promise<Record<string, unknown>> {
  const keys: Record<string, unknown>[] = [];
  const { signing_key, encryption_key } = blueprint.provider;
  if (signing_key && ring.has(signing_key)) keys.push(jwkFor(await ring.get(signing_key), 'sig'));
  if (encryption_key && ring.has(encryption_key)) keys.push(jwkFor(await ring.get(encryption_key), 'enc'));
  return keys.length ? { keys } : {};
}

/** Serves discovery, JWKS and the provider root under `/application/o/<slug>/`; false when `path` is none of them. */
export async function handleProviderInfo(fc: FrontContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const m = /^(?:\/\.well-known\/oauth-authorization-server)?\/application\/o\/([^/]+)\//.exec(path);
  const app = m ? fc.appBySlug(decodeURIComponent(m[1]!)) : undefined;
  if (!app) return false;
  fc = fc.forApp(app);
  const slugBase = `/application/o/${fc.app.slug}/`;
  if (path === `${slugBase}.well-known/openid-configuration` || path === `/.well-known/oauth-authorization-server${slugBase}`) {
    sendJson(res, 200, discoveryDocument(fc.baseUrl(req), fc.bp, fc.features, fc.o.keys));
    return true;
  }
  if (path === `${slugBase}jwks/`) {
    sendJson(res, 200, await jwksDocument(fc.bp, fc.o.keys), { 'Access-Control-Allow-Origin': '*' });
    return true;
  }
  if (path === slugBase) {
    send(res, 302, '', { Location: `${slugBase}.well-known/openid-configuration` });
    return true;
  }
  return false;
}
