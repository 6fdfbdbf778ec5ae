/**
 * A representative subset of the hostile corpus through the real CLI (issue 9): `diagnose` in a child process
 * against the hostile front, for the exit codes and the exact bytes of the console (no control character, no
 * secret, no stack trace). The other rows run in-process (test/hostile/server.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { hasControl } from '../../helpers/report/escape.ts';
import { runCli, STACK_LINE } from '../cli/cli-process.ts';
import { guideCredentials, writeLiveConfig } from '../cli/live-config.ts';
import { patience } from '../support/patience.ts';
import { SERVER_ROWS } from './server-cases.ts';
import { useHostileFront } from './setup.ts';

const creds = guideCredentials();
const files = writeLiveConfig(null, creds);
const hostile = useHostileFront();

const SUBSET = [
  'discovery: an HTML page',
  'discovery: headers that never come',
  'discovery: control characters in the issuer',
  'token: 500 (a server error, not a refused auth method)',
  'userinfo: control characters in sub',
  'authorize: a redirect loop (not "Regex admits near misses")',
];

describe('hostile provider through the real CLI', { timeout: patience(60_000) }, () => {
  it.each(SUBSET)('%s', async (name) => {
    const row = SERVER_ROWS.find((r) => r.name === name)!;
    const { front } = hostile;
    front.setRules(row.rules?.(front) ?? []);
    const r = await runCli([
      'diagnose',
      '--issuer', `${front.url}/application/o/${creds.slug}/.well-known/openid-configuration`,
      '--client-id', creds.clientId,
      '--client-secret-file', files.secretFile,
      '--redirect-uri', creds.redirectUri,
      '--username', creds.username,
      '--password-file', files.passwordFile,
      '--email', creds.email,
      // a short timeout only where the server stalls (as test/hostile/server.test.ts), load-scaled otherwise
      '--request-timeout', String(row.kind === 'slow' ? 3_000 : patience(1_500)),
      '--deadline', String(patience(20_000)),
    ]);
    const all = `${r.stdout}${r.stderr}`;
    expect(r.code, all.slice(-2000)).toBe(row.exit);
    expect(r.stdout).toContain(`[${row.cause}]`);
    expect(all).not.toMatch(STACK_LINE);
    for (const line of all.split('\n')) expect(hasControl(line), JSON.stringify(line.slice(0, 160))).toBe(false);
    expect(all.includes(creds.clientSecret)).toBe(false);
    expect(all.includes(creds.password)).toBe(false);
  });
});
