/**
 * Issue 8 items 4, 5 and 8: osTicket's stored Client Secret, read from MySQL (MariaDB in a real container) and
 * judged against this run's evidence, with the osTicket stand-in playing the osTicket whose database it is, at an
 * IP address under /osticket/ (test/support/osticket-embedded.ts). Skips with the reason where the image is absent.
 */
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { beginStack, type StackRun } from '../../compose/containers/lifecycle.ts';
import { startMysql } from '../../compose/containers/stack.ts';
import { createPluginTablesForTest, writePluginInstance } from '../../helpers/osticket/plugin-config.ts';
import type { OsticketServer } from '../../helpers/target-types.ts';
import { mysql as mysqlImage } from '../containers/docker-env.ts';
import { patience } from '../support/patience.ts';
import { embeddedWithOsticket, failures, statusOf, type OsticketSetup, type OsticketSetupOptions } from '../support/osticket-embedded.ts';

const SALT = 'StoredSecretSalt0123456789abcdefgh';
const OLD_SALT = 'AnEarlierSaltBeforeTheReinstall0001';
const variant = (name: string) => resolve(import.meta.dirname, '../../compose/blueprints/variants', `${name}.yaml`);

describe.skipIf(Boolean(mysqlImage.reason))(`osTicket's stored Client Secret (${mysqlImage.image}${mysqlImage.reason ? `: ${mysqlImage.reason}` : ''})`, () => {
  let stack: StackRun;
  let db: NonNullable<OsticketServer['db']>;
  let conn: mysql.Connection;
  const setups: OsticketSetup[] = [];
  beforeAll(async () => {
    stack = await beginStack({ progress: () => undefined, name: 'stored-secret' });
    const c = await startMysql(stack, mysqlImage.image, { user: 'osticket', password: 'secret-db-password', database: 'osticket', rootPassword: 'secret-root-password', prefix: 'ost_' });
    db = { host: '127.0.0.1', port: c.getMappedPort(3306), user: 'osticket', password: 'secret-db-password', database: 'osticket', prefix: 'ost_', secretSalt: SALT };
    conn = await mysql.createConnection({ ...db, connectTimeout: 10_000 });
    await createPluginTablesForTest(conn);
  }, patience(120_000));
  afterEach(async () => {
    for (const s of setups.splice(0)) await s.close();
  });
  afterAll(async () => {
    await conn?.end().catch(() => undefined);
    await stack?.stop();
  }, patience(60_000));

  /** osTicket at 127.0.0.1 under /osticket/, its database holding the instance `stored` describes. */
  async function deployment(o: OsticketSetupOptions & { harnessSalt?: string; stored?: { secret?: string; salt?: string; userinfoUrl?: string } }): Promise<OsticketSetup> {
    const s = await embeddedWithOsticket({ host: '127.0.0.1', rootPath: '/osticket/', ...o, server: { db: { ...db, secretSalt: o.harnessSalt ?? SALT } } });
    setups.push(s);
    for (const t of ['config', 'plugin_instance', 'plugin']) await conn.query(`DELETE FROM ost_${t}`);
    const t = s.target.osticket;
    await writePluginInstance(conn, {
      name: 'Authentik', label: 'Authentik', authTarget: 'all', redirectUri: s.callback, clientId: t.clientId, clientSecret: o.stored?.secret ?? t.clientSecret,
      urlAuthorize: t.authorizeUrl, urlAccessToken: t.tokenUrl, urlResourceOwnerDetails: o.stored?.userinfoUrl ?? t.userinfoUrl, scopes: 'email openid profile',
    }, { secretSalt: o.stored?.salt ?? SALT, testStackOnly: true });
    return s;
  }

  it('the guide, with the right SECRET_SALT: the stored secret is accepted and everything passes', async () => {
    const run = await (await deployment({})).run();
    expect(failures(run)).toEqual([]);
    expect(run.results.find((r) => r.id === 'osticket.plugin-config')?.actual).toMatch(/stored secret accepted \(invalid_grant with the registered redirect_uri/);
  });

  it("the guide's stray backtick in the stored Resource Details Endpoint", async () => {
    const s = await deployment({ stored: { userinfoUrl: 'placeholder' } });
    await conn.query("UPDATE ost_config SET value = CONCAT(?, '`') WHERE `key` = 'urlResourceOwnerDetails'", [s.target.osticket.userinfoUrl]);
    expect(statusOf(await s.run(), 'osticket.plugin-config')).toBe('fail endpoint-stray-character');
  });

  it('item 4: a wrong SECRET_SALT given to the harness while osTicket\'s logins pass is the harness input, named', async () => {
    const run = await (await deployment({ harnessSalt: 'NotThisOsticketsSalt000000000000000' })).run();
    expect(statusOf(run, 'osticket.agent-login')).toBe('pass');
    expect(statusOf(run, 'osticket.user-login')).toBe('pass');
    expect(failures(run).map((f) => f.split(':')[0])).toEqual(['osticket.plugin-config -> harness-secret-salt-wrong']);
    expect(run.causes.map((c) => c.id)).not.toContain('osticket-secret-undecryptable');
    expect(run.causes[0]).toMatchObject({ id: 'harness-secret-salt-wrong', side: 'harness' });
    expect(run.causes[0]!.fix).toContain('osticket.db.secretSaltFile');
    expect(run.verdict).toBe('error');
  });

  it('item 5: a secret stored under an earlier SECRET_SALT: osTicket sends client_secret=0 and every failure names it', async () => {
    const s = await deployment({ stored: { salt: OLD_SALT }, standin: () => ({ secretUndecryptable: true }) });
    const run = await s.run();
    expect(s.standin.tokenRequests.map((f) => f.client_secret)).toEqual(['0', '0']);
    for (const id of ['osticket.agent-login', 'osticket.user-login', 'osticket.plugin-config']) expect(`${id}: ${statusOf(run, id)}`).toBe(`${id}: fail osticket-secret-undecryptable`);
    expect(failures(run).every((f) => f.includes('osticket-secret-undecryptable'))).toBe(true);
    expect(run.causes[0]?.id).toBe('osticket-secret-undecryptable');
    expect(run.causes[0]!.cause).toContain('client_secret=0');
  });

  it("item 8: authentik's Redirect URI with a trailing slash is not blamed on the (right) stored secret", async () => {
    const run = await (await deployment({ cfg: { embedded: { blueprint: variant('redirect-trailing-slash') } } })).run();
    expect(statusOf(run, 'osticket.plugin-config')).toBe('fail redirect-uri-trailing-slash');
    expect(run.results.find((r) => r.id === 'osticket.plugin-config')?.actual).toContain('the stored Client Secret is accepted (probed with a registered redirect_uri)');
    expect(run.causes[0]?.id).toBe('redirect-uri-trailing-slash');
    expect(failures(run).filter((f) => !f.includes('redirect-uri-trailing-slash'))).toEqual([]);
  });

  it('item 8, the other way round: a wrong stored secret with a registered redirect_uri is the secret', async () => {
    const run = await (await deployment({ stored: { secret: 'an-old-secret-0000000000' }, standin: () => ({ clientSecret: 'an-old-secret-0000000000' }) })).run();
    for (const id of ['osticket.agent-login', 'osticket.user-login', 'osticket.plugin-config']) expect(`${id}: ${statusOf(run, id)}`).toBe(`${id}: fail client-secret-mismatch`);
    expect(run.causes[0]?.id).toBe('client-secret-mismatch');
  });
});
