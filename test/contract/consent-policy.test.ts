/**
 * Contract: explicit consent with the echoed token and X-authentik-CSRF, and policy denial at authorize
 * (authentik.md §8 step 6, "Access denied and logout", §12).
 * authentik sources: stages/consent/stage.py (ConsentStageView, ConsentChallengeResponse.validate_token),
 * providers/oauth2/views/authorize.py (OAuthFulfillmentStage), flows/views/executor.py (handle_exception),
 * authentik/root/settings.py (CSRF_HEADER_NAME), policies/views.py + policies/denied.py (AccessDeniedResponse).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { authorizePath, Client, exchange, login, REDIRECT_URI, start, variant } from './support.ts';

let consent: RunningReferenceProvider;
let denied: RunningReferenceProvider;
beforeAll(async () => {
  [consent, denied] = await Promise.all([start({ blueprintPath: variant('explicit-consent') }), start({ blueprintPath: variant('policy-denies-user') })]);
});
afterAll(async () => {
  await Promise.all([consent, denied].map((p) => p?.close()));
});
const json = { accept: 'application/json' };

describe('explicit consent (default-provider-authorization-explicit-consent)', () => {
  it('302 to the consent flow (no next), ak-stage-consent with token, CSRF-checked POST, code inside xak-flow-redirect', async () => {
    const c = new Client(consent.url);
    const authorize = authorizePath();
    const to = await login(c, authorize);
    expect(to).toBe(authorize);
    const r = await c.req(to);
    expect(r.status).toBe(302);
    const loc = r.headers.get('location')!;
    expect(loc.startsWith('/if/flow/default-provider-authorization-explicit-consent/?')).toBe(true);
    const q = loc.split('?')[1]!;
    expect(new URLSearchParams(q).has('next')).toBe(false);

    const exec = `/api/v3/flows/executor/default-provider-authorization-explicit-consent/?query=${encodeURIComponent(q)}`;
    const ch = (await (await c.req(exec, { headers: json })).json()) as any;
    expect(ch.component).toBe('ak-stage-consent');
    expect(typeof ch.token).toBe('string');
    expect(ch.permissions).toEqual([{ id: 'email', name: 'Email address' }, { id: 'openid', name: '' }, { id: 'profile', name: 'General Profile Information' }]);

    // authenticated session: without the CSRF header the POST is ak-stage-flow-error
    const noCsrf = await c.req(exec, { json: { component: 'ak-stage-consent', token: ch.token } });
    expect(noCsrf.status).toBe(200);
    expect(((await noCsrf.json()) as any).component).toBe('ak-stage-flow-error');

    const csrf = (await c.cookie('authentik_csrf'))!;
    // a token that does not match the plan's re-shows the prompt (2026.2+)
    const wrong = (await (await c.req(exec, { json: { component: 'ak-stage-consent', token: 'not-the-token' }, headers: { 'x-authentik-csrf': csrf } })).json()) as any;
    expect(wrong.component).toBe('ak-stage-consent');
    // the re-shown prompt carries a new token (get_challenge stores a fresh one in the session)
    expect(wrong.token).not.toBe(ch.token);

    const ok = await c.req(exec, { json: { component: 'ak-stage-consent', token: wrong.token }, headers: { 'x-authentik-csrf': csrf } });
    expect(ok.status).toBe(302);
    const done = (await (await c.req(exec, { headers: json })).json()) as any;
    expect(done.component).toBe('xak-flow-redirect');
    const cb = new URL(done.to);
    expect(`${cb.origin}${cb.pathname}`).toBe(REDIRECT_URI);
    expect(cb.searchParams.get('state')).toBe('st-123');
    const { res } = await exchange(consent.url, cb.searchParams.get('code')!);
    expect(res.status).toBe(200);

    // consent is remembered, but authorize still goes through the flow (authentik.md §13): 302 to the flow, the
    // executor GET 302s to itself (the consent stage passes), then xak-flow-redirect with the code
    const again = await c.req(authorizePath({ state: 'two' }));
    expect(again.status).toBe(302);
    const againLoc = again.headers.get('location')!;
    expect(againLoc.startsWith('/if/flow/default-provider-authorization-explicit-consent/?')).toBe(true);
    const exec2 = `/api/v3/flows/executor/default-provider-authorization-explicit-consent/?query=${encodeURIComponent(againLoc.split('?')[1]!)}`;
    const self = await c.req(exec2, { headers: json });
    expect(self.status).toBe(302);
    expect(self.headers.get('location')).toBe(exec2);
    const code2 = (await (await c.req(exec2, { headers: json })).json()) as any;
    expect(code2.component).toBe('xak-flow-redirect');
    expect(new URL(code2.to).searchParams.get('state')).toBe('two');
  });

  it('prompt=consent asks again even with remembered consent', async () => {
    const c = new Client(consent.url);
    const to = await login(c, authorizePath());
    await c.req(to); // consent flow planned
    const r = await c.req(authorizePath({ extra: { prompt: 'consent' } }));
    expect(r.headers.get('location')!.startsWith('/if/flow/default-provider-authorization-explicit-consent/')).toBe(true);
  });
});

describe('policy denial (policies/denied.py)', () => {
  it('an expression policy returning False bound to the app: logged-in user gets 200 HTML "Permission denied"', async () => {
    const c = new Client(denied.url);
    const to = await login(c, authorizePath());
    const r = await c.req(to);
    expect(r.status).toBe(200);
    expect(r.headers.get('location')).toBeNull();
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(await r.text()).toContain('Permission denied');
  });

  it('the denial happens after login: the anonymous authorize still redirects to the login flow', async () => {
    const r = await new Client(denied.url).req(authorizePath());
    expect(r.status).toBe(302);
    expect(r.headers.get('location')!.startsWith('/if/flow/default-authentication-flow/')).toBe(true);
  });
});
