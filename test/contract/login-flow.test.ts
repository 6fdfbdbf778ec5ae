/**
 * Contract: headless login through the flow executor, curl-style (authentik.md §8, §11 checklist, §12).
 * authentik sources: authentik/policies/views.py (PolicyAccessView.handle_no_permission), flows/planner.py
 * (FlowPlan.to_redirect), flows/views/executor.py (FlowExecutorView, handle_exception), stages/identification/stage.py,
 * stages/password/stage.py, stages/user_login/stage.py, root/middleware.py + root/settings.py (cookies, CSRF),
 * providers/oauth2/views/authorize.py (OAuthFulfillmentStage), views/token.py, views/userinfo.py.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { fetch } from 'undici';
import type { RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { authorizePath, Client, exchange, REDIRECT_URI, start } from './support.ts';

let ref: RunningReferenceProvider;
beforeAll(async () => {
  ref = await start();
});
afterAll(async () => ref?.close());

const json = { accept: 'application/json' };

describe('curl-style login against the guide\'s blueprint (authentik.md §8 steps 1-7)', () => {
  it('authorize -> executor GET/POST with a cookie jar -> code -> token -> userinfo', async () => {
    const c = new Client(ref.url);
    const authorize = authorizePath({ nonce: 'nonce-1' });

    // 1. unauthenticated authorize: relative 302 to the flow interface, original params + next, authentik_session set
    const r1 = await c.req(authorize);
    expect(r1.status).toBe(302);
    const loc = r1.headers.get('location')!;
    expect(loc.startsWith('/if/flow/default-authentication-flow/?')).toBe(true);
    const flowQuery = new URLSearchParams(loc.split('?')[1]);
    expect(flowQuery.get('client_id')).toBe('osticket-harness-client');
    expect(flowQuery.get('scope')).toBe('email openid profile');
    expect(flowQuery.get('next')).toBe(authorize);
    expect(r1.headers.getSetCookie().some((s) => s.startsWith('authentik_session='))).toBe(true);
    const firstSession = await c.cookie('authentik_session');

    // 2. executor GET -> identification challenge
    const exec = `/api/v3/flows/executor/default-authentication-flow/?query=${encodeURIComponent(loc.split('?')[1]!)}`;
    const g1 = await c.req(exec, { headers: json });
    expect(g1.status).toBe(200);
    const ident = (await g1.json()) as any;
    expect(ident.component).toBe('ak-stage-identification');
    expect(ident.user_fields).toEqual(['email', 'username']);
    expect(ident.password_fields).toBe(false);
    expect(ident.application_pre).toBe('osTicket');
    expect(ident.primary_action).toBe('Log in');

    // 3./4. identification POST -> raw 302 to the same executor URL with an empty body
    const p1 = await c.req(exec, { json: { component: 'ak-stage-identification', uid_field: 'osticket-test@example.com' } });
    expect(p1.status).toBe(302);
    expect(p1.headers.get('location')).toBe(exec);
    expect(await p1.text()).toBe('');

    const g2 = (await (await c.req(exec, { headers: json })).json()) as any;
    expect(g2.component).toBe('ak-stage-password');
    expect(g2.pending_user).toBe('osticket-test');

    // 5. password POST -> 302 (MFA skipped by another self-redirect) -> login: new session, authentik_csrf, xak-flow-redirect
    const p2 = await c.req(exec, { json: { component: 'ak-stage-password', password: 'osticket-test-password' } });
    expect(p2.status).toBe(302);
    const g3 = await c.req(exec, { headers: json });
    expect(g3.status).toBe(302);
    const g4 = await c.req(exec, { headers: json });
    expect(g4.status).toBe(200);
    const cookies = g4.headers.getSetCookie();
    expect(cookies.some((s) => s.startsWith('authentik_session='))).toBe(true);
    expect(cookies.some((s) => s.startsWith('authentik_csrf='))).toBe(true);
    expect(await c.cookie('authentik_session')).not.toBe(firstSession);
    const done = (await g4.json()) as any;
    expect(done).toEqual({ component: 'xak-flow-redirect', to: authorize });

    // 6. implicit consent: authorize again -> 302 redirect_uri?code=<32 hex>&state=
    const r2 = await c.req(done.to);
    expect(r2.status).toBe(302);
    const cb = new URL(r2.headers.get('location')!);
    expect(`${cb.origin}${cb.pathname}`).toBe(REDIRECT_URI);
    expect(cb.searchParams.get('state')).toBe('st-123');
    expect(cb.searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
    expect(cb.searchParams.has('iss')).toBe(false);

    // 7. token exchange (Basic, form-encoded, same redirect_uri) then userinfo with Bearer
    const { res, body } = await exchange(ref.url, cb.searchParams.get('code')!);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    expect(body.scope.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(body).not.toHaveProperty('refresh_token');
    const ui = await fetch(`${ref.url}/application/o/userinfo/`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(ui.status).toBe(200);
    const claims = (await ui.json()) as any;
    expect(claims.sub).toBe('osticket-test@example.com');
    expect(claims.email).toBe('osticket-test@example.com');
    expect(claims.nonce).toBe('nonce-1');

    // the id_token verifies against the per-slug JWKS with the issuer built from the same host
    const jwks = jose.createLocalJWKSet((await (await fetch(`${ref.url}/application/o/osticket/jwks/`)).json()) as jose.JSONWebKeySet);
    const { payload } = await jose.jwtVerify(body.id_token, jwks, { issuer: `${ref.url}/application/o/osticket/`, audience: 'osticket-harness-client', algorithms: ['RS256'] });
    expect(payload.sub).toBe('osticket-test@example.com');
  });

  it('a second authorize on the same session skips the login (302 straight to the callback)', async () => {
    const c = new Client(ref.url);
    const { loginForCallback } = await import('./support.ts');
    await loginForCallback(c, authorizePath());
    const r = await c.req(authorizePath({ state: 'again' }));
    expect(r.status).toBe(302);
    expect(new URL(r.headers.get('location')!).searchParams.get('state')).toBe('again');
  });
});

describe('executor errors and stage errors (flows/views/executor.py, stages/password/stage.py)', () => {
  const begin = async () => {
    const c = new Client(ref.url);
    const r = await c.req(authorizePath());
    const q = r.headers.get('location')!.split('?')[1]!;
    return { c, exec: `/api/v3/flows/executor/default-authentication-flow/?query=${encodeURIComponent(q)}` };
  };

  it('a form-encoded POST is 200 ak-stage-flow-error with a request_id equal to X-authentik-id', async () => {
    const { c, exec } = await begin();
    const r = await c.req(exec, { form: { component: 'ak-stage-identification', uid_field: 'osticket-test' } });
    expect(r.status).toBe(200);
    const b = (await r.json()) as any;
    expect(b.component).toBe('ak-stage-flow-error');
    expect(b.request_id).toBe(r.headers.get('x-authentik-id'));
  });

  it('an unknown component is 200 ak-stage-flow-error', async () => {
    const { c, exec } = await begin();
    const r = await c.req(exec, { json: { component: 'ak-stage-bogus' } });
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).component).toBe('ak-stage-flow-error');
  });

  it('pretend_user_exists: an unknown user passes identification and fails at the password stage', async () => {
    const { c, exec } = await begin();
    expect((await c.req(exec, { json: { component: 'ak-stage-identification', uid_field: 'nobody' } })).status).toBe(302);
    const r = await c.req(exec, { json: { component: 'ak-stage-password', password: 'x' } });
    const b = (await r.json()) as any;
    expect(b.component).toBe('ak-stage-password');
    expect(b.response_errors).toEqual({ password: [{ string: 'Invalid password', code: 'invalid' }] });
  });

  it('a wrong password re-shows the challenge with response_errors; the 5th failure is ak-stage-access-denied', async () => {
    const { c, exec } = await begin();
    await c.req(exec, { json: { component: 'ak-stage-identification', uid_field: 'osticket-test' } });
    for (let i = 1; i <= 4; i++) {
      const b = (await (await c.req(exec, { json: { component: 'ak-stage-password', password: `wrong-${i}` } })).json()) as any;
      expect(b.component).toBe('ak-stage-password');
      expect(b.response_errors.password[0].string).toBe('Invalid password');
    }
    const last = (await (await c.req(exec, { json: { component: 'ak-stage-password', password: 'wrong-5' } })).json()) as any;
    expect(last.component).toBe('ak-stage-access-denied');
  });

  it('once authenticated, an executor POST without X-authentik-CSRF is ak-stage-flow-error', async () => {
    const c = new Client(ref.url);
    const { loginForCallback } = await import('./support.ts');
    await loginForCallback(c, authorizePath());
    const exec = '/api/v3/flows/executor/default-authentication-flow/?query=';
    await c.req(exec, { headers: json });
    const r = await c.req(exec, { json: { component: 'ak-stage-identification', uid_field: 'osticket-test' } });
    expect(((await r.json()) as any).component).toBe('ak-stage-flow-error');
    const ok = await c.req(exec, { json: { component: 'ak-stage-identification', uid_field: 'osticket-test' }, headers: { 'x-authentik-csrf': (await c.cookie('authentik_csrf'))! } });
    expect(ok.status).toBe(302);
  });

  it('a POST without query loses next: the flow finishes with to "/" (SESSION_KEY_GET)', async () => {
    const { c, exec } = await begin();
    await c.req(exec, { json: { component: 'ak-stage-identification', uid_field: 'osticket-test' } });
    const bare = '/api/v3/flows/executor/default-authentication-flow/';
    await c.req(bare, { json: { component: 'ak-stage-password', password: 'osticket-test-password' } });
    await c.req(bare, { headers: json });
    const done = (await (await c.req(bare, { headers: json })).json()) as any;
    expect(done).toEqual({ component: 'xak-flow-redirect', to: '/' });
  });

  it('an absolute next is access denied "Invalid next URL"', async () => {
    const c = new Client(ref.url);
    const exec = `/api/v3/flows/executor/default-authentication-flow/?query=${encodeURIComponent('next=https://evil.example/')}`;
    await c.req(exec, { headers: json });
    await c.req(exec, { json: { component: 'ak-stage-identification', uid_field: 'osticket-test' } });
    await c.req(exec, { json: { component: 'ak-stage-password', password: 'osticket-test-password' } });
    await c.req(exec, { headers: json });
    const b = (await (await c.req(exec, { headers: json })).json()) as any;
    expect(b.component).toBe('ak-stage-access-denied');
    expect(b.error_message).toBe('Invalid next URL');
  });

  it('prompt=none without a session redirects with error=login_required', async () => {
    const c = new Client(ref.url);
    const r = await c.req(authorizePath({ extra: { prompt: 'none' } }));
    expect(r.status).toBe(302);
    expect(new URL(r.headers.get('location')!).searchParams.get('error')).toBe('login_required');
  });

  it('login_hint skips the simple identification stage on 2026.2+ profiles', async () => {
    const c = new Client(ref.url);
    const r = await c.req(authorizePath({ extra: { login_hint: 'osticket-test' } }));
    const q = r.headers.get('location')!.split('?')[1]!;
    const exec = `/api/v3/flows/executor/default-authentication-flow/?query=${encodeURIComponent(q)}`;
    // the identification stage passes at once (stage_ok: a 302 to the executor itself)
    const skip = await c.req(exec, { headers: json });
    expect(skip.status).toBe(302);
    const b = (await (await c.req(exec, { headers: json })).json()) as any;
    expect(b.component).toBe('ak-stage-password');
    expect(b.pending_user).toBe('osticket-test');
  });

  it('the /if/flow/<slug>/ page is self-contained HTML that drives the executor API', async () => {
    const r = await fetch(`${ref.url}/if/flow/default-authentication-flow/?next=%2F`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('/api/v3/flows/executor/');
    expect(html).toContain('X-authentik-CSRF');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });
});
