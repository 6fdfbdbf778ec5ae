/**
 * Live mode over HTTPS (issue 4 §2): `serve-reference --tls` with a throwaway CA, reached under the guide's host
 * name through --resolve. With --ca the run passes; without it the harness stops with one sentence that says the
 * certificate is signed by an unknown CA (exit 2), never a stack trace.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patience, runCli, serveReference, STACK_LINE, type ServedReference } from './cli-process.ts';
import { guideCredentials } from './live-config.ts';

const c = guideCredentials();
let served: ServedReference;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oidc-harness-tls-'));
  served = await serveReference(['--tls', '--tls-dir', dir]);
}, patience(30_000));
afterAll(async () => {
  await served?.stop();
});

function diagnose(extra: string[]) {
  const port = new URL(served.url).port;
  writeFileSync(join(dir, 'secret'), c.clientSecret, { mode: 0o600 });
  writeFileSync(join(dir, 'password'), c.password, { mode: 0o600 });
  return runCli([
    'diagnose',
    '--issuer', `https://authentik.company:${port}/application/o/${c.slug}/`,
    '--resolve', `authentik.company:${port}=127.0.0.1:${port}`,
    '--client-id', c.clientId, '--client-secret-file', join(dir, 'secret'),
    '--redirect-uri', c.redirectUri, '--username', c.username, '--password-file', join(dir, 'password'), '--email', c.email,
    ...extra,
  ]);
}

describe('live mode over HTTPS', () => {
  it('serve-reference --tls serves https and writes its CA', () => {
    expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(served.output().stdout).toMatch(/CA:\s+\S+\.pem/);
  });

  it('with --ca: every check runs over TLS and passes (exit 0)', async () => {
    const ca = /CA:\s+(\S+\.pem)/.exec(served.output().stdout)![1]!;
    const r = await diagnose(['--ca', ca]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS/m);
  }, patience(60_000));

  it('without --ca: exit 2 and one sentence naming the untrusted certificate', async () => {
    const r = await diagnose([]);
    expect(r.code).toBe(2);
    const all = r.stdout + r.stderr;
    expect(all).toMatch(/unknown CA|self-signed|not trusted|untrusted/i);
    expect(all).toMatch(/authentik\.company/);
    expect(all).not.toMatch(STACK_LINE);
  }, patience(60_000));
});
