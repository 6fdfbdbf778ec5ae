/**
 * Starts the osTicket container and configures it the way the authentik guide says, without a person:
 *   0. which plugin files the image holds (include/plugins/*, read in the container: the install path osTicket
 *      registers for them, osticket.md §6) and PHP's display settings;
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
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import type { Actor } from '../../helpers/http/index.ts';
import { phpMessageAtStart } from '../../helpers/osticket/php-output.ts';
import { oauth2InstallPath, writePluginInstance, type PluginInstanceInput } from '../../helpers/osticket/plugin-config.ts';
import type { StackRun } from './lifecycle.ts';

export const OSTICKET_ALIAS = 'osticket';
/** 'http://osticket/': the base URL the harness and osTicket share. */
export const OSTICKET_URL = `http://${OSTICKET_ALIAS}/`;

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
  /** The install path written for the plugin (what the image holds: plugins/auth-oauth2.phar or plugins/auth-oauth2). */
  installPath: string;
  /** Every plugin install path the image holds under include/ (plugins/<name>.phar, plugins/<name> with plugin.php). */
  pluginPaths: string[];
  /** PHP's display settings as the container's `php` reports them (undefined when it has no php CLI). */
  php?: PhpDisplaySettings;
  installMs: number;
}

export interface PhpDisplaySettings {
  /** ini_get('display_errors'): '' / '0' / 'Off' when off. */
  displayErrors: string;
  /** error_reporting() */
  errorReporting: number;
  /** php_ini_loaded_file(), or false when PHP runs without a php.ini. */
  iniFile: string | false;
  /** Who answered: the web server that serves osTicket, or (when it could not be asked) the php CLI. */
  source: 'web server' | 'php CLI';
}

/** The webroot of compose/containers/osticket/Dockerfile; an OSTICKET_IMAGE must use the same layout. */
const WEBROOT = '/var/www/html';

/** Starts the osTicket image on the stack's network as `osticket:80`; any answer below 500 means Apache + PHP run. */
export async function startOsticketContainer(run: StackRun, image: string): Promise<StartedTestContainer> {
  const c = new GenericContainer(image)
    .withNetwork(run.network)
    .withNetworkAliases(OSTICKET_ALIAS)
    .withExposedPorts(80)
    // Before the install every page redirects to setup/.
    .withWaitStrategy(Wait.forHttp('/setup/install.php', 80).forStatusCodeMatching((s) => s > 0 && s < 500))
    .withStartupTimeout(120_000);
  return run.start('osticket', c, image);
}

/**
 * Plugin install paths present in the image, found the way PluginManager::allInfos scans (include/class.plugin.php
 * v1.18.1): include/plugins/* that is a .phar file or a folder with plugin.php; relative to include/.
 */
export async function readPluginPaths(container: StartedTestContainer): Promise<string[]> {
  const script = `cd ${WEBROOT}/include && for p in plugins/*; do if [ -f "$p" ] && [ "\${p%.phar}" != "$p" ]; then echo "$p"; elif [ -f "$p/plugin.php" ]; then echo "$p"; fi; done`;
  const out = await execOk(container, ['sh', '-c', script], `listing ${WEBROOT}/include/plugins`);
  return out.split('\n').map((l) => l.trim()).filter(Boolean).sort();
}

const PHP_SETTINGS_CODE = 'echo json_encode([ini_get("display_errors"), error_reporting(), php_ini_loaded_file()]);';

function parsePhpSettings(text: string, source: PhpDisplaySettings['source']): PhpDisplaySettings | undefined {
  try {
    const [displayErrors, errorReporting, iniFile] = JSON.parse(text.trim()) as [string, number, string | false];
    return { displayErrors: String(displayErrors), errorReporting: Number(errorReporting), iniFile, source };
  } catch {
    return undefined;
  }
}

/**
 * PHP's display settings as the web server that serves osTicket applies them: a one-line probe script is put in the
 * webroot, fetched once and removed (a distribution's packages may give the CLI another php.ini than Apache). When the
 * web server cannot be asked, the php CLI answers (the official php images load the same php.ini for both).
 */
export async function readPhpDisplaySettings(container: StartedTestContainer, browser?: Actor, baseUrl?: string): Promise<PhpDisplaySettings | undefined> {
  if (browser && baseUrl) {
    const name = `oidc-harness-php-${randomBytes(8).toString('hex')}.php`;
    const written = await container.exec(['sh', '-c', `printf '%s' '<?php ${PHP_SETTINGS_CODE}' > ${WEBROOT}/${name}`]).catch(() => undefined);
    if (written?.exitCode === 0) {
      try {
        const res = await browser.request(new URL(name, baseUrl), { label: 'osTicket PHP settings probe (set-up)' });
        const fromWeb = res.status === 200 ? parsePhpSettings(res.text, 'web server') : undefined;
        if (fromWeb) return fromWeb;
      } catch {
        /* fall back to the CLI */
      } finally {
        await container.exec(['rm', '-f', `${WEBROOT}/${name}`]).catch(() => undefined);
      }
    }
  }
  const r = await container.exec(['php', '-r', PHP_SETTINGS_CODE]).catch(() => undefined);
  return r && r.exitCode === 0 ? parsePhpSettings(r.stdout, 'php CLI') : undefined;
}

/** True when PHP's display_errors value means "off" (ini_get gives '' or '0' for off, 'Off'/'stderr' as written). */
export function displayErrorsOff(value: string): boolean {
  return ['', '0', 'off', 'no', 'false', 'stderr'].includes(value.trim().toLowerCase());
}

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
  // 0. What the image holds: the plugin install path to record (never assumed), PHP's display settings.
  const pluginPaths = await readPluginPaths(container);
  const installPath = oauth2InstallPath(pluginPaths);
  if (!installPath) {
    throw new Error(`osTicket container: no auth-oauth2 plugin in ${WEBROOT}/include/plugins (neither auth-oauth2.phar nor auth-oauth2/plugin.php; found: ${pluginPaths.join(', ') || 'nothing'})`);
  }
  const php = await readPhpDisplaySettings(container, browser, input.baseUrl);
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
    ids = await writePluginInstance(conn, input.plugin, { prefix: input.db.prefix, secretSalt, installPath, testStackOnly: true });
    await conn.query(
      `INSERT INTO \`${input.db.prefix}config\` (namespace, \`key\`, \`value\`) VALUES ('core', 'client_registration', 'public')
       ON DUPLICATE KEY UPDATE \`value\` = 'public'`,
    );
  } finally {
    await conn.end().catch(() => undefined);
  }
  const id = `p${ids.pluginId}i${ids.instanceId}`;
  const result: OsticketInstallResult = { secretSalt, ...ids, backendIds: { agent: `oauth2.agent.${id}`, user: `oauth2.user.${id}` }, installPath, pluginPaths, php, installMs: 0 };

  // 6. The SSO link on the agent login page, and the callback route (302 Location: / without code/state, §8).
  const login = await browser.request(new URL('scp/login.php', base), { label: 'osTicket scp/login.php (setup check)' });
  refusePhpOutput(login.text, '/scp/login.php', php);
  if (![200, 422].includes(login.status) || !login.text.includes(`bk=${result.backendIds.agent}`)) {
    throw new Error(`osTicket: /scp/login.php (HTTP ${login.status}) shows no "Sign in with ${input.plugin.label}" link for ${result.backendIds.agent}: the plugin instance did not load`);
  }
  const cb = await browser.request(new URL('api/auth/oauth2', base), { label: 'osTicket callback route check' });
  refusePhpOutput(cb.text, '/api/auth/oauth2', php);
  if (cb.status !== 302) {
    throw new Error(`osTicket: GET /api/auth/oauth2 answered ${cb.status}, expected 302 to / (404 = no URL rewriting, 400 = plugin route missing; osticket.md §4)`);
  }
  await browser.clearCookies();
  result.installMs = Date.now() - began;
  return result;
}

/** A page that starts with PHP's own messages cannot redirect (headers already sent): say so, with its first line. */
function refusePhpOutput(body: string, path: string, php: PhpDisplaySettings | undefined): void {
  const first = phpMessageAtStart(body);
  if (!first) return;
  const setting = php ? ` (the ${php.source} reports display_errors=${JSON.stringify(php.displayErrors)}, php.ini ${php.iniFile || 'none loaded'})` : '';
  throw new Error(
    `osTicket: ${path} starts with PHP output, "${first}": PHP displays its messages in this image${setting}, so osTicket's redirects cannot be sent. ` +
      "Use PHP's production php.ini (compose/containers/osticket/Dockerfile does: display_errors=Off).",
  );
}
