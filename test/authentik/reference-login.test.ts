/**
 * The driver and both relying parties end to end against the embedded reference provider (compose/embedded),
 * over real HTTP and, once, over TLS through the resolution map as https://authentik.company.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceProvider, VARIANTS_DIR, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { loginThroughAuthentik, type LoginOutcome } from '../../helpers/authentik/index.ts';
import { createHttp, type Http } from '../../helpers/http/index.ts';
import {
  buildOsticketAuthorizeUrl,
  createConformantRp,
  mapOsticketIdentity,
  osticketTokenRequest,
  osticketUserinfo,
  verifyJwt,
} from '../../helpers/oidc/index.ts';
import type { OsticketPluginSettings } from '../../helpers/target-types.ts';
import { patience } from '../support/patience.ts';

const REDIRECT = 'https://osticket.company/osticket/api/auth/oauth2';
const SLUG = 'osticket';

function settingsFor(p: RunningReferenceProvider, base = p.url, scopes = 'email openid profile'): OsticketPluginSettings {
  return {
    redirectUri: REDIRECT,
    clientId: p.blueprint.provider.client_id!,
    clientSecret: p.blueprint.provider.client_secret!,
    authorizeUrl: `${base}/application/o/authorize/`,
    tokenUrl: `${base}/application/o/token/`,
    userinfoUrl: `${base}/application/o/userinfo/`,
    scopes,
  };
}

function userOf(p: RunningReferenceProvider) {
  const u = p.blueprint.users[0]!;
  return { username: u.username, password: u.password!, email: u.email };
}

function expectCallback(o: LoginOutcome): Extract<LoginOutcome, { kind: 'callback' }> {
  if (o.kind !== 'callback') throw new Error(`expected a callback, got ${JSON.stringify({ ...o, steps: undefined })}`);
  return o;
}

function noSecretsIn(http: Http, extra: string[]) {
  const json = JSON.stringify(http.transcript);
  for (const s of [...extra, ...http.secrets.values()]) expect(json.includes(s), `leaked ${s.slice(0, 5)}…`).toBe(false);
  expect(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}/.test(json)).toBe(false);
}

describe('against the reference provider (guide blueprint)', () => {
  let p: RunningReferenceProvider;
  let http: Http;
  beforeAll(async () => {
    p = await startReferenceProvider({});
  });
  afterAll(async () => {
    await http?.close();
    await p?.close();
  });

  it('osTicket profile: login (implicit consent) -> token (client_secret_post) -> userinfo -> identity; ID token verifies', async () => {
    http = createHttp({ timeoutMs: patience(5_000) });
    const browser = http.actor('browser');
    const s = settingsFor(p);
    const user = userOf(p);
    const auth = buildOsticketAuthorizeUrl(s);
    const out = expectCallback(await loginThroughAuthentik(browser, auth.url, user, { redirectUri: REDIRECT }));
    expect(out.consent).toBe('implicit');
    expect(out.via).toBe('location');
    expect(out.url.origin + out.url.pathname).toBe(REDIRECT);
    expect(out.url.searchParams.get('state')).toBe(auth.state);
    const code = out.url.searchParams.get('code')!;
    expect(code).toBeTruthy();
    expect(out.steps.map((st) => st.component ?? `${st.method} ${st.status}`)).toEqual([
      'GET 302',
      'ak-stage-identification',
      'POST 302',
      'ak-stage-password',
      ...out.steps.slice(4, -2).map((st) => st.component ?? `${st.method} ${st.status}`),
      'xak-flow-redirect',
      'GET 302',
    ]);

    const server = http.actor('osticket-server');
    const tok = await osticketTokenRequest(server, s, code);
    if (!tok.ok) throw new Error(tok.detail);
    const ex = http.transcript.get(tok.exchangeId)!;
    expect(ex.requestHeaders['user-agent']).toBe('GuzzleHttp/7');
    expect(ex.requestHeaders.authorization).toBeUndefined();
    expect(ex.requestBody).toMatch(/^client_id=osticket-harness-client&client_secret=\[redacted[^&]*&redirect_uri=https%3A%2F%2Fosticket\.company%2Fosticket%2Fapi%2Fauth%2Foauth2&grant_type=authorization_code&code=\[redacted/);
    expect(tok.token.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);

    const ui = await osticketUserinfo(server, s, tok.token.access_token);
    if (!ui.ok) throw new Error(ui.detail);
    expect(mapOsticketIdentity(ui.claims)).toMatchObject({ username: user.email, email: user.email });

    const jwksRes = await server.request(`${p.url}/application/o/${SLUG}/jwks/`);
    const v = await verifyJwt(tok.token.id_token, {
      jwks: jwksRes.json,
      clientSecret: s.clientSecret,
      issuer: `${p.url}/application/o/${SLUG}/`,
      audience: s.clientId,
    });
    expect(v).toMatchObject({ format: 'jws', alg: 'RS256', kidInJwks: true, signature: 'valid', claimsErrors: [] });
    expect(v.payload?.sub).toBe(user.email);

    // the code is single-use (authentik.md §6)
    const again = await osticketTokenRequest(server, s, code);
    expect(again).toMatchObject({ ok: false, kind: 'http-error', status: 400, error: 'invalid_grant' });
    noSecretsIn(http, [user.password, s.clientSecret, code, tok.token.access_token, tok.token.id_token!]);
  });

  it('comma-joined scopes (osTicket field "openid,email,profile") are one unknown scope: userinfo refuses', async (ctx) => {
    const h = createHttp({});
    const s = settingsFor(p, p.url, 'openid,email,profile');
    const auth = buildOsticketAuthorizeUrl(s);
    expect(auth.url.search).toContain('scope=openid%2Cemail%2Cprofile');
    const out = expectCallback(await loginThroughAuthentik(h.actor('browser'), auth.url, userOf(p), { redirectUri: REDIRECT }));
    if (out.url.searchParams.get('error')) {
      await h.close();
      // authentik.md §5: unknown scopes are dropped silently and the code flow still succeeds; userinfo then 403s.
      return ctx.skip(`reference provider answered error=${out.url.searchParams.get('error')} instead of a code (deviation from authentik.md §5, reported)`);
    }
    const tok = await osticketTokenRequest(h.actor('osticket-server'), s, out.url.searchParams.get('code')!);
    if (!tok.ok) throw new Error(tok.detail);
    const ui = await osticketUserinfo(h.actor('osticket-server'), s, tok.token.access_token);
    expect(ui).toMatchObject({ ok: false, kind: 'http-error', status: 403, error: 'insufficient_scope' });
    await h.close();
  });

  it('wrong password -> stage-error on ak-stage-password; no exception', async () => {
    const h = createHttp({});
    const out = await loginThroughAuthentik(h.actor('b'), buildOsticketAuthorizeUrl(settingsFor(p)).url, { username: userOf(p).username, password: 'wrong-password-1' }, { redirectUri: REDIRECT });
    expect(out.kind).toBe('stage-error');
    if (out.kind !== 'stage-error') return;
    expect(out.stage).toBe('ak-stage-password');
    expect(out.errors.password?.[0]).toEqual({ string: 'Invalid password', code: 'invalid' });
    expect(JSON.stringify(h.transcript).includes('wrong-password-1')).toBe(false);
    await h.close();
  });

  it('redirect URI near miss -> 400 "Redirect URI Error" page; unknown client -> "Client ID Error"', async () => {
    const h = createHttp({});
    const bad = await loginThroughAuthentik(h.actor('b'), buildOsticketAuthorizeUrl({ ...settingsFor(p), redirectUri: `${REDIRECT}/` }).url, userOf(p), { redirectUri: `${REDIRECT}/` });
    expect(bad).toMatchObject({
      kind: 'authorize-error-page',
      status: 400,
      title: 'Redirect URI Error',
      message: 'The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).',
    });
    expect(bad.steps).toHaveLength(1);
    const unknown = await loginThroughAuthentik(h.actor('c'), buildOsticketAuthorizeUrl({ ...settingsFor(p), clientId: 'nobody' }).url, userOf(p), { redirectUri: REDIRECT });
    expect(unknown).toMatchObject({ kind: 'authorize-error-page', status: 400, title: 'Client ID Error' });
    await h.close();
  });

  it('conformant RP: discovery, state+nonce+PKCE, both client auth methods, userinfo', async () => {
    const h = createHttp({});
    const s = settingsFor(p);
    for (const authMethod of ['client_secret_post', 'client_secret_basic'] as const) {
      const made = await createConformantRp({
        actor: h.actor(`rp-${authMethod}`),
        discoveryUrl: `${p.url}/application/o/${SLUG}/.well-known/openid-configuration`,
        clientId: s.clientId,
        clientSecret: s.clientSecret,
        redirectUri: REDIRECT,
        authMethod,
      });
      if (!made.ok) throw new Error(`${made.code}: ${made.message}`);
      const { rp } = made;
      expect(rp.metadata.issuer).toBe(`${p.url}/application/o/${SLUG}/`);
      const req = await rp.authorizationRequest();
      expect(req.url.searchParams.get('code_challenge_method')).toBe('S256');
      const out = expectCallback(await loginThroughAuthentik(h.actor(`browser-${authMethod}`), req.url, userOf(p), { redirectUri: REDIRECT }));
      const tokens = await rp.exchangeCode(out.url, req);
      if (!tokens.ok) throw new Error(`${tokens.code}: ${tokens.message}`);
      expect(tokens.claims?.nonce).toBe(req.nonce);
      expect(tokens.claims?.sub).toBe(userOf(p).email);
      const tokenEx = h.transcript.get(tokens.exchangeIds[0]!)!;
      if (authMethod === 'client_secret_basic') expect(tokenEx.requestHeaders.authorization).toBe('Basic [redacted]');
      else expect(tokenEx.requestBody).toMatch(/client_secret=\[redacted/);
      const ui = await rp.userinfo(tokens.tokens.access_token, tokens.claims!.sub as string);
      if (!ui.ok) throw new Error(ui.message);
      expect(ui.claims.email).toBe(userOf(p).email);
      // a replayed code is a typed error with the OAuth error, not an exception
      const replay = await rp.exchangeCode(out.url, req);
      expect(replay).toMatchObject({ ok: false, code: 'OAUTH_RESPONSE_BODY_ERROR', error: 'invalid_grant', status: 400 });
    }
    // wrong secret -> invalid_client
    const wrong = await createConformantRp({
      actor: h.actor('rp-wrong'),
      discoveryUrl: `${p.url}/application/o/${SLUG}/.well-known/openid-configuration`,
      clientId: s.clientId,
      clientSecret: 'definitely-not-the-secret',
      redirectUri: REDIRECT,
    });
    if (!wrong.ok) throw new Error(wrong.message);
    const req = await wrong.rp.authorizationRequest();
    const out = expectCallback(await loginThroughAuthentik(h.actor('browser-wrong'), req.url, userOf(p), { redirectUri: REDIRECT }));
    expect(await wrong.rp.exchangeCode(out.url, req)).toMatchObject({ ok: false, error: 'invalid_client' });
    noSecretsIn(h, ['definitely-not-the-secret', s.clientSecret, userOf(p).password]);
    await h.close();
  });

  it('discovery failure is a typed error (refused connection)', async () => {
    const h = createHttp({ timeoutMs: 2_000 });
    const r = await createConformantRp({
      actor: h.actor('rp'),
      discoveryUrl: 'http://127.0.0.1:9/application/o/osticket/.well-known/openid-configuration',
      clientId: 'x',
      clientSecret: 'y',
      redirectUri: REDIRECT,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(['BAD_URL', 'ECONNREFUSED']).toContain(r.code);
    await h.close();
  });
});

describe('against reference-provider variants', () => {
  const started: RunningReferenceProvider[] = [];
  afterAll(async () => {
    await Promise.all(started.map((p) => p.close()));
  });
  const start = async (variant: string, extra: Parameters<typeof startReferenceProvider>[0] = {}) => {
    const p = await startReferenceProvider({ blueprintPath: resolve(VARIANTS_DIR, `${variant}.yaml`), ...extra });
    started.push(p);
    return p;
  };

  it('explicit consent: consent stage with CSRF header, code delivered inside xak-flow-redirect', async () => {
    const p = await start('explicit-consent');
    const h = createHttp({});
    const out = expectCallback(await loginThroughAuthentik(h.actor('b'), buildOsticketAuthorizeUrl(settingsFor(p)).url, userOf(p), { redirectUri: REDIRECT }));
    expect(out.consent).toBe('explicit');
    expect(out.steps.some((st) => st.component === 'ak-stage-consent')).toBe(true);
    const consentPost = out.steps.find((st, i) => st.method === 'POST' && out.steps[i - 1]?.component === 'ak-stage-consent')!;
    expect(h.transcript.get(consentPost.exchangeId)!.requestHeaders['x-authentik-csrf']).toBe('[redacted]');
    expect(out.url.searchParams.get('code')).toBeTruthy();
    noSecretsIn(h, [userOf(p).password]);
    await h.close();
  });

  it('policy denying the user -> policy-denied (200 HTML at authorize)', async () => {
    const p = await start('policy-denies-user');
    const h = createHttp({});
    const out = await loginThroughAuthentik(h.actor('b'), buildOsticketAuthorizeUrl(settingsFor(p)).url, userOf(p), { redirectUri: REDIRECT });
    expect(out.kind).toBe('policy-denied');
    await h.close();
  });

  it("a deny stage in the provider's Authorization flow -> access-denied in that flow, told apart from the login's flow", async () => {
    const p = await start('authorization-flow-deny');
    const h = createHttp({});
    const out = await loginThroughAuthentik(h.actor('b'), buildOsticketAuthorizeUrl(settingsFor(p)).url, userOf(p), { redirectUri: REDIRECT });
    expect(out).toMatchObject({ kind: 'access-denied', message: 'osTicket sign-in is closed', flow: 'osticket-authorization', flowRole: 'authorization' });
    // The login itself ran in the authentication flow (its redirect carried next=) and the password passed there.
    expect(out.steps.filter((st) => st.component === 'ak-stage-password').map((st) => st.flow)).toEqual(['default-authentication-flow']);
    await h.close();
  });

  it('no signing key: HS256 ID token verified with the client secret, JWKS {} flagged', async () => {
    const p = await start('no-signing-key');
    const h = createHttp({});
    const s = settingsFor(p);
    const out = expectCallback(await loginThroughAuthentik(h.actor('b'), buildOsticketAuthorizeUrl(s).url, userOf(p), { redirectUri: REDIRECT }));
    const tok = await osticketTokenRequest(h.actor('srv'), s, out.url.searchParams.get('code')!);
    if (!tok.ok) throw new Error(tok.detail);
    const jwks = await h.actor('srv').request(`${p.url}/application/o/${SLUG}/jwks/`);
    expect(jwks.json).toEqual({});
    const v = await verifyJwt(tok.token.id_token, { jwks: jwks.json, clientSecret: s.clientSecret, issuer: `${p.url}/application/o/${SLUG}/`, audience: s.clientId });
    expect(v).toMatchObject({ alg: 'HS256', kid: undefined, jwksHasKeys: false, kidInJwks: false, signature: 'valid', keySource: 'client-secret' });
    await h.close();
  });

  it('over TLS as https://authentik.company through the resolution map (explicit consent: CSRF + Origin over HTTPS)', async () => {
    const p = await start('explicit-consent', { tls: true, tlsDir: resolve(process.cwd(), 'reports') });
    expect(p.caPem).toBeTruthy();
    const h = createHttp({ resolve: { 'authentik.company:443': `127.0.0.1:${p.port}` }, ca: p.caPem, timeoutMs: patience(5_000) });
    const s = settingsFor(p, 'https://authentik.company');
    const out = expectCallback(await loginThroughAuthentik(h.actor('b'), buildOsticketAuthorizeUrl(s).url, userOf(p), { redirectUri: REDIRECT }));
    expect(out.consent).toBe('explicit');
    const tok = await osticketTokenRequest(h.actor('srv'), s, out.url.searchParams.get('code')!);
    if (!tok.ok) throw new Error(tok.detail);
    const jwks = await h.actor('srv').request('https://authentik.company/application/o/osticket/jwks/');
    const v = await verifyJwt(tok.token.id_token, { jwks: jwks.json, issuer: 'https://authentik.company/application/o/osticket/', audience: s.clientId });
    expect(v).toMatchObject({ signature: 'valid', claimsErrors: [] });
    const noCa = createHttp({ resolve: { 'authentik.company:443': `127.0.0.1:${p.port}` } });
    const t = await loginThroughAuthentik(noCa.actor('b'), buildOsticketAuthorizeUrl(s).url, userOf(p), { redirectUri: REDIRECT });
    expect(t.kind).toBe('transport');
    if (t.kind === 'transport') expect(t.error.code).toMatch(/^TLS_/);
    await Promise.all([h.close(), noCa.close()]);
  });
});
