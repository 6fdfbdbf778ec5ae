/**
 * Contract: the token endpoint (authentik.md §6, §12).
 * authentik sources: providers/oauth2/views/token.py (TokenParams, __check_redirect_uri, PKCE, refresh),
 * providers/oauth2/utils.py (extract_client_auth), providers/oauth2/errors.py (TokenError.create_dict),
 * providers/oauth2/models.py (access_code_validity, refresh_token_threshold), views/userinfo.py.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch } from 'undici';
import { DEFAULT_BLUEPRINT_PATH, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { authorizePath, Client, CLIENT_ID, CLIENT_SECRET, exchange, loginForCallback, pkcePair, REDIRECT_URI, start } from './support.ts';

const guide = readFileSync(DEFAULT_BLUEPRINT_PATH, 'utf8');
const withOffline = guide.replace(
  '      grant_types:',
  '        - !Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-offline_access]]\n      grant_types:',
);
const shortCodes = guide.replace('      grant_types:', '      access_code_validity: seconds=1\n      grant_types:');

let ref: RunningReferenceProvider;
let offline: RunningReferenceProvider;
let short: RunningReferenceProvider;
let old: RunningReferenceProvider;
let session: Client;
let offlineSession: Client;

beforeAll(async () => {
  [ref, offline, short, old] = await Promise.all([
    start(), start({ blueprintText: withOffline }), start({ blueprintText: shortCodes }), start({ profile: '2025.10' }),
  ]);
  session = new Client(ref.url);
  await loginForCallback(session, authorizePath());
  offlineSession = new Client(offline.url);
  await loginForCallback(offlineSession, authorizePath({ scope: 'openid email offline_access' }));
});
afterAll(async () => {
  await Promise.all([ref, offline, short, old].map((p) => p?.close()));
});

async function freshCode(c: Client, p: Parameters<typeof authorizePath>[0] = {}): Promise<string> {
  const r = await c.req(authorizePath(p));
  expect(r.status).toBe(302);
  return new URL(r.headers.get('location')!).searchParams.get('code')!;
}

const post = (base: string, body: string, headers: Record<string, string>) =>
  fetch(`${base}/application/o/token/`, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });

describe('client authentication (utils.py extract_client_auth)', () => {
  it('client_secret_basic works', async () => {
    expect((await exchange(ref.url, await freshCode(session), {}, 'basic')).res.status).toBe(200);
  });

  it('client_secret_post works', async () => {
    expect((await exchange(ref.url, await freshCode(session), {}, 'post')).res.status).toBe(200);
  });

  it('Basic takes precedence over form credentials', async () => {
    const code = await freshCode(session);
    const r = await post(ref.url, new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, client_secret: 'wrong' }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
    });
    expect(r.status).toBe(200);
  });

  it('Basic credentials are percent-decoded (2026.2.2+)', async () => {
    const code = await freshCode(session);
    const encodedId = CLIENT_ID.replace('-', '%2D');
    const r = await post(ref.url, new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodedId}:${CLIENT_SECRET}`).toString('base64')}`,
    });
    expect(r.status).toBe(200);
  });

  it('an unknown client is 400 invalid_client with request_id = X-authentik-id', async () => {
    const r = await post(ref.url, new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI, client_id: 'nope', client_secret: 'x' }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(400);
    const b = (await r.json()) as any;
    expect(Object.keys(b).sort()).toEqual(['error', 'error_description', 'request_id']);
    expect(b.error).toBe('invalid_client');
    expect(b.request_id).toBe(r.headers.get('x-authentik-id'));
  });

  it('a wrong secret is 400 invalid_client', async () => {
    const code = await freshCode(session);
    const r = await post(ref.url, new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, client_secret: 'wrong' }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error).toBe('invalid_client');
  });

  it('a JSON body is read as an empty form (request.POST): invalid_client', async () => {
    const code = await freshCode(session);
    const r = await post(ref.url, JSON.stringify({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }), {
      'content-type': 'application/json',
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error).toBe('invalid_client');
  });
});

describe('authorization codes (views/token.py, access_code_validity)', () => {
  it('codes are single use: a replay is invalid_grant and the tokens already issued stay valid', async () => {
    const code = await freshCode(session);
    const first = await exchange(ref.url, code);
    expect(first.res.status).toBe(200);
    const again = await exchange(ref.url, code);
    expect(again.res.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    const ui = await fetch(`${ref.url}/application/o/userinfo/`, { headers: { authorization: `Bearer ${first.body.access_token}` } });
    expect(ui.status).toBe(200);
  });

  it('an unknown code is invalid_grant', async () => {
    expect((await exchange(ref.url, '0123456789abcdef0123456789abcdef')).body.error).toBe('invalid_grant');
  });

  it('codes expire after access_code_validity (here seconds=1; authentik default minutes=1)', async () => {
    const c = new Client(short.url);
    const cb = await loginForCallback(c, authorizePath());
    await new Promise((r) => setTimeout(r, 1200));
    const { res, body } = await exchange(short.url, cb.searchParams.get('code')!);
    expect(res.status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });
});

describe('PKCE (views/token.py): enforced only when the code carries a challenge', () => {
  it('S256: the right verifier passes, a wrong one is invalid_grant', async () => {
    const { verifier, challenge } = pkcePair();
    const ok = await exchange(ref.url, await freshCode(session, { code_challenge: challenge, code_challenge_method: 'S256' }), { code_verifier: verifier });
    expect(ok.res.status).toBe(200);
    const bad = await exchange(ref.url, await freshCode(session, { code_challenge: challenge, code_challenge_method: 'S256' }), { code_verifier: pkcePair().verifier });
    expect(bad.body.error).toBe('invalid_grant');
    const missing = await exchange(ref.url, await freshCode(session, { code_challenge: challenge, code_challenge_method: 'S256' }));
    expect(missing.body.error).toBe('invalid_grant');
  });

  it('a challenge without a method is plain: the verifier must equal the challenge', async () => {
    const { verifier } = pkcePair();
    const ok = await exchange(ref.url, await freshCode(session, { code_challenge: verifier }), { code_verifier: verifier });
    expect(ok.res.status).toBe(200);
    const bad = await exchange(ref.url, await freshCode(session, { code_challenge: verifier, code_challenge_method: 'plain' }), { code_verifier: pkcePair().verifier });
    expect(bad.body.error).toBe('invalid_grant');
  });

  it('a verifier sent for a code issued without a challenge is invalid_grant (downgrade protection)', async () => {
    const r = await exchange(ref.url, await freshCode(session), { code_verifier: pkcePair().verifier });
    expect(r.body.error).toBe('invalid_grant');
  });
});

describe('refresh tokens (offline_access, rotation)', () => {
  it('no refresh token without offline_access, even if requested but not mapped', async () => {
    const r = await exchange(ref.url, await freshCode(session, { scope: 'openid email offline_access' }));
    expect(r.res.status).toBe(200);
    expect(r.body).not.toHaveProperty('refresh_token');
    expect(r.body.scope.split(' ')).not.toContain('offline_access');
  });

  it('offline_access mapped and granted -> refresh token; refresh rotates it and the old one is refused', async () => {
    const first = await exchange(offline.url, await freshCode(offlineSession, { scope: 'openid email offline_access' }));
    expect(first.res.status).toBe(200);
    const rt = first.body.refresh_token as string;
    expect(rt).toBeTruthy();
    const refresh = (token: string, extra: Record<string, string> = {}) =>
      post(offline.url, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, ...extra }).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
    const r1 = await refresh(rt);
    expect(r1.status).toBe(200);
    const b1 = (await r1.json()) as any;
    expect(b1.refresh_token).toBeTruthy();
    expect(b1.refresh_token).not.toBe(rt);
    expect(b1.id_token).toBeTruthy();
    // the refreshed access token is an access token: userinfo takes it, the refresh grant does not
    const ui = await fetch(`${offline.url}/application/o/userinfo/`, { headers: { authorization: `Bearer ${b1.access_token}` }, signal: AbortSignal.timeout(10_000) });
    expect(ui.status).toBe(200);
    expect(((await (await refresh(b1.access_token)).json()) as any).error).toBe('invalid_grant');
    const reuse = await refresh(rt);
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as any).error).toBe('invalid_grant');
    // a scope on refresh must be a subset and include offline_access
    const noOffline = await refresh(b1.refresh_token, { scope: 'openid email' });
    expect(((await noOffline.json()) as any).error).toBe('invalid_scope');
    const subset = await refresh(b1.refresh_token, { scope: 'openid offline_access' });
    expect(subset.status).toBe(200);
    // create_refresh_response: the new tokens keep the refresh token's scopes ("Keep same scopes as previous
    // token"); a narrower scope only has to pass the subset check. The order is a Python set's.
    expect(new Set(((await subset.json()) as any).scope.split(' '))).toEqual(new Set(['openid', 'email', 'offline_access']));
  });

  it('no scope parameter at authorize grants every mapped scope, offline_access included', async () => {
    const r = await exchange(offline.url, await freshCode(offlineSession, { scope: null }));
    expect(r.body.scope.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);
    expect(r.body.refresh_token).toBeTruthy();
  });
});

describe('grant types', () => {
  it('an unsupported grant type is rejected with a 400 JSON error', async () => {
    const r = await post(old.url, new URLSearchParams({ grant_type: 'password', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error).toBe('unsupported_grant_type');
  });

  it('2026.5+: a grant not in provider.grant_types is invalid_grant', async () => {
    const r = await post(ref.url, new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(((await r.json()) as any).error).toBe('invalid_grant');
  });
});
