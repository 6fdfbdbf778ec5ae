/**
 * Contract: authorize edge cases (issue 11 item 4; authentik.md §3, §6, §13).
 * authentik sources: providers/oauth2/views/authorize.py (OAuthAuthorizationParams.__post_init__: `request` refused
 * with request_not_supported after the other checks; check_code_challenge checks the method only;
 * OAuthFulfillmentStage.create_response_uri: urlsplit / parse_qs / urlencode(doseq) / urlunsplit), providers/oauth2/
 * errors.py (request_not_supported), views/token.py (__post_init_code PKCE comparison), PR #17140 (ui_locales),
 * the scope set (`set(...split())`, joined on the code) whose order follows the process's hash seed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BLUEPRINT_PATH, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { authorizePath, Client, exchange, login, loginForCallback, pkcePair, REDIRECT_URI, start } from './support.ts';

const guide = readFileSync(DEFAULT_BLUEPRINT_PATH, 'utf8');
const NO_PATH = 'http://localhost';
const withNoPath = guide.replace(
  '        - matching_mode: strict\n          url: !Env [OSTICKET_REDIRECT_URI, https://osticket.company/osticket/api/auth/oauth2]',
  `        - matching_mode: strict\n          url: !Env [OSTICKET_REDIRECT_URI, https://osticket.company/osticket/api/auth/oauth2]\n        - matching_mode: strict\n          url: ${NO_PATH}\n        - matching_mode: strict\n          url: "${NO_PATH}?keep=a+b&blank="`,
);

let ref: RunningReferenceProvider;
let old: RunningReferenceProvider;
let session: Client;
beforeAll(async () => {
  [ref, old] = await Promise.all([start({ blueprintText: withNoPath }), start({ profile: '2025.8' })]);
  session = new Client(ref.url);
  await loginForCallback(session, authorizePath());
});
afterAll(() => Promise.all([ref?.close(), old?.close()]));

async function authorizeLocation(c: Client, p: Parameters<typeof authorizePath>[0]): Promise<string> {
  const r = await c.req(authorizePath(p));
  expect(r.status).toBe(302);
  return r.headers.get('location')!;
}

describe('the callback URL is built as urlunsplit builds it (create_response_uri)', () => {
  it('a redirect URI without a path keeps it: http://localhost?code=…&state=…, no "/" added', async () => {
    const loc = await authorizeLocation(session, { redirect_uri: NO_PATH });
    expect(loc).toMatch(/^http:\/\/localhost\?code=[0-9a-f]{32}&state=st-123$/);
  });

  it('the redirect URI query is kept through parse_qs / urlencode: blank values dropped, spaces as +', async () => {
    const loc = await authorizeLocation(session, { redirect_uri: `${NO_PATH}?keep=a+b&blank=` });
    expect(loc).toMatch(/^http:\/\/localhost\?keep=a\+b&code=[0-9a-f]{32}&state=st-123$/);
  });
});

describe('request objects (OAuthAuthorizationParams.__post_init__)', () => {
  it('request= is refused with request_not_supported, as an error redirect to the client', async () => {
    const loc = await authorizeLocation(session, { extra: { request: 'eyJhbGciOiJub25lIn0.e30.' } });
    const u = new URL(loc);
    expect(`${u.origin}${u.pathname}`).toBe(REDIRECT_URI);
    expect(u.searchParams.get('error')).toBe('request_not_supported');
    expect(u.searchParams.get('error_description')).toBe('The provider does not support use of the request parameter');
    expect(u.searchParams.get('state')).toBe('st-123');
  });

  it('a redirect URI mismatch still wins over request= (the redirect URI is checked first)', async () => {
    const r = await session.req(authorizePath({ redirect_uri: `${REDIRECT_URI}/`, extra: { request: 'x' } }));
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('Redirect URI Error');
  });
});

describe('ui_locales (PR #17140)', () => {
  it('the first requested locale is passed to the flow interface as locale=… (2025.10+), not before', async () => {
    const fresh = new Client(ref.url);
    const loc = await authorizeLocation(fresh, { extra: { ui_locales: 'de fr' } });
    expect(new URL(loc, ref.url).searchParams.get('locale')).toBe('de');
    expect(new URL(loc, ref.url).searchParams.get('ui_locales')).toBe('de fr');
    const older = await authorizeLocation(new Client(old.url), { extra: { ui_locales: 'de fr' } });
    expect(new URL(older, old.url).searchParams.has('locale')).toBe(false);
  });

  it('the login still completes through the executor', async () => {
    const to = await login(new Client(ref.url), authorizePath({ extra: { ui_locales: 'de' } }));
    expect(to).toMatch(/^\/application\/o\/authorize\//);
  });
});

describe('PKCE: the challenge is stored as given and compared at the token endpoint (check_code_challenge, __post_init_code)', () => {
  it('a malformed S256 challenge is accepted at authorize and refused at the token endpoint (invalid_grant)', async () => {
    const cb = new URL(await authorizeLocation(session, { code_challenge: 'not-a-valid-challenge', code_challenge_method: 'S256' }));
    const code = cb.searchParams.get('code');
    expect(code).toMatch(/^[0-9a-f]{32}$/);
    const { res, body } = await exchange(ref.url, code!, { code_verifier: pkcePair().verifier });
    expect(res.status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('a short plain challenge matches a verifier equal to it, as authentik compares them (no RFC 7636 length check)', async () => {
    const cb = new URL(await authorizeLocation(session, { code_challenge: 'abc', code_challenge_method: 'plain' }));
    const { res } = await exchange(ref.url, cb.searchParams.get('code')!, { code_verifier: 'abc' });
    expect(res.status).toBe(200);
  });

  it('a well-formed S256 pair still works, a wrong verifier does not', async () => {
    const pair = pkcePair();
    const cb1 = new URL(await authorizeLocation(session, { code_challenge: pair.challenge, code_challenge_method: 'S256' }));
    expect((await exchange(ref.url, cb1.searchParams.get('code')!, { code_verifier: pair.verifier })).res.status).toBe(200);
    const cb2 = new URL(await authorizeLocation(session, { code_challenge: pair.challenge, code_challenge_method: 'S256' }));
    expect((await exchange(ref.url, cb2.searchParams.get('code')!, { code_verifier: pkcePair().verifier })).body.error).toBe('invalid_grant');
  });
});

describe('granted scopes come in a Python set order (arbitrary per process start)', () => {
  it('the token response and the access token carry the same order, one fixed for the life of the process', async () => {
    const scopes = async () => {
      const cb = new URL(await authorizeLocation(session, { scope: 'profile openid email' }));
      const { body } = await exchange(ref.url, cb.searchParams.get('code')!);
      expect(decodeJwt(body.access_token).scope).toBe(body.scope);
      return body.scope as string;
    };
    const first = await scopes();
    expect(new Set(first.split(' '))).toEqual(new Set(['email', 'openid', 'profile']));
    expect(await scopes()).toBe(first);
  });

  it('a fresh process orders the same scopes differently (a new hash seed), so nothing may depend on it', () => {
    const script = "import('./compose/embedded/claims.ts').then((m) => console.log(m.pythonSetOrder(['openid', 'email', 'profile', 'offline_access', 'entitlements']).join(' ')))";
    const orders = new Set<string>();
    for (let i = 0; i < 4; i++) orders.add(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' }).trim());
    expect(orders.size).toBeGreaterThan(1);
  });
});
