/**
 * Contract: flows, stages, bindings and policies from a blueprint, run as authentik's executor runs them.
 * authentik sources: flows/planner.py (FlowPlanner: flow policies, evaluate_on_plan, ReevaluateMarker),
 * flows/markers.py, flows/views/executor.py (stage_ok, stage_invalid, restart_flow, _flow_done),
 * flows/stage.py (ChallengeStageView, format_title), stages/identification/stage.py (+ tests.py),
 * stages/password/stage.py, stages/deny/stage.py, stages/dummy/stage.py, stages/user_login/stage.py,
 * policies/engine.py, policies/views.py (handle_no_permission_authenticated), blueprints/v1/importer.py (present
 * updates an existing instance, absent removes it), blueprints/default/*.yaml (the stock flows).
 */
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBlueprint, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { FlowWalk, GUIDE, guideWithBefore, passwordLogin, withProviderAttr } from './flow-steps.ts';
import { Client, closeAll, exchange, start, startAll } from './support.ts';

const FLOW = (slug: string, designation: string, title: string, authentication = 'none') =>
  `  - model: authentik_flows.flow\n    id: ${slug}\n    identifiers: {slug: ${slug}}\n    attrs: {name: ${slug}, title: "${title}", designation: ${designation}, authentication: ${authentication}}\n`;
const BIND = (flow: string, stage: string, order: number, extra = '') =>
  `  - model: authentik_flows.flowstagebinding\n    identifiers: {target: !KeyOf ${flow}, stage: ${stage}, order: ${order}}\n${extra}`;
const PASSWORD_STAGE = '!Find [authentik_stages_password.passwordstage, [name, default-authentication-password]]';
const LOGIN_STAGE = '!Find [authentik_flows.stage, [name, default-authentication-login]]';

/** A custom authentication flow: identification with the password inline, the stock password stage (skipped by the
 * stock policy once the password was checked), user_login. */
const INLINE_PASSWORD = withProviderAttr(guideWithBefore([
  '  - model: authentik_stages_identification.identificationstage\n    id: ident\n    identifiers: {name: osticket-identification}\n',
  `    attrs: {user_fields: [username, email], password_stage: ${PASSWORD_STAGE}}\n`,
  FLOW('osticket-login', 'authentication', 'Sign in to %(app)s'),
  BIND('osticket-login', '!KeyOf ident', 10),
  BIND('osticket-login', PASSWORD_STAGE, 20, '    id: pw-binding\n    attrs: {re_evaluate_policies: true}\n'),
  BIND('osticket-login', LOGIN_STAGE, 100),
  '  - model: authentik_policies.policybinding\n    identifiers: {order: 10, target: !KeyOf pw-binding, policy: !Find [authentik_policies_expression.expressionpolicy, [name, default-authentication-flow-password-stage]]}\n    attrs: {failure_result: true}\n',
].join('')), 'authentication_flow: !Find [authentik_flows.flow, [slug, osticket-login]]');

/** Stock stages overridden by name (state present updates the existing instance). */
const OVERRIDES = guideWithBefore([
  '  - model: authentik_stages_identification.identificationstage\n    identifiers: {name: default-authentication-identification}\n    attrs: {pretend_user_exists: false, user_fields: [email]}\n',
  '  - model: authentik_stages_user_login.userloginstage\n    identifiers: {name: default-authentication-login}\n    attrs: {remember_me_offset: days=30}\n',
].join(''));

/** The stock identification stage linking flows, a recovery flow on the brand, and a restart on invalid answers. */
const LINKS = guideWithBefore([
  FLOW('osticket-enroll', 'enrollment', 'Sign up'),
  FLOW('osticket-recover', 'recovery', 'Recover'),
  '  - model: authentik_stages_identification.identificationstage\n    identifiers: {name: default-authentication-identification}\n',
  '    attrs: {enrollment_flow: !KeyOf osticket-enroll, recovery_flow: !KeyOf osticket-recover}\n',
  '  - model: authentik_flows.flowstagebinding\n    identifiers: {order: 10, target: !Find [authentik_flows.flow, [slug, default-authentication-flow]], stage: !Find [authentik_flows.stage, [name, default-authentication-identification]]}\n',
  '    attrs: {invalid_response_action: restart}\n',
  '  - model: authentik_brands.brand\n    identifiers: {domain: authentik-default}\n    attrs: {default: true, flow_recovery: !KeyOf osticket-recover}\n',
].join(''));

/** An authorization flow: a deny stage. */
const DENY = guideWithBefore([
  '  - model: authentik_stages_deny.denystage\n    id: deny\n    identifiers: {name: osticket-closed}\n    attrs: {deny_message: osTicket is closed today}\n',
  FLOW('osticket-authz', 'authorization', 'Redirecting to %(app)s', 'require_authenticated'),
  BIND('osticket-authz', '!KeyOf deny', 0),
].join('')).replace(/authorization_flow: .*\n/, 'authorization_flow: !Find [authentik_flows.flow, [slug, osticket-authz]]\n');

/** An authorization flow with policies on its bindings, and one on the flow. */
const dummy = (name: string) => `  - model: authentik_stages_dummy.dummystage\n    id: ${name}\n    identifiers: {name: ${name}}\n`;
const POLICIES = (flowPolicy: boolean) => guideWithBefore([
  '  - model: authentik_policies_expression.expressionpolicy\n    id: no\n    identifiers: {name: always-no}\n    attrs: {expression: "ak_message(\\"not today\\")\\nreturn False"}\n',
  '  - model: authentik_policies_expression.expressionpolicy\n    id: helpdesk\n    identifiers: {name: in-helpdesk}\n    attrs: {expression: "return ak_is_group_member(request.user, name=\\"helpdesk\\")"}\n',
  dummy('on-plan'), dummy('re-evaluated'), dummy('plain'),
  FLOW('osticket-authz', 'authorization', 'Redirecting to %(app)s', 'require_authenticated'),
  BIND('osticket-authz', '!KeyOf on-plan', 10, '    id: b-on-plan\n    attrs: {evaluate_on_plan: true, re_evaluate_policies: false}\n'),
  BIND('osticket-authz', '!KeyOf re-evaluated', 20, '    id: b-re\n'),
  BIND('osticket-authz', '!KeyOf plain', 30),
  '  - model: authentik_policies.policybinding\n    identifiers: {order: 0, target: !KeyOf b-on-plan, policy: !KeyOf no}\n',
  '  - model: authentik_policies.policybinding\n    identifiers: {order: 0, target: !KeyOf b-re, policy: !KeyOf helpdesk}\n',
  ...(flowPolicy ? ['  - model: authentik_policies.policybinding\n    identifiers: {order: 0, target: !KeyOf osticket-authz, policy: !KeyOf no}\n'] : []),
].join('')).replace(/authorization_flow: .*\n/, 'authorization_flow: !Find [authentik_flows.flow, [slug, osticket-authz]]\n');

const SETUPS = {
  inline: { blueprintText: INLINE_PASSWORD },
  links: { blueprintText: LINKS },
  overrides: { blueprintText: OVERRIDES },
  deny: { blueprintText: DENY },
  policies: { blueprintText: POLICIES(false) },
  flowPolicy: { blueprintText: POLICIES(true) },
} satisfies Record<string, Parameters<typeof start>[0]>;
let P = {} as Record<keyof typeof SETUPS, RunningReferenceProvider>;
beforeAll(async () => {
  P = await startAll(SETUPS);
});
afterAll(() => closeAll(P));

/** Logs in on the default authentication flow and follows the xak-flow-redirect back to authorize. */
async function loggedIn(p: RunningReferenceProvider): Promise<{ c: Client; w: FlowWalk }> {
  const c = new Client(p.url);
  const w = new FlowWalk(c);
  await w.authorize();
  await passwordLogin(w);
  const done = await w.next();
  expect(done.body).toMatchObject({ component: 'xak-flow-redirect' });
  return { c, w };
}

describe('the stock flows exist as after authentik\'s first start (blueprints/default/*.yaml)', () => {
  it('default-authentication-flow: identification 10, password 20 (re-evaluated, the stock policy), MFA validation 30, user_login 100', () => {
    const bp = parseBlueprint(GUIDE, 'guide.yaml', { env: {} });
    const flow = bp.flows.find((f) => f.slug === 'default-authentication-flow')!;
    expect(flow).toMatchObject({ designation: 'authentication', title: 'Welcome to authentik!', authentication: 'none', builtIn: true });
    expect(flow.bindings.map((b) => [b.order, b.stage.type])).toEqual([[10, 'identification'], [20, 'password'], [30, 'authenticator_validate'], [100, 'user_login']]);
    expect(flow.bindings[0]!.stage).toMatchObject({ user_fields: ['email', 'username'], pretend_user_exists: true, password_stage: null });
    expect(flow.bindings[1]!.policies[0]).toMatchObject({ failure_result: true, policy: { parsed: { kind: 'pending-user-not-authenticated' } } });
    expect(flow.bindings[2]!.stage).toMatchObject({ not_configured_action: 'skip' });
    const consent = bp.flows.find((f) => f.slug === 'default-provider-authorization-explicit-consent')!;
    expect(consent).toMatchObject({ designation: 'authorization', authentication: 'require_authenticated', title: 'Redirecting to %(app)s' });
    expect(consent.bindings.map((b) => b.stage)).toMatchObject([{ type: 'consent', mode: 'expiring', consent_expire_in_s: 4 * 7 * 86400 }]);
    expect(bp.flows.find((f) => f.slug === 'default-provider-authorization-implicit-consent')!.bindings).toEqual([]);
    expect(bp.flows.find((f) => f.slug === 'default-invalidation-flow')!.bindings.map((b) => b.stage.type)).toEqual(['user_logout']);
    expect(bp.brand).toEqual({ flow_authentication: 'default-authentication-flow', flow_invalidation: 'default-invalidation-flow', flow_recovery: null });
  });

  it('a blueprint overrides them: present updates a stock stage, absent removes a stock binding (importer.py)', () => {
    const removeMfa = GUIDE.replace('entries:\n', 'entries:\n  - model: authentik_flows.flowstagebinding\n    state: absent\n    identifiers: {order: 30, target: !Find [authentik_flows.flow, [slug, default-authentication-flow]], stage: !Find [authentik_flows.stage, [name, default-authentication-mfa-validation]]}\n');
    const bp = parseBlueprint(removeMfa, 'x.yaml', { env: {} });
    expect(bp.flows.find((f) => f.slug === 'default-authentication-flow')!.bindings.map((b) => b.order)).toEqual([10, 20, 100]);
    const over = parseBlueprint(OVERRIDES, 'x.yaml', { env: {} });
    expect(over.flows.find((f) => f.slug === 'default-authentication-flow')!.bindings[0]!.stage).toMatchObject({ pretend_user_exists: false, user_fields: ['email'] });
  });

  it('a reference to a flow that does not exist is authentik\'s "This field may not be null."', () => {
    const text = GUIDE.replace(/authorization_flow: .*\n/, 'authorization_flow: !Find [authentik_flows.flow, [slug, no-such-flow]]\n');
    expect(() => parseBlueprint(text, 'x.yaml', { env: {} })).toThrow(/authorization_flow: no authentik_flows\.flow matches \[slug, no-such-flow\].*This field may not be null/);
  });
});

describe('identification (stages/identification/stage.py)', () => {
  it('pretend_user_exists off: an unknown user, or a username where only email is allowed, is "Failed to authenticate."', async () => {
    for (const uid of ['nobody@example.com', 'osticket-test']) {
      const w = new FlowWalk(new Client(P.overrides.url));
      await w.authorize();
      const r = await w.post({ component: 'ak-stage-identification', uid_field: uid });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ component: 'ak-stage-identification', user_fields: ['email'], response_errors: { non_field_errors: [{ string: 'Failed to authenticate.', code: 'invalid' }] } });
    }
  });

  it('no identification data is "No identification data provided."', async () => {
    const w = new FlowWalk(new Client(P.overrides.url));
    await w.authorize();
    const r = await w.post({ component: 'ak-stage-identification', uid_field: '' });
    expect(r.body!.response_errors).toEqual({ non_field_errors: [{ string: 'No identification data provided.', code: 'invalid' }] });
  });

  it('a custom authentication flow with the password inline: the flow\'s title, one step, the password stage skipped by its re-evaluated policy', async () => {
    const c = new Client(P.inline.url);
    const w = new FlowWalk(c);
    expect(await w.authorize()).toBe('osticket-login');
    const ch = (await w.get()).body!;
    expect(ch).toMatchObject({ component: 'ak-stage-identification', password_fields: true, flow_designation: 'authentication', primary_action: 'Log in', application_pre: 'osTicket' });
    expect(ch.flow_info.title).toBe('Sign in to osTicket');
    const wrong = await w.post({ component: 'ak-stage-identification', uid_field: 'osticket-test', password: 'nope' });
    expect(wrong.body!.response_errors).toEqual({ non_field_errors: [{ string: 'Failed to authenticate.', code: 'invalid' }] });
    const ok = await w.post({ component: 'ak-stage-identification', uid_field: 'OSTICKET-TEST@example.com', password: 'osticket-test-password' });
    expect(ok.status).toBe(302);
    // password stage dropped (its policy sees an authenticated pending user), MFA skipped, user_login: done
    const done = await w.next();
    expect(done.body!.component).toBe('xak-flow-redirect');
    const cb = await c.req(done.body!.to);
    const code = new URL(cb.headers.get('location')!).searchParams.get('code')!;
    const { body } = await exchange(P.inline.url, code);
    expect(jose.decodeJwt(body.id_token).amr).toEqual(['pwd']);
  });
});

describe('user_login (stages/user_login/stage.py)', () => {
  it('with remember_me_offset the stage asks ak-stage-user-login first, then logs in', async () => {
    const w = new FlowWalk(new Client(P.overrides.url));
    await w.authorize();
    await w.post({ component: 'ak-stage-identification', uid_field: 'osticket-test@example.com' });
    await w.next();
    await w.post({ component: 'ak-stage-password', password: 'osticket-test-password' });
    const ask = await w.next();
    expect(ask.body).toMatchObject({ component: 'ak-stage-user-login', pending_user: 'osticket-test' });
    const missing = await w.post({ component: 'ak-stage-user-login' });
    expect(missing.body!.response_errors).toEqual({ remember_me: [{ string: 'This field is required.', code: 'required' }] });
    const done = await w.post({ component: 'ak-stage-user-login', remember_me: true });
    expect(done.body!.component).toBe('xak-flow-redirect');
  });
});

describe('authorization flows from the blueprint', () => {
  it('a deny stage ends the flow with access denied and its deny_message (stages/deny/stage.py)', async () => {
    const { c } = await loggedIn(P.deny);
    const w = new FlowWalk(c);
    expect(await w.authorize()).toBe('osticket-authz');
    const r = await w.get();
    expect(r.body).toMatchObject({ component: 'ak-stage-access-denied', error_message: 'osTicket is closed today' });
    expect(r.body!.flow_info.title).toBe('Redirecting to osTicket');
  });

  it('evaluate_on_plan drops a stage when planned, re_evaluate_policies when it comes up; the rest runs, then the code', async () => {
    const { c } = await loggedIn(P.policies);
    const w = new FlowWalk(c);
    await w.authorize();
    const ch = await w.next();
    expect(ch.body).toMatchObject({ component: 'ak-stage-dummy', name: 'plain' });
    const posted = await w.post({ component: 'ak-stage-dummy' });
    expect(posted.status).toBe(302);
    const done = await w.next();
    expect(done.body!.component).toBe('xak-flow-redirect');
    expect(new URL(done.body!.to).searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a policy on the flow that fails: authorize answers the permission-denied page (policies/views.py)', async () => {
    const { c } = await loggedIn(P.flowPolicy);
    const r = await c.req((await import('./support.ts')).authorizePath());
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('Permission denied');
  });
});

describe('links, restarts and binding validation', () => {
  it('the identification stage links its enrollment and recovery flows with the query; the brand\'s recovery flow gives the password stage a recovery_url', async () => {
    const w = new FlowWalk(new Client(P.links.url));
    await w.authorize();
    const ch = (await w.get()).body!;
    expect(ch.enroll_url).toMatch(/^\/if\/flow\/osticket-enroll\/\?.*next=%2Fapplication%2Fo%2Fauthorize%2F/);
    expect(ch.recovery_url).toMatch(/^\/if\/flow\/osticket-recover\/\?/);
    expect(ch).not.toHaveProperty('passwordless_url');
    await w.post({ component: 'ak-stage-identification', uid_field: 'osticket-test' });
    expect((await w.next()).body!.recovery_url).toBe(`${P.links.url}/if/flow/osticket-recover/`);
  });

  it('invalid_response_action restart: an invalid answer restarts the flow (a 302 to the executor) instead of re-showing the errors', async () => {
    const w = new FlowWalk(new Client(P.links.url));
    await w.authorize();
    await w.get();
    const r = await w.post({ component: 'ak-stage-identification', uid_field: '' });
    expect(r.status).toBe(302);
    expect(r.location).toBe(w.exec);
    expect((await w.get()).body).toMatchObject({ component: 'ak-stage-identification' });
  });

  it('a policy binding needs exactly one of policy, group or user (PolicyBindingSerializer.validate)', () => {
    const both = guideWithBefore("  - model: authentik_policies.policybinding\n    identifiers: {order: 0, target: !Find [authentik_flows.flow, [slug, default-authentication-flow]], policy: !Find [authentik_policies_expression.expressionpolicy, [name, default-authentication-flow-password-stage]], user: !Find [authentik_core.user, [username, osticket-test]]}\n");
    expect(() => parseBlueprint(both, 'x.yaml', { env: {} })).toThrow("Only one of 'policy', 'group' or 'user' can be set.");
    const none = guideWithBefore('  - model: authentik_policies.policybinding\n    identifiers: {order: 0, target: !Find [authentik_flows.flow, [slug, default-authentication-flow]]}\n');
    expect(() => parseBlueprint(none, 'x.yaml', { env: {} })).toThrow("One of 'policy', 'group' or 'user' must be set.");
  });
});
