/**
 * The auth-oauth2 plugin configuration as osTicket stores it in MySQL (osticket.md §6):
 *   ost_plugin           one row per installed plugin (install_path plugins/auth-oauth2[.phar], isactive)
 *   ost_plugin_instance  one row per instance (flags bit 0x1 = enabled)
 *   ost_config           one row per field, namespace `plugin.<pid>.instance.<iid>` (PluginInstance::getNamespace),
 *                        key = the field's internal name (auth-oauth2/config.php OAuth2Config::getAllOptions)
 * Choice fields (auth_target, auth_type) are JSON {"<key>":"<label>"} (ChoiceField::to_database; to_php also
 * accepts a bare key); clientSecret is Crypto::encrypt'ed with SECRET_SALT (see secret-crypto.ts).
 *
 * Reading is safe on a live osTicket (SELECT only). Writing is for test stacks only: it inserts rows directly, the
 * "direct-DB recipe" of osticket.md §6, and refuses to run without `testStackOnly: true`.
 */
import type { Connection, Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { decryptOsticketSecret, encryptOsticketSecret, looksEncrypted, pluginInstanceNamespace } from './secret-crypto.ts';

export type Queryable = Connection | Pool;

/** Internal field names of an auth-oauth2 instance (osticket.md §1). */
export const PLUGIN_FIELDS = [
  'auth_name', 'auth_target', 'auth_service', 'auth_type', 'redirectUri', 'clientId', 'clientSecret',
  'urlAuthorize', 'urlAccessToken', 'urlResourceOwnerDetails', 'scopes',
  'attr_username', 'attr_givenname', 'attr_surname', 'attr_email',
] as const;

export const AUTH_TARGET_LABELS = { none: 'None (Disabled)', agents: 'Agents Only', users: 'End Users Only', all: 'Agents and End Users' } as const;
export type AuthTarget = keyof typeof AUTH_TARGET_LABELS;

export interface PluginInstanceSettings {
  auth_name?: string;
  auth_service?: string;
  /** Choice key (`none|agents|users|all`), decoded from the stored JSON. Absent row: the field default is `none`. */
  auth_target?: string;
  /** Choice key, `auth` for SSO, `autho` for email authorization. */
  auth_type?: string;
  redirectUri?: string;
  clientId?: string;
  /** The stored (encrypted) value, never decrypted here. */
  clientSecretStored?: string;
  urlAuthorize?: string;
  urlAccessToken?: string;
  urlResourceOwnerDetails?: string;
  scopes?: string;
  attr_username?: string;
  attr_givenname?: string;
  attr_surname?: string;
  attr_email?: string;
}

export interface PluginInstanceConfig {
  pluginId: number;
  instanceId: number;
  /** ost_plugin_instance.name */
  name: string;
  /** `plugin.<pid>.instance.<iid>`: the subkey the client secret is encrypted with. */
  namespace: string;
  installPath: string;
  pluginActive: boolean;
  instanceEnabled: boolean;
  /** Backend ids as osTicket's login links carry them (ServiceRegistry::getBkId). */
  backendIds: { agent: string; user: string };
  settings: PluginInstanceSettings;
  /** Every ost_config row of the namespace, raw (clientSecret included as stored). */
  raw: Record<string, string>;
}

export interface PluginConfig {
  instances: PluginInstanceConfig[];
}

function checkPrefix(prefix: string): string {
  // The prefix is pasted into SQL identifiers: allow only what osTicket's installer allows in practice.
  if (!/^[A-Za-z0-9_]{1,32}$/.test(prefix) || !prefix.endsWith('_')) {
    throw new Error(`table prefix must be letters, digits and underscores ending in "_" (osTicket's rule), got ${JSON.stringify(prefix)}`);
  }
  return prefix;
}

/** Decodes a ChoiceField value: JSON {"key":"label"} or a bare key (ChoiceField::to_php). */
export function decodeChoice(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const keys = Object.keys(parsed);
      if (keys.length >= 1) return keys[0];
    }
    if (typeof parsed === 'string') return parsed;
  } catch {
    /* bare key */
  }
  return value;
}

/** Reads every auth-oauth2 plugin instance and its config rows. SELECT only. */
export async function readPluginConfig(conn: Queryable, opts: { prefix?: string } = {}): Promise<PluginConfig> {
  const p = checkPrefix(opts.prefix ?? 'ost_');
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT pl.id AS pluginId, pl.install_path AS installPath, pl.isactive AS isactive,
            pi.id AS instanceId, pi.name AS name, pi.flags AS flags
       FROM \`${p}plugin\` pl JOIN \`${p}plugin_instance\` pi ON pi.plugin_id = pl.id
      WHERE pl.install_path LIKE 'plugins/auth-oauth2%'
      ORDER BY pl.id, pi.id`,
  );
  const instances: PluginInstanceConfig[] = [];
  for (const row of rows) {
    const pluginId = Number(row.pluginId);
    const instanceId = Number(row.instanceId);
    const namespace = pluginInstanceNamespace(pluginId, instanceId);
    const [cfg] = await conn.query<RowDataPacket[]>(`SELECT \`key\` AS k, \`value\` AS v FROM \`${p}config\` WHERE namespace = ?`, [namespace]);
    const raw: Record<string, string> = {};
    for (const c of cfg) raw[String(c.k)] = String(c.v ?? '');
    const settings: PluginInstanceSettings = {};
    for (const key of PLUGIN_FIELDS) {
      if (!(key in raw)) continue;
      if (key === 'clientSecret') settings.clientSecretStored = raw[key];
      else if (key === 'auth_target' || key === 'auth_type') settings[key] = decodeChoice(raw[key]);
      else settings[key] = raw[key];
    }
    const id = `p${pluginId}i${instanceId}`; // PluginConfig::getId (osticket.md §4)
    instances.push({
      pluginId, instanceId, namespace,
      name: String(row.name ?? ''),
      installPath: String(row.installPath),
      pluginActive: Number(row.isactive) === 1,
      instanceEnabled: (Number(row.flags) & 1) === 1,
      backendIds: { agent: `oauth2.agent.${id}`, user: `oauth2.user.${id}` },
      settings, raw,
    });
  }
  return { instances };
}

// ------------------------------------------------------------------------------------------------ install path

/**
 * The install paths osTicket registers for auth-oauth2: the official phar, or a folder with plugin.php (a hydrated
 * checkout). PluginManager::allInfos scans include/plugins/*, and getInfoForPath stores the path relative to
 * include/ (`plugins/auth-oauth2.phar` / `plugins/auth-oauth2`); a recorded path without plugin.php behind it loads
 * nothing (getInfoForPath returns false), so the plugin never bootstraps (include/class.plugin.php v1.18.1; osticket.md §6).
 */
export const OAUTH2_INSTALL_PATHS = ['plugins/auth-oauth2.phar', 'plugins/auth-oauth2'] as const;

/** The install path to record for what is on disk (the phar when both are), or undefined when neither is. */
export function oauth2InstallPath(present: readonly string[]): string | undefined {
  return OAUTH2_INSTALL_PATHS.find((p) => present.includes(p));
}

// ------------------------------------------------------------------------------------------------ writing (tests)

export interface PluginInstanceInput {
  /** ost_plugin_instance.name and auth_name, e.g. "Authentik" */
  name: string;
  /** auth_service: the button says "Sign in with <label>" */
  label: string;
  authTarget: AuthTarget;
  redirectUri: string;
  clientId: string;
  /** Plain text: encrypted here as osTicket would. Pass `clientSecretStored` instead to store a value verbatim. */
  clientSecret?: string;
  clientSecretStored?: string;
  urlAuthorize: string;
  urlAccessToken: string;
  urlResourceOwnerDetails: string;
  scopes: string;
  /** Defaults per the authentik guide: username/email = email, given name = name, surname empty (osticket.md §10.6). */
  attributes?: { username?: string; givenname?: string; surname?: string; email?: string };
}

export interface WritePluginOptions {
  prefix?: string;
  /** include/ost-config.php SECRET_SALT of the osTicket that will read the row. */
  secretSalt: string;
  /** `plugins/auth-oauth2.phar` (official phar) or `plugins/auth-oauth2` (a folder): what is installed (oauth2InstallPath). */
  installPath?: string;
  /** Required: this writes rows directly and is meant for the harness's own test stacks only. */
  testStackOnly: true;
}

/** Inserts (or reuses) the plugin row, adds an enabled instance and writes its ost_config rows. */
export async function writePluginInstance(conn: Queryable, input: PluginInstanceInput, opts: WritePluginOptions): Promise<{ pluginId: number; instanceId: number; namespace: string }> {
  if (opts.testStackOnly !== true) throw new Error('writePluginInstance is for test stacks only (pass testStackOnly: true)');
  const p = checkPrefix(opts.prefix ?? 'ost_');
  const installPath = opts.installPath ?? 'plugins/auth-oauth2.phar';
  // osticket.md §6 step 1: the plugin row, isactive=1, installed NOT NULL; install_path is UNIQUE.
  await conn.query(
    `INSERT INTO \`${p}plugin\` (name, install_path, isphar, isactive, version, notes, installed)
     VALUES ('Oauth2 Client', ?, ?, 1, '0.6', '', NOW())
     ON DUPLICATE KEY UPDATE isactive = 1`,
    [installPath, installPath.endsWith('.phar') ? 1 : 0],
  );
  const [prow] = await conn.query<RowDataPacket[]>(`SELECT id FROM \`${p}plugin\` WHERE install_path = ?`, [installPath]);
  const pluginId = Number(prow[0]?.id);
  if (!Number.isInteger(pluginId) || pluginId <= 0) throw new Error('plugin row not found after insert');
  // Step 2: the instance, flags bit 0x1 = enabled, created NOT NULL.
  const [ins] = await conn.query<ResultSetHeader>(
    `INSERT INTO \`${p}plugin_instance\` (plugin_id, flags, name, notes, created, updated) VALUES (?, 1, ?, '', NOW(), NOW())`,
    [pluginId, input.name],
  );
  const instanceId = ins.insertId;
  const namespace = pluginInstanceNamespace(pluginId, instanceId);
  const attrs = { username: 'email', givenname: 'name', surname: '', email: 'email', ...input.attributes };
  const secretStored = input.clientSecretStored ?? (input.clientSecret !== undefined ? encryptOsticketSecret(input.clientSecret, opts.secretSalt, namespace) : undefined);
  if (secretStored === undefined) throw new Error('clientSecret or clientSecretStored is required');
  // Step 3: one ost_config row per field; choice fields as JSON objects (osticket.md §6, §11).
  const values: Record<string, string> = {
    auth_name: input.name,
    auth_target: JSON.stringify({ [input.authTarget]: AUTH_TARGET_LABELS[input.authTarget] }),
    auth_service: input.label,
    auth_type: JSON.stringify({ auth: 'Authentication' }),
    redirectUri: input.redirectUri,
    clientId: input.clientId,
    clientSecret: secretStored,
    urlAuthorize: input.urlAuthorize,
    urlAccessToken: input.urlAccessToken,
    urlResourceOwnerDetails: input.urlResourceOwnerDetails,
    scopes: input.scopes,
    attr_username: attrs.username,
    attr_givenname: attrs.givenname,
    attr_surname: attrs.surname,
    attr_email: attrs.email,
  };
  for (const [key, value] of Object.entries(values)) {
    await conn.query(
      `INSERT INTO \`${p}config\` (namespace, \`key\`, \`value\`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE \`value\` = VALUES(\`value\`)`,
      [namespace, key, value],
    );
  }
  return { pluginId, instanceId, namespace };
}

/**
 * The three tables as setup/inc/streams/core/install-mysql.sql (v1.18.1) creates them, for tests against a bare
 * MySQL/MariaDB without an osTicket install. IF NOT EXISTS: harmless on an installed osTicket.
 */
export async function createPluginTablesForTest(conn: Queryable, prefix = 'ost_'): Promise<void> {
  const p = checkPrefix(prefix);
  await conn.query(`CREATE TABLE IF NOT EXISTS \`${p}plugin\` (
    id int(11) unsigned NOT NULL AUTO_INCREMENT, name varchar(255) NOT NULL, install_path varchar(60) NOT NULL,
    isphar tinyint(1) NOT NULL DEFAULT 0, isactive tinyint(1) NOT NULL DEFAULT 0, version varchar(64),
    notes text, installed datetime NOT NULL, PRIMARY KEY (id), UNIQUE KEY install_path (install_path)
  ) DEFAULT CHARSET=utf8`);
  await conn.query(`CREATE TABLE IF NOT EXISTS \`${p}plugin_instance\` (
    id int(11) unsigned NOT NULL AUTO_INCREMENT, plugin_id int(11) unsigned NOT NULL, flags int(10) NOT NULL DEFAULT 0,
    name varchar(255) NOT NULL DEFAULT '', notes text, created datetime NOT NULL, updated datetime DEFAULT NULL,
    PRIMARY KEY (id), KEY plugin_id (plugin_id)
  ) DEFAULT CHARSET=utf8`);
  await conn.query(`CREATE TABLE IF NOT EXISTS \`${p}config\` (
    id int(11) unsigned NOT NULL AUTO_INCREMENT, namespace varchar(64) NOT NULL, \`key\` varchar(64) NOT NULL,
    \`value\` text NOT NULL, updated timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (id), UNIQUE KEY \`key\` (namespace, \`key\`)
  ) DEFAULT CHARSET=utf8`);
}

// ------------------------------------------------------------------------------------------------ lint

export type PluginLintDiagnosis =
  | 'endpoint-stray-character'
  | 'osticket-redirect-uri-invalid'
  | 'scopes-comma-separated'
  | 'osticket-secret-undecryptable';

export interface PluginLintFinding {
  /** Diagnosis id (helpers/diagnosis). */
  diagnosis: PluginLintDiagnosis;
  /** The internal field name (ost_config key). */
  field: string;
  /** Field label as osTicket's form shows it. */
  label: string;
  /** What is wrong, worded for people; never contains the secret. */
  message: string;
}

const LABELS: Record<string, string> = {
  redirectUri: 'Redirect URI', urlAuthorize: 'Authorization Endpoint', urlAccessToken: 'Token Endpoint',
  urlResourceOwnerDetails: 'Resource Details Endpoint', scopes: 'Scopes', clientSecret: 'Client Secret', clientId: 'Client Id',
};

/** Characters that never belong in a URL typed into a form: whitespace, quotes, backtick, angle brackets, controls. */
const STRAY = /[\s`'"<>\\\u0000-\u001f\u007f\u00a0\u200b-\u200d\u2028\u2029\ufeff]/u;

function describeStray(value: string): string {
  const m = STRAY.exec(value);
  if (!m) return '';
  const ch = m[0];
  const name = ch === '`' ? 'a backtick' : ch === ' ' ? 'a space' : ch === '\t' ? 'a tab' : ch === '\n' || ch === '\r' ? 'a line break'
    : ch === '"' || ch === "'" ? 'a quote' : /\s/u.test(ch) ? 'white space' : `the character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const where = m.index === 0 ? 'at the start' : m.index === value.length - 1 ? 'at the end' : `at position ${m.index + 1}`;
  return `${name} ${where}`;
}

/**
 * Lints one instance's settings (as read by readPluginConfig). `secretSalt` (include/ost-config.php SECRET_SALT)
 * and `namespace` let it try to decrypt the stored client secret as osTicket would; without the salt it can only
 * tell whether the value is in osTicket's encrypted format at all.
 */
export function lintPluginConfig(settings: PluginInstanceSettings, opts: { secretSalt?: string; namespace?: string } = {}): PluginLintFinding[] {
  const findings: PluginLintFinding[] = [];
  const add = (diagnosis: PluginLintDiagnosis, field: string, message: string) => findings.push({ diagnosis, field, label: LABELS[field] ?? field, message });

  for (const field of ['urlAuthorize', 'urlAccessToken', 'urlResourceOwnerDetails', 'redirectUri'] as const) {
    const value = settings[field];
    if (value === undefined) continue;
    const stray = describeStray(value);
    if (stray) {
      add('endpoint-stray-character', field, `${LABELS[field]} contains ${stray}; osTicket uses the value verbatim`);
      continue;
    }
    let url: URL | undefined;
    try { url = new URL(value); } catch { /* below */ }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      add('endpoint-stray-character', field, `${LABELS[field]} is not an absolute http(s) URL`);
    }
  }

  // auth-oauth2/config.php validates redirectUri with [\.*(/api/auth/oauth2)$]isu; the plugin's callback route is
  // /api/auth/oauth2 (auth.php registerEndpoint), and authentik's strict match needs exactly that string.
  const redirect = settings.redirectUri;
  if (redirect === undefined || redirect === '') {
    add('osticket-redirect-uri-invalid', 'redirectUri', 'Redirect URI is not stored: osTicket rebuilds it from the Host header of each request');
  } else {
    const path = (() => { try { return new URL(redirect.trim()); } catch { return undefined; } })();
    if (!redirect.endsWith('/api/auth/oauth2')) {
      add('osticket-redirect-uri-invalid', 'redirectUri', `Redirect URI must end exactly in /api/auth/oauth2${redirect.endsWith('/') ? ' (no trailing slash)' : ''}`);
    } else if (path && (path.search || path.hash)) {
      add('osticket-redirect-uri-invalid', 'redirectUri', 'Redirect URI must not carry a query or fragment');
    }
  }

  // auth-oauth2/config.php getScopes(): split on "," then joined with "," -> authentik splits on white space.
  const scopes = settings.scopes;
  if (scopes !== undefined && scopes.includes(',')) {
    add('scopes-comma-separated', 'scopes', `Scopes contain a comma: the plugin then sends "${scopes.split(',').map((s) => s.trim()).join(',')}", which authentik reads as one unknown scope; use "email openid profile"`);
  }

  const stored = settings.clientSecretStored;
  if (stored === undefined || stored === '') {
    add('osticket-secret-undecryptable', 'clientSecret', 'no Client Secret is stored: the token request goes out without one');
  } else if (!looksEncrypted(stored)) {
    add('osticket-secret-undecryptable', 'clientSecret', 'the stored Client Secret is not in osTicket\'s encrypted format (typed into the database as plain text?): osTicket cannot decrypt it and sends client_secret=0 (osticket.md §12)');
  } else if (opts.secretSalt !== undefined && opts.namespace !== undefined) {
    if (decryptOsticketSecret(stored, opts.secretSalt, opts.namespace) === undefined) {
      add('osticket-secret-undecryptable', 'clientSecret', `the stored Client Secret does not decrypt with this osTicket's SECRET_SALT and namespace ${opts.namespace} (salt changed, or copied from another instance): osTicket sends client_secret=0`);
    }
  }
  return findings;
}
