/**
 * Issue 8 item 9: stages a headless login cannot pass are named, and a customised flow it can pass keeps passing.
 * The driver runs against a loopback fake of authentik's executor (test/support/fake-executor.ts) for the stages the
 * reference provider does not model yet, and the engine against the reference provider with a tampering proxy that
 * puts such a stage after the password (the run's verdict is "error": the harness's input, exit 2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loginThroughAuthentik, type LoginOutcome } from '../../helpers/authentik/index.ts';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import { exitCodeFor } from '../../helpers/cli/main.ts';
import { createHttp } from '../../helpers/http/index.ts';
import { resolveTarget } from '../../helpers/target.ts';
import { FLOW, identification, passwordStage, startFakeExecutor, type FakeStage } from '../support/fake-executor.ts';
import { startTamperProxy, toBody, type Tamper } from '../support/tamper-proxy.ts';

const REDIRECT = 'http://127.0.0.1:8080/api/auth/oauth2';
const creds = { username: 'stage-user', password: 'stage-password-1' };
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function loginThrough(stages: FakeStage[]): Promise<{ out: LoginOutcome; posts: Array<Record<string, unknown>> }> {
  const fake = await startFakeExecutor(stages);
  const http = createHttp({ timeoutMs: 5_000 });
  closers.push(() => fake.close(), () => http.close());
  const authorize = new URL(`${fake.url}/application/o/authorize/?${new URLSearchParams({ client_id: 'c', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'st' })}`);
  return { out: await loginThroughAuthentik(http.actor('browser', { fresh: true }), authorize, creds, { redirectUri: REDIRECT }), posts: fake.posts };
}

const login = [identification, passwordStage(creds.password)];

describe('stages a headless login cannot pass are named', () => {
  it.each<[string, FakeStage, RegExp]>([
    ['MFA: authenticator validation with TOTP and WebAuthn devices', { challenge: { component: 'ak-stage-authenticator-validate', device_challenges: [{ device_class: 'totp', device_uid: '1' }, { device_class: 'webauthn', device_uid: '2' }], configuration_stages: [] } }, /^an MFA code or device \(authenticator validation stage: totp, webauthn\)$/],
    ['MFA enrolment: WebAuthn setup', { challenge: { component: 'ak-stage-authenticator-webauthn', registration: {} } }, /enrolling a WebAuthn/],
    ['a captcha stage', { challenge: { component: 'ak-stage-captcha', site_key: 'k', js_url: 'https://captcha.invalid/api.js' } }, /captcha/],
    ['a prompt with required fields', { challenge: { component: 'ak-stage-prompt', fields: [{ field_key: 'phone', type: 'text', required: true }, { field_key: 'note', type: 'text', required: false }] } }, /^answers to a prompt with required fields: phone \(prompt stage\)$/],
    ['an email stage', { challenge: { component: 'ak-stage-email' } }, /a link sent by email/],
    ['a stage the driver does not know', { challenge: { component: 'ak-stage-teleport' } }, /does not know \(ak-stage-teleport\)/],
  ])('%s, after the password', async (_n, stage, needs) => {
    const { out } = await loginThrough([...login, stage]);
    expect(out).toMatchObject({ kind: 'stage-needs-a-person', flow: FLOW, stage: stage.challenge.component });
    if (out.kind === 'stage-needs-a-person') expect(out.needs).toMatch(needs);
  });

  it('a captcha on the identification page', async () => {
    const { out } = await loginThrough([{ challenge: { ...identification.challenge, captcha_stage: { site_key: 'k', js_url: 'https://captcha.invalid/api.js' } } }]);
    expect(out).toMatchObject({ kind: 'stage-needs-a-person', stage: 'ak-stage-identification', needs: expect.stringMatching(/captcha on the identification page/) });
  });

  it('a deny stage after the password: access denied shown by a GET once the password passed', async () => {
    const { out } = await loginThrough([...login, { challenge: { component: 'ak-stage-access-denied', error_message: 'Not for this user' } }]);
    expect(out).toMatchObject({ kind: 'access-denied', message: 'Not for this user', passwordAccepted: true, flow: FLOW });
    expect(out.kind === 'access-denied' && out.answering).toBeFalsy();
  });

  it('too many wrong passwords: access denied as the answer to the password POST (not a deny stage)', async () => {
    const { out } = await loginThrough([identification, { challenge: { component: 'ak-stage-password' }, post: () => ({ component: 'ak-stage-access-denied', error_message: 'Flow denied' }) }]);
    expect(out).toMatchObject({ kind: 'access-denied', answering: 'ak-stage-password', passwordAccepted: false });
  });
});

describe('customised flows the headless login can pass keep passing', () => {
  it('identification with the password on the same page: one POST carries both', async () => {
    const { out, posts } = await loginThrough([
      { challenge: { ...identification.challenge, password_fields: true }, post: (b) => (b.uid_field === creds.username && b.password === creds.password ? true : { response_errors: { non_field_errors: [{ string: 'Failed to authenticate.', code: 'invalid' }] } }) },
    ]);
    expect(out).toMatchObject({ kind: 'callback' });
    expect(posts).toEqual([{ component: 'ak-stage-identification', uid_field: creds.username, password: creds.password }]);
  });

  it('a prompt whose inputs are optional or prefilled is submitted as a browser would, with its initial values', async () => {
    const prompt: FakeStage = { challenge: { component: 'ak-stage-prompt', fields: [{ field_key: 'locale', type: 'text', required: true, initial_value: 'en' }, { field_key: 'nick', type: 'text', required: false }, { field_key: 'hint', type: 'static', required: false, initial_value: 'Welcome' }] } };
    const { out, posts } = await loginThrough([...login, prompt]);
    expect(out).toMatchObject({ kind: 'callback' });
    expect(posts.at(-1)).toEqual({ component: 'ak-stage-prompt', locale: 'en', nick: '' });
  });
});

/**
 * Puts `challenge` where the reference provider's flow ends after the password (its xak-flow-redirect back to
 * authorize), as the answer to the password POST or (`viaGet`) on the executor GET that follows a 302 to itself.
 */
function afterPassword(challenge: Record<string, unknown>, viaGet: boolean): Tamper {
  let passwordPosted = false;
  let armed = false;
  const isExecutor = (path: string) => path.startsWith('/api/v3/flows/executor/default-authentication-flow/');
  const ends = (body: Buffer) => /xak-flow-redirect/.test(body.toString());
  const shown = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: toBody(challenge) });
  return {
    request: (r) => (armed && isExecutor(r.path) && r.method === 'GET' ? { answer: shown() } : undefined),
    response: (r, a) => {
      if (!isExecutor(r.path)) return;
      if (r.method === 'POST' && /"password"/.test(r.body.toString())) {
        passwordPosted = true;
        if (!ends(a.body)) return;
        if (!viaGet) return shown();
        armed = true; // stages remain: 302 to the executor itself (authentik.md §12), whose GET shows the next stage
        return { status: 302, headers: { location: r.path }, body: Buffer.from('') };
      }
      if (r.method === 'GET' && passwordPosted && ends(a.body)) return shown();
    },
  };
}

describe('the engine: such a stage is the harness input, named (exit 2)', () => {
  it.each<[string, Record<string, unknown>, boolean, RegExp]>([
    ['a test user with a TOTP device', { component: 'ak-stage-authenticator-validate', device_challenges: [{ device_class: 'totp', device_uid: '1' }] }, false, /MFA code or device \(authenticator validation stage: totp\).*Directory -> Users/s],
    ['a deny stage after the password', { component: 'ak-stage-access-denied', error_message: 'Denied by flow' }, true, /deny stage/],
  ])('%s', async (_n, challenge, viaGet, wording) => {
    const target = await resolveTarget({});
    closers.push(async () => target.close?.());
    const proxy = await startTamperProxy(Number(new URL(target.authentikUrl).port), afterPassword(challenge, viaGet));
    closers.push(() => proxy.close());
    target.resolve = { [new URL(target.authentikUrl).host]: `127.0.0.1:${proxy.port}` };
    const run = await runChecks(target, CATALOG);
    const completes = run.results.find((r) => r.id === 'login.completes')!;
    expect(completes.diagnosis?.id).toBe('harness-login-stage-unsupported');
    expect(`${completes.diagnosis?.cause} ${completes.diagnosis?.fix}`).toMatch(wording);
    expect(run.causes[0]).toMatchObject({ id: 'harness-login-stage-unsupported', side: 'harness' });
    expect(run.results.filter((r) => r.status === 'fail' && r.diagnosis?.id !== 'harness-login-stage-unsupported').map((r) => r.id)).toEqual([]);
    expect(run.verdict).toBe('error');
    expect(exitCodeFor(run)).toBe(2);
  });
});
