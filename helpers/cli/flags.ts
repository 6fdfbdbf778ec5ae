/**
 * CLI flags -> configuration keys: one table, so every flag sets exactly the key the config file and the env
 * variables set, and the merged configuration is validated by the one schema (helpers/config-schema.ts). Values
 * are passed on as typed (numbers parsed when they are numbers): the schema, not this file, refuses bad ones.
 */
import { HarnessInputError, parseResolveList, type HarnessConfig } from '../config.ts';

/** `list`: comma-separated (and repeatable); `items`: repeatable, each value whole (it may hold a comma). */
type Kind = 'text' | 'number' | 'list' | 'items';
/** commander's option name (camelCase) -> [config key path, how to read the value]. */
export const FLAG_KEYS: Readonly<Record<string, readonly [string, Kind]>> = {
  target: ['target', 'text'],
  profile: ['embedded.profile', 'text'],
  blueprint: ['embedded.blueprint', 'text'],
  app: ['embedded.app', 'text'],
  keyType: ['embedded.keyTypes', 'items'],
  authentik: ['authentik.url', 'text'],
  slug: ['authentik.slug', 'text'],
  clientId: ['client.id', 'text'],
  clientSecret: ['client.secret', 'text'],
  clientSecretFile: ['client.secretFile', 'text'],
  redirectUri: ['osticket.redirectUri', 'text'],
  osticket: ['osticket.url', 'text'],
  scopes: ['osticket.scopes', 'text'],
  username: ['user.username', 'text'],
  passwordFile: ['user.passwordFile', 'text'],
  email: ['user.email', 'text'],
  ca: ['caFile', 'text'],
  requestTimeout: ['timeouts.requestMs', 'number'],
  deadline: ['timeouts.runMs', 'number'],
  requestBudget: ['requestBudget', 'number'],
  concurrency: ['concurrency', 'number'],
  maxBodyBytes: ['maxBodyBytes', 'number'],
  acknowledge: ['acknowledge', 'list'],
};

/** "250" -> 250; anything that is not a plain number stays text, so the schema quotes it back. */
function readValue(v: string, kind: Kind): unknown {
  if (kind === 'number') return /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
  if (kind === 'list') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (kind === 'items') return [v];
  return v;
}

function setPath(cfg: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = cfg;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    node[k] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as object) } : {};
    node = node[k] as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  const prev = node[last];
  // Lists add up (config + flag), everything else is replaced by the flag.
  node[last] = Array.isArray(prev) && Array.isArray(value) ? [...new Set([...prev, ...value])] : value;
}

/** The flags given on the command line, merged over `base` (config file + env). */
export function applyFlags(base: HarnessConfig, flags: Record<string, unknown>): HarnessConfig {
  const cfg = structuredClone(base) as Record<string, unknown>;
  for (const [name, [path, kind]] of Object.entries(FLAG_KEYS)) {
    const v = flags[name];
    if (typeof v === 'string') setPath(cfg, path, readValue(v, kind));
    else if (Array.isArray(v) && (kind === 'list' || kind === 'items')) setPath(cfg, path, v.flatMap((x) => readValue(String(x), kind) as string[]));
  }
  if (Array.isArray(flags.resolve)) cfg.resolve = { ...(cfg.resolve as object), ...parseResolveList(flags.resolve as string[]) };
  return cfg as HarnessConfig;
}

/**
 * `--issuer`: either value authentik's provider page shows (authentik.md §1 layout): the "OpenID Configuration
 * Issuer" `https://authentik.company/application/o/osticket/` or the "OpenID Configuration URL"
 * `…/application/o/osticket/.well-known/openid-configuration`. Returns the base URL and the slug.
 */
export function splitIssuer(issuer: string): { url: string; slug: string } {
  let u: URL;
  try {
    u = new URL(issuer.trim());
  } catch {
    throw new HarnessInputError(`--issuer is not a URL: "${issuer}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new HarnessInputError(`--issuer must be an http(s) URL, not ${u.protocol}`);
  const m = /^(.*)\/application\/o\/([^/]+)\/?(?:\.well-known\/openid-configuration\/?)?$/.exec(u.pathname);
  if (!m) {
    throw new HarnessInputError(
      `--issuer must look like https://authentik.company/application/o/<slug>/ (the provider's "OpenID Configuration Issuer") or its "OpenID Configuration URL" ending in /.well-known/openid-configuration (got ${issuer})`,
    );
  }
  return { url: `${u.origin}${m[1]}`, slug: m[2]! };
}
