/**
 * The osTicket half of the stack, wherever an osTicket image exists (OSTICKET_IMAGE, or the one built from
 * compose/containers/osticket): osTicket + MySQL with the auth-oauth2 plugin configured in MySQL, against
 *   - the reference provider image (the stand-in for authentik .ci/setup-machine builds), and
 *   - real authentik (PostgreSQL, server + worker with the guide's blueprint) where its images are present.
 * The web installer, the plugin configuration read back from MySQL (install path = what the image holds), PHP's
 * display_errors in the running container, agent and end-user logins through authentik, and the containers
 * target's osTicket checks. Each variant skips with the exact missing image where it cannot run (our CI machines:
 * no osTicket image can be built without a registry).
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayErrorsOff } from '../../compose/containers/osticket-setup.ts';
import { startStack, type Stack } from '../../compose/containers/stack.ts';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import { createHttp, type Http } from '../../helpers/http/index.ts';
import { OAUTH2_INSTALL_PATHS, lintPluginConfig, readPluginConfig } from '../../helpers/osticket/plugin-config.ts';
import { loginThroughOsticket } from '../../helpers/osticket/web-driver.ts';
import { stackTarget } from '../../helpers/target-containers.ts';
import { leftoverContainers, mysql as mysqlImage, networkExists, osticket, realAuthentik, reference, stackEnv, type ImageChoice } from './docker-env.ts';

const variants: Array<{ name: string; authentik: ImageChoice; startMinutes: number }> = [
  { name: 'reference provider', authentik: reference, startMinutes: 5 },
  { name: 'real authentik', authentik: realAuthentik, startMinutes: 15 },
];

for (const v of variants) {
  const title = `osTicket half: ${osticket.image} + ${mysqlImage.image} + ${v.name} (${v.authentik.image})`;
  const reason = [...new Set([osticket.reason, mysqlImage.reason, v.authentik.reason].filter(Boolean))].join('; ');
  if (reason) {
    describe(title, () => {
      it.skip(`skipped: ${reason}`, () => undefined);
    });
    continue;
  }
  describe(title, () => {
    let stack: Stack;
    let http: Http;

    beforeAll(async () => {
      const env = stackEnv({ MYSQL_IMAGE: mysqlImage.image, AUTHENTIK_IMAGE: v.authentik.image });
      stack = await startStack({ env, osticket: 'required' });
      http = createHttp({ resolve: stack.resolve, timeoutMs: 20_000 });
      for (const s of [stack.client.clientSecret, stack.user.password, stack.osticket!.admin.password, stack.mysql.password, ...stack.authentik.secrets]) http.secrets.add(s);
    }, v.startMinutes * 60_000);

    afterAll(async () => {
      await http?.close();
      if (!stack) return;
      await stack.stop();
      expect(await leftoverContainers(stack.stackId)).toEqual([]);
      expect(await networkExists(stack.networkName)).toBe(false);
    }, 120_000);

    it('authentik discovery through the alias names the alias-based issuer', async () => {
      const res = await http.actor('probe').request(stack.discoveryUrl);
      expect(res.status).toBe(200);
      expect((res.json as { issuer?: string }).issuer).toBe('http://authentik:9000/application/o/osticket/');
    });

    it("PHP's display_errors is off in the running osTicket container, as its web server applies it", () => {
      const php = stack.osticket!.php;
      expect(php?.source, 'the web server answered the PHP settings probe').toBe('web server');
      expect(displayErrorsOff(php!.displayErrors), `display_errors=${JSON.stringify(php!.displayErrors)} (${php!.iniFile})`).toBe(true);
    });

    it('the plugin configuration read from MySQL is clean, with the install path of what the image holds', async () => {
      const conn = await mysql.createConnection({ host: stack.mysql.host, port: stack.mysql.port, user: stack.mysql.user, password: stack.mysql.password, database: stack.mysql.database });
      try {
        const cfg = await readPluginConfig(conn, { prefix: stack.mysql.prefix });
        expect(cfg.instances).toHaveLength(1);
        const inst = cfg.instances[0]!;
        expect(inst.settings.auth_target).toBe('all');
        expect(inst.installPath).toBe(stack.osticket!.installPath);
        expect(stack.osticket!.pluginPaths).toContain(inst.installPath);
        expect(lintPluginConfig(inst.settings, { secretSalt: stack.osticket!.secretSalt, namespace: inst.namespace })).toEqual([]);
      } finally {
        await conn.end();
      }
    });

    it('an agent gets into /scp/ through authentik', async () => {
      const r = await loginThroughOsticket(http.actor('agent', { fresh: true }), { baseUrl: stack.osticket!.url, side: 'agent', creds: stack.user, linkName: 'Authentik' });
      expect(r.kind, JSON.stringify({ kind: r.kind, ...('detail' in r ? { detail: r.detail } : {}) })).toBe('signed-in');
      expect(r.authorizeRequest).toMatchObject({ clientId: stack.client.clientId, redirectUri: stack.client.redirectUri, scope: 'email openid profile' });
    }, 60_000);

    it('an end user gets in through authentik', async () => {
      const r = await loginThroughOsticket(http.actor('user', { fresh: true }), { baseUrl: stack.osticket!.url, side: 'user', creds: stack.user, linkName: 'Authentik' });
      expect(r.kind).toBe('signed-in');
    }, 60_000);

    it("the containers target runs every osTicket check against it, and they pass", async () => {
      const target = { ...stackTarget(stack), close: undefined };
      const run = await runChecks(target, CATALOG.filter((c) => c.area === 'osticket'));
      expect(run.results.map((r) => `${r.id}: ${r.status}${r.reason ? ` (${r.reason})` : ''}${r.diagnosis ? ` ${r.diagnosis.id}` : ''}`))
        .toEqual(run.results.map((r) => `${r.id}: pass`));
    }, 180_000);

    // Last: it breaks the plugin row on purpose.
    it('a recorded install path with nothing behind it: osTicket loads no plugin, and osticket.plugin-config names the path', async () => {
      const moved = OAUTH2_INSTALL_PATHS.find((p) => !stack.osticket!.pluginPaths.includes(p)) ?? 'plugins/auth-oauth2-moved.phar';
      const conn = await mysql.createConnection({ host: stack.mysql.host, port: stack.mysql.port, user: stack.mysql.user, password: stack.mysql.password, database: stack.mysql.database });
      try {
        await conn.query(`UPDATE \`${stack.mysql.prefix}plugin\` SET install_path = ?, isphar = ? WHERE id = ?`, [moved, moved.endsWith('.phar') ? 1 : 0, stack.osticket!.pluginId]);
      } finally {
        await conn.end();
      }
      const run = await runChecks({ ...stackTarget(stack), close: undefined }, CATALOG.filter((c) => c.id === 'osticket.plugin-config' || c.id === 'osticket.sso-link-shown'));
      const byId = Object.fromEntries(run.results.map((r) => [r.id, `${r.status} ${r.diagnosis?.id ?? ''}`.trim()]));
      expect(byId).toEqual({ 'osticket.sso-link-shown': 'fail sso-link-missing', 'osticket.plugin-config': 'fail osticket-plugin-path-missing' });
      expect(run.results.find((r) => r.id === 'osticket.plugin-config')!.expected).toBe(`include/${moved} on osTicket's disk`);
    }, 120_000);
  });
}
