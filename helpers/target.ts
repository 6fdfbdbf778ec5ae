/**
 * Resolves what is under test (DESIGN.md "Targets") from a HarnessConfig: the embedded reference provider
 * (default), a live deployment, or the containers stack. The result is a fully resolved Target; whatever the
 * target started is stopped by `target.close()`.
 */
import { resolve as resolvePath } from 'node:path';
import {
  DEFAULT_BLUEPRINT_PATH,
  exportVersionUnknown,
  isProfile,
  loadBlueprint,
  parseKeyTypes,
  PROFILES,
  startReferenceProvider,
  type RunningReferenceProvider,
} from '../compose/embedded/index.ts';
import { HarnessInputError, readSecretFile, requireUrl, testUserPassword, validateConfig, type HarnessConfig } from './config.ts';
import { checkInputFile, readInputFile } from './paths.ts';
import type { OsticketPluginSettings, Target } from './target-types.ts';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Live runs stay well under this many requests (README "Requests per run": 36 without osTicket, 63-65 with it). */
export const LIVE_REQUEST_BUDGET = 120;

/** authentik's global endpoints under a base URL (authentik.md §1: trailing slashes are mandatory). */
export function authentikEndpoints(base: string, slug: string) {
  const b = base.replace(/\/+$/, '');
  return {
    authorize: `${b}/application/o/authorize/`,
    token: `${b}/application/o/token/`,
    userinfo: `${b}/application/o/userinfo/`,
    discovery: `${b}/application/o/${slug}/.well-known/openid-configuration`,
  };
}

/**
 * The guide's osTicket Redirect URI, as the guide's blueprint registers it with `env` (the osTicket side of the
 * embedded run): its `!Env [OSTICKET_REDIRECT_URI, …]` entry, so the provider and osTicket's side agree.
 */
export function guideRedirectUri(env: Record<string, string | undefined> = {}, guide = loadBlueprint(DEFAULT_BLUEPRINT_PATH, { env })): string {
  const first = guide.provider.redirect_uris.find((r) => r.matching_mode === 'strict');
  if (!first) throw new Error('the guide blueprint has no strict redirect URI');
  return first.url;
}

/** The first strict Redirect URI the application under test registers (an export's osTicket address). */
function registeredRedirectUri(bp: RunningReferenceProvider['blueprint']): string | undefined {
  return bp.provider.redirect_uris.find((r) => r.matching_mode === 'strict')?.url;
}

/** osTicket-side overrides from the config (used to reproduce osTicket misconfigurations). */
function osticketOverrides(cfg: HarnessConfig, base: OsticketPluginSettings): OsticketPluginSettings {
  const o = cfg.osticket ?? {};
  const out = { ...base };
  if (o.redirectUri !== undefined) out.redirectUri = o.redirectUri;
  if (o.authorizeUrl !== undefined) out.authorizeUrl = o.authorizeUrl;
  if (o.tokenUrl !== undefined) out.tokenUrl = o.tokenUrl;
  if (o.userinfoUrl !== undefined) out.userinfoUrl = o.userinfoUrl;
  if (o.scopes !== undefined) out.scopes = o.scopes;
  if (o.clientId !== undefined) out.clientId = o.clientId;
  if (o.clientSecretFile !== undefined) out.clientSecret = readSecretFile(o.clientSecretFile, "osTicket's client secret");
  else if (o.clientSecret !== undefined) out.clientSecret = o.clientSecret;
  if (o.attributes !== undefined) out.attributes = o.attributes;
  return out;
}

export interface ResolveOptions {
  /** Embedded: keep the reference provider's generated test keys here between runs (the report folder). */
  keyCacheDir?: string;
}

export async function resolveTarget(input: HarnessConfig, opts: ResolveOptions = {}): Promise<Target> {
  // The whole configuration (file, env and flags merged) is checked before anything starts (DESIGN.md).
  const cfg = validateConfig(input);
  const kind = cfg.target ?? 'embedded';
  if (kind === 'embedded') return embeddedTarget(cfg, opts);
  if (kind === 'live') return liveTarget(cfg);
  const { containersTarget } = await import('./target-containers.ts');
  return containersTarget(cfg);
}

async function embeddedTarget(cfg: HarnessConfig, opts: ResolveOptions): Promise<Target> {
  const e = cfg.embedded ?? {};
  if (e.profile !== undefined && !isProfile(e.profile)) {
    throw new HarnessInputError(`unknown authentik version profile "${e.profile}"; use one of ${PROFILES.join(', ')}`);
  }
  // Where osTicket is (osticket.redirectUri: --redirect-uri / OSTICKET_REDIRECT_URI) is registered by the provider
  // too, through the blueprint's own `!Env [OSTICKET_REDIRECT_URI, …]` as real authentik would read it.
  const redirectUri = cfg.osticket?.redirectUri;
  if (redirectUri !== undefined) requireUrl(redirectUri, 'osticket.redirectUri (--redirect-uri / OSTICKET_REDIRECT_URI)');
  const env = { ...(process.env as Record<string, string>), ...(redirectUri ? { OSTICKET_REDIRECT_URI: redirectUri } : {}) };
  // Every file is checked (and every secret read) before the provider starts: a bad path must not leave it up.
  const blueprintPath = e.blueprint === undefined ? undefined : checkInputFile(e.blueprint, 'blueprint');
  const password = testUserPassword(cfg);
  const osticketSecret = cfg.osticket?.clientSecretFile ? readSecretFile(cfg.osticket.clientSecretFile, "osTicket's client secret") : undefined;
  let provider: RunningReferenceProvider;
  try {
    provider = await startReferenceProvider({
      blueprintPath,
      ...(e.app !== undefined ? { app: e.app } : {}),
      // users of an exported install have no password: the test user's comes from the command line
      ...(password !== undefined ? { testUserPassword: password } : {}),
      // which user that is when the blueprint has several who could be (blueprints/test-user.ts)
      ...(cfg.user?.username !== undefined ? { testUsername: cfg.user.username } : {}),
      // the type of a key pair an export names without its key (--key-type NAME=TYPE; default RSA 4096)
      ...(e.keyTypes?.length ? { keySpecs: parseKeyTypes(e.keyTypes) } : {}),
      profile: e.profile && isProfile(e.profile) ? e.profile : undefined,
      clockOffsetSec: e.clockOffsetSec,
      env,
      keyCacheDir: opts.keyCacheDir,
    });
  } catch (err) {
    throw new HarnessInputError(`the embedded reference provider could not start: ${(err as Error).message}`);
  }
  try {
    // A verdict on a replayed install depends on the version it came from (export.ts exportVersionUnknown): the
    // default profile would judge a 2025.x export as a 2026.8 install and blame authentik for the difference.
    if (provider.blueprint.exported && !e.profile) {
      throw new HarnessInputError(`${exportVersionUnknown(provider.blueprint.path)}: give the version it came from with --profile (embedded.profile; one of ${PROFILES.join(', ')}); to see what a newer version changes for it, use upgrade-check --from <yours> --to <next> --blueprint ${provider.blueprint.path ?? 'FILE'}`);
    }
    // The provider listens at once and makes its keys in the background (RSA 4096: seconds); a run's first JWKS
    // or token request must not spend its timeout waiting for them.
    await provider.ready();
    return describeEmbedded(cfg, provider, env, { password, osticketSecret });
  } catch (err) {
    await provider.close(); // nothing may leave the provider up
    throw err;
  }
}

function describeEmbedded(
  cfg: HarnessConfig,
  provider: RunningReferenceProvider,
  env: Record<string, string>,
  read: { password?: string; osticketSecret?: string },
): Target {
  const bp = provider.blueprint;
  // the user blueprints/test-user.ts chose (the one --username names, or an export's one candidate); else the first
  const user = provider.testUser ?? bp.users[0];
  if (!user) throw new HarnessInputError(`the blueprint ${bp.path ?? ''} defines no user to log in with`);
  const slug = bp.application.slug;
  const ep = authentikEndpoints(provider.url, slug);
  const osticket = osticketOverrides({ ...cfg, osticket: { ...cfg.osticket, clientSecretFile: undefined, ...(read.osticketSecret ? { clientSecret: read.osticketSecret } : {}) } }, {
    // The provider already parsed the guide's blueprint when it is the one it runs: no second parse. A replayed
    // install's osTicket is at the address the install registers for it (--redirect-uri says otherwise).
    redirectUri: (bp.exported ? registeredRedirectUri(bp) : undefined) ?? guideRedirectUri(env, bp.path && resolvePath(bp.path) === DEFAULT_BLUEPRINT_PATH ? bp : undefined),
    clientId: bp.provider.client_id,
    clientSecret: bp.provider.client_secret,
    authorizeUrl: ep.authorize,
    tokenUrl: ep.token,
    userinfoUrl: ep.userinfo,
    scopes: 'email openid profile',
  });
  return {
    kind: 'embedded',
    description: `embedded reference provider (authentik ${provider.profile} profile) at ${provider.url}, blueprint ${bp.path ?? 'inline'}${bp.exported ? ` (an export replayed: application ${slug}, test user ${user.username}, osTicket's Redirect URI ${osticket.redirectUri})` : ''}`,
    authentikUrl: provider.url,
    slug,
    discoveryUrl: ep.discovery,
    osticket,
    user: {
      username: cfg.user?.username ?? user.username,
      password: read.password ?? user.password ?? '',
      email: cfg.user?.email ?? user.email,
      name: user.name,
    },
    resolve: cfg.resolve ?? {},
    requestTimeoutMs: cfg.timeouts?.requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...(cfg.maxBodyBytes !== undefined ? { maxBodyBytes: cfg.maxBodyBytes } : {}),
    ...(cfg.concurrency !== undefined ? { concurrency: cfg.concurrency } : {}),
    deadlineMs: cfg.timeouts?.runMs ?? 60_000,
    ...(cfg.requestBudget !== undefined ? { requestBudget: cfg.requestBudget } : {}),
    readOnly: false,
    profile: provider.profile,
    close: () => provider.close(),
  };
}

function liveTarget(cfg: HarnessConfig): Target {
  const base = requireUrl(cfg.authentik?.url, 'authentik.url (--authentik / AUTHENTIK_URL)').replace(/\/+$/, '');
  const slug = cfg.authentik?.slug ?? 'osticket';
  if (!/^[-a-zA-Z0-9_]+$/.test(slug)) throw new HarnessInputError(`authentik.slug "${slug}" is not an application slug`);
  const ep = authentikEndpoints(base, slug);
  const clientId = cfg.client?.id;
  if (!clientId) throw new HarnessInputError('client.id (--client-id / OIDC_CLIENT_ID) is required');
  const clientSecret = cfg.client?.secretFile ? readSecretFile(cfg.client.secretFile, 'client secret') : cfg.client?.secret;
  if (!clientSecret) throw new HarnessInputError('a client secret is required: client.secretFile (--client-secret-file) or OIDC_CLIENT_SECRET');
  const osticketUrl = cfg.osticket?.url ? requireUrl(cfg.osticket.url, 'osticket.url (--osticket)') : undefined;
  const redirectUri = cfg.osticket?.redirectUri ?? (osticketUrl ? `${osticketUrl.replace(/\/*$/, '/')}api/auth/oauth2` : undefined);
  if (!redirectUri) throw new HarnessInputError("osTicket's Redirect URI is required: osticket.redirectUri (--redirect-uri) or osticket.url (--osticket)");
  requireUrl(redirectUri, 'osticket.redirectUri (--redirect-uri)');
  const username = cfg.user?.username;
  if (!username) throw new HarnessInputError('user.username (--username / TEST_USERNAME) is required');
  const password = testUserPassword(cfg);
  if (!password) throw new HarnessInputError('the test user password is required: user.passwordFile (--password-file) or TEST_PASSWORD_FILE');
  let ca: string | undefined;
  if (cfg.caFile) {
    ca = readInputFile(cfg.caFile, 'CA file', 1024 * 1024);
    if (!ca.includes('BEGIN CERTIFICATE')) throw new HarnessInputError(`the CA file ${cfg.caFile} holds no PEM certificate`);
  }
  const osticket = osticketOverrides(cfg, {
    redirectUri,
    clientId,
    clientSecret,
    authorizeUrl: ep.authorize,
    tokenUrl: ep.token,
    userinfoUrl: ep.userinfo,
    scopes: 'email openid profile',
  });
  const db = cfg.osticket?.db;
  return {
    kind: 'live',
    description: `live authentik at ${base} (application ${slug})${osticketUrl ? `, osTicket at ${osticketUrl}` : ''}`,
    authentikUrl: base,
    slug,
    discoveryUrl: cfg.authentik?.discoveryUrl ?? ep.discovery,
    osticket,
    ...(osticketUrl
      ? {
          osticketServer: {
            baseUrl: osticketUrl.replace(/\/*$/, '/'),
            agentEmail: cfg.osticket?.agentEmail,
            ...(db
              ? {
                  db: {
                    host: db.host,
                    port: db.port ?? 3306,
                    user: db.user,
                    password: db.passwordFile ? readSecretFile(db.passwordFile, 'osTicket database password') : (db.password ?? ''),
                    database: db.database,
                    prefix: db.prefix,
                    ...(db.secretSaltFile ? { secretSalt: readSecretFile(db.secretSaltFile, "osTicket's SECRET_SALT") } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
    user: { username, password, email: cfg.user?.email },
    resolve: cfg.resolve ?? {},
    ca,
    requestTimeoutMs: cfg.timeouts?.requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...(cfg.maxBodyBytes !== undefined ? { maxBodyBytes: cfg.maxBodyBytes } : {}),
    ...(cfg.concurrency !== undefined ? { concurrency: cfg.concurrency } : {}),
    deadlineMs: cfg.timeouts?.runMs ?? 120_000,
    requestBudget: cfg.requestBudget ?? LIVE_REQUEST_BUDGET,
    readOnly: true,
  };
}
