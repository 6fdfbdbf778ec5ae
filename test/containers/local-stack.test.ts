/**
 * The local stack on a Docker network: MariaDB as MySQL, and the reference provider image as authentik with the
 * network alias `authentik`. The harness reaches it through the resolution map with the very same
 * http://authentik:9000 URLs osTicket would use, so the issuer is the alias-based one (authentik builds iss from
 * the Host header). Then a full login through the authentik driver and the token/userinfo calls osTicket makes.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIRECT_URI, startLocalStack, type LocalStack } from '../../compose/containers/stack.ts';
import { loginThroughAuthentik } from '../../helpers/authentik/login.ts';
import { createHttp, type Http } from '../../helpers/http/index.ts';
import { leftoverContainers, mysql as mysqlImage, networkExists, reference, stackEnv } from './docker-env.ts';

const reason = mysqlImage.reason ?? reference.reason;

if (reason) {
  describe('local container stack', () => {
    it.skip(`needs Docker, ${mysqlImage.image} and ${reference.image}: ${reason}`, () => undefined);
  });
} else describe(`local container stack (${mysqlImage.image} + ${reference.image})`, () => {
  let stack: LocalStack;
  let http: Http;
  const lines: string[] = [];
  let startMs = 0;

  beforeAll(async () => {
    const t = Date.now();
    stack = await startLocalStack({ progress: (l) => lines.push(l), env: stackEnv({ MYSQL_IMAGE: mysqlImage.image, AUTHENTIK_IMAGE: reference.image }) });
    startMs = Date.now() - t;
    http = createHttp({ resolve: stack.resolve, timeoutMs: 10_000 });
    http.secrets.add(stack.client.clientSecret, 'client secret');
    http.secrets.add(stack.user.password, 'password');
  }, 120_000);

  afterAll(async () => {
    await http?.close();
    if (!stack) return;
    const t = Date.now();
    await stack.stop();
    console.log(`[local-stack] start ${startMs} ms (${JSON.stringify(stack.timings)}), stop ${Date.now() - t} ms`);
    expect(await leftoverContainers(stack.stackId)).toEqual([]);
    expect(await networkExists(stack.networkName)).toBe(false);
  }, 60_000);

  it('maps the aliases to loopback ports', () => {
    expect(stack.authentikUrl).toBe('http://authentik:9000');
    expect(stack.resolve['authentik:9000']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(stack.mysql.host).toBe('127.0.0.1');
    expect(lines.some((l) => /authentik: ready after/.test(l))).toBe(true);
  });

  it("generates the client's id and secret the way authentik does: letters and digits, 40 and 128 characters", () => {
    expect(stack.client.clientId).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(stack.client.clientSecret).toMatch(/^[A-Za-z0-9]{128}$/);
    // Nothing in them for a client library's Basic encoding to change (RFC 6749 §2.3.1 form-encodes the rest).
    expect(new URLSearchParams({ v: stack.client.clientId + stack.client.clientSecret }).toString()).toBe(`v=${stack.client.clientId}${stack.client.clientSecret}`);
  });

  it('discovery through the alias URL names the alias-based issuer', async () => {
    const res = await http.actor('probe').request(stack.discoveryUrl, { label: 'discovery' });
    expect(res.status).toBe(200);
    const doc = res.json as Record<string, unknown>;
    expect(doc.issuer).toBe('http://authentik:9000/application/o/osticket/');
    expect(doc.authorization_endpoint).toBe(stack.endpoints.authorize);
    expect(doc.token_endpoint).toBe(stack.endpoints.token);
    expect(doc.userinfo_endpoint).toBe(stack.endpoints.userinfo);
    const health = await http.actor('probe').request('http://authentik:9000/-/health/ready/', { label: 'health' });
    expect(health.status).toBe(200);
  });

  it('an osTicket-shaped login works: authorize -> flow executor -> callback -> token (client_secret_post) -> userinfo', async () => {
    const browser = http.actor('browser', { fresh: true });
    // The authorize request exactly as auth-oauth2 builds it (osticket.md §2, §11): this parameter order, no nonce, no PKCE.
    const state = randomBytes(16).toString('hex');
    const q = new URLSearchParams([['state', state], ['scope', 'email openid profile'], ['response_type', 'code'], ['approval_prompt', 'auto'], ['redirect_uri', REDIRECT_URI], ['client_id', stack.client.clientId]]);
    const authorize = new URL(`${stack.endpoints.authorize}?${q.toString().replace(/\+/g, '%20')}`);
    const outcome = await loginThroughAuthentik(browser, authorize, { username: stack.user.username, password: stack.user.password }, { redirectUri: REDIRECT_URI });
    expect(outcome.kind).toBe('callback');
    if (outcome.kind !== 'callback') return;
    expect(`${outcome.url.origin}${outcome.url.pathname}`).toBe(REDIRECT_URI);
    expect(outcome.url.searchParams.get('state')).toBe(state);
    const code = outcome.url.searchParams.get('code');
    expect(code).toBeTruthy();

    // What osTicket's server side does next (from inside its container it uses the same alias URLs).
    const server = http.actor('osticket-server');
    const token = await server.request(stack.endpoints.token, {
      method: 'POST', label: 'token',
      form: { client_id: stack.client.clientId, client_secret: stack.client.clientSecret, redirect_uri: REDIRECT_URI, grant_type: 'authorization_code', code: code! },
    });
    expect(token.status).toBe(200);
    const access = (token.json as { access_token?: string }).access_token;
    expect(access).toBeTruthy();
    const ui = await server.request(stack.endpoints.userinfo, { headers: { authorization: `Bearer ${access}` }, label: 'userinfo' });
    expect(ui.status).toBe(200);
    const claims = ui.json as Record<string, unknown>;
    expect(claims.email).toBe(stack.user.email);
    expect(claims.sub).toBe(stack.user.email); // sub_mode user_email, as the guide sets it
  });

  it('MySQL of the same stack answers with the generated credentials', async () => {
    const conn = await mysql.createConnection({ host: stack.mysql.host, port: stack.mysql.port, user: stack.mysql.user, password: stack.mysql.password, database: stack.mysql.database, connectTimeout: 10_000 });
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT DATABASE() AS db');
      expect(rows[0]!.db).toBe('osticket');
    } finally {
      await conn.end();
    }
  });

  it('no secret reached the transcript', () => {
    const all = JSON.stringify(http.transcript);
    expect(all).not.toContain(stack.client.clientSecret);
    expect(all).not.toContain(stack.user.password);
  });
});
