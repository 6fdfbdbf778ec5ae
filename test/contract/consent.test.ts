/**
 * Contract: consent as authentik does it (authentik.md §8 step 6, §11, §13).
 * authentik sources: providers/oauth2/views/authorize.py (AuthorizationFlowInitView.get: PLAN_CONTEXT_CONSENT_HEADER
 * "You're about to sign into %(application)s.", PLAN_CONTEXT_CONSENT_PERMISSIONS, prompt=consent adds an in-memory
 * consent stage with mode always_require, OAuthFulfillmentStage), providers/oauth2/views/userinfo.py
 * (get_scope_descriptions), stages/consent/stage.py (ConsentStageView.get: stored consent, permissions vs
 * additional_permissions; ConsentChallengeResponse.validate_token "Invalid consent token, re-showing prompt"),
 * stages/consent/models.py (ConsentMode always_require, permanent, expiring + consent_expire_in), stages/consent/tests.py
 * (test_mismatched_token, test_always_required, test_permanent, test_expire, test_permanent_more_perms).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { FlowWalk, guideWithBefore, passwordLogin } from './flow-steps.ts';
import { authorizePath, Client, closeAll, startAll, variant } from './support.ts';

const consentMode = (attrs: string) => guideWithBefore(
  `  - model: authentik_stages_consent.consentstage\n    identifiers: {name: default-provider-authorization-consent}\n    attrs: ${attrs}\n`,
).replace(/authorization_flow: .*\n/, 'authorization_flow: !Find [authentik_flows.flow, [slug, default-provider-authorization-explicit-consent]]\n');

let P = {} as Record<'explicit' | 'explicit258' | 'implicit' | 'always' | 'expiring', RunningReferenceProvider>;
beforeAll(async () => {
  P = await startAll({
    explicit: { blueprintPath: variant('explicit-consent') },
    explicit258: { blueprintPath: variant('explicit-consent'), profile: '2025.8' },
    implicit: {},
    always: { blueprintText: consentMode('{mode: always_require}') },
    expiring: { blueprintText: consentMode('{mode: expiring, consent_expire_in: seconds=1}') },
  });
});
afterAll(() => closeAll(P));

/** Logs in, then authorizes with `scope` (and `prompt`); returns the walk at the authorization flow. */
async function atConsentFlow(p: RunningReferenceProvider, scope: string, c = new Client(p.url), extra: Record<string, string> = {}): Promise<{ c: Client; w: FlowWalk }> {
  const w = new FlowWalk(c);
  if (!(await c.cookie('authentik_csrf'))) {
    await w.authorize({ scope });
    await passwordLogin(w);
    await w.next();
  }
  const flow = new FlowWalk(c);
  await flow.authorize({ scope, extra });
  return { c, w: flow };
}

async function consentAndCode(w: FlowWalk, token: string): Promise<string> {
  expect((await w.post({ component: 'ak-stage-consent', token })).status).toBe(302);
  const done = await w.next();
  expect(done.body!.component).toBe('xak-flow-redirect');
  return done.body!.to as string;
}

describe('the consent challenge (stages/consent/stage.py, providers/oauth2/views/authorize.py)', () => {
  it('header_text names the application; permissions list every requested mapped scope by scope_name, openid with an empty name', async () => {
    const { w } = await atConsentFlow(P.explicit, 'openid email profile');
    const ch = (await w.get()).body!;
    expect(ch).toMatchObject({
      component: 'ak-stage-consent', header_text: "You're about to sign into osTicket.", pending_user: 'osticket-test',
      permissions: [{ id: 'email', name: 'Email address' }, { id: 'openid', name: '' }, { id: 'profile', name: 'General Profile Information' }],
      additional_permissions: [],
    });
    expect(ch.flow_info.title).toBe('Redirecting to osTicket');
  });

  it('a wrong token re-shows the prompt with "Invalid consent token, re-showing prompt", in every profile (2025.8 here)', async () => {
    const { w } = await atConsentFlow(P.explicit258, 'openid email');
    const ch = (await w.get()).body!;
    const wrong = await w.post({ component: 'ak-stage-consent', token: 'not-the-token' });
    expect(wrong.body).toMatchObject({ component: 'ak-stage-consent', response_errors: { token: [{ string: 'Invalid consent token, re-showing prompt', code: 'invalid' }] } });
    expect(wrong.body!.token).not.toBe(ch.token);
    const missing = await w.post({ component: 'ak-stage-consent' });
    expect(missing.body!.response_errors).toEqual({ token: [{ string: 'This field is required.', code: 'required' }] });
    // only the latest token passes
    expect((await w.post({ component: 'ak-stage-consent', token: ch.token })).body!.response_errors.token[0].string).toBe('Invalid consent token, re-showing prompt');
    const fresh = (await w.get()).body!;
    expect(await consentAndCode(w, fresh.token)).toMatch(/[?&]code=[0-9a-f]{32}/);
  });

  it('on a re-prompt the consented scopes stay in permissions and the new ones come in additional_permissions', async () => {
    const first = await atConsentFlow(P.explicit, 'openid email');
    await consentAndCode(first.w, (await first.w.get()).body!.token);
    const more = await atConsentFlow(P.explicit, 'openid email profile', first.c);
    const ch = (await more.w.get()).body!;
    expect(ch.permissions).toEqual([{ id: 'email', name: 'Email address' }, { id: 'openid', name: '' }]);
    expect(ch.additional_permissions).toEqual([{ id: 'profile', name: 'General Profile Information' }]);
    await consentAndCode(more.w, ch.token);
    // everything is stored now: the flow passes without a prompt (a 302 to itself, then the code)
    const again = await atConsentFlow(P.explicit, 'openid email profile', first.c);
    const self = await again.w.get();
    expect(self.status).toBe(302);
    expect((await again.w.get()).body!.component).toBe('xak-flow-redirect');
  });
});

describe('prompt=consent and the consent modes', () => {
  it('prompt=consent adds a consent step on the implicit-consent flow (which otherwise answers the code at once)', async () => {
    const c = new Client(P.implicit.url);
    const login = new FlowWalk(c);
    await login.authorize();
    await passwordLogin(login);
    await login.next();
    const direct = await c.req(authorizePath());
    expect(new URL(direct.headers.get('location')!).searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
    const w = new FlowWalk(c);
    expect(await w.authorize({ extra: { prompt: 'consent' } })).toBe('default-provider-authorization-implicit-consent');
    const ch = (await w.get()).body!;
    expect(ch).toMatchObject({ component: 'ak-stage-consent', header_text: "You're about to sign into osTicket." });
    expect(await consentAndCode(w, ch.token)).toMatch(/[?&]code=/);
  });

  it('always_require asks every time, even right after consenting (tests.py test_always_required)', async () => {
    const first = await atConsentFlow(P.always, 'openid email');
    await consentAndCode(first.w, (await first.w.get()).body!.token);
    const again = await atConsentFlow(P.always, 'openid email', first.c);
    expect((await again.w.get()).body!.component).toBe('ak-stage-consent');
  });

  it('expiring with consent_expire_in seconds=1 asks again once the consent has expired (tests.py test_expire)', async () => {
    const first = await atConsentFlow(P.expiring, 'openid email');
    await consentAndCode(first.w, (await first.w.get()).body!.token);
    let component = '';
    for (let i = 0; i < 50 && component !== 'ak-stage-consent'; i++) {
      const again = await atConsentFlow(P.expiring, 'openid email', first.c);
      let s = await again.w.get();
      if (s.status === 302) s = await again.w.get();
      component = s.body!.component;
      if (component !== 'ak-stage-consent') await new Promise((r) => setTimeout(r, 200));
    }
    expect(component).toBe('ak-stage-consent');
  });
});
