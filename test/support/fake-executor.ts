/**
 * A small loopback stand-in for authentik's authorize endpoint and flow executor, running a scripted authentication
 * flow, for the driver's self-tests of stages the reference provider does not model yet (authenticator validation,
 * captcha, prompt, deny, identification with the password on the same page). It keeps authentik's shape
 * (authentik.md §8, §12): authorize 302 to /if/flow/<slug>/?<params>&next=<authorize> with a session cookie; the
 * executor answers a GET with the current stage's challenge, a POST with 302 to itself when the stage passes (or the
 * stage's own answer: errors, access denied), and once every stage passed with xak-flow-redirect to `next`; the
 * authorize request of a logged-in session answers 302 to redirect_uri?code&state. A deny stage answers its GET with
 * ak-stage-access-denied (authentik/stages/deny/stage.py: stage_invalid).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startHttp, type TestServer } from '../http/servers.ts';

export interface FakeStage {
  /** The challenge a GET shows (component plus its fields). */
  challenge: Record<string, unknown>;
  /** Judges a POST: true passes the stage; an object is answered as is (HTTP 200). Default: passes. */
  post?: (body: Record<string, unknown>) => true | Record<string, unknown>;
}

export interface FakeExecutor {
  url: string;
  port: number;
  /** Every executor POST body, in order. */
  posts: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

interface FakeSession { stage: number; loggedIn: boolean; next?: string }

export const FLOW = 'custom-authentication-flow';

export async function startFakeExecutor(stages: FakeStage[]): Promise<FakeExecutor> {
  const sessions = new Map<string, FakeSession>();
  const posts: Array<Record<string, unknown>> = [];
  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const session = (req: IncomingMessage, res: ServerResponse): FakeSession => {
    const id = /authentik_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (id && sessions.has(id)) return sessions.get(id)!;
    const fresh = randomBytes(8).toString('hex');
    const s: FakeSession = { stage: 0, loggedIn: false };
    sessions.set(fresh, s);
    res.setHeader('set-cookie', `authentik_session=${fresh}; Path=/; HttpOnly`);
    return s;
  };
  const srv: TestServer = await startHttp((req, res, body) => {
    const u = new URL(req.url!, 'http://fake');
    const s = session(req, res);
    if (u.pathname === '/application/o/authorize/') {
      if (s.loggedIn) {
        res.writeHead(302, { location: `${u.searchParams.get('redirect_uri')}?code=${randomBytes(16).toString('hex')}&state=${u.searchParams.get('state') ?? ''}` });
        return res.end();
      }
      const next = `${u.pathname}${u.search}`;
      res.writeHead(302, { location: `/if/flow/${FLOW}/?${u.searchParams.toString()}&next=${encodeURIComponent(next)}` });
      return res.end();
    }
    if (u.pathname !== `/api/v3/flows/executor/${FLOW}/`) {
      res.writeHead(404);
      return res.end();
    }
    s.next ??= new URLSearchParams(u.searchParams.get('query') ?? '').get('next') ?? '/';
    const stage = stages[s.stage];
    if (req.method === 'POST') {
      const answer = JSON.parse(body || '{}') as Record<string, unknown>;
      posts.push(answer);
      const judged = stage?.post ? stage.post(answer) : true;
      if (judged !== true) return json(res, { ...stage!.challenge, ...judged });
      s.stage++;
      res.writeHead(302, { location: `${u.pathname}${u.search}` });
      return res.end();
    }
    if (!stage) {
      s.loggedIn = true;
      return json(res, { component: 'xak-flow-redirect', to: s.next });
    }
    return json(res, stage.challenge);
  });
  return { url: srv.url, port: srv.port, posts, close: () => srv.close() };
}

/** The stages of authentik's default authentication flow, headless-passable (authentik.md §8). */
export const identification: FakeStage = { challenge: { component: 'ak-stage-identification', user_fields: ['username', 'email'], password_fields: false, captcha_stage: null } };
export const passwordStage = (password: string): FakeStage => ({
  challenge: { component: 'ak-stage-password' },
  post: (b) => (b.password === password ? true : { response_errors: { password: [{ string: 'Invalid password', code: 'invalid' }] } }),
});
