/**
 * Issue 8 item 9: stages a headless login cannot pass are named, and a customised flow it can pass keeps passing.
 * The driver runs against a loopback fake of authentik's executor (test/support/fake-executor.ts) for the stages the
 * reference provider does not model (captcha, prompt, email, setup stages), and the engine against the reference
 * provider with blueprints that give the test user an MFA device or put a deny stage in its flow, or a custom flow
 * it can pass (the run's verdict is "error" for the harness's own input: exit 2).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loginThroughAuthentik, type LoginOutcome } from '../../helpers/authentik/index.ts';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import { exitCodeFor } from '../../helpers/cli/main.ts';
import { createHttp } from '../../helpers/http/index.ts';
import { resolveTarget } from '../../helpers/target.ts';
import { VARIANTS_DIR } from '../../compose/embedded/index.ts';
import { FLOW, identification, passwordStage, startFakeExecutor, type FakeStage } from '../support/fake-executor.ts';
import { startTamperProxy, toBody, type Tamper } from '../support/tamper-proxy.ts';
import { guideWithBefore, withProviderAttr } from '../contract/flow-steps.ts';
import { patience } from '../support/patience.ts';

const REDIRECT = 'http://127.0.0.1:8080/api/auth/oauth2';
const creds = { username: 'stage-user', password: 'stage-password-1' };
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function loginThrough(stages: FakeStage[]): Promise<{ out: LoginOutcome; posts: Array<Record<string, unknown>> }> {
  const fake = await startFakeExecutor(stages);
  const http = createHttp({ timeoutMs: patience(5_000) });
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

/** The guide with its own authentication flow (the stock stages, found by name) and `extra` stage bindings. */
const FLOW_ENTRY = (bindings: string) => withProviderAttr(guideWithBefore([
  '  - model: authentik_flows.flow\n    id: osticket-login\n    identifiers: {slug: osticket-login}\n    attrs: {name: osticket-login, title: Sign in, designation: authentication}\n',
  bindings,
].join('')), 'authentication_flow: !Find [authentik_flows.flow, [slug, osticket-login]]');
const BIND = (stage: string, order: number) => `  - model: authentik_flows.flowstagebinding\n    identifiers: {target: !KeyOf osticket-login, stage: ${stage}, order: ${order}}\n`;
const STOCK = (name: string) => `!Find [authentik_flows.stage, [name, ${name}]]`;
const PASSWORD = '!Find [authentik_stages_password.passwordstage, [name, default-authentication-password]]';

/** Blueprints of authentik set-ups (flows/stages as in authentik's blueprints/default and the stage models). */
const BLUEPRINTS = {
  'deny-after-password': FLOW_ENTRY([
    '  - model: authentik_stages_deny.denystage\n    id: deny\n    identifiers: {name: osticket-no-entry}\n    attrs: {deny_message: Not with this account}\n',
    BIND(STOCK('default-authentication-identification'), 10), BIND(PASSWORD, 20), BIND('!KeyOf deny', 30), BIND(STOCK('default-authentication-login'), 100),
  ].join('')),
  'inline-password': FLOW_ENTRY([
    `  - model: authentik_stages_identification.identificationstage\n    id: ident\n    identifiers: {name: osticket-identification}\n    attrs: {user_fields: [username, email], password_stage: ${PASSWORD}}\n`,
    BIND('!KeyOf ident', 10), BIND(STOCK('default-authentication-login'), 100),
  ].join('')),
};

function blueprintFile(name: keyof typeof BLUEPRINTS): string {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-harness-flow-'));
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, BLUEPRINTS[name]);
  return path;
}

describe('against the reference provider: authentik flows from blueprints', () => {
  async function runWith(blueprint: string) {
    const target = await resolveTarget({ embedded: { blueprint } });
    closers.push(async () => target.close?.());
    return runChecks(target, CATALOG);
  }

  it.each<[string, () => string, RegExp]>([
    ['the test user has a TOTP device (variants/mfa-totp.yaml): the stock MFA validation stage challenges it', () => resolve(import.meta.dirname, '../../compose/blueprints/variants/mfa-totp.yaml'), /an MFA code or device \(authenticator validation stage: totp\)/],
    ['a deny stage after the password in the authentication flow', () => blueprintFile('deny-after-password'), /deny stage/],
  ])('%s: the harness input, named (exit 2)', async (_n, blueprint, wording) => {
    const run = await runWith(blueprint());
    const completes = run.results.find((r) => r.id === 'login.completes')!;
    expect(completes.diagnosis?.id).toBe('harness-login-stage-unsupported');
    expect(completes.diagnosis?.cause).toMatch(wording);
    expect(run.results.filter((r) => r.status === 'fail' && r.diagnosis?.id !== 'harness-login-stage-unsupported').map((r) => r.id)).toEqual([]);
    expect(exitCodeFor(run)).toBe(2);
  });

  it('a custom flow with the password on the identification page passes end to end', async () => {
    const run = await runWith(blueprintFile('inline-password'));
    expect(run.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.actual}`)).toEqual([]);
    expect(run.transcript.some((e) => e.method === 'POST' && e.url.includes('/api/v3/flows/executor/osticket-login/') && /"password"/.test(e.requestBody ?? '') && /uid_field/.test(e.requestBody ?? ''))).toBe(true);
    expect(run.verdict).toBe('pass');
  });
});

describe("a stage only a person can pass in the provider's Authorization flow (after the login)", () => {
  // The guide's implicit-consent flow has no stage (authorize answers the code itself, authentik.md §8), so the
  // variant's custom Authorization flow is used and its stage is shown as a captcha.
  it('is named in that flow, and the fix names that flow, not the test user or the authentication flow', async () => {
    const target = await resolveTarget({ embedded: { blueprint: resolve(VARIANTS_DIR, 'authorization-flow-deny.yaml') } });
    closers.push(async () => target.close?.());
    const authz = '/api/v3/flows/executor/osticket-authorization/';
    const captcha = { component: 'ak-stage-captcha', site_key: 'k', js_url: 'https://captcha.invalid/api.js' };
    const proxy = await startTamperProxy(Number(new URL(target.authentikUrl).port), {
      request: (r) => (r.path.startsWith(authz) ? { answer: { status: 200, headers: { 'content-type': 'application/json' }, body: toBody(captcha) } } : undefined),
    });
    closers.push(() => proxy.close());
    target.resolve = { [new URL(target.authentikUrl).host]: `127.0.0.1:${proxy.port}` };
    const run = await runChecks(target, CATALOG);
    const d = run.results.find((r) => r.id === 'login.completes')!.diagnosis;
    expect(d?.id).toBe('harness-login-stage-unsupported');
    expect(d?.cause).toMatch(/the provider's Authorization flow "osticket-authorization" asks user/);
    const here = d?.fix.split(' Here: ')[1] ?? '';
    expect(here).toMatch(/Authorization flow "osticket-authorization" asks every user .* Stage Bindings/);
    expect(here).not.toMatch(/authentication flow|test user this flow lets through/);
    expect(exitCodeFor(run)).toBe(2);
  });
});
