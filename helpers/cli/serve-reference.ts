/**
 * `oidc-harness serve-reference`: the reference provider in the foreground until Ctrl-C, printing its base URL and
 * how to point the harness at it. It stands in for authentik where authentik cannot run; it is not authentik.
 */
import { exportVersionUnknown, isProfile, parseKeyTypes, PROFILES, startReferenceProvider, type ResolvedBlueprint } from '../../compose/embedded/index.ts';
import { HarnessInputError, requireUrl, testUserPassword, type HarnessConfig } from '../config.ts';
import { checkInputFile, ensureOutputDir } from '../paths.ts';
import type { CliIo } from './main.ts';

export interface ServeReferenceFlags {
  port: string;
  host: string;
  blueprint?: string;
  app?: string;
  /** `NAME=TYPE` for key pairs an export names without their key (crypto/keypairs.ts KEY_TYPES). */
  keyType?: string[];
  profile?: string;
  tls?: boolean;
  tlsDir: string;
  clockOffset?: string;
  redirectUri?: string;
  latency?: string;
  /** The test user (--username, --password-file and their env variables): an export's users carry no password. */
  user?: HarnessConfig['user'];
}

export async function serveReference(
  o: ServeReferenceFlags,
  io: CliIo,
  /** Resolves when the provider should stop; called only once it is up, so a failed start leaves no handler behind. */
  stop: () => Promise<unknown> = waitForSignal,
): Promise<number> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HarnessInputError(`--port must be 0-65535, not "${o.port}"`);
  if (o.profile && !isProfile(o.profile)) throw new HarnessInputError(`--profile must be one of ${PROFILES.join(', ')}`);
  const offset = o.clockOffset === undefined ? 0 : Number(o.clockOffset);
  if (!Number.isFinite(offset)) throw new HarnessInputError(`--clock-offset must be a number of seconds`);
  if (o.redirectUri !== undefined) requireUrl(o.redirectUri, '--redirect-uri');
  // The blueprint reads it as authentik does: `url: !Env [OSTICKET_REDIRECT_URI, <default>]` (compose/blueprints).
  const env = { ...(process.env as Record<string, string>), ...(o.redirectUri ? { OSTICKET_REDIRECT_URI: o.redirectUri } : {}) };
  const latencyMs = o.latency === undefined ? 0 : Number(o.latency);
  if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000) throw new HarnessInputError(`--latency must be 0-60000 milliseconds, not "${o.latency}"`);
  // Paths first: a file where a folder should be, or /proc, is one sentence before anything listens (issue 9 §1).
  const blueprintPath = o.blueprint === undefined ? undefined : checkInputFile(o.blueprint, 'blueprint');
  const tlsDir = o.tls ? ensureOutputDir(o.tlsDir, 'throwaway CA (--tls-dir)') : o.tlsDir;
  const password = testUserPassword({ user: o.user });
  let keySpecs;
  try {
    keySpecs = o.keyType?.length ? parseKeyTypes(o.keyType) : undefined;
  } catch (e) {
    throw new HarnessInputError((e as Error).message);
  }
  const t0 = performance.now();
  let provider;
  try {
    provider = await startReferenceProvider({
      env,
      port,
      host: o.host,
      blueprintPath,
      ...(o.app !== undefined ? { app: o.app } : {}),
      ...(password !== undefined ? { testUserPassword: password } : {}),
      ...(o.user?.username !== undefined ? { testUsername: o.user.username } : {}),
      ...(keySpecs ? { keySpecs } : {}),
      profile: o.profile && isProfile(o.profile) ? o.profile : undefined,
      tls: o.tls === true,
      tlsDir,
      clockOffsetSec: offset,
      latencyMs,
    });
  } catch (e) {
    throw new HarnessInputError((e as Error).message);
  }
  const listeningMs = Math.round(performance.now() - t0);
  const bp = provider.blueprint;
  if (o.redirectUri && !registers(bp, o.redirectUri)) {
    await provider.close();
    throw new HarnessInputError(`--redirect-uri has no effect: the blueprint ${bp.path ?? ''} registers ${redirectList(bp)} and does not read OSTICKET_REDIRECT_URI (use url: !Env [OSTICKET_REDIRECT_URI, <default>] as compose/blueprints/osticket.yaml does)`);
  }
  const slug = bp.application.slug;
  // Listening comes first; the keys (RSA 4096 takes seconds) are made in the background, and "ready" waits for them
  // so that no client's first JWKS or token request spends its timeout on them.
  await provider.ready();
  io.out(
    [
      `reference provider (authentik ${provider.profile} profile; a stand-in, not authentik) ready in ${Math.round(performance.now() - t0)} ms (listening after ${listeningMs} ms, then its keys)`,
      `  base URL:   ${provider.url}`,
      `  issuer:     ${provider.url}/application/o/${slug}/`,
      `  discovery:  ${provider.url}/application/o/${slug}/.well-known/openid-configuration`,
      `  blueprint:  ${bp.path ?? 'inline'} (client ${bp.provider.client_id}, user ${(provider.testUser ?? bp.users[0])?.username ?? '-'}${provider.testUser && bp.exported ? ', password from --password-file' : ''})`,
      ...(bp.applications.length > 1 ? [`  application under test: ${slug} (of ${bp.applications.length}: ${bp.applications.map((a) => a.application.slug).join(', ')})`] : []),
      ...[...bp.notes, ...provider.keys.notes, ...(bp.exported && !o.profile ? [`${exportVersionUnknown(bp.path)}: served as authentik ${provider.profile} (the default profile); give --profile with the version it came from`] : [])].map((n) => `  note:       ${n}`),
      `  redirect:   ${redirectList(bp)}`,
      ...(provider.caPath ? [`  CA:         ${provider.caPath} (trust it with --ca)`] : []),
      ...(latencyMs ? [`  latency:    every response delayed by ${latencyMs} ms`] : []),
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  await stop();
  await provider.close();
  return 0;
}

/** The provider's Redirect URIs as authentik's form lists them: "<url> (strict)". */
function redirectList(bp: ResolvedBlueprint): string {
  return bp.provider.redirect_uris.map((r) => `${r.url} (${r.matching_mode})`).join(', ') || '(none: the first authorize request registers one)';
}

/** Whether --redirect-uri reached the registration (a strict entry built from it, or a regex admitting it). */
function registers(bp: ResolvedBlueprint, uri: string): boolean {
  return bp.provider.redirect_uris.some((r) => (r.matching_mode === 'strict' ? r.url.startsWith(uri) : safeFullMatch(r.url, uri)));
}

function safeFullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
