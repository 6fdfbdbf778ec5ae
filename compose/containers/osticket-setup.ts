/**
 * Configures a freshly started osTicket container the way the authentik guide says, without a person:
 *   1. unattended install through the web installer (osticket.md §8: POST /setup/install.php, s=install, no CSRF);
 *      the admin agent's email is the test user's email, so "an agent whose email is the test user's" exists
 *      (osticket.md §3: agents are matched on ost_staff.email; §11: the installed admin agent logs in that way);
 *   2. setup/ removed and include/ost-config.php made read-only (osticket.md §11 "Installing");
 *   3. SECRET_SALT read from include/ost-config.php (the key the client secret is encrypted with, §6);
 *   4. the plugin row, an enabled "OAuth2 - Other" instance and its ost_config rows written with mysql2 (§6
 *      direct-DB recipe; the instance type is not stored anywhere, §1), the secret encrypted as osTicket does;
 *   5. end-user registration mode `public` (§10.10: `disabled` hides the user SSO button);
 *   6. checks over HTTP that the SSO links render and the callback route dispatches (§8 "practical health probe").
 */
import mysql from 'mysql2/promise';
import type { StartedTestContainer } from 'testcontainers';
import type { Actor } from '../../helpers/http/index.ts';
import { writePluginInstance, type PluginInstanceInput } from '../../helpers/osticket/plugin-config.ts';

export interface OsticketInstallInput {
  /** osTicket base URL as the harness and osTicket see it, e.g. http://osticket/ (trailing slash). */
  baseUrl: string;
  db: { host: string; name: string; user: string; password: string; prefix: string };
  /** Connection from the harness to the same database (mapped port on 127.0.0.1). */
  dbFromHost: { host: string; port: number; user: string; password: string; database: string };
  admin: { username: string; password: string; email: string; firstName: string; lastName: string };
  /** The helpdesk's own system email; must differ from the admin email (installer rule, §8). */
  systemEmail: string;
  plugin: Omit<PluginInstanceInput, 'clientSecretStored'>;
}

export interface OsticketInstallResult {
  secretSalt: string;
  pluginId: number;
  instanceId: number;
  namespace: string;
  backendIds: { agent: string; user: string };
  installMs: number;
}

const WEBROOT = '/var/www/html';

async function execOk(container: StartedTestContainer, cmd: string[], what: string): Promise<string> {
  const r = await container.exec(cmd);
  if (r.exitCode !== 0) throw new Error(`osTicket container: ${what} failed (exit ${r.exitCode}): ${r.output.trim().slice(0, 300)}`);
  return r.stdout;
}

/** Reads define('SECRET_SALT', '...') from ost-config.php (the installer writes it, §8). Never printed. */
export async function readSecretSalt(container: StartedTestContainer): Promise<string> {
  const text = await execOk(container, ['cat', `${WEBROOT}/include/ost-config.php`], 'reading include/ost-config.php');
  const m = /define\(\s*['"]SECRET_SALT['"]\s*,\s*['"]([^'"]+)['"]\s*\)/.exec(text);
  if (!m || m[1] === '%CONFIG-SIRI') throw new Error('osTicket container: SECRET_SALT is not set in include/ost-config.php (install did not complete)');
  return m[1]!;
}

export async function installOsticket(container: StartedTestContainer, browser: Actor, input: OsticketInstallInput): Promise<OsticketInstallResult> {
  const began = Date.now();
  const base = new URL(input.baseUrl);
  // 1. Web installer. Fields from setup/install.php / setup/inc/class.installer.php (osticket.md §8).
  const res = await browser.request(new URL('setup/install.php', base), {
    method: 'POST',
    label: 'osTicket install',
    form: {
      s: 'install',
      name: 'oidc-harness helpdesk',
      email: input.systemEmail,
      lang_id: 'en_US',
      fname: input.admin.firstName,
      lname: input.admin.lastName,
      admin_email: input.admin.email,
      username: input.admin.username,
      passwd: input.admin.password,
      passwd2: input.admin.password,
      prefix: input.db.prefix,
      dbhost: input.db.host,
      dbname: input.db.name,
      dbuser: input.db.user,
      dbpass: input.db.password,
      timezone: 'UTC',
    },
    timeoutMs: 120_000,
  });
  // Success renders (or redirects to) the "Congratulations" page; errors re-render the form with <div id="msg_error">.
  const err = /id="msg_error"[^>]*>([\s\S]*?)<\/div>/.exec(res.text)?.[1]?.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  const fieldErrors = [...res.text.matchAll(/<font class="error">([^<]+)<\/font>/g)].map((m) => m[1]!.trim()).filter(Boolean);
  if (res.status >= 400 || err || fieldErrors.length) {
    throw new Error(`osTicket web installer refused the install (HTTP ${res.status}): ${err ?? ''} ${fieldErrors.join('; ')}`.trim());
  }
  const secretSalt = await readSecretSalt(container);

  // 2. Harden as the installer's last page asks.
  await execOk(container, ['sh', '-c', `rm -rf ${WEBROOT}/setup && chmod 0644 ${WEBROOT}/include/ost-config.php`], 'removing setup/');

  // 3-5. Plugin configuration straight into MySQL (test stack only).
  const conn = await mysql.createConnection({ ...input.dbFromHost, connectTimeout: 10_000 });
  let ids: { pluginId: number; instanceId: number; namespace: string };
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT value FROM \`${input.db.prefix}config\` WHERE namespace='core' AND \`key\`='schema_signature'`);
    if (!rows.length) throw new Error('osTicket install left no core schema_signature in ost_config');
    ids = await writePluginInstance(conn, input.plugin, { prefix: input.db.prefix, secretSalt, installPath: 'plugins/auth-oauth2.phar', testStackOnly: true });
    await conn.query(
      `INSERT INTO \`${input.db.prefix}config\` (namespace, \`key\`, \`value\`) VALUES ('core', 'client_registration', 'public')
       ON DUPLICATE KEY UPDATE \`value\` = 'public'`,
    );
  } finally {
    await conn.end().catch(() => undefined);
  }
  const id = `p${ids.pluginId}i${ids.instanceId}`;
  const result: OsticketInstallResult = { secretSalt, ...ids, backendIds: { agent: `oauth2.agent.${id}`, user: `oauth2.user.${id}` }, installMs: 0 };

  // 6. The SSO link on the agent login page, and the callback route (302 Location: / without code/state, §8).
  const login = await browser.request(new URL('scp/login.php', base), { label: 'osTicket scp/login.php (setup check)' });
  if (![200, 422].includes(login.status) || !login.text.includes(`bk=${result.backendIds.agent}`)) {
    throw new Error(`osTicket: /scp/login.php (HTTP ${login.status}) shows no "Sign in with ${input.plugin.label}" link for ${result.backendIds.agent}: the plugin instance did not load`);
  }
  const cb = await browser.request(new URL('api/auth/oauth2', base), { label: 'osTicket callback route check' });
  if (cb.status !== 302) {
    throw new Error(`osTicket: GET /api/auth/oauth2 answered ${cb.status}, expected 302 to / (404 = no URL rewriting, 400 = plugin route missing; osticket.md §4)`);
  }
  await browser.clearCookies();
  result.installMs = Date.now() - began;
  return result;
}
