/**
 * Contract: logging out as authentik does it, so that a test can log one user out and another in.
 * authentik sources: providers/oauth2/views/end_session.py (EndSessionView: the invalidation flow planned for the
 * application with SessionEndStage appended; the session's access tokens for the provider deleted; an anonymous
 * request runs the flow all the same), stages/user_logout/stage.py (Django logout), providers/oauth2/signals.py
 * (the session's access tokens deleted with it), flows/stage.py (SessionEndStage: ak-stage-session-end),
 * flows/views/executor.py (ToDefaultFlow, CancelView), blueprints/default/flow-default-provider-invalidation.yaml
 * (no stages: authentik's own session stays), flow-default-invalidation-flow.yaml (a user_logout stage).
 */
import * as jose from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { FlowWalk, GUIDE, guideWithAfter, passwordLogin } from './flow-steps.ts';
import { authorizePath, Client, closeAll, exchange, startAll } from './support.ts';

const SECOND_USER = '  - model: authentik_core.user\n    identifiers: {username: agent-two}\n    attrs: {name: Agent Two, email: agent-two@example.com, password: agent-two-password}\n';
const LOGOUT_FLOW = guideWithAfter(SECOND_USER).replace(/invalidation_flow: .*\n/, 'invalidation_flow: !Find [authentik_flows.flow, [slug, default-invalidation-flow]]\n');

let P = {} as Record<'guide' | 'logout', RunningReferenceProvider>;
beforeAll(async () => {
  P = await startAll({ guide: { blueprintText: GUIDE }, logout: { blueprintText: LOGOUT_FLOW } });
});
afterAll(() => closeAll(P));

async function loginTokens(p: RunningReferenceProvider, c: Client, user = 'osticket-test', password = 'osticket-test-password') {
  const w = new FlowWalk(c);
  await w.authorize();
  await passwordLogin(w, user, password);
  const done = await w.next();
  const cb = new URL((await c.req(done.body!.to)).headers.get('location')!);
  return (await exchange(p.url, cb.searchParams.get('code')!)).body;
}

async function userinfoStatus(p: RunningReferenceProvider, accessToken: string): Promise<number> {
  return (await fetch(`${p.url}/application/o/userinfo/`, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) })).status;
}

/** GET end-session, then the executor of the flow it names until a JSON answer. */
async function endSession(c: Client) {
  const r = await c.req('/application/o/osticket/end-session/');
  expect(r.status).toBe(302);
  const loc = r.headers.get('location')!;
  const w = new FlowWalk(c);
  w.exec = `/api/v3/flows/executor/${loc.split('/')[3]}/?query=`;
  return { loc, page: await w.next() };
}

describe('end-session (providers/oauth2/views/end_session.py)', () => {
  it('the stock provider invalidation flow: "You\'ve logged out of osTicket", the access token is revoked, authentik\'s own session stays', async () => {
    const c = new Client(P.guide.url);
    const tokens = await loginTokens(P.guide, c);
    expect(await userinfoStatus(P.guide, tokens.access_token)).toBe(200);
    const { loc, page } = await endSession(c);
    expect(loc).toBe('/if/flow/default-provider-invalidation-flow/');
    expect(page.body).toMatchObject({
      component: 'ak-stage-session-end', application_name: 'osTicket', application_launch_url: 'https://osticket.company',
      invalidation_flow_url: '/if/flow/default-invalidation-flow/', brand_name: 'authentik',
    });
    expect(page.body!.flow_info.title).toBe("You've logged out of osTicket.");
    expect(await userinfoStatus(P.guide, tokens.access_token)).toBe(401);
    // no user_logout stage in that flow: the next authorize answers the code without a login
    const again = await c.req(authorizePath());
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('an invalidation flow with a user_logout stage ends the session: the token is revoked and another user logs in on the same client', async () => {
    const c = new Client(P.logout.url);
    const first = await loginTokens(P.logout, c);
    expect(jose.decodeJwt(first.id_token).sub).toBe('osticket-test@example.com');
    const { loc, page } = await endSession(c);
    expect(loc).toBe('/if/flow/default-invalidation-flow/');
    expect(page.body!.component).toBe('ak-stage-session-end');
    expect(await userinfoStatus(P.logout, first.access_token)).toBe(401);
    const anonymous = await c.req(authorizePath());
    expect(anonymous.headers.get('location')!.startsWith('/if/flow/default-authentication-flow/')).toBe(true);
    const second = await loginTokens(P.logout, c, 'agent-two', 'agent-two-password');
    expect(jose.decodeJwt(second.id_token).sub).toBe('agent-two@example.com');
  });

  it('an anonymous end-session is a no-op that still runs the flow', async () => {
    const { page } = await endSession(new Client(P.guide.url));
    expect(page.body).toMatchObject({ component: 'ak-stage-session-end', pending_user: '' });
  });
});

describe('the brand\'s logout and cancel (flows/views/executor.py ToDefaultFlow, CancelView)', () => {
  it('/flows/-/default/invalidation/ runs default-invalidation-flow: the user is logged out, the token revoked', async () => {
    const c = new Client(P.guide.url);
    const tokens = await loginTokens(P.guide, c);
    const r = await c.req('/flows/-/default/invalidation/');
    expect(r.headers.get('location')).toBe('/if/flow/default-invalidation-flow/');
    const w = new FlowWalk(c);
    w.exec = '/api/v3/flows/executor/default-invalidation-flow/?query=';
    expect((await w.next()).body).toEqual({ component: 'xak-flow-redirect', to: '/' });
    expect(await userinfoStatus(P.guide, tokens.access_token)).toBe(401);
    expect((await c.req(authorizePath())).headers.get('location')!.startsWith('/if/flow/default-authentication-flow/')).toBe(true);
  });

  it('cancel drops the plan and goes to a relative next (else to the brand\'s logout)', async () => {
    const c = new Client(P.guide.url);
    const w = new FlowWalk(c);
    await w.authorize();
    const cancel = (await w.get()).body!.flow_info.cancel_url as string;
    expect(cancel.startsWith('/flows/-/cancel/?next=%2Fapplication%2Fo%2Fauthorize%2F')).toBe(true);
    const r = await c.req(cancel);
    expect(r.headers.get('location')!.startsWith('/application/o/authorize/?')).toBe(true);
    expect((await c.req('/flows/-/cancel/?next=https://evil.example/')).headers.get('location')).toBe('/flows/-/default/invalidation/');
  });
});
