/**
 * Contract: authentik's pages and executor details (authentik.md §13, observed on real authentik 2025.12.4 and
 * 2026.2.2). authentik sources: authentik/lib/views.py (bad_request_message), core/templates/if/error.html,
 * login/base_full.html, base/skeleton.html, policies/denied.py + policies/templates/policies/denied.html,
 * flows/stage.py (ChallengeStageView._get_challenge: flow_info), stages/identification/stage.py (challenge fields),
 * stages/password/stage.py (recovery_url only with a recovery flow); Django's HttpResponseRedirect (text/html).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuthentikErrorPage } from '../../helpers/authentik/error-page.ts';
import type { RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { FlowWalk, passwordLogin } from './flow-steps.ts';
import { authorizePath, Client, closeAll, startAll, variant } from './support.ts';

let P = {} as Record<'current' | 'older' | 'denied', RunningReferenceProvider>;
beforeAll(async () => {
  P = await startAll({ current: { profile: '2026.8' }, older: { profile: '2025.10' }, denied: { blueprintPath: variant('policy-denies-user') } });
});
afterAll(() => closeAll(P));

describe('error and denial pages (if/error.html, policies/denied.html)', () => {
  it('the 400 Redirect URI Error page: a full page titled "authentik", the card title in h1.pf-c-title, the message, "Go home"', async () => {
    const r = await new Client(P.current.url).req(authorizePath({ redirect_uri: 'https://osticket.company/elsewhere' }));
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await r.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<title>authentik</title>');
    expect(html).toMatch(/<h1 class="pf-c-title pf-m-3xl">\s*Redirect URI Error\s*<\/h1>/);
    expect(html).toMatch(/<a id="ak-back-home" href="\/" [^>]*>\s*Go home\s*<\/a>/);
    expect(html).toContain('class="pf-c-login__main-header"');
    expect(html.length).toBeGreaterThan(2500);
    // the harness reads it as it reads real authentik's
    expect(parseAuthentikErrorPage(html)).toEqual({ title: 'Redirect URI Error', message: 'The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).' });
    const client = await new Client(P.current.url).req(authorizePath({ client_id: 'nobody' }));
    expect(parseAuthentikErrorPage(await client.text())).toEqual({ title: 'Client ID Error', message: 'The client identifier (client_id) is missing or invalid.' });
  });

  it('the 200 Permission denied page after login', async () => {
    const c = new Client(P.denied.url);
    const w = new FlowWalk(c);
    await w.authorize();
    await passwordLogin(w);
    await w.next();
    const r = await c.req(authorizePath());
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('<title>Permission denied - authentik</title>');
    expect(html).toMatch(/<h1 class="pf-c-title pf-m-3xl">\s*Permission denied\s*<\/h1>/);
    expect(parseAuthentikErrorPage(html)).toEqual({ title: 'Permission denied', message: 'Request has been denied.' });
  });
});

describe('executor details per version (flows/stage.py, stages/identification/stage.py)', () => {
  it('2026.x: flow_info has background_themed_urls null and a cancel_url that keeps next; identification carries pending_user_identifier and application_pre_launch', async () => {
    const w = new FlowWalk(new Client(P.current.url));
    await w.authorize();
    const ch = (await w.get()).body!;
    expect(ch.flow_info).toEqual({
      title: 'Welcome to authentik!', background: '/static/dist/assets/images/flow_background.jpg', background_themed_urls: null,
      cancel_url: `/flows/-/cancel/?${new URLSearchParams({ next: authorizePath() })}`, layout: 'stacked',
    });
    expect(ch).toMatchObject({ pending_user_identifier: null, application_pre_launch: 'https://osticket.company', application_pre: 'osTicket' });
    await w.post({ component: 'ak-stage-identification', uid_field: 'osticket-test' });
    const pw = (await w.next()).body!;
    expect(pw).not.toHaveProperty('recovery_url');
    expect(Object.keys(pw).sort()).toEqual(['allow_show_password', 'component', 'flow_info', 'pending_user', 'pending_user_avatar']);
  });

  it('2025.10: no background_themed_urls, cancel_url without next, no pending_user_identifier or application_pre_launch', async () => {
    const w = new FlowWalk(new Client(P.older.url));
    await w.authorize();
    const ch = (await w.get()).body!;
    expect(ch.flow_info).toEqual({ title: 'Welcome to authentik!', background: '/static/dist/assets/images/flow_background.jpg', cancel_url: '/flows/-/cancel/', layout: 'stacked' });
    expect(ch).not.toHaveProperty('pending_user_identifier');
    expect(ch).not.toHaveProperty('application_pre_launch');
  });

  it('redirects carry content-type text/html (authorize, the executor\'s self-redirect, the provider root, end-session)', async () => {
    const c = new Client(P.current.url);
    const w = new FlowWalk(c);
    const a = await c.req(authorizePath());
    expect(a.status).toBe(302);
    expect(a.headers.get('content-type')).toBe('text/html; charset=utf-8');
    await w.authorize();
    const self = await c.req(w.exec, { json: { component: 'ak-stage-identification', uid_field: 'osticket-test' } });
    expect(self.status).toBe(302);
    expect(self.headers.get('content-type')).toBe('text/html; charset=utf-8');
    for (const path of ['/application/o/osticket/', '/application/o/osticket/end-session/']) {
      const r = await c.req(path);
      expect(r.status, path).toBe(302);
      expect(r.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
    }
  });

  it('access denied challenges carry flow_info and the pending user', async () => {
    const c = new Client(P.current.url);
    const w = new FlowWalk(c);
    await w.authorize();
    await w.post({ component: 'ak-stage-identification', uid_field: 'osticket-test' });
    let last = await w.next();
    for (let i = 0; i < 5; i++) last = await w.post({ component: 'ak-stage-password', password: `wrong-${i}` });
    expect(last.body).toMatchObject({ component: 'ak-stage-access-denied', error_message: 'Invalid password', pending_user: 'osticket-test', flow_info: { title: 'Welcome to authentik!' } });
  });
});
