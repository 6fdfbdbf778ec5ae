/**
 * The REAL stack (machines with Docker and a registry, or with the images loaded): PostgreSQL 16, authentik server +
 * worker with the guide's blueprint, MySQL 8.x and osTicket with the auth-oauth2 plugin configured in MySQL. An
 * agent and an end user get into osTicket through authentik, driven by the osTicket web driver. Skips with the
 * reason where the real authentik or osTicket image is not available (our CI machines: no registry).
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../compose/containers/stack.ts';
import { createHttp, type Http } from '../../helpers/http/index.ts';
import { lintPluginConfig, readPluginConfig } from '../../helpers/osticket/plugin-config.ts';
import { loginThroughOsticket } from '../../helpers/osticket/web-driver.ts';
import { leftoverContainers, realStackReason } from './docker-env.ts';

const reason = await realStackReason();

if (reason) {
  describe('real container stack (authentik + PostgreSQL + osTicket + MySQL)', () => {
    it.skip(reason, () => undefined);
  });
} else describe('real container stack (authentik + PostgreSQL + osTicket + MySQL)', () => {
  let stack: Stack;
  let http: Http;

  beforeAll(async () => {
    stack = await startStack();
    http = createHttp({ resolve: stack.resolve, timeoutMs: 20_000 });
    for (const s of [stack.client.clientSecret, stack.user.password, stack.osticket.admin.password, stack.mysql.password, stack.authentikBootstrapToken]) http.secrets.add(s);
  }, 15 * 60_000);

  afterAll(async () => {
    await http?.close();
    if (!stack) return;
    await stack.stop();
    expect(await leftoverContainers(stack.stackId)).toEqual([]);
  }, 120_000);

  it('authentik discovery through the alias names the alias-based issuer', async () => {
    const res = await http.actor('probe').request(stack.discoveryUrl);
    expect(res.status).toBe(200);
    expect((res.json as { issuer?: string }).issuer).toBe('http://authentik:9000/application/o/osticket/');
  });

  it('the plugin configuration read from MySQL is clean', async () => {
    const conn = await mysql.createConnection({ host: stack.mysql.host, port: stack.mysql.port, user: stack.mysql.user, password: stack.mysql.password, database: stack.mysql.database });
    try {
      const cfg = await readPluginConfig(conn, { prefix: stack.mysql.prefix });
      expect(cfg.instances).toHaveLength(1);
      const inst = cfg.instances[0]!;
      expect(inst.settings.auth_target).toBe('all');
      expect(lintPluginConfig(inst.settings, { secretSalt: stack.osticket.secretSalt, namespace: inst.namespace })).toEqual([]);
    } finally {
      await conn.end();
    }
  });

  it('an agent gets into /scp/ through authentik', async () => {
    const r = await loginThroughOsticket(http.actor('agent', { fresh: true }), { baseUrl: stack.osticketUrl, side: 'agent', creds: stack.user, linkName: 'Authentik' });
    expect(r.kind, JSON.stringify({ kind: r.kind, ...('detail' in r ? { detail: r.detail } : {}) })).toBe('signed-in');
    expect(r.authorizeRequest).toMatchObject({ clientId: stack.client.clientId, redirectUri: stack.client.redirectUri, scope: 'email openid profile' });
  }, 60_000);

  it('an end user gets in through authentik', async () => {
    const r = await loginThroughOsticket(http.actor('user', { fresh: true }), { baseUrl: stack.osticketUrl, side: 'user', creds: stack.user, linkName: 'Authentik' });
    expect(r.kind).toBe('signed-in');
  }, 60_000);
});
