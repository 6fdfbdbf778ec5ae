/**
 * Issue 8 items 2, 3, 5 and issue 10 item 3, on the embedded target with the osTicket stand-in as its osTicket
 * server (test/support/osticket-embedded.ts): every osTicket-side judgement works wherever osTicket lives (an IPv4
 * address, [::1], localhost:PORT, the root, a sub-path, behind a prefix-mapping proxy, a base URL given with or
 * without its slash); quoted evidence is what osTicket sent; osTicket's exact symptoms are named.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedWithOsticket, failures, statusOf, type OsticketSetup, type OsticketSetupOptions } from '../support/osticket-embedded.ts';

const setups: OsticketSetup[] = [];
afterEach(async () => {
  for (const s of setups.splice(0)) await s.close();
});
async function setup(o: OsticketSetupOptions): Promise<OsticketSetup> {
  const s = await embeddedWithOsticket(o);
  setups.push(s);
  return s;
}

const OSTICKET_CHECKS = ['osticket.sso-link-shown', 'osticket.authorize-request-matches', 'osticket.agent-login', 'osticket.user-login'];

describe('a healthy set-up passes wherever osTicket lives', () => {
  it.each<[string, OsticketSetupOptions]>([
    ['at an IPv4 address, root install', { host: '127.0.0.1' }],
    ['at an IPv4 address, under /osticket/', { host: '127.0.0.1', rootPath: '/osticket/' }],
    ['at [::1], under /osticket/', { host: '::1', rootPath: '/osticket/' }],
    ['at localhost:PORT', { host: 'localhost' }],
    ['behind a proxy publishing /osticket/ as /helpdesk/', { rootPath: '/osticket/', proxyPrefix: '/helpdesk/' }],
    ['behind a proxy publishing the root as /support/', { proxyPrefix: '/support/' }],
    ['under /osticket/, base URL given without its trailing slash', { rootPath: '/osticket/', baseWithoutSlash: true }],
  ])('%s', async (_name, o) => {
    const s = await setup(o);
    const run = await s.run();
    expect(failures(run)).toEqual([]);
    for (const id of OSTICKET_CHECKS) expect(`${id}: ${statusOf(run, id)}`).toBe(`${id}: pass`);
    expect(statusOf(run, 'osticket.plugin-config')).toBe('skip'); // no database given
    expect(run.verdict).toBe('pass');
  });
});

describe("osTicket's judgements under a sub-path and behind a proxy (item 2)", () => {
  it.each<[string, OsticketSetupOptions]>([
    ['under /osticket/', { rootPath: '/osticket/' }],
    ['behind a proxy publishing /osticket/ as /helpdesk/', { rootPath: '/osticket/', proxyPrefix: '/helpdesk/' }],
  ])('no agent with the email, %s: the silent failure to ROOT_PATH and osTicket\'s message are recognised', async (_n, o) => {
    const s = await setup({ ...o, standin: () => ({ agents: [] }) });
    const run = await s.run();
    expect(statusOf(run, 'osticket.agent-login')).toBe('fail agent-missing');
    const agent = run.results.find((r) => r.id === 'osticket.agent-login')!;
    expect(agent.actual).toBe(`Have your administrator create a local account (${s.target.user.email})`);
    expect(statusOf(run, 'osticket.user-login')).toBe('pass');
    expect(run.causes[0]?.id).toBe('agent-missing');
    expect(failures(run).every((p) => p.includes('agent-missing'))).toBe(true);
  });

  it('osTicket opened as localhost while its Redirect URI says 127.0.0.1, under /osticket/: the host mismatch (osticket.md §12)', async () => {
    // osTicket's field and authentik's registration name 127.0.0.1; the harness, like the user, opens localhost.
    const viaIp = (cb: string) => cb.replace('//localhost:', '//127.0.0.1:');
    const s = await setup({ host: 'localhost', rootPath: '/osticket/', cfg: (cb) => ({ osticket: { redirectUri: viaIp(cb) } }), standin: (cb) => ({ redirectUri: viaIp(cb) }) });
    const run = await s.run();
    expect(statusOf(run, 'osticket.agent-login')).toBe('fail osticket-session-host-mismatch');
    expect(statusOf(run, 'osticket.user-login')).toBe('fail osticket-session-host-mismatch');
    expect(run.causes[0]?.id).toBe('osticket-session-host-mismatch');
  });
});

describe('quoted evidence is what osTicket sent (item 3)', () => {
  it("osTicket's Redirect URI names a host it is not reached at: osTicket's field is named, with the value it sent and the value to set", async () => {
    const s = await setup({ host: '127.0.0.1', rootPath: '/osticket/', standin: (cb) => ({ redirectUri: cb.replace('//127.0.0.1:', '//osticket-internal:') }) });
    const run = await s.run();
    const sent = s.callback.replace('//127.0.0.1:', '//osticket-internal:');
    for (const id of ['osticket.authorize-request-matches', 'osticket.agent-login', 'osticket.user-login']) {
      const r = run.results.find((x) => x.id === id)!;
      expect(`${id}: ${statusOf(run, id)}`).toBe(`${id}: fail osticket-redirect-uri-differs`);
      expect(r.actual).toContain(sent);
      expect(r.diagnosis!.cause).toContain(`osTicket sends redirect_uri=${sent}`);
      expect(r.diagnosis!.fix).toContain(`Here: set osTicket's Redirect URI to ${s.callback}`);
      expect(r.diagnosis!.fix).not.toContain(`register ${sent}`);
    }
    expect(run.causes[0]?.id).toBe('osticket-redirect-uri-differs');
    expect(statusOf(run, 'login.completes')).toBe('pass'); // the harness's own request uses the registered URI
  });

  it('the harness was given another Redirect URI than the one osTicket sends and authentik accepts: the harness input is named', async () => {
    const s = await setup({ rootPath: '/osticket/' });
    // authentik registers osTicket's callback (the one osTicket sends); the harness is told a different one.
    const other = `${s.base}other/api/auth/oauth2`;
    s.target.osticket.redirectUri = other;
    const run = await s.run();
    expect(statusOf(run, 'osticket.authorize-request-matches')).toBe('fail harness-redirect-uri-differs');
    const r = run.results.find((x) => x.id === 'osticket.authorize-request-matches')!;
    expect(r.diagnosis!.fix).toContain(`--redirect-uri ${s.callback}`);
    expect(statusOf(run, 'osticket.agent-login')).toBe('pass');
    expect(run.causes[0]?.id).toBe('harness-redirect-uri-differs');
    expect(run.verdict).toBe('error');
  });
});

describe("osTicket's exact symptoms", () => {
  it('a stored Client Secret osTicket cannot decrypt goes out as client_secret=0, and the cause says so (item 5)', async () => {
    const s = await setup({ rootPath: '/osticket/', standin: () => ({ secretUndecryptable: true }) });
    const run = await s.run();
    expect(s.standin.tokenRequests.map((f) => f.client_secret)).toEqual(['0', '0']);
    expect(s.serverHttp.transcript.toJSON().filter((e) => e.label === 'standin: token').map((e) => `${e.status} ${/invalid_client/.test(e.responseBody ?? '') ? 'invalid_client' : ''}`)).toEqual(['400 invalid_client', '400 invalid_client']);
    expect(statusOf(run, 'osticket.agent-login')).toMatch(/^fail /);
    const entry = run.results.find((r) => r.id === 'osticket.agent-login')!.diagnosis!;
    expect(entry.id).toBe('osticket-login-failed-silently'); // without its database the harness cannot tell which
    const { DIAGNOSES } = await import('../../helpers/diagnosis/catalog.ts');
    expect(DIAGNOSES['osticket-secret-undecryptable'].cause).toContain('client_secret=0');
    expect(DIAGNOSES['osticket-secret-undecryptable'].cause).not.toMatch(/empty secret/);
  });

  it.each<[string, OsticketSetupOptions['standin'], string]>([
    ['PHP notices on every page (display_errors on): the SSO link answers 200', () => ({ phpNotices: true }), 'Deprecated: Return type of StandinList1::getIterator()'],
    ['a plugin error printed by the callback: the callback answers 200', () => ({ callbackOutput: 'Warning: Undefined array key "email" in /var/www/html/include/plugins/auth-oauth2/oauth2.php on line 91\n' }), 'Warning: Undefined array key "email"'],
  ])('%s: output before headers with its first line, never "SSO link missing" (issue 10 item 3)', async (_n, standin, firstLine) => {
    const s = await setup({ host: '127.0.0.1', rootPath: '/osticket/', standin });
    const run = await s.run();
    for (const id of ['osticket.agent-login', 'osticket.user-login']) {
      expect(`${id}: ${statusOf(run, id)}`).toBe(`${id}: fail osticket-output-before-headers`);
      expect(run.results.find((r) => r.id === id)!.actual).toContain(`first line "${firstLine}`);
    }
    expect(statusOf(run, 'osticket.sso-link-shown')).toBe('pass');
    expect(run.causes[0]?.id).toBe('osticket-output-before-headers');
    expect(run.results.some((r) => r.diagnosis?.id === 'sso-link-missing')).toBe(false);
    const matches = run.results.find((r) => r.id === 'osticket.authorize-request-matches')!;
    if (matches.status === 'skip') {
      const pointed = /see (osticket\.[a-z-]+)/.exec(matches.reason ?? '')?.[1];
      expect(pointed && statusOf(run, pointed)).toMatch(/^fail/);
    } else expect(matches.status).toBe('pass');
  });
});
