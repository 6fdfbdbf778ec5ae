/**
 * Writes what an operator would write to point the harness at a running provider: the client secret and the test
 * user's password in their own files (mode 0600), and a live config file (README "Configuration") naming them.
 * The values are the blueprint's documented test defaults, read with the same loader the provider uses.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBlueprint, type ResolvedBlueprint } from '../../compose/embedded/index.ts';
import type { HarnessConfig } from '../../helpers/config.ts';
import { GUIDE_BLUEPRINT } from './cli-process.ts';

export interface GuideCredentials {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  username: string;
  password: string;
  email: string;
  slug: string;
}

/** The guide blueprint's documented defaults (its !Env fallbacks), or those of `bp` when given. */
export function guideCredentials(bp: ResolvedBlueprint = loadBlueprint(GUIDE_BLUEPRINT, { env: {} })): GuideCredentials {
  const user = bp.users[0];
  const redirect = bp.provider.redirect_uris.find((r) => r.matching_mode === 'strict');
  if (!user?.password || !user.email || !redirect) throw new Error(`${bp.path ?? 'blueprint'}: no test user with password and email, or no strict redirect URI`);
  return {
    clientId: bp.provider.client_id,
    clientSecret: bp.provider.client_secret,
    redirectUri: redirect.url,
    username: user.username,
    password: user.password,
    email: user.email,
    slug: bp.application.slug,
  };
}

/** What an operator would give `diagnose` (as a config object) for the guide blueprint's provider at `url`. */
export function guideLiveConfig(url: string, c: GuideCredentials = guideCredentials()): HarnessConfig {
  return {
    target: 'live',
    authentik: { url, slug: c.slug },
    client: { id: c.clientId, secret: c.clientSecret },
    osticket: { redirectUri: c.redirectUri },
    user: { username: c.username, password: c.password, email: c.email },
  };
}

export interface LiveFiles {
  dir: string;
  secretFile: string;
  passwordFile: string;
  /** target: live config naming everything (authentik.url given) */
  configFile: string;
}

/**
 * Secret files plus a config for the provider at `baseUrl` (no trailing slash): `target: live` with the authentik
 * section, or with `baseUrl` null only the client/osTicket/user settings (for `diagnose --issuer ... --config`).
 */
export function writeLiveConfig(baseUrl: string | null, c: GuideCredentials = guideCredentials(), dir = mkdtempSync(join(tmpdir(), 'oidc-harness-live-'))): LiveFiles {
  const secretFile = join(dir, 'client-secret.txt');
  const passwordFile = join(dir, 'password.txt');
  writeFileSync(secretFile, `${c.clientSecret}\n`, { mode: 0o600 });
  writeFileSync(passwordFile, `${c.password}\n`, { mode: 0o600 });
  const configFile = join(dir, 'harness.yaml');
  writeFileSync(
    configFile,
    [
      ...(baseUrl === null ? [] : ['target: live', 'authentik:', `  url: ${baseUrl}`, `  slug: ${c.slug}`]),
      'client:',
      `  id: ${c.clientId}`,
      '  secretFile: client-secret.txt # relative to this file',
      'osticket:',
      `  redirectUri: ${c.redirectUri}`,
      'user:',
      `  username: ${c.username}`,
      '  passwordFile: password.txt',
      `  email: ${c.email}`,
      '',
    ].join('\n'),
  );
  return { dir, secretFile, passwordFile, configFile };
}
