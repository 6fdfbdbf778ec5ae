/**
 * Test support for the contract tests: undici fetch with manual redirects, a tough-cookie jar, and a curl-style
 * login driver that follows authentik.md §8 step by step. Deliberately small: the harness's own HTTP layer lives in
 * helpers/http and is not used here, so these tests check the provider, not the harness.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { CookieJar } from 'tough-cookie';
import { fetch, type Response } from 'undici';
import { buildKeyPair, startReferenceProvider, VARIANTS_DIR, type ReferenceProviderOptions, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { generatePrivateKey } from '../../compose/embedded/crypto/keypairs.ts';

export const REDIRECT_URI = 'https://osticket.company/osticket/api/auth/oauth2';
export const SLUG = 'osticket';

export function variant(name: string): string {
  return `${VARIANTS_DIR}/${name}.yaml`;
}

const testKeys = new Map<string, Promise<KeyObject>>();

/**
 * Generated keys shared by every provider this test file starts: one private key per key spec (RSA 4096 costs
 * seconds of CPU on a loaded machine), each pair still with its own certificate and the profile's kid.
 */
export const sharedTestKeys: NonNullable<ReferenceProviderOptions['buildKeyPair']> = async (name, spec, kidStyle, version) => {
  const label = JSON.stringify(spec);
  if (!testKeys.has(label)) testKeys.set(label, generatePrivateKey(spec));
  return buildKeyPair(name, spec, kidStyle, version, await testKeys.get(label)!);
};

/** Starts a provider and waits for its keys, so no request of a test waits seconds for an RSA 4096 key. */
export async function start(opts: ReferenceProviderOptions = {}): Promise<RunningReferenceProvider> {
  const p = await startReferenceProvider({ env: {}, buildKeyPair: sharedTestKeys, ...opts });
  const { signing_key, encryption_key } = p.blueprint.provider;
  await Promise.all([signing_key, encryption_key].filter((k): k is string => k !== null && p.keys.has(k)).map((k) => p.keys.get(k)));
  return p;
}

/** Starts one provider per named setup, in parallel (for beforeAll); close them with closeAll. */
export async function startAll<K extends string>(setups: Record<K, ReferenceProviderOptions>): Promise<Record<K, RunningReferenceProvider>> {
  const names = Object.keys(setups) as K[];
  const started = await Promise.all(names.map((n) => start(setups[n])));
  return Object.fromEntries(names.map((n, i) => [n, started[i]!])) as Record<K, RunningReferenceProvider>;
}

export async function closeAll(providers: Record<string, RunningReferenceProvider | undefined>): Promise<void> {
  await Promise.all(Object.values(providers).map((p) => p?.close()));
}

export class Client {
  readonly jar = new CookieJar();
  constructor(readonly base: string) {}

  async req(path: string, init: { method?: string; headers?: Record<string, string>; body?: string; json?: unknown; form?: Record<string, string> } = {}): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const headers: Record<string, string> = { ...init.headers };
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    const res = await fetch(url, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    for (const sc of res.headers.getSetCookie()) await this.jar.setCookie(sc, url);
    return res;
  }

  async cookie(name: string): Promise<string | undefined> {
    return (await this.jar.getCookies(this.base)).find((c) => c.key === name)?.value;
  }
}

export interface AuthorizeParams {
  scope?: string | null;
  state?: string;
  nonce?: string;
  redirect_uri?: string;
  client_id?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  extra?: Record<string, string>;
}

export function authorizePath(p: AuthorizeParams = {}, clientId = 'osticket-harness-client'): string {
  const q = new URLSearchParams({ client_id: p.client_id ?? clientId, redirect_uri: p.redirect_uri ?? REDIRECT_URI, response_type: 'code' });
  if (p.scope !== null) q.set('scope', p.scope ?? 'email openid profile');
  q.set('state', p.state ?? 'st-123');
  if (p.nonce) q.set('nonce', p.nonce);
  if (p.code_challenge) q.set('code_challenge', p.code_challenge);
  if (p.code_challenge_method) q.set('code_challenge_method', p.code_challenge_method);
  for (const [k, v] of Object.entries(p.extra ?? {})) q.set(k, v);
  return `/application/o/authorize/?${q}`;
}

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Logs in through the executor (authentik.md §8 steps 1-5). Returns the xak-flow-redirect target. */
export async function login(c: Client, authorize: string, user = 'osticket-test', password = 'osticket-test-password'): Promise<string> {
  const r1 = await c.req(authorize);
  if (r1.status !== 302) throw new Error(`authorize answered ${r1.status}`);
  const loc = r1.headers.get('location')!;
  const m = /^\/if\/flow\/([^/]+)\/\?(.*)$/.exec(loc);
  if (!m) throw new Error(`unexpected authorize redirect ${loc}`);
  const exec = `/api/v3/flows/executor/${m[1]}/?query=${encodeURIComponent(m[2]!)}`;
  for (let i = 0; i < 10; i++) {
    const g = await c.req(exec, { headers: { accept: 'application/json' } });
    if (g.status === 302) continue;
    const ch = (await g.json()) as Record<string, unknown>;
    if (ch.component === 'ak-stage-identification') {
      const p = await c.req(exec, { json: { component: 'ak-stage-identification', uid_field: user } });
      if (p.status !== 302) throw new Error(`identification answered ${p.status}`);
    } else if (ch.component === 'ak-stage-password') {
      const p = await c.req(exec, { json: { component: 'ak-stage-password', password } });
      if (p.status === 200) return JSON.stringify(await p.json());
    } else if (ch.component === 'xak-flow-redirect') {
      return String(ch.to);
    } else {
      return JSON.stringify(ch);
    }
  }
  throw new Error('login did not finish');
}

/** Full login through to the callback URL (implicit consent). */
export async function loginForCallback(c: Client, authorize: string): Promise<URL> {
  const to = await login(c, authorize);
  const r = await c.req(to);
  const loc = r.headers.get('location');
  if (r.status !== 302 || !loc) throw new Error(`authorize after login answered ${r.status}`);
  return new URL(loc);
}

export async function exchange(base: string, code: string, extra: Record<string, string> = {}, auth: 'basic' | 'post' = 'basic') {
  const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...extra };
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth === 'basic') headers.authorization = `Basic ${Buffer.from('osticket-harness-client:osticket-harness-secret-0123456789abcdef0123456789abcdef').toString('base64')}`;
  else Object.assign(form, { client_id: 'osticket-harness-client', client_secret: 'osticket-harness-secret-0123456789abcdef0123456789abcdef' });
  const res = await fetch(`${base}/application/o/token/`, { method: 'POST', headers, body: new URLSearchParams(form).toString(), signal: AbortSignal.timeout(10_000) });
  return { res, body: (await res.json()) as Record<string, any> };
}

export const CLIENT_SECRET = 'osticket-harness-secret-0123456789abcdef0123456789abcdef';
export const CLIENT_ID = 'osticket-harness-client';
