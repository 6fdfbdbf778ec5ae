/**
 * The authentik-compatible reference provider (DESIGN.md "The reference provider"): oidc-provider's OIDC core behind
 * a front layer that reproduces authentik's contract (authentik.md), configured by an authentik blueprint and a
 * version profile. It stands in for authentik where authentik cannot run; it never replaces runs against it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { packagePath } from '../../helpers/package-root.ts';
import { chooseTestUser, loadBlueprint, parseBlueprint, type ResolvedBlueprint, type ResolvedUser } from './blueprints/index.ts';
import { keyCacheBuilder } from './key-cache.ts';
import { KeyRing } from './crypto/keyring.ts';
import type { KeySpec } from './crypto/keypairs.ts';
import { makeThrowawayTls } from './keys.ts';
import { refreshRotates } from './oauth2/token.ts';
import type { TokenRecord } from './oauth2/tokens.ts';
import { startOidcCore } from './oidc-core.ts';
import { DEFAULT_PROFILE, isProfile, PROFILE_FEATURES, PROFILES, type Profile } from './profiles.ts';
import type { KeyRingOptions } from './crypto/keyring.ts';
import { createCodeStore, createFrontLayer } from './server.ts';

export { DEFAULT_PROFILE, PROFILES, PROFILE_FEATURES, PROFILE_SWITCHES, profileChanges, isProfile, type Profile, type ProfileChange } from './profiles.ts';
export { buildKeyPair, describeKeySpec, KEY_TYPE_NAMES, KEY_TYPES, parseKeyTypes, type CertificateKeyPair, type KeySpec } from './crypto/keypairs.ts';
export { KeyRing, SELF_SIGNED_NAME, type KeyRingOptions } from './crypto/keyring.ts';
export * from './blueprints/index.ts';

// Located from the package folder: the same files whether the sources or the compiled dist/ run.
export const DEFAULT_BLUEPRINT_PATH = packagePath('compose', 'blueprints', 'osticket.yaml');
export const VARIANTS_DIR = packagePath('compose', 'blueprints', 'variants');

export interface ReferenceProviderOptions {
  blueprintPath?: string;
  blueprintText?: string;
  profile?: Profile;
  /** 0 = random. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  tls?: boolean | { cert: string; key: string };
  /** Where a throwaway CA is written, default reports/. */
  tlsDir?: string;
  /** Shifts iat/exp/auth_time and the Date header (the one switch real authentik does not have). */
  clockOffsetSec?: number;
  /**
   * Delay every response by this many milliseconds (serve-reference --latency): a stand-in for a slow network or
   * a loaded authentik, so a run's wall time can be compared with its critical path. Default 0.
   */
  latencyMs?: number;
  /**
   * Keep the generated test keys in this folder between starts (one file per blueprint, marked as test keys;
   * key-cache.ts). Default: new keys at every start.
   */
  keyCacheDir?: string;
  /** Key specs for key pairs the blueprint names without key material (default RSA 4096). */
  keySpecs?: Record<string, KeySpec>;
  /** Makes a key pair (a cache of test keys can be plugged in here); default crypto/keypairs.ts buildKeyPair. */
  buildKeyPair?: KeyRingOptions['build'];
  /** The application under test when the blueprint has several OAuth2 applications (serve-reference/run --app). */
  app?: string;
  /**
   * The password of the test user when the blueprint gives it none (an `ak export_blueprint` has no passwords: the
   * serializer's password field is write-only), so the test user of a replayed install can log in
   * (blueprints/test-user.ts says which user gets it).
   */
  testUserPassword?: string;
  /** The test user's username (default: the blueprint's single user who is not an administrator or service account). */
  testUsername?: string;
  /** Values for !Env (default process.env). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface RunningReferenceProvider {
  /** e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  profile: Profile;
  blueprint: ResolvedBlueprint;
  caPem?: string;
  caPath?: string;
  /** authentik's install id (a new random UUID per start); hashed_user_id subjects depend on it. */
  installId: string;
  /** The user a login is expected to use (blueprints/test-user.ts), or null when the blueprint leaves it open. */
  testUser: ResolvedUser | null;
  /** The install's key pairs (generated in the background; await `keys.get(name)`). */
  keys: KeyRing;
  /**
   * Resolves once the keys the providers sign and encrypt with exist. The provider answers before that (start-up
   * stays fast); JWKS and token requests wait for the keys, which a client with a short timeout may not.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Said once at start: the models the file has that an osTicket login never touches (accepted, not modelled), and
 * flows that bind a stage type the reference provider does not run.
 */
function reportBlueprint(bp: ResolvedBlueprint, log?: (line: string) => void): void {
  const ignored = Object.entries(bp.ignored);
  if (ignored.length) log?.(`blueprint: loaded without modelling them (an osTicket login never touches them): ${ignored.map(([m, n]) => `${m} (${n})`).join(', ')}`);
  for (const flow of bp.flows) {
    for (const b of flow.bindings) {
      if (b.stage.type === 'unsupported') log?.(`blueprint: flow ${flow.slug} binds stage "${b.stage.name}" (${b.stage.model}), which the reference provider does not run; a login that reaches it ends in ak-stage-flow-error`);
    }
  }
}

export async function startReferenceProvider(opts: ReferenceProviderOptions = {}): Promise<RunningReferenceProvider> {
  const profile = opts.profile ?? DEFAULT_PROFILE;
  if (!isProfile(profile)) throw new Error(`Unknown authentik profile "${String(profile)}"; use one of ${PROFILES.join(', ')}.`);
  const features = PROFILE_FEATURES[profile];
  const env = opts.env ?? (process.env as Record<string, string>);
  const blueprint = opts.blueprintText !== undefined
    ? parseBlueprint(opts.blueprintText, opts.blueprintPath ?? '<inline blueprint>', { env, app: opts.app })
    : loadBlueprint(opts.blueprintPath ?? DEFAULT_BLUEPRINT_PATH, { env, app: opts.app });

  reportBlueprint(blueprint, opts.log);
  const testUser = chooseTestUser(blueprint, { username: opts.testUsername, password: opts.testUserPassword });
  const source = () => {
    const name = opts.blueprintPath ?? DEFAULT_BLUEPRINT_PATH;
    return { name, text: opts.blueprintText ?? readFileSync(name, 'utf8') };
  };
  // TLS material (it writes the CA to tlsDir) before anything listens: a failure here must leave nothing running.
  let tlsMaterial: { cert: string; key: string; caPem?: string; caPath?: string } | null = null;
  if (opts.tls === true) tlsMaterial = makeThrowawayTls(opts.tlsDir ?? resolve(process.cwd(), 'reports'));
  else if (opts.tls && typeof opts.tls === 'object') tlsMaterial = opts.tls;
  // Keys are generated in the background (RSA 4096 takes seconds): the provider listens at once and the first
  // JWKS request or token waits for them.
  const build = opts.buildKeyPair ?? (opts.keyCacheDir ? keyCacheBuilder(opts.keyCacheDir, source()) : undefined);
  const keys = new KeyRing(blueprint.keypairs, { kidStyle: features.kidStyle, version: profile, specs: opts.keySpecs, build });
  for (const note of [...blueprint.notes, ...keys.notes]) opts.log?.(note);
  keys.warm([blueprint.provider.signing_key, blueprint.provider.encryption_key].filter((k): k is string => k !== null));
  const installId = randomUUID();
  const codes = createCodeStore();
  const tokens = new Map<string, TokenRecord>();
  const core = await startOidcCore({
    blueprint, log: opts.log,
    refreshTokenWanted: (code) => codes.get(code)?.scopes.includes('offline_access') ?? false,
    rotateRefreshToken: (token) => {
      const record = tokens.get(token);
      const provider = record ? blueprint.applications.find((a) => a.provider.client_id === record.clientId)?.provider : undefined;
      return record && provider ? refreshRotates(features, provider, record, Date.now()) : true;
    },
  });

  const handler = createFrontLayer({
    blueprint, profile, features, core, keys, installId, codes, tokens,
    tls: tlsMaterial !== null, clockOffsetSec: opts.clockOffsetSec ?? 0, log: opts.log,
  });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((e: Error) => {
      opts.log?.(`unhandled: ${e.message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const latencyMs = opts.latencyMs ?? 0;
  const listener = latencyMs > 0 ? (req: IncomingMessage, res: ServerResponse) => void setTimeout(handle, latencyMs, req, res) : handle;
  const server = tlsMaterial ? createHttpsServer({ cert: tlsMaterial.cert, key: tlsMaterial.key }, listener) : createHttpServer(listener);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const host = opts.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolveListen());
    });
  } catch (e) {
    await core.close();
    const err = e as NodeJS.ErrnoException;
    throw new Error(`The reference provider cannot listen on ${host}:${opts.port ?? 0}: ${err.code ?? err.message}.`);
  }
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${tlsMaterial ? 'https' : 'http'}://${hostPart}:${port}`,
    port,
    profile,
    blueprint,
    ...(tlsMaterial?.caPem ? { caPem: tlsMaterial.caPem } : {}),
    ...(tlsMaterial?.caPath ? { caPath: tlsMaterial.caPath } : {}),
    installId,
    testUser,
    keys,
    async ready() {
      const { signing_key, encryption_key } = blueprint.provider;
      await Promise.all([signing_key, encryption_key].filter((k): k is string => k !== null && keys.has(k)).map((k) => keys.get(k)));
    },
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await core.close();
    },
  };
}
