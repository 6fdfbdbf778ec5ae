/**
 * Contract: URL layout, issuer, discovery and JWKS (authentik.md §1, §4).
 * authentik sources: authentik/providers/oauth2/urls.py, urls_root.py, authentik/root/settings.py (APPEND_SLASH),
 * models.py OAuth2Provider.get_issuer, views/provider.py ProviderInfoView, views/jwks.py, authentik/root/monitoring.py.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch, request } from 'undici';
import type { RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { start, variant } from './support.ts';

let ref: RunningReferenceProvider;
let global: RunningReferenceProvider;
let hs: RunningReferenceProvider;
let enc: RunningReferenceProvider;
/** undici.request, because fetch drops a custom Host header (a forbidden header name in the Fetch standard). */
const get = (base: string, path: string) => fetch(`${base}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
const getWithHost = async (base: string, path: string, headers: Record<string, string>) => {
  const r = await request(`${base}${path}`, { headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: r.statusCode, json: () => r.body.json() };
};

beforeAll(async () => {
  [ref, global, hs, enc] = await Promise.all([
    start(),
    start({ blueprintPath: variant('issuer-mode-global') }),
    start({ blueprintPath: variant('no-signing-key') }),
    start({ blueprintPath: variant('encryption-key') }),
  ]);
});
afterAll(async () => {
  await Promise.all([ref, global, hs, enc].map((p) => p?.close()));
});

describe('URL layout (urls.py, APPEND_SLASH=False)', () => {
  it('trailing slashes are mandatory: endpoints without them are 404, not redirects', async () => {
    for (const path of ['/application/o/token', '/application/o/userinfo', '/application/o/authorize', '/application/o/osticket/jwks', '/-/health/live']) {
      const r = await get(ref.url, path);
      expect(r.status, path).toBe(404);
    }
  });

  it('health endpoints /-/health/live/ and /-/health/ready/ answer 200 (authentik/root/monitoring.py)', async () => {
    expect((await get(ref.url, '/-/health/live/')).status).toBe(200);
    expect((await get(ref.url, '/-/health/ready/')).status).toBe(200);
  });

  it('authorize with no query parameters at all is 404 (views/authorize.py)', async () => {
    expect((await get(ref.url, '/application/o/authorize/')).status).toBe(404);
  });

  it('the provider root /application/o/<slug>/ redirects to discovery', async () => {
    const r = await get(ref.url, '/application/o/osticket/');
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/application/o/osticket/.well-known/openid-configuration');
  });

  it('discovery is per slug and served without a trailing slash; unknown slugs are 404', async () => {
    expect((await get(ref.url, '/application/o/osticket/.well-known/openid-configuration')).status).toBe(200);
    expect((await get(ref.url, '/application/o/other/.well-known/openid-configuration')).status).toBe(404);
    expect((await get(ref.url, '/.well-known/openid-configuration')).status).toBe(404);
  });

  it('RFC 8414 metadata at /.well-known/oauth-authorization-server/application/o/<slug>/ (since 2025.8)', async () => {
    const r = await get(ref.url, '/.well-known/oauth-authorization-server/application/o/osticket/');
    expect(r.status).toBe(200);
  });
});

describe('issuer from the Host header (OAuth2Provider.get_issuer)', () => {
  it('per_provider issuer is http://<Host>/application/o/<slug>/ and follows the Host header', async () => {
    const a = (await (await getWithHost(ref.url, '/application/o/osticket/.well-known/openid-configuration', { host: 'authentik:9000' })).json()) as any;
    expect(a.issuer).toBe('http://authentik:9000/application/o/osticket/');
    expect(a.authorization_endpoint).toBe('http://authentik:9000/application/o/authorize/');
    const b = (await (await getWithHost(ref.url, '/application/o/osticket/.well-known/openid-configuration', { host: 'localhost:49153' })).json()) as any;
    expect(b.issuer).toBe('http://localhost:49153/application/o/osticket/');
  });

  it('X-Forwarded-Proto: https switches the scheme (SECURE_PROXY_SSL_HEADER)', async () => {
    const d = (await (await getWithHost(ref.url, '/application/o/osticket/.well-known/openid-configuration', { host: 'authentik.company', 'x-forwarded-proto': 'https' })).json()) as any;
    expect(d.issuer).toBe('https://authentik.company/application/o/osticket/');
    expect(d.jwks_uri).toBe('https://authentik.company/application/o/osticket/jwks/');
  });

  it('issuer_mode global gives the root URL, while discovery stays under the slug', async () => {
    const d = (await (await getWithHost(global.url, '/application/o/osticket/.well-known/openid-configuration', { host: 'authentik.company' })).json()) as any;
    expect(d.issuer).toBe('http://authentik.company/');
    expect((await get(global.url, '/.well-known/openid-configuration')).status).toBe(404);
  });
});

describe('discovery document (views/provider.py ProviderInfoView.get_info)', () => {
  it('has exactly authentik\'s field set and values for the guide\'s provider', async () => {
    const d = (await (await getWithHost(ref.url, '/application/o/osticket/.well-known/openid-configuration', { host: 'authentik.company' })).json()) as any;
    expect(Object.keys(d).sort()).toEqual([
      'acr_values_supported', 'authorization_endpoint', 'backchannel_logout_session_supported', 'backchannel_logout_supported',
      'claims_parameter_supported', 'claims_supported', 'code_challenge_methods_supported', 'device_authorization_endpoint',
      'end_session_endpoint', 'frontchannel_logout_session_supported', 'frontchannel_logout_supported', 'grant_types_supported',
      'id_token_signing_alg_values_supported', 'introspection_endpoint', 'issuer', 'jwks_uri', 'request_parameter_supported',
      'response_modes_supported', 'response_types_supported', 'revocation_endpoint', 'scopes_supported', 'subject_types_supported',
      'token_endpoint', 'token_endpoint_auth_methods_supported', 'userinfo_endpoint',
    ]);
    expect(d.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(d.token_endpoint_auth_methods_supported).toEqual(['client_secret_post', 'client_secret_basic']);
    expect(d.scopes_supported).toEqual(['openid', 'email', 'profile']);
    expect(d.code_challenge_methods_supported).toEqual(['plain', 'S256']);
    expect(d.response_modes_supported).toEqual(['query', 'fragment', 'form_post']);
    expect(d.subject_types_supported).toEqual(['public']);
    expect(d.acr_values_supported).toEqual(['goauthentik.io/providers/oauth2/default']);
    expect(d.grant_types_supported).toEqual(['authorization_code', 'refresh_token', 'implicit', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code']);
    expect(d.claims_supported).toEqual(expect.arrayContaining(['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'amr', 'nonce', 'email', 'email_verified', 'name', 'given_name', 'preferred_username', 'nickname', 'groups']));
    expect(d.claims_supported).not.toContain('family_name');
    expect(d.request_parameter_supported).toBe(false);
    expect(d.claims_parameter_supported).toBe(false);
    expect(d.end_session_endpoint).toBe('http://authentik.company/application/o/osticket/end-session/');
  });

  it('profile 2025.10 has no frontchannel_logout_* fields (added in 2026.5)', async () => {
    const old = await start({ profile: '2025.10' });
    try {
      const d = (await (await get(old.url, '/application/o/osticket/.well-known/openid-configuration')).json()) as any;
      expect(d).not.toHaveProperty('frontchannel_logout_supported');
      expect(d.backchannel_logout_supported).toBe(true);
    } finally {
      await old.close();
    }
  });

  it('no signing key: HS256 is the one signing algorithm', async () => {
    const d = (await (await get(hs.url, '/application/o/osticket/.well-known/openid-configuration')).json()) as any;
    expect(d.id_token_signing_alg_values_supported).toEqual(['HS256']);
  });

  it('an encryption key adds the id_token encryption fields', async () => {
    const d = (await (await get(enc.url, '/application/o/osticket/.well-known/openid-configuration')).json()) as any;
    expect(d.id_token_encryption_alg_values_supported).toEqual(['RSA-OAEP-256']);
    expect(d.id_token_encryption_enc_values_supported).toEqual(['A256CBC-HS512']);
    const plain = (await (await get(ref.url, '/application/o/osticket/.well-known/openid-configuration')).json()) as any;
    expect(plain).not.toHaveProperty('id_token_encryption_alg_values_supported');
  });
});

describe('JWKS (views/jwks.py)', () => {
  it('with a signing key: one RSA sig key with alg RS256 and a SHA-512 style kid (2026.2+), CORS *', async () => {
    const r = await get(ref.url, '/application/o/osticket/jwks/');
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const j = (await r.json()) as any;
    expect(j.keys).toHaveLength(1);
    expect(j.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
    expect(j.keys[0].kid).toMatch(/^[A-Za-z0-9_-]{86}$/);
  });

  it('without a signing key the JWKS is {} with no keys member', async () => {
    const j = await (await get(hs.url, '/application/o/osticket/jwks/')).json();
    expect(j).toEqual({});
  });

  it('an encryption key is published with use enc, RSA-OAEP-256 / A256CBC-HS512', async () => {
    const j = (await (await get(enc.url, '/application/o/osticket/jwks/')).json()) as any;
    expect(j.keys.map((k: any) => k.use)).toEqual(['sig', 'enc']);
    expect(j.keys[1]).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512' });
  });

  it('profile 2025.8 uses the MD5-hex kid style (before 2026.2.0)', async () => {
    const old = await start({ profile: '2025.8' });
    try {
      const j = (await (await get(old.url, '/application/o/osticket/jwks/')).json()) as any;
      expect(j.keys[0].kid).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await old.close();
    }
  });
});
