/**
 * The osTicket plugin configuration in a real MySQL-compatible server (MYSQL_IMAGE; on our CI the MariaDB image
 * .ci/setup-machine builds): write an instance the way osTicket stores it (osticket.md §6), read it back with
 * mysql2, lint it, and catch each misconfiguration the lint knows.
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginStack, type StackRun } from '../../compose/containers/lifecycle.ts';
import { startMysql } from '../../compose/containers/stack.ts';
import { checkById } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import { createPluginTablesForTest, lintPluginConfig, oauth2InstallPath, readPluginConfig, writePluginInstance } from '../../helpers/osticket/plugin-config.ts';
import type { Target } from '../../helpers/target-types.ts';
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
  let dbPort = 0;
  const lines: string[] = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    run = await beginStack({ progress: (l) => lines.push(l), name: 'mysqltest' });
    const t = Date.now();
    const c = await startMysql(run, mysqlImage.image, { user: 'osticket', password: 'test-db-password', database: 'osticket', rootPassword: 'test-root-password', prefix: 'ost_' });
    timings.start = Date.now() - t;
    dbPort = c.getMappedPort(3306);
    conn = await mysql.createConnection({ host: '127.0.0.1', port: dbPort, user: 'osticket', password: 'test-db-password', database: 'osticket', connectTimeout: 10_000 });
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

  it('the install path written is the one osTicket registers for what is installed (phar first, then a folder)', () => {
    expect(oauth2InstallPath(['plugins/auth-2fa.phar', 'plugins/auth-oauth2.phar'])).toBe('plugins/auth-oauth2.phar');
    expect(oauth2InstallPath(['plugins/auth-oauth2'])).toBe('plugins/auth-oauth2');
    expect(oauth2InstallPath(['plugins/auth-oauth2', 'plugins/auth-oauth2.phar'])).toBe('plugins/auth-oauth2.phar');
    expect(oauth2InstallPath(['plugins/auth-ldap.phar'])).toBeUndefined();
  });

  it('osticket.plugin-config fails when the recorded install path is not on osTicket\'s disk, and passes when it is', async () => {
    // Only the first instance stays enabled: the one written above with plugins/auth-oauth2.phar.
    await conn.query("UPDATE ost_plugin_instance SET flags = 0 WHERE name <> 'Authentik'");
    const check = checkById('osticket.plugin-config')!;
    const db = { host: '127.0.0.1', port: dbPort, user: 'osticket', password: 'test-db-password', database: 'osticket', prefix: 'ost_' };
    const target = (pluginPaths?: string[]): Target => ({
      kind: 'live', description: 'MySQL only', authentikUrl: 'http://authentik.invalid', slug: 'osticket',
      discoveryUrl: 'http://authentik.invalid/application/o/osticket/.well-known/openid-configuration',
      osticket: { ...GOOD, clientSecret: GOOD.clientSecret, authorizeUrl: GOOD.urlAuthorize, tokenUrl: GOOD.urlAccessToken, userinfoUrl: GOOD.urlResourceOwnerDetails },
      // No SECRET_SALT: the check does not show the secret to an authentik (there is none here).
      osticketServer: { baseUrl: 'http://osticket.invalid/', db, ...(pluginPaths ? { pluginPaths } : {}) },
      user: { username: 'u', password: 'p' }, resolve: {}, requestTimeoutMs: 2_000, deadlineMs: 20_000, readOnly: true,
    });
    const result = async (paths?: string[]) => (await runChecks(target(paths), [check])).results[0]!;
    const lost = await result(['plugins/auth-oauth2']);
    expect(`${lost.status} ${lost.diagnosis?.id}`).toBe('fail osticket-plugin-path-missing');
    expect(lost.expected).toBe("include/plugins/auth-oauth2.phar on osTicket's disk");
    expect(lost.actual).toBe('not there; include/plugins holds plugins/auth-oauth2');
    expect((await result(['plugins/auth-oauth2.phar', 'plugins/auth-oauth2'])).status).toBe('pass');
    // Where the harness cannot see osTicket's files (live), the path is not judged.
    expect((await result(undefined)).status).toBe('pass');
  });

  it('refuses a table prefix that is not osTicket-shaped (no SQL pasted into identifiers)', async () => {
    await expect(readPluginConfig(conn, { prefix: 'ost`; DROP TABLE x; --_' })).rejects.toThrow(/table prefix/);
  });
});
