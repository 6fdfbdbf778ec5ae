/**
 * The osTicket plugin configuration in a real MySQL-compatible server (MYSQL_IMAGE; on our CI the MariaDB image
 * .ci/setup-machine builds): write an instance the way osTicket stores it (osticket.md §6), read it back with
 * mysql2, lint it, and catch each misconfiguration the lint knows.
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginStack, type StackRun } from '../../compose/containers/lifecycle.ts';
import { startMysql } from '../../compose/containers/stack.ts';
import { createPluginTablesForTest, lintPluginConfig, readPluginConfig, writePluginInstance } from '../../helpers/osticket/plugin-config.ts';
import { decryptOsticketSecret } from '../../helpers/osticket/secret-crypto.ts';
import { leftoverContainers, mysql as mysqlImage } from './docker-env.ts';

const SALT = 'ContainerTestSalt0123456789abcdef';
const GOOD = {
  name: 'Authentik', label: 'Authentik', authTarget: 'all' as const,
  redirectUri: 'http://osticket/api/auth/oauth2', clientId: 'osticket-harness-client', clientSecret: 'a-client-secret-for-the-test',
  urlAuthorize: 'http://authentik:9000/application/o/authorize/', urlAccessToken: 'http://authentik:9000/application/o/token/',
  urlResourceOwnerDetails: 'http://authentik:9000/application/o/userinfo/', scopes: 'email openid profile',
};

if (mysqlImage.reason) {
  describe('plugin config in MySQL', () => {
    it.skip(`needs Docker and ${mysqlImage.image}: ${mysqlImage.reason}`, () => undefined);
  });
} else describe(`plugin config in MySQL (${mysqlImage.image})`, () => {
  let run: StackRun;
  let conn: mysql.Connection;
  const lines: string[] = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    run = await beginStack({ progress: (l) => lines.push(l), name: 'mysqltest' });
    const t = Date.now();
    const c = await startMysql(run, mysqlImage.image, { user: 'osticket', password: 'test-db-password', database: 'osticket', rootPassword: 'test-root-password', prefix: 'ost_' });
    timings.start = Date.now() - t;
    conn = await mysql.createConnection({ host: '127.0.0.1', port: c.getMappedPort(3306), user: 'osticket', password: 'test-db-password', database: 'osticket', connectTimeout: 10_000 });
    await createPluginTablesForTest(conn);
  }, 120_000);

  afterAll(async () => {
    await conn?.end().catch(() => undefined);
    const id = run?.id;
    const t = Date.now();
    await run?.stop();
    timings.stop = Date.now() - t;
    console.log(`[mysql-plugin-config] ${mysqlImage.image}: start ${timings.start} ms, stop ${timings.stop} ms`);
    if (id) expect(await leftoverContainers(id)).toEqual([]);
  }, 60_000);

  it('progress lines name the container and its elapsed time', () => {
    expect(lines.some((l) => /mysql: starting \(/.test(l))).toBe(true);
    expect(lines.some((l) => /\[oidc-harness stack \d+\.\ds\] mysql: ready after \d+\.\ds/.test(l))).toBe(true);
  });

  it('writes an instance as osTicket stores it and reads it back', async () => {
    const ids = await writePluginInstance(conn, GOOD, { secretSalt: SALT, testStackOnly: true });
    expect(ids.namespace).toBe(`plugin.${ids.pluginId}.instance.${ids.instanceId}`);
    // Raw rows: choice fields as JSON objects, the secret encrypted (osticket.md §6, §11).
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT `key`, `value` FROM ost_config WHERE namespace = ?', [ids.namespace]);
    const raw = Object.fromEntries(rows.map((r) => [r.key as string, r.value as string]));
    expect(raw.auth_target).toBe('{"all":"Agents and End Users"}');
    expect(raw.auth_type).toBe('{"auth":"Authentication"}');
    expect(raw.clientSecret).toMatch(/^\$2\$JDEk/);
    expect(raw.clientSecret).not.toContain(GOOD.clientSecret);

    const cfg = await readPluginConfig(conn, { prefix: 'ost_' });
    const inst = cfg.instances.find((i) => i.instanceId === ids.instanceId);
    expect(inst).toBeDefined();
    expect(inst!.pluginActive).toBe(true);
    expect(inst!.instanceEnabled).toBe(true);
    expect(inst!.installPath).toBe('plugins/auth-oauth2.phar');
    expect(inst!.backendIds.agent).toBe(`oauth2.agent.p${ids.pluginId}i${ids.instanceId}`);
    expect(inst!.settings).toMatchObject({
      auth_name: 'Authentik', auth_service: 'Authentik', auth_target: 'all', auth_type: 'auth',
      redirectUri: GOOD.redirectUri, clientId: GOOD.clientId, urlAuthorize: GOOD.urlAuthorize,
      urlAccessToken: GOOD.urlAccessToken, urlResourceOwnerDetails: GOOD.urlResourceOwnerDetails, scopes: 'email openid profile',
      attr_username: 'email', attr_email: 'email', attr_givenname: 'name', attr_surname: '',
    });
    expect(decryptOsticketSecret(inst!.settings.clientSecretStored!, SALT, inst!.namespace)).toBe(GOOD.clientSecret);
    expect(lintPluginConfig(inst!.settings, { secretSalt: SALT, namespace: inst!.namespace })).toEqual([]);
  });

  it('finds each misconfiguration in a second instance read from the database', async () => {
    const bad = await writePluginInstance(conn, {
      ...GOOD, name: 'Broken',
      urlAccessToken: 'http://authentik:9000/application/o/token/`',
      urlResourceOwnerDetails: ' http://authentik:9000/application/o/userinfo/',
      redirectUri: 'http://osticket/api/auth/oauth2/',
      scopes: 'openid,email,profile',
      clientSecret: undefined, clientSecretStored: 'typed-in-plain-text',
    }, { secretSalt: SALT, testStackOnly: true });
    const inst = (await readPluginConfig(conn)).instances.find((i) => i.instanceId === bad.instanceId)!;
    const findings = lintPluginConfig(inst.settings, { secretSalt: SALT, namespace: inst.namespace });
    const byField = Object.fromEntries(findings.map((f) => [f.field, f.diagnosis]));
    expect(byField).toEqual({
      urlAccessToken: 'endpoint-stray-character',
      urlResourceOwnerDetails: 'endpoint-stray-character',
      redirectUri: 'osticket-redirect-uri-invalid',
      scopes: 'scopes-comma-separated',
      clientSecret: 'osticket-secret-undecryptable',
    });
    expect(findings.find((f) => f.field === 'urlAccessToken')!.message).toMatch(/backtick at the end/);
  });

  it('a secret encrypted for another instance (or salt) is reported undecryptable', async () => {
    const first = (await readPluginConfig(conn)).instances[0]!;
    expect(lintPluginConfig(first.settings, { secretSalt: SALT, namespace: 'plugin.99.instance.99' }).map((f) => f.diagnosis)).toEqual(['osticket-secret-undecryptable']);
    expect(lintPluginConfig(first.settings, { secretSalt: 'another-salt', namespace: first.namespace }).map((f) => f.diagnosis)).toEqual(['osticket-secret-undecryptable']);
  });

  it('refuses a table prefix that is not osTicket-shaped (no SQL pasted into identifiers)', async () => {
    await expect(readPluginConfig(conn, { prefix: 'ost`; DROP TABLE x; --_' })).rejects.toThrow(/table prefix/);
  });
});
