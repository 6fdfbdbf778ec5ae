/**
 * The osTicket web driver against the osTicket stand-in (fixtures/osticket-standin.ts, osticket.md §4/§5/§11) and
 * the real reference provider in-process, both reached through the resolution map under their own host names:
 * osticket.test and authentik.test:9000. The real osTicket path is test/containers/real-stack.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceProvider, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { createHttp, type Http } from '../../helpers/http/index.ts';
import { findSsoLinks, loginThroughOsticket, pageOutput, parseAuthorizeRequest } from '../../helpers/osticket/web-driver.ts';
import { startOsticketStandin, type StandinConfig } from './fixtures/osticket-standin.ts';
import { patience } from '../support/patience.ts';

const BASE = 'http://osticket.test/';
const REDIRECT = `${BASE}api/auth/oauth2`;
const AK = 'http://authentik.test:9000';
const user = { username: 'driver-user', password: 'driver-password-123', email: 'driver-user@example.com' };
const client = { clientId: 'driver-client', clientSecret: 'driver-secret-abcdef0123456789' };

let ref: RunningReferenceProvider;
const standins: Array<{ close(): Promise<void> }> = [];
const https: Http[] = [];

beforeAll(async () => {
  ref = await startReferenceProvider({
    port: 0, host: '127.0.0.1',
    env: { OSTICKET_REDIRECT_URI: REDIRECT, OSTICKET_CLIENT_ID: client.clientId, OSTICKET_CLIENT_SECRET: client.clientSecret, OSTICKET_TEST_USERNAME: user.username, OSTICKET_TEST_EMAIL: user.email, OSTICKET_TEST_PASSWORD: user.password },
  });
});
afterAll(async () => {
  for (const s of standins) await s.close();
  for (const h of https) await h.close();
  await ref?.close();
});

/** One osTicket stand-in + one Http whose resolution map sends both host names to loopback. */
async function setup(over: Partial<Omit<StandinConfig, 'serverActor'>> = {}) {
  const serverHttp = createHttp({ resolve: { 'authentik.test:9000': `127.0.0.1:${ref.port}` }, timeoutMs: patience(5_000) });
  const standin = await startOsticketStandin({
    baseUrl: BASE, redirectUri: REDIRECT, ...client,
    urlAuthorize: `${AK}/application/o/authorize/`, urlAccessToken: `${AK}/application/o/token/`, urlResourceOwnerDetails: `${AK}/application/o/userinfo/`,
    scopes: 'email openid profile', authTarget: 'all', agents: [user.email], serverActor: serverHttp.actor('osticket-server'),
    ...over,
  });
  const http = createHttp({ resolve: { 'authentik.test:9000': `127.0.0.1:${ref.port}`, 'osticket.test:80': `127.0.0.1:${standin.port}` }, timeoutMs: patience(5_000) });
  standins.push(standin);
  https.push(serverHttp, http);
  return http;
}

describe('osTicket web driver', () => {
  it('agent: SSO link -> authorize request captured -> authentik -> callback -> /scp/ signed in', async () => {
    const http = await setup();
    const r = await loginThroughOsticket(http.actor('agent', { fresh: true }), { baseUrl: BASE, side: 'agent', creds: user });
    expect(r.kind).toBe('signed-in');
    if (r.kind !== 'signed-in') return;
    expect(r.link?.backendId).toBe('oauth2.agent.p1i1');
    expect(r.link?.url).toBe('http://osticket.test/scp/login.php?do=ext&bk=oauth2.agent.p1i1');
    expect(r.link?.name).toBe('Authentik');
    const a = r.authorizeRequest!;
    expect(a.params.map(([k]) => k)).toEqual(['state', 'scope', 'response_type', 'approval_prompt', 'redirect_uri', 'client_id']);
    expect(a.scopeRaw).toBe('email%20openid%20profile');
    expect(a).toMatchObject({ endpoint: `${AK}/application/o/authorize/`, clientId: client.clientId, redirectUri: REDIRECT, scope: 'email openid profile', hasNonce: false, hasPkce: false });
    expect(a.state).toMatch(/^[0-9a-f]{32}$/);
    expect(r.landing).toBe('http://osticket.test/scp/');
    expect(r.session).toMatchObject({ signedIn: true, status: 200, sessionRotated: true });
    expect(r.session.markers).toContain('logout link');
    // Nothing secret in the transcript.
    const t = JSON.stringify(http.transcript);
    expect(t).not.toContain(user.password);
  });

  it('user: lands on the site root and is proven by the markers on /tickets.php', async () => {
    const http = await setup();
    const r = await loginThroughOsticket(http.actor('user', { fresh: true }), { baseUrl: BASE, side: 'user', creds: user });
    expect(r.kind).toBe('signed-in');
    if (r.kind !== 'signed-in') return;
    expect(r.link?.backendId).toBe('oauth2.user.p1i1');
    expect(r.landing).toBe(BASE);
    expect(r.session.url).toBe('http://osticket.test/tickets.php');
    expect(r.session.markers).toEqual(['logout link']);
  });

  it('agent without a local account: silent 302 "/" and the "create a local account" message', async () => {
    const http = await setup({ agents: [] });
    const r = await loginThroughOsticket(http.actor('agent', { fresh: true }), { baseUrl: BASE, side: 'agent', creds: user });
    expect(r.kind).toBe('silent-failure');
    if (r.kind !== 'silent-failure') return;
    expect(r.location).toBe('/');
    expect(r.noLocalAccount).toEqual({ message: `Have your administrator create a local account (${user.email})`, username: user.email });
    expect(r.session.signedIn).toBe(false);
    expect(r.callbackHostMismatch).toBe(false);
  });

  it('comma-separated scopes: captured as sent (%2C) and the login fails silently', async () => {
    const http = await setup({ scopes: 'openid,email,profile' });
    const r = await loginThroughOsticket(http.actor('user', { fresh: true }), { baseUrl: BASE, side: 'user', creds: user });
    expect(r.authorizeRequest?.scopeRaw).toBe('openid%2Cemail%2Cprofile');
    expect(r.authorizeRequest?.scope).toBe('openid,email,profile');
    expect(r.kind).not.toBe('signed-in');
    expect(['silent-failure', 'authentik-failed']).toContain(r.kind);
  });

  it('accepts 422 login pages (osTicket <= 1.17.3)', async () => {
    const http = await setup({ loginStatus422: true });
    const r = await loginThroughOsticket(http.actor('agent', { fresh: true }), { baseUrl: BASE, side: 'agent', creds: user });
    expect(r.loginPage?.status).toBe(422);
    expect(r.kind).toBe('signed-in');
  });

  it('reports a missing SSO link (Authentication Target "agents" hides it from users)', async () => {
    const http = await setup({ authTarget: 'agents' });
    const r = await loginThroughOsticket(http.actor('user', { fresh: true }), { baseUrl: BASE, side: 'user', creds: user });
    expect(r.kind).toBe('no-sso-link');
  });

  it('wrong password at authentik: authentik-failed with the stage error, no throw', async () => {
    const http = await setup();
    const r = await loginThroughOsticket(http.actor('agent', { fresh: true }), { baseUrl: BASE, side: 'agent', creds: { ...user, password: 'wrong-password' } });
    expect(r.kind).toBe('authentik-failed');
    if (r.kind === 'authentik-failed') expect(r.authentik.kind).toBe('stage-error');
  });

  // osticket.md §3: a PHP fatal error (Error, not Exception) gives a 500 and goes to the PHP / web server log.
  const FATAL = "<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined method OAuth2Client::getState() \x1b[31min /var/www/html/api/http.php?code=leaked-code-123 on line <b>118</b><br />\n#0 {main}";

  it('a 500 on the login page is osTicket\'s server failing: status, path and a sanitised first line, no login tried', async () => {
    const http = await setup({ serverError: { at: 'login-page', status: 500, body: FATAL } });
    const r = await loginThroughOsticket(http.actor('agent', { fresh: true }), { baseUrl: BASE, side: 'agent', creds: user });
    expect(r.kind).toBe('server-error');
    if (r.kind !== 'server-error') return;
    expect(r).toMatchObject({ status: 500, path: '/scp/login.php', step: 'login page' });
    expect(r.excerpt).toMatch(/^Fatal error: Uncaught Error: Call to undefined method OAuth2Client::getState\(\) \[31min \/var\/www\/html\/api\/http\.php\?code=\[redacted\] on line 118$/);
    expect(r.authorizeRequest).toBeUndefined();
  });

  it('a 502 from the callback with an empty body: server-error after authentik, quoting no query and no excerpt', async () => {
    const http = await setup({ serverError: { at: 'callback', status: 502, body: '' } });
    const r = await loginThroughOsticket(http.actor('user', { fresh: true }), { baseUrl: BASE, side: 'user', creds: user });
    expect(r.kind).toBe('server-error');
    if (r.kind !== 'server-error') return;
    expect(r).toMatchObject({ status: 502, path: '/api/auth/oauth2', step: 'callback /api/auth/oauth2' });
    expect(r.excerpt).toBeUndefined();
    expect(r.authentik?.kind).toBe('callback');
  });

  it('an unreachable osTicket is a transport result, not an exception', async () => {
    const http = createHttp({ resolve: { 'osticket.test:80': '127.0.0.1:1' }, timeoutMs: 2_000 });
    https.push(http);
    const r = await loginThroughOsticket(http.actor('agent'), { baseUrl: BASE, side: 'agent', creds: user });
    expect(r.kind).toBe('transport');
  });

  it('parses links with any attribute order and decodes &amp;', () => {
    const html = `<a href="login.php?do=ext&amp;bk=oauth2.user.p3i2" title="Sign in with Authentik" class="external-sign-in"><span class="external-auth-name">Authentik</span></a><a class="other" href="x">x</a>`;
    expect(findSsoLinks(html, new URL('https://h.example/osticket/login.php'))).toEqual([
      { url: 'https://h.example/osticket/login.php?do=ext&bk=oauth2.user.p3i2', backendId: 'oauth2.user.p3i2', title: 'Sign in with Authentik', name: 'Authentik' },
    ]);
    expect(parseAuthorizeRequest('not a url')).toBeUndefined();
  });

  it('a page instead of a redirect is quoted by its first line, PHP message or not, with no control character', () => {
    const notice = '<br />\n<b>Deprecated</b>:  Return type of X::y() should be compatible \x1b[31min <b>/var/www/a.php</b> on line <b>3</b><br />\n<html>';
    expect(pageOutput(200, notice)).toEqual({ status: 200, php: true, firstLine: 'Deprecated: Return type of X::y() should be compatible [31min /var/www/a.php on line 3' });
    expect(pageOutput(200, '\n\n<p>Plugin \x07error</p>\n<p>more</p>')).toEqual({ status: 200, php: false, firstLine: 'Plugin error' });
    expect(pageOutput(200, '')).toEqual({ status: 200, php: false, firstLine: '' });
  });
});
