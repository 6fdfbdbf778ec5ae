/**
 * Driver branches the reference provider does not easily produce, against a small scripted authentik-shaped
 * server: flow errors, access denied, self xak-flow-redirect, form_post autosubmit, MFA, unknown components (the
 * stages a headless login cannot pass are test/authentik/flow-stages.test.ts),
 * step limit, transport failure; plus the HTML error-page parser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginThroughAuthentik, parseAuthentikErrorPage } from '../../helpers/authentik/index.ts';
import { createHttp } from '../../helpers/http/index.ts';
import { startHttp, type TestServer } from '../http/servers.ts';
import { patience } from '../support/patience.ts';

const REDIRECT = 'https://osticket.company/osticket/api/auth/oauth2';
const creds = { username: 'u', password: 'pw-123456' };
let srv: TestServer;
/** scenario name -> list of executor answers (one per executor call) */
let script: Array<(q: string, body: string) => { status?: number; json?: unknown; location?: string }> = [];
let calls: Array<{ method: string; query: string | null; body: string; csrf?: string }> = [];

beforeAll(async () => {
  srv = await startHttp((req, res, body) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/application/o/authorize/') {
      if (u.searchParams.get('scenario') === 'loop') {
        res.writeHead(302, { location: '/application/o/authorize/?scenario=loop' });
        return res.end();
      }
      res.writeHead(302, { location: `/if/flow/default-authentication-flow/?${u.searchParams.toString()}&next=%2Fapplication%2Fo%2Fauthorize%2F` });
      return res.end();
    }
    if (u.pathname === '/api/v3/flows/executor/default-authentication-flow/') {
      calls.push({ method: req.method!, query: u.searchParams.get('query'), body, csrf: req.headers['x-authentik-csrf'] as string | undefined });
      const step = script.shift();
      const a = step ? step(u.searchParams.get('query') ?? '', body) : { json: { component: 'xak-flow-shell' } };
      if (a.location) {
        res.writeHead(a.status ?? 302, { location: a.location });
        return res.end();
      }
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(a.json));
    }
    res.writeHead(404);
    res.end();
  });
});
afterAll(() => srv.close());

const ident = () => ({ json: { component: 'ak-stage-identification', user_fields: ['username'], password_fields: false } });
const password = () => ({ json: { component: 'ak-stage-password' } });
const selfRedirect = (q: string) => ({ location: `/api/v3/flows/executor/default-authentication-flow/?query=${encodeURIComponent(q)}` });

async function run(scenario: string, steps: typeof script, maxSteps?: number) {
  script = steps;
  calls = [];
  const http = createHttp({ resolve: { 'authentik.company:80': `127.0.0.1:${srv.port}` }, timeoutMs: patience(2_000) });
  const url = new URL(`http://authentik.company/application/o/authorize/?client_id=c&scenario=${scenario}`);
  const out = await loginThroughAuthentik(http.actor('b'), url, creds, { redirectUri: REDIRECT, maxSteps });
  await http.close();
  return out;
}

describe('flow executor driver branches', () => {
  it('sends the same query on every call, re-GETs after a self 302 and after a 200 self xak-flow-redirect', async () => {
    const out = await run('ok', [
      ident,
      (q) => selfRedirect(q),
      password,
      (q) => ({ json: { component: 'xak-flow-redirect', to: `/api/v3/flows/executor/default-authentication-flow/?query=${encodeURIComponent(q)}` } }),
      () => ({ json: { component: 'xak-flow-redirect', to: `${REDIRECT}?code=abc&state=s` } }),
    ]);
    expect(out).toMatchObject({ kind: 'callback', via: 'flow-redirect', consent: 'implicit' });
    if (out.kind === 'callback') expect(out.url.href).toBe(`${REDIRECT}?code=abc&state=s`);
    const queries = new Set(calls.map((c) => c.query));
    expect(queries.size).toBe(1);
    expect([...queries][0]).toBe('client_id=c&scenario=ok&next=%2Fapplication%2Fo%2Fauthorize%2F');
    expect(calls.map((c) => c.method)).toEqual(['GET', 'POST', 'GET', 'POST', 'GET']);
    expect(JSON.parse(calls[1]!.body)).toEqual({ component: 'ak-stage-identification', uid_field: 'u' });
    expect(JSON.parse(calls[3]!.body)).toEqual({ component: 'ak-stage-password', password: 'pw-123456' });
  });

  it('ak-stage-flow-error -> flow-error with the request id', async () => {
    expect(await run('fe', [() => ({ json: { component: 'ak-stage-flow-error', request_id: 'req-42' } })])).toMatchObject({ kind: 'flow-error', requestId: 'req-42' });
  });

  it('ak-stage-access-denied -> access-denied with its message', async () => {
    expect(await run('ad', [ident, () => ({ json: { component: 'ak-stage-access-denied', error_message: 'Invalid next URL' } })])).toMatchObject({
      kind: 'access-denied',
      message: 'Invalid next URL',
    });
  });

  it('identification failure -> stage-error with non_field_errors', async () => {
    const out = await run('se', [ident, () => ({ json: { component: 'ak-stage-identification', response_errors: { non_field_errors: [{ string: 'Failed to authenticate.', code: 'invalid' }] } } })]);
    expect(out).toMatchObject({ kind: 'stage-error', stage: 'ak-stage-identification', errors: { non_field_errors: [{ string: 'Failed to authenticate.', code: 'invalid' }] } });
  });

  it('ak-stage-autosubmit (form_post) -> callback built from url + attrs', async () => {
    const out = await run('as', [() => ({ json: { component: 'ak-stage-autosubmit', url: REDIRECT, attrs: { code: 'c1', state: 's1' } } })]);
    expect(out).toMatchObject({ kind: 'callback', via: 'autosubmit', formPost: { code: 'c1', state: 's1' } });
    if (out.kind === 'callback') expect(out.url.href).toBe(`${REDIRECT}?code=c1&state=s1`);
  });

  it('only the redirect URI under test is the callback: another port, path, scheme or host is an off-host redirect, quoted with its code redacted', async () => {
    const elsewhere = [
      'https://osticket.company:8443/osticket/api/auth/oauth2',
      'https://osticket.company/osticket/api/auth/oauth2/',
      'https://osticket.company/phish',
      'http://osticket.company/osticket/api/auth/oauth2',
      'https://evil.example/osticket/api/auth/oauth2',
    ];
    for (const to of elsewhere) {
      const url = `${to}?code=0123456789abcdef0123456789abcdef&state=s`;
      for (const [scenario, answer] of [['fr', { json: { component: 'xak-flow-redirect', to: url } }], ['loc', { location: url }]] as const) {
        const out = await run(scenario, [() => answer]);
        expect(out, `${scenario} ${to}`).toMatchObject({ kind: 'off-host-redirect', via: scenario === 'fr' ? 'flow-redirect' : 'location', location: `${to}?code=[redacted]&state=s` });
      }
      const posted = await run('as', [() => ({ json: { component: 'ak-stage-autosubmit', url: to, attrs: { code: 'c1', state: 's1' } } })]);
      expect(posted, `autosubmit ${to}`).toMatchObject({ kind: 'off-host-redirect', via: 'autosubmit', location: `${to}?code=[redacted]&state=s1` });
    }
    // The registered URI itself, with the host in capitals and the default port spelled out, is the callback.
    const same = await run('same', [() => ({ location: 'https://OSTICKET.company:443/osticket/api/auth/oauth2?code=c2&state=s' })]);
    expect(same).toMatchObject({ kind: 'callback', via: 'location' });
  });

  it('MFA and unknown components need a person (named); non-JSON answers and 5xx are "unexpected" with a reason', async () => {
    expect(await run('mfa', [() => ({ json: { component: 'ak-stage-authenticator-validate' } })])).toMatchObject({ kind: 'stage-needs-a-person', stage: 'ak-stage-authenticator-validate', needs: expect.stringMatching(/MFA/) });
    expect(await run('unk', [() => ({ json: { component: 'ak-stage-fancy' } })])).toMatchObject({ kind: 'stage-needs-a-person', needs: expect.stringMatching(/ak-stage-fancy/) });
    expect(await run('5xx', [() => ({ status: 500, json: 'oops' })])).toMatchObject({ kind: 'unexpected', status: 500 });
  });

  it('a flow that never ends hits the step limit; an authorize loop too', async () => {
    const forever = Array.from({ length: 100 }, () => (q: string) => selfRedirect(q));
    expect(await run('inf', forever, 12)).toMatchObject({ kind: 'unexpected', detail: 'no callback after 12 requests (step limit)' });
    expect(await run('loop', [], 8)).toMatchObject({ kind: 'unexpected', detail: 'no callback after 8 requests (step limit)' });
  });

  it('a transport failure is a value, not an exception', async () => {
    const http = createHttp({ resolve: { 'authentik.company:80': '127.0.0.1:9' } });
    const out = await loginThroughAuthentik(http.actor('b'), new URL('http://authentik.company/application/o/authorize/?x=1'), creds, { redirectUri: REDIRECT });
    expect(out.kind).toBe('transport');
    await http.close();
  });
});

describe('parseAuthentikErrorPage', () => {
  it("reads authentik's if/error.html card title and message", () => {
    const html = `<!DOCTYPE html><html><head><title>Error - authentik</title></head><body><div class="pf-c-login__main">
      <header class="pf-c-login__main-header"><h1 class="pf-c-title pf-m-3xl">Redirect URI Error</h1></header>
      <div class="pf-c-login__main-body"><form class="pf-c-form"><p>The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).</p>
      <a id="ak-back-home" href="/" class="pf-c-button pf-m-primary">Go home</a></form></div></div></body></html>`;
    expect(parseAuthentikErrorPage(html)).toEqual({
      title: 'Redirect URI Error',
      message: 'The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).',
    });
  });

  it('falls back to <title>, decodes entities, never throws', () => {
    expect(parseAuthentikErrorPage('<title>Permission denied - authentik</title><p>Request has been denied &amp; logged.</p>')).toEqual({
      title: 'Permission denied',
      message: 'Request has been denied & logged.',
    });
    expect(parseAuthentikErrorPage('')).toEqual({ title: '', message: '' });
    expect(parseAuthentikErrorPage(undefined as unknown as string)).toEqual({ title: '', message: '' });
  });
});
