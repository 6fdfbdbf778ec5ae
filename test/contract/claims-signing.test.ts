/**
 * Contract: subject modes, scope mappings and claims, JWT signing/encryption, userinfo (authentik.md §2, §4, §5, §6).
 * authentik sources: providers/oauth2/id_token.py (IDToken.new, to_access_token), authentik/core/models.py (User.uid),
 * blueprints/system/providers-oauth2.yaml (scope mappings), providers/oauth2/models.py (jwt_key, encode, encrypt),
 * providers/oauth2/views/authorize.py (check_scope), views/userinfo.py, utils.py (extract_access_token,
 * protected_resource_view), errors.py (BearerTokenError).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { fetch } from 'undici';
import { DEFAULT_BLUEPRINT_PATH, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { authorizePath, Client, CLIENT_ID, CLIENT_SECRET, exchange, loginForCallback, start, variant } from './support.ts';

const guide = readFileSync(DEFAULT_BLUEPRINT_PATH, 'utf8');
const withUpn = guide.replace('sub_mode: user_email', 'sub_mode: user_upn').replace('      is_active: true', '      is_active: true\n      attributes:\n        upn: osticket-test@corp.example');
/** Every provider this file needs, started in parallel once (one per variant, not per test). */
const SETUPS = {
  hs: { blueprintPath: variant('no-signing-key') },
  enc: { blueprintPath: variant('encryption-key') },
  hashed: { blueprintPath: variant('sub-mode-hashed') },
  hashed2: { blueprintPath: variant('sub-mode-hashed') },
  username: { blueprintPath: variant('sub-mode-username') },
  uuid: { blueprintPath: variant('sub-mode-uuid') },
  userId: { blueprintText: guide.replace('sub_mode: user_email', 'sub_mode: user_id') },
  upn: { blueprintText: withUpn },
  noUpn: { blueprintText: guide.replace('sub_mode: user_email', 'sub_mode: user_upn') },
  noEmailUser: { blueprintPath: variant('user-without-email') },
  old: { profile: '2025.8' as const },
  noEmail: { blueprintPath: variant('no-email-mapping') },
  noProfile: { blueprintPath: variant('no-profile-mapping') },
  noOpenid: { blueprintPath: variant('no-openid-mapping') },
  clock: { clockOffsetSec: -7200 },
} satisfies Record<string, Parameters<typeof start>[0]>;
const P = {} as Record<keyof typeof SETUPS, RunningReferenceProvider>;
const providers: RunningReferenceProvider[] = [];
async function boot(name: keyof typeof SETUPS) {
  return P[name];
}
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
});

async function tokensFor(p: RunningReferenceProvider, scope: string | null = 'email openid profile', extra: Record<string, string> = {}) {
  const c = new Client(p.url);
  const cb = await loginForCallback(c, authorizePath({ scope, ...(extra.nonce ? { nonce: extra.nonce } : {}) }));
  const { res, body } = await exchange(p.url, cb.searchParams.get('code')!);
  expect(res.status).toBe(200);
  return body;
}
const userinfo = (p: RunningReferenceProvider, init: { method?: string; headers?: Record<string, string>; body?: string; query?: string } = {}) =>
  fetch(`${p.url}/application/o/userinfo/${init.query ?? ''}`, { method: init.method ?? 'GET', headers: init.headers, body: init.body, signal: AbortSignal.timeout(10_000) });

let guideRef: RunningReferenceProvider;
let guideTokens: Record<string, any>;
beforeAll(async () => {
  const names = Object.keys(SETUPS) as Array<keyof typeof SETUPS>;
  const started = await Promise.all([start(), ...names.map((n) => start(SETUPS[n]))]);
  providers.push(...started);
  guideRef = started[0]!;
  names.forEach((n, i) => (P[n] = started[i + 1]!));
  guideTokens = await tokensFor(guideRef, 'email openid profile', { nonce: 'n-42' });
});

describe('id_token and JWT access token (id_token.py IDToken.new / to_access_token)', () => {
  it('id_token carries authentik\'s claim set: aud a string, acr, amr pwd, sid, jti, nonce, scope claims, no at_hash', async () => {
    const claims = jose.decodeJwt(guideTokens.id_token) as Record<string, unknown>;
    expect(claims.iss).toBe(`${guideRef.url}/application/o/osticket/`);
    expect(claims.aud).toBe(CLIENT_ID);
    expect(claims.acr).toBe('goauthentik.io/providers/oauth2/default');
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.sid).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof claims.jti).toBe('string');
    expect(claims.nonce).toBe('n-42');
    expect(claims).not.toHaveProperty('at_hash');
    expect(claims.email).toBe('osticket-test@example.com');
    expect(typeof claims.auth_time).toBe('number');
  });

  it('the access token is a JWT signed like the id_token, with azp, uid and scope; exp equals the id_token exp (1 h)', async () => {
    const at = jose.decodeJwt(guideTokens.access_token) as Record<string, unknown>;
    const id = jose.decodeJwt(guideTokens.id_token) as Record<string, unknown>;
    expect(at.azp).toBe(CLIENT_ID);
    expect(typeof at.uid).toBe('string');
    expect(String(at.scope).split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(at.sub).toBe(id.sub);
    expect(at.exp).toBe(id.exp);
    expect(Number(id.exp) - Number(id.iat)).toBe(3600);
    expect(jose.decodeProtectedHeader(guideTokens.access_token).alg).toBe('RS256');
  });

  it('RS256 with the kid published in the JWKS; both tokens verify', async () => {
    const header = jose.decodeProtectedHeader(guideTokens.id_token);
    expect(header.alg).toBe('RS256');
    const jwks = (await (await fetch(`${guideRef.url}/application/o/osticket/jwks/`)).json()) as jose.JSONWebKeySet;
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    const set = jose.createLocalJWKSet(jwks);
    await jose.jwtVerify(guideTokens.id_token, set, { audience: CLIENT_ID });
    await jose.jwtVerify(guideTokens.access_token, set, { audience: CLIENT_ID });
  });

  it('no signing key: HS256 keyed with the client secret, no kid', async () => {
    const p = await boot('hs');
    const t = await tokensFor(p);
    const header = jose.decodeProtectedHeader(t.id_token);
    expect(header.alg).toBe('HS256');
    expect(header).not.toHaveProperty('kid');
    await jose.jwtVerify(t.id_token, new TextEncoder().encode(CLIENT_SECRET), { algorithms: ['HS256'] });
    await jose.jwtVerify(t.access_token, new TextEncoder().encode(CLIENT_SECRET), { algorithms: ['HS256'] });
  });

  it('encryption key: id_token and access token are compact JWE RSA-OAEP-256 / A256CBC-HS512 with the key\'s kid', async () => {
    const p = await boot('enc');
    const t = await tokensFor(p);
    const jwks = (await (await fetch(`${p.url}/application/o/osticket/jwks/`)).json()) as jose.JSONWebKeySet;
    const encKid = jwks.keys.find((k) => k.use === 'enc')!.kid;
    for (const token of [t.id_token, t.access_token]) {
      expect(token.split('.')).toHaveLength(5);
      const h = jose.decodeProtectedHeader(token);
      expect(h).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512', kid: encKid });
    }
    // userinfo still accepts the encrypted access token
    expect((await userinfo(p, { headers: { authorization: `Bearer ${t.access_token}` } })).status).toBe(200);
  });

  it('the id_token is returned even when openid was not granted', async () => {
    const t = await tokensFor(guideRef, 'email');
    expect(t.id_token).toBeTruthy();
    expect(t.scope).toBe('email');
  });
});

describe('subject modes (IDToken.new, User.uid)', () => {
  it('user_email (the guide): sub is the email in id_token and userinfo', async () => {
    const ui = (await (await userinfo(guideRef, { headers: { authorization: `Bearer ${guideTokens.access_token}` } })).json()) as any;
    expect(ui.sub).toBe('osticket-test@example.com');
    expect(jose.decodeJwt(guideTokens.id_token).sub).toBe('osticket-test@example.com');
  });

  it('hashed_user_id: sha256 hex of "<pk>-<install_id>", new install id per start', async () => {
    const p = await boot('hashed');
    const t = await tokensFor(p);
    const user = p.blueprint.users[0]!;
    expect(jose.decodeJwt(t.id_token).sub).toBe(createHash('sha256').update(`${user.pk}-${p.installId}`).digest('hex'));
    const p2 = await boot('hashed2');
    expect(p2.installId).not.toBe(p.installId);
  });

  it('user_username and user_uuid', async () => {
    const [pu, pv] = await Promise.all([boot('username'), boot('uuid')]);
    expect(jose.decodeJwt((await tokensFor(pu)).id_token).sub).toBe('osticket-test');
    expect(jose.decodeJwt((await tokensFor(pv)).id_token).sub).toBe(pv.blueprint.users[0]!.uuid);
  });

  it('user_id is the primary key; user_upn uses attributes.upn and falls back to uid', async () => {
    const [pid, pupn, pnoupn] = await Promise.all([
      boot('userId'),
      boot('upn'),
      boot('noUpn'),
    ]);
    expect(jose.decodeJwt((await tokensFor(pid)).id_token).sub).toBe(String(pid.blueprint.users[0]!.pk));
    expect(jose.decodeJwt((await tokensFor(pupn)).id_token).sub).toBe('osticket-test@corp.example');
    const fallback = createHash('sha256').update(`${pnoupn.blueprint.users[0]!.pk}-${pnoupn.installId}`).digest('hex');
    expect(jose.decodeJwt((await tokensFor(pnoupn)).id_token).sub).toBe(fallback);
  });

  it('user_email with an empty email gives an empty sub', async () => {
    const p = await boot('noEmailUser');
    expect(jose.decodeJwt((await tokensFor(p)).id_token).sub).toBe('');
  });
});

describe('scope mappings and claims (providers-oauth2.yaml, check_scope)', () => {
  it('profile claims: given_name is the full name, no family_name, groups listed; email_verified false since 2025.10', async () => {
    const ui = (await (await userinfo(guideRef, { headers: { authorization: `Bearer ${guideTokens.access_token}` } })).json()) as any;
    expect(ui).toMatchObject({ name: 'osTicket Test', given_name: 'osTicket Test', preferred_username: 'osticket-test', nickname: 'osticket-test', groups: [], email_verified: false });
    expect(ui).not.toHaveProperty('family_name');
  });

  it('email_verified is true in the 2025.8 profile', async () => {
    const p = await boot('old');
    const ui = (await (await userinfo(p, { headers: { authorization: `Bearer ${(await tokensFor(p)).access_token}` } })).json()) as any;
    expect(ui.email_verified).toBe(true);
  });

  it('unmapped scopes are dropped silently; a comma-joined "openid,email,profile" is one unknown scope', async () => {
    const mixed = await tokensFor(guideRef, 'openid email bogus offline_access');
    expect(mixed.scope.split(' ').sort()).toEqual(['email', 'openid']);
    const commas = await tokensFor(guideRef, 'openid,email,profile');
    expect(commas.scope).toBe('');
    expect((await userinfo(guideRef, { headers: { authorization: `Bearer ${commas.access_token}` } })).status).toBe(403);
  });

  it('no scope parameter = every mapped scope', async () => {
    const t = await tokensFor(guideRef, null);
    expect(t.scope.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
  });

  it('no email mapping: no email claim anywhere', async () => {
    const p = await boot('noEmail');
    const t = await tokensFor(p);
    const ui = (await (await userinfo(p, { headers: { authorization: `Bearer ${t.access_token}` } })).json()) as any;
    expect(ui).not.toHaveProperty('email');
    expect(jose.decodeJwt(t.id_token)).not.toHaveProperty('email');
  });

  it('no profile mapping: no name claims', async () => {
    const p = await boot('noProfile');
    const ui = (await (await userinfo(p, { headers: { authorization: `Bearer ${(await tokensFor(p)).access_token}` } })).json()) as any;
    expect(ui).not.toHaveProperty('name');
    expect(ui.email).toBe('osticket-test@example.com');
  });

  it('no openid mapping: the code flow succeeds with an id_token, userinfo is 403 insufficient_scope', async () => {
    const p = await boot('noOpenid');
    const t = await tokensFor(p);
    expect(t.id_token).toBeTruthy();
    const r = await userinfo(p, { headers: { authorization: `Bearer ${t.access_token}` } });
    expect(r.status).toBe(403);
    expect(await r.text()).toBe('');
    expect(r.headers.get('www-authenticate')).toBe('error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token"');
  });
});

describe('userinfo (views/userinfo.py, utils.py extract_access_token)', () => {
  it('GET with Bearer, POST with a form access_token, GET with ?access_token; Cache-Control no-store', async () => {
    const a = await userinfo(guideRef, { headers: { authorization: `Bearer ${guideTokens.access_token}` } });
    expect(a.status).toBe(200);
    expect(a.headers.get('cache-control')).toBe('no-store');
    const b = await userinfo(guideRef, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `access_token=${guideTokens.access_token}` });
    expect(b.status).toBe(200);
    const c = await userinfo(guideRef, { query: `?access_token=${guideTokens.access_token}` });
    expect(c.status).toBe(200);
  });

  it('a missing or unknown token is 401 with an empty body and WWW-Authenticate without "Bearer"', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
      const r = await userinfo(guideRef, { headers });
      expect(r.status).toBe(401);
      expect(await r.text()).toBe('');
      const h = r.headers.get('www-authenticate')!;
      expect(h.startsWith('error="invalid_token", error_description="')).toBe(true);
      expect(h).not.toMatch(/Bearer/);
    }
  });

  it('introspection returns the claims plus active/scope/client_id; revocation deletes the token', async () => {
    const t = await tokensFor(guideRef);
    const form = (token: string) => new URLSearchParams({ token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).toString();
    const h = { 'content-type': 'application/x-www-form-urlencoded' };
    const i = (await (await fetch(`${guideRef.url}/application/o/introspect/`, { method: 'POST', headers: h, body: form(t.access_token) })).json()) as any;
    expect(i).toMatchObject({ active: true, client_id: CLIENT_ID, sub: 'osticket-test@example.com' });
    const rv = await fetch(`${guideRef.url}/application/o/revoke/`, { method: 'POST', headers: h, body: form(t.access_token) });
    expect(rv.status).toBe(200);
    expect(await rv.json()).toEqual({});
    expect((await userinfo(guideRef, { headers: { authorization: `Bearer ${t.access_token}` } })).status).toBe(401);
    const gone = (await (await fetch(`${guideRef.url}/application/o/introspect/`, { method: 'POST', headers: h, body: form(t.access_token) })).json()) as any;
    expect(gone).toEqual({ active: false });
  });
});

describe('clock offset (the one non-authentik switch)', () => {
  it('shifts iat, exp, auth_time and the Date header', async () => {
    const p = await boot('clock');
    const t = await tokensFor(p);
    const c = jose.decodeJwt(t.id_token);
    const now = Math.floor(Date.now() / 1000);
    expect(Math.abs(Number(c.iat) - (now - 7200))).toBeLessThanOrEqual(2);
    expect(Number(c.exp) - Number(c.iat)).toBe(3600);
    expect(Math.abs(Number(c.auth_time) - (now - 7200))).toBeLessThanOrEqual(2);
    const r = await fetch(`${p.url}/-/health/live/`);
    expect(Math.abs(Date.parse(r.headers.get('date')!) / 1000 - (now - 7200))).toBeLessThanOrEqual(2);
    // tokens stay usable: expiry is tracked in real time
    expect((await userinfo(p, { headers: { authorization: `Bearer ${t.access_token}` } })).status).toBe(200);
  });
});
