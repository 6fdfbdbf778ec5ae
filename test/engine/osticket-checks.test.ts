/**
 * The osTicket-server checks of the catalog (helpers/checks/catalog/osticket.ts) through the engine, against the
 * osTicket stand-in (test/osticket/fixtures, osticket.md §4/§5/§11) in front of the reference provider: they pass
 * on the guide's set-up and fail with the osTicket-side diagnosis on each osTicket misconfiguration. The plugin
 * configuration check against MariaDB is test/engine/osticket-stored-secret.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceProvider, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
import { createHttp, type Http } from '../../helpers/http/index.ts';
import type { Target } from '../../helpers/target-types.ts';
import { startOsticketStandin, type StandinConfig } from '../osticket/fixtures/osticket-standin.ts';
import { patience } from '../support/patience.ts';

const BASE = 'http://osticket.test/';
const REDIRECT = `${BASE}api/auth/oauth2`;
const AK = 'http://authentik.test:9000';
const user = { username: 'checks-user', password: 'checks-password-123', email: 'checks-user@example.com' };
const client = { clientId: 'checks-client', clientSecret: 'checks-secret-abcdef0123456789' };
const OSTICKET_AREA = CATALOG.filter((c) => c.area === 'osticket');

let ref: RunningReferenceProvider;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  ref = await startReferenceProvider({
    env: { OSTICKET_REDIRECT_URI: REDIRECT, OSTICKET_CLIENT_ID: client.clientId, OSTICKET_CLIENT_SECRET: client.clientSecret, OSTICKET_TEST_USERNAME: user.username, OSTICKET_TEST_EMAIL: user.email, OSTICKET_TEST_PASSWORD: user.password },
  });
});
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await ref?.close();
});

function target(standinPort: number, over: Partial<Target> = {}): Target {
  return {
    kind: 'live',
    description: 'osTicket stand-in + reference provider',
    authentikUrl: AK,
    slug: 'osticket',
    discoveryUrl: `${AK}/application/o/osticket/.well-known/openid-configuration`,
    osticket: {
      redirectUri: REDIRECT, ...client,
      authorizeUrl: `${AK}/application/o/authorize/`, tokenUrl: `${AK}/application/o/token/`, userinfoUrl: `${AK}/application/o/userinfo/`,
      scopes: 'email openid profile',
    },
    osticketServer: { baseUrl: BASE, agentEmail: user.email },
    user,
    resolve: { 'authentik.test:9000': `127.0.0.1:${ref.port}`, 'osticket.test:80': `127.0.0.1:${standinPort}` },
    requestTimeoutMs: patience(5_000),
    deadlineMs: 60_000,
    readOnly: true,
    ...over,
  };
}

async function runAgainst(over: Partial<Omit<StandinConfig, 'serverActor'>>, tweak: (t: Target) => void = () => undefined): Promise<RunResult> {
  const serverHttp: Http = createHttp({ resolve: { 'authentik.test:9000': `127.0.0.1:${ref.port}` }, timeoutMs: patience(5_000) });
  const standin = await startOsticketStandin({
    baseUrl: BASE, redirectUri: REDIRECT, ...client,
    urlAuthorize: `${AK}/application/o/authorize/`, urlAccessToken: `${AK}/application/o/token/`, urlResourceOwnerDetails: `${AK}/application/o/userinfo/`,
    scopes: 'email openid profile', authTarget: 'all', agents: [user.email], serverActor: serverHttp.actor('osticket-server'),
    ...over,
  });
  closers.push(() => standin.close(), () => serverHttp.close());
  const t = target(standin.port);
  tweak(t);
  return runChecks(t, CATALOG);
}

const status = (run: RunResult, id: string) => {
  const r = run.results.find((x) => x.id === id)!;
  return `${r.status} ${r.diagnosis?.id ?? ''}`.trim();
};

describe('osTicket-server checks against the osTicket stand-in', () => {
  it("the guide's set-up: SSO link, the authorize request, agent and end-user login all pass", async () => {
    const run = await runAgainst({});
    for (const id of ['osticket.sso-link-shown', 'osticket.authorize-request-matches', 'osticket.agent-login', 'osticket.user-login']) expect(`${id}: ${status(run, id)}`).toBe(`${id}: pass`);
    expect(status(run, 'osticket.plugin-config')).toBe('skip');
    expect(run.results.filter((r) => r.status === 'fail')).toEqual([]);
  });

  it('no agent with the user\'s email: agent-missing, and the end user still gets in', async () => {
    const run = await runAgainst({ agents: [] });
    expect(status(run, 'osticket.agent-login')).toBe('fail agent-missing');
    expect(status(run, 'osticket.user-login')).toBe('pass');
    expect(run.causes[0]?.id).toBe('agent-missing');
  });

  it("osTicket's Scopes typed with commas: the captured authorize request and the silent failure both name it", async () => {
    const run = await runAgainst({ scopes: 'openid,email,profile' });
    expect(status(run, 'osticket.authorize-request-matches')).toBe('fail scopes-comma-separated');
    expect(status(run, 'osticket.agent-login')).toBe('fail scopes-comma-separated');
    expect(run.causes[0]?.id).toBe('scopes-comma-separated');
  });

  it('Authentication Target "none": no SSO link', async () => {
    const run = await runAgainst({ authTarget: 'none' });
    expect(status(run, 'osticket.sso-link-shown')).toBe('fail sso-link-missing');
    expect(status(run, 'osticket.agent-login')).toBe('fail sso-link-missing');
  });

  it("a 500 from osTicket's callback is its server failing, quoted, with the PHP error log as the fix, not a silent drop", async () => {
    const body = '<b>Fatal error</b>:  Uncaught Error: Class "GuzzleHttp\\Client" not found in /var/www/html/include/plugins/auth-oauth2/oauth2.php:80';
    const run = await runAgainst({ serverError: { at: 'callback', status: 500, body } });
    for (const id of ['osticket.agent-login', 'osticket.user-login']) expect(`${id}: ${status(run, id)}`).toBe(`${id}: fail osticket-server-error`);
    const agent = run.results.find((x) => x.id === 'osticket.agent-login')!;
    expect(agent.actual).toBe('HTTP 500 from /api/auth/oauth2, body starts "Fatal error: Uncaught Error: Class "GuzzleHttp\\Client" not found in /var/www/html/include/plugins/auth-oauth2/oauth2.php:80"');
    expect(agent.diagnosis?.fix).toMatch(/PHP error log/);
    expect(run.causes[0]?.id).toBe('osticket-server-error');
    // The sign-in page itself was fine: the link and the authorize request still pass.
    expect(status(run, 'osticket.sso-link-shown')).toBe('pass');
  });

  it('a 503 on the login page: osticket-server-error, not "dropped the login without a reason"', async () => {
    const run = await runAgainst({ serverError: { at: 'login-page', status: 503, body: '<html><body><h1>503 Service Unavailable</h1></body></html>' } });
    const agent = run.results.find((x) => x.id === 'osticket.agent-login')!;
    expect(`${agent.status} ${agent.diagnosis?.id}`).toBe('fail osticket-server-error');
    expect(agent.actual).toBe('HTTP 503 from /scp/login.php, body starts "503 Service Unavailable"');
    expect(run.results.some((r) => r.diagnosis?.id === 'osticket-login-failed-silently')).toBe(false);
  });

  it('an osTicket URL without osTicket below it (login page 404): the harness input, not osTicket', async () => {
    // The stand-in serves osTicket at the root; the harness is told it lives under /helpdesk/.
    const run = await runAgainst({}, (t) => {
      t.osticketServer = { ...t.osticketServer!, baseUrl: `${BASE}helpdesk/` };
    });
    const agent = run.results.find((x) => x.id === 'osticket.agent-login')!;
    expect(`${agent.status} ${agent.diagnosis?.id}`).toBe('fail harness-osticket-url-wrong');
    expect(agent.actual).toContain('/helpdesk/scp/login.php answered 404');
    expect(run.causes[0]?.id).toBe('harness-osticket-url-wrong');
    expect(run.causes[0]?.side).toBe('harness');
    expect(run.results.some((r) => r.diagnosis?.id === 'osticket-login-failed-silently')).toBe(false);
  });

  it("osTicket sends another Client Id than authentik's: named from the captured request", async () => {
    const run = await runAgainst({ clientId: 'typo-client' });
    expect(status(run, 'osticket.authorize-request-matches')).toBe('fail osticket-client-id-mismatch');
  });
});
