/**
 * Issue 8 item 12: the README's "Requests per run" table is measured, per target, and this test keeps it true: it
 * runs each target the table names (the embedded reference provider on a current and a 2025.x profile; a live
 * target, authentik only and with an osTicket server (the stand-in), with and without osTicket's database) and
 * compares the request count of each full run with the README's number.
 */
import mysql from 'mysql2/promise';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginStack, type StackRun } from '../../compose/containers/lifecycle.ts';
import { startMysql } from '../../compose/containers/stack.ts';
import { startReferenceProvider, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
import type { HarnessConfig } from '../../helpers/config.ts';
import { createHttp } from '../../helpers/http/index.ts';
import { createPluginTablesForTest, writePluginInstance } from '../../helpers/osticket/plugin-config.ts';
import { resolveTarget } from '../../helpers/target.ts';
import type { Target } from '../../helpers/target-types.ts';
import { mysql as mysqlImage } from '../containers/docker-env.ts';
import { startOsticketStandin, type RunningStandin } from '../osticket/fixtures/osticket-standin.ts';
import { patience } from '../support/patience.ts';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

/** The number in the README's "Requests per run" table on the row whose label starts with `label`. */
function readmeCount(label: string): number {
  const table = README.slice(README.indexOf('**Requests per run**'));
  const row = table.split('\n').find((l) => l.startsWith(`| ${label}`));
  const n = row ? /\|\s*(\d+)\s*\|\s*$/.exec(row)?.[1] : undefined;
  if (!n) throw new Error(`README "Requests per run" has no row "${label}"`);
  return Number(n);
}

async function count(target: Target): Promise<RunResult> {
  try {
    return await runChecks(target, CATALOG);
  } finally {
    await target.close?.();
  }
}

describe('README "Requests per run" is what a full run makes', () => {
  it.each<[string, HarnessConfig]>([
    ['embedded, authentik 2026.2.2 and later', {}],
    ['embedded, 2025.x', { embedded: { profile: '2025.10' } }],
  ])('%s', async (label, cfg) => {
    const run = await count(await resolveTarget(cfg));
    expect(run.verdict).toBe('pass');
    expect(run.requests.count).toBe(readmeCount(label));
  });

  describe('live', () => {
    let ref: RunningReferenceProvider;
    let standin: RunningStandin;
    const serverHttp = createHttp({ timeoutMs: patience(5_000) });
    const user = { username: 'count-user', password: 'count-password-123', email: 'count-user@example.com' };
    const client = { id: 'count-client', secret: 'count-secret-0123456789abcdef' };
    let stack: StackRun | undefined;
    let db: NonNullable<NonNullable<Target['osticketServer']>['db']> | undefined;

    beforeAll(async () => {
      standin = await startOsticketStandin({ rootPath: '/osticket/' });
      ref = await startReferenceProvider({
        env: { OSTICKET_REDIRECT_URI: standin.callbackUrl, OSTICKET_CLIENT_ID: client.id, OSTICKET_CLIENT_SECRET: client.secret, OSTICKET_TEST_USERNAME: user.username, OSTICKET_TEST_EMAIL: user.email, OSTICKET_TEST_PASSWORD: user.password },
      });
      const ak = `${ref.url}/application/o/`;
      standin.configure({
        clientId: client.id, clientSecret: client.secret, urlAuthorize: `${ak}authorize/`, urlAccessToken: `${ak}token/`, urlResourceOwnerDetails: `${ak}userinfo/`,
        scopes: 'email openid profile', authTarget: 'all', agents: [user.email], serverActor: serverHttp.actor('osticket-server'),
      });
    });
    afterAll(async () => {
      await standin?.close();
      await ref?.close();
      await serverHttp.close();
      await stack?.stop();
    }, patience(60_000));

    const live = (osticket: boolean): HarnessConfig => ({
      target: 'live',
      authentik: { url: ref.url, slug: 'osticket' },
      client,
      osticket: osticket ? { url: standin.baseUrl } : { redirectUri: standin.callbackUrl },
      user,
    });

    it('live, authentik only', async () => {
      const run = await count(await resolveTarget(live(false)));
      expect(run.verdict).toBe('pass');
      expect(run.requests.count).toBe(readmeCount('live, authentik only'));
    });

    it('live with --osticket', async () => {
      const run = await count(await resolveTarget(live(true)));
      expect(run.verdict).toBe('pass');
      expect(run.results.filter((r) => r.area === 'osticket').map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'skip']);
      expect(run.requests.count).toBe(readmeCount('live with `--osticket`,'));
    });

    it.skipIf(Boolean(mysqlImage.reason))('live with --osticket and its database with SECRET_SALT', async () => {
      stack = await beginStack({ progress: () => undefined, name: 'request-counts' });
      const c = await startMysql(stack, mysqlImage.image, { user: 'osticket', password: 'count-db-password', database: 'osticket', rootPassword: 'count-root-password', prefix: 'ost_' });
      db = { host: '127.0.0.1', port: c.getMappedPort(3306), user: 'osticket', password: 'count-db-password', database: 'osticket', prefix: 'ost_', secretSalt: 'CountSalt0123456789abcdefghijklmn' };
      const conn = await mysql.createConnection({ ...db, connectTimeout: 10_000 });
      try {
        await createPluginTablesForTest(conn);
        const ak = `${ref.url}/application/o/`;
        await writePluginInstance(conn, {
          name: 'Authentik', label: 'Authentik', authTarget: 'all', redirectUri: standin.callbackUrl, clientId: client.id, clientSecret: client.secret,
          urlAuthorize: `${ak}authorize/`, urlAccessToken: `${ak}token/`, urlResourceOwnerDetails: `${ak}userinfo/`, scopes: 'email openid profile',
        }, { secretSalt: db.secretSalt!, testStackOnly: true });
      } finally {
        await conn.end();
      }
      const target = await resolveTarget(live(true));
      target.osticketServer = { ...target.osticketServer!, db };
      const run = await count(target);
      expect(run.results.find((r) => r.id === 'osticket.plugin-config')?.status).toBe('pass');
      expect(run.requests.count).toBe(readmeCount('live with `--osticket` and'));
    }, patience(120_000));
  });
});
