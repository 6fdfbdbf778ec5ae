/**
 * Issue 11 item 8: the harness's verdict on a replayed `ak export_blueprint` is a real login over real HTTP. The
 * whole catalog runs against the reference provider serving test/fixtures/export/authentik-export.yaml (a hand-built
 * export in authentik's format: authentik/blueprints/v1/exporter.py, common.py BlueprintEntry.from_model/get_attrs)
 * for the application under test, with the test user's password from a file (an export carries none:
 * core/api/users.py UserSerializer password is write-only). osTicket's login there goes through the install's
 * custom authentication flow (identification with the password inline, MFA validation skipped for a user without
 * devices, login: stages/identification/stage.py, stages/authenticator_validate/stage.py not_configured_action) and
 * the helpdesk group binding on the application (policies/engine.py).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConsoleSummary, verdictSentence } from '../../helpers/report/index.ts';
import { harnessRun } from '../../helpers/run.ts';
import { serveReference } from '../../helpers/cli/serve-reference.ts';
import { cliInProcess } from '../support/cli-in-process.ts';

const EXPORT = new URL('../fixtures/export/authentik-export.yaml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'export-replay-'));
const passwordFile = join(dir, 'password.txt');
writeFileSync(passwordFile, 'replayed-Password-1\n', { mode: 0o600 });
const emptyFile = join(dir, 'empty.txt');
writeFileSync(emptyFile, '');

describe('the full catalog against a replayed export', () => {
  it('osticket (configured as the guide says): PASS, the login completing through the custom flow', async () => {
    const { run } = await harnessRun({ embedded: { blueprint: EXPORT, app: 'osticket', profile: '2025.12' }, user: { passwordFile } });
    const summary = formatConsoleSummary(run, { color: false });
    expect(run.verdict, summary).toBe('pass');
    expect(run.counts.fail).toBe(0);
    expect(run.results.find((r) => r.id === 'login.completes')?.status).toBe('pass');
    // the checks ran, not skipped: a PASS that checked nothing would be no verdict
    expect(run.counts.pass).toBeGreaterThan(30);
    expect(verdictSentence(run)).toMatch(/can sign in/);
  });

  it('osticket-staging (its provider sends a hashed subject): FAIL, with sub_mode as the top cause', async () => {
    const { run } = await harnessRun({ embedded: { blueprint: EXPORT, app: 'osticket-staging', profile: '2025.12' }, user: { passwordFile } });
    expect(run.verdict).toBe('fail');
    expect(run.causes[0]?.id).toBe('sub-mode-not-email');
    // the login itself works there: only what the provider sends is wrong
    expect(run.results.find((r) => r.id === 'login.completes')?.status).toBe('pass');
  });
});

describe('oidc-harness run --target embedded with an export', () => {
  it('--app osticket --password-file FILE: exit 0 and the PASS line', async () => {
    const r = await cliInProcess(['run', '--target', 'embedded', '--blueprint', EXPORT, '--app', 'osticket', '--profile', '2025.12', '--password-file', passwordFile]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^PASS/m);
    expect(r.err).toMatch(/an export replayed: application osticket, test user osticket-test, osTicket's Redirect URI https:\/\/osticket\.company\/osticket\/api\/auth\/oauth2/);
  });

  it.each([
    ['no password at all', [], /the test user osticket-test of the export .* has no password \(ak export_blueprint leaves passwords out\): give it with --password-file FILE/],
    ['a password file that does not exist', ['--password-file', join(dir, 'nope.txt')], /test user password file .*nope\.txt/],
    ['an empty password file', ['--password-file', emptyFile], /the test user password file .*empty\.txt is empty/],
    ['a user the export does not have', ['--password-file', passwordFile, '--username', 'nobody'], /--username nobody: the blueprint .* has no such user \(its users: akadmin, ak-outpost-\w+, osticket-test, jdoe\)/],
    ['a key type for a key pair the export does not have', ['--password-file', passwordFile, '--key-type', 'nokey=ec-p256'], /--key-type names the key pair "nokey", which the blueprint does not have/],
    ['a key type that does not exist', ['--password-file', passwordFile, '--key-type', 'grafana-signing=dsa'], /embedded\.keyTypes.*--key-type.*NAME=TYPE/],
    // the version decides the verdict (a 2025.x export has no grant_types, which 2026.5+ reads as none): never guessed
    ['no --profile', ['--password-file', passwordFile], /authentik-export\.yaml is an ak export_blueprint output, which does not say which authentik version wrote it: give the version it came from with --profile/],
  ])('%s: exit 2, one sentence', async (_name, extra, sentence) => {
    const r = await cliInProcess(['run', '--target', 'embedded', '--blueprint', EXPORT, '--app', 'osticket', ...extra], { CI: 'true' });
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.err).toMatch(sentence);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
  });
});

describe('oidc-harness serve-reference with an export', () => {
  it('--app --password-file --key-type: says which user, which keys are generated and of what type', async () => {
    let out = '';
    const io = { out: (t: string) => void (out += t), err: () => undefined, isTTY: false, env: { CI: 'true' } };
    const code = await serveReference(
      { port: '0', host: '127.0.0.1', blueprint: EXPORT, app: 'grafana', keyType: ['grafana-signing=ec-p256'], tlsDir: dir, user: { passwordFile } },
      io,
      async () => undefined,
    );
    expect(code).toBe(0);
    expect(out).toMatch(/user osticket-test, password from --password-file/);
    expect(out).toMatch(/does not say which authentik version wrote it: served as authentik 2026\.8 \(the default profile\); give --profile/);
    expect(out).toMatch(/key pair "grafana-signing" has no key material .* generated EC P-256 test key \(as --key-type says\)/);
    expect(out).toMatch(/key pair "authentik Self-signed Certificate" has no key material .* generated RSA-4096 test key \(as authentik makes it/);
  });

  it('without --password-file: exit 2, one sentence', async () => {
    const r = await cliInProcess(['serve-reference', '--port', '0', '--blueprint', EXPORT, '--app', 'osticket'], { CI: 'true' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^oidc-harness: the test user osticket-test of the export .* has no password/);
  });
});
