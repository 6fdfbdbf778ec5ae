/**
 * Reads what is under test from a config file (YAML or JSON), environment variables and CLI flags, in that order
 * of increasing precedence. Secrets come from files or env, never from the command line echo, and never reach
 * output. Every problem is a HarnessInputError with one sentence an operator can act on (exit code 2).
 */
import { resolve as resolvePath, dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HarnessInputError } from './config-errors.ts';
import { readInputFile } from './paths.ts';
import { checkConfig, RESOLVE_FROM, RESOLVE_TO, type HarnessConfig } from './config-schema.ts';

export { ConfigSchema, configKeyPaths, type HarnessConfig, type TargetKind } from './config-schema.ts';

export { HarnessInputError } from './config-errors.ts';

/**
 * Validates a whole configuration (file, env and flags merged) against the one schema (helpers/config-schema.ts)
 * and returns it; a problem is a HarnessInputError naming the key path. `where` prefixes the sentence (a file name).
 */
export function validateConfig(data: unknown, where?: string): HarnessConfig {
  const r = checkConfig(data);
  if (!r.ok) throw new HarnessInputError(where ? `${where}: ${r.problem}` : r.problem);
  return r.config;
}

export function loadConfigFile(path: string): HarnessConfig {
  const text = readInputFile(path, 'config file');
  let data: unknown;
  try {
    data = parseYaml(text); // YAML is a superset of JSON: one parser serves both
  } catch (e) {
    const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new HarnessInputError(`the config file ${path} is not valid YAML/JSON${line ? ` (line ${line})` : ''}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new HarnessInputError(`the config file ${path} must contain a mapping (key: value pairs) at the top level`);
  }
  const cfg = validateConfig(data, `the config file ${path}`);
  // Paths inside the file are relative to the file.
  const base = dirname(resolvePath(path));
  const rel = (p?: string) => (p ? resolvePath(base, p) : p);
  if (cfg.client?.secretFile) cfg.client.secretFile = rel(cfg.client.secretFile);
  if (cfg.user?.passwordFile) cfg.user.passwordFile = rel(cfg.user.passwordFile);
  if (cfg.osticket?.clientSecretFile) cfg.osticket.clientSecretFile = rel(cfg.osticket.clientSecretFile);
  if (cfg.osticket?.db?.passwordFile) cfg.osticket.db.passwordFile = rel(cfg.osticket.db.passwordFile);
  if (cfg.osticket?.db?.secretSaltFile) cfg.osticket.db.secretSaltFile = rel(cfg.osticket.db.secretSaltFile);
  if (cfg.caFile) cfg.caFile = rel(cfg.caFile);
  if (cfg.embedded?.blueprint) cfg.embedded.blueprint = rel(cfg.embedded.blueprint);
  return cfg;
}

/** Validates one `host:port -> ip:port` pair of the resolution map. */
export function parseResolveEntry(from: string, to: string): [string, string] {
  if (!RESOLVE_FROM.test(from)) throw new HarnessInputError(`resolve: "${from}" must be host:port, e.g. authentik.company:443`);
  if (!RESOLVE_TO.test(to)) throw new HarnessInputError(`resolve: "${to}" must be ip:port, e.g. 127.0.0.1:9443`);
  return [from.toLowerCase(), to];
}

/** Parses `--resolve host:port=ip:port` (repeatable) and RESOLVE="a:1=b:2,c:3=d:4". */
export function parseResolveList(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new HarnessInputError(`resolve: "${item}" must be host:port=ip:port`);
    const [k, v] = parseResolveEntry(item.slice(0, eq), item.slice(eq + 1));
    out[k] = v;
  }
  return out;
}

/** Reads a secret from a file (first line, trailing newline removed). Never echoes the value. */
export function readSecretFile(path: string, what: string): string {
  const text = readInputFile(path, `${what} file`, 64 * 1024);
  const value = text.replace(/\r?\n$/, '');
  if (!value) throw new HarnessInputError(`the ${what} file ${path} is empty`);
  return value;
}

/** The test user's password: user.passwordFile (--password-file, TEST_PASSWORD_FILE) read now, else user.password. */
export function testUserPassword(cfg: HarnessConfig): string | undefined {
  return cfg.user?.passwordFile ? readSecretFile(cfg.user.passwordFile, 'test user password') : cfg.user?.password;
}

/**
 * Environment variables (README "Configuration"), merged over a config: OIDC_HARNESS_TARGET, OIDC_HARNESS_CONFIG
 * (read by the caller), AUTHENTIK_URL, AUTHENTIK_SLUG, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET / _FILE, OSTICKET_URL,
 * OSTICKET_REDIRECT_URI, OSTICKET_SCOPES, TEST_USERNAME, TEST_PASSWORD / _FILE, TEST_EMAIL, OIDC_HARNESS_RESOLVE,
 * OIDC_HARNESS_CA_FILE, OIDC_HARNESS_PROFILE, OIDC_HARNESS_BLUEPRINT.
 */
export function configFromEnv(env: NodeJS.ProcessEnv, base: HarnessConfig = {}): HarnessConfig {
  const cfg: HarnessConfig = structuredClone(base);
  const set = <T extends object>(obj: T | undefined, init: () => T): T => obj ?? init();
  // Values are taken as given; validateConfig (on the merged configuration) names the key and the variable.
  if (env.OIDC_HARNESS_TARGET) cfg.target = env.OIDC_HARNESS_TARGET as HarnessConfig['target'];
  if (env.OIDC_HARNESS_PROFILE || env.OIDC_HARNESS_BLUEPRINT) {
    cfg.embedded = set(cfg.embedded, () => ({}));
    if (env.OIDC_HARNESS_PROFILE) cfg.embedded.profile = env.OIDC_HARNESS_PROFILE as NonNullable<HarnessConfig['embedded']>['profile'];
    if (env.OIDC_HARNESS_BLUEPRINT) cfg.embedded.blueprint = resolvePath(env.OIDC_HARNESS_BLUEPRINT);
  }
  if (env.AUTHENTIK_URL || env.AUTHENTIK_SLUG) {
    cfg.authentik = set(cfg.authentik, () => ({}));
    if (env.AUTHENTIK_URL) cfg.authentik.url = env.AUTHENTIK_URL;
    if (env.AUTHENTIK_SLUG) cfg.authentik.slug = env.AUTHENTIK_SLUG;
  }
  if (env.OIDC_CLIENT_ID || env.OIDC_CLIENT_SECRET || env.OIDC_CLIENT_SECRET_FILE) {
    cfg.client = set(cfg.client, () => ({}));
    if (env.OIDC_CLIENT_ID) cfg.client.id = env.OIDC_CLIENT_ID;
    if (env.OIDC_CLIENT_SECRET) cfg.client.secret = env.OIDC_CLIENT_SECRET;
    if (env.OIDC_CLIENT_SECRET_FILE) cfg.client.secretFile = env.OIDC_CLIENT_SECRET_FILE;
  }
  if (env.OSTICKET_URL || env.OSTICKET_REDIRECT_URI || env.OSTICKET_SCOPES) {
    cfg.osticket = set(cfg.osticket, () => ({}));
    if (env.OSTICKET_URL) cfg.osticket.url = env.OSTICKET_URL;
    if (env.OSTICKET_REDIRECT_URI) cfg.osticket.redirectUri = env.OSTICKET_REDIRECT_URI;
    if (env.OSTICKET_SCOPES) cfg.osticket.scopes = env.OSTICKET_SCOPES;
  }
  if (env.TEST_USERNAME || env.TEST_PASSWORD || env.TEST_PASSWORD_FILE || env.TEST_EMAIL) {
    cfg.user = set(cfg.user, () => ({}));
    if (env.TEST_USERNAME) cfg.user.username = env.TEST_USERNAME;
    if (env.TEST_PASSWORD) cfg.user.password = env.TEST_PASSWORD;
    if (env.TEST_PASSWORD_FILE) cfg.user.passwordFile = env.TEST_PASSWORD_FILE;
    if (env.TEST_EMAIL) cfg.user.email = env.TEST_EMAIL;
  }
  if (env.OIDC_HARNESS_RESOLVE) cfg.resolve = { ...cfg.resolve, ...parseResolveList([env.OIDC_HARNESS_RESOLVE]) };
  if (env.OIDC_HARNESS_CA_FILE) cfg.caFile = env.OIDC_HARNESS_CA_FILE;
  return cfg;
}

/** Checks an absolute http(s) URL and returns it normalised to a string; `what` names the setting. */
export function requireUrl(value: string | undefined, what: string): string {
  if (!value) throw new HarnessInputError(`${what} is required`);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new HarnessInputError(`${what} is not a valid URL: "${value}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new HarnessInputError(`${what} must be an http(s) URL, not ${u.protocol}`);
  return value;
}
