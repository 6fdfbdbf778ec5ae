/**
 * The CLI as users run it (issue 4 "CLI"): the real `bin/oidc-harness` in child processes (node + tsx loader,
 * CI=true, NO_COLOR=1), its exit codes (0 pass, 1 a check failed, 2 the harness could not run), one clear sentence
 * and no stack trace on bad input, the three reports, `serve-reference` + `diagnose` naming a fault as the top cause,
 * and (in-process, where the run's secrets can be known) that no secret reaches any output.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { RunResult } from '../../helpers/checks/types.ts';
import { main, type CliIo } from '../../helpers/cli/main.ts';
import { Secrets } from '../../helpers/http/index.ts';
import { formatConsoleSummary } from '../../helpers/report/index.ts';
import { harnessRun } from '../../helpers/run.ts';
import { loadBlueprint } from '../../compose/embedded/index.ts';
import { childEnv, GUIDE_BLUEPRINT, patience, runCli, serveReference, STACK_LINE, variantPath, type CliResult } from './cli-process.ts';
import { guideCredentials, writeLiveConfig } from './live-config.ts';

// Every spawn has its own timeout (runCli); tests get 60 s because they share two cores with the rest of `npm test`.
const scratch = mkdtempSync(join(tmpdir(), 'oidc-harness-cli-'));
const creds = guideCredentials(loadBlueprint(GUIDE_BLUEPRINT, { env: {} }));
/** A JWT whose signature is still there (redacted ones end in `.[sig redacted]`). */
const FULL_JWT = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}/;

/** A clean input error: exit 2, nothing on stdout, one sentence (plus at most commander's "--help" hint) on stderr. */
function expectCleanInputError(r: CliResult, sentence: RegExp): void {
  const all = `${r.stdout}\n${r.stderr}`;
  expect(r.code, all).toBe(2);
  expect(all).not.toMatch(STACK_LINE);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines[0], r.stderr).toMatch(sentence);
  expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/--help/);
}

/** A free loopback port that nothing listens on any more (a closed port: connection refused). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe.concurrent('help and usage', { timeout: patience(60_000) }, () => {
  it('--help exits 0 and lists the three commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['run', 'diagnose', 'serve-reference']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it.each([
    ['run', ['--target', '--config', '--report', '--only', '--json', '--profile', '--blueprint']],
    ['diagnose', ['--issuer', '--authentik', '--client-id', '--client-secret-file', '--redirect-uri', '--username', '--password-file', '--osticket', '--ca', '--json']],
    ['serve-reference', ['--port', '--blueprint', '--profile', '--tls']],
  ])('%s --help exits 0 and names its options', async (cmd, options) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: oidc-harness ${cmd}`, 'm'));
    for (const o of options) expect(r.stdout, o).toContain(o);
  });

  it('no arguments: exit 2 with the usage', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(`${r.stdout}${r.stderr}`).toMatch(/Usage: oidc-harness/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK_LINE);
  });
});

describe.concurrent('bad input: exit 2, one clear sentence on stderr, no stack trace', { timeout: patience(60_000) }, () => {
  const badYaml = join(scratch, 'bad.yaml');
  writeFileSync(badYaml, 'target: embedded\nuser: [unclosed\n');
  const unknownKey = join(scratch, 'unknown-key.yaml');
  writeFileSync(unknownKey, 'target: embedded\ncolour: red\n');
  const unknownTag = join(scratch, 'unknown-tag.yaml');
  writeFileSync(unknownTag, readFileSync(GUIDE_BLUEPRINT, 'utf8').replace('!Find [authentik_crypto', '!Lookup [authentik_crypto'));

  it.each<[string, string[], RegExp]>([
    ['an unknown option', ['run', '--bogus'], /unknown option '--bogus'/],
    ['run --target nope', ['run', '--target', 'nope'], /'nope' is invalid.*embedded, containers, live/],
    ['run --config /nonexistent.yaml', ['run', '--config', '/nonexistent.yaml'], /cannot read the config file \/nonexistent\.yaml/],
    ['a config file with invalid YAML', ['run', '--config', badYaml], /is not valid YAML/],
    ['a config file with an unknown key', ['run', '--config', unknownKey], /unknown setting "colour"/],
    ['diagnose without its settings', ['diagnose'], /is required/],
    ['--only nosucharea', ['run', '--only', 'nosucharea'], /unknown area "nosucharea"/],
    ['serve-reference --port 99999', ['serve-reference', '--port', '99999'], /--port must be 0-65535/],
    ['a blueprint with an unknown YAML tag', ['run', '--blueprint', unknownTag], /unsupported tag !Lookup at line \d+/],
    // Input validation rejects it before any request: no traffic outside loopback (a .invalid name never resolves
    // anyway, but the harness must not even try).
    ['diagnose --issuer that is not an issuer URL', ['diagnose', '--issuer', 'https://example.invalid/not-an-issuer'], /--issuer must look like .*\/application\/o\/<slug>\//],
  ])('%s', async (_name, args, sentence) => {
    expectCleanInputError(await runCli(args), sentence);
  });

  it('serve-reference on a port already in use', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const r = await runCli(['serve-reference', '--port', String((busy.address() as { port: number }).port)]);
      expectCleanInputError(r, /cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });

  it.each([
    ['127.0.0.1:1 (a port fetch refuses)', async () => 1],
    ['a closed loopback port (connection refused)', closedPort],
  ])('a live target on %s: exit 2, "cannot be reached"', async (_name, port) => {
    const files = writeLiveConfig(`http://127.0.0.1:${await port()}`);
    const r = await runCli(['run', '--config', files.configFile]);
    const all = `${r.stdout}\n${r.stderr}`;
    expect(r.code, all).toBe(2);
    expect(all).not.toMatch(STACK_LINE);
    expect(r.stdout).toMatch(/COULD NOT RUN\s+The harness could not run: authentik cannot be reached/);
    expect(r.stdout).toMatch(/refused/);
  });
});

describe.concurrent('run on the embedded target', { timeout: patience(60_000) }, () => {
  it('exits 0, prints the verdict and writes results.json, junit.xml and report.html', async () => {
    const dir = join(scratch, 'run-guide');
    const r = await runCli(['run', '--report', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS\s+\d+ of \d+ checks passed/m);
    for (const f of ['results.json', 'junit.xml', 'report.html']) expect(existsSync(join(dir, f)), f).toBe(true);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResult;
    expect(results.verdict).toBe('pass');
    expect(results.counts.fail).toBe(0);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/^<\?xml[\s\S]*<testsuites/);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/<html[\s\S]*<\/html>\s*$/);
    // What a subprocess can check without knowing the run's codes and tokens: the static secrets and any JWT.
    const outputs = [r.stdout, r.stderr, ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))];
    for (const text of outputs) {
      expect(text.includes(creds.clientSecret), 'client secret in an output').toBe(false);
      expect(text.includes(creds.password), 'password in an output').toBe(false);
      expect(text).not.toMatch(FULL_JWT);
    }
  });

  it('--json prints valid JSON whose verdict is pass', async () => {
    const r = await runCli(['run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as RunResult;
    expect(run.verdict).toBe('pass');
    expect(run.results.length).toBeGreaterThan(30);
  });

  it('--blueprint no-signing-key.yaml exits 1 and names the no-signing-key cause', async () => {
    const r = await runCli(['run', '--blueprint', variantPath('no-signing-key')]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAIL\b.*No Signing Key selected/m);
    expect(r.stdout).toContain('[no-signing-key]');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK_LINE);
  });

  it('a config whose test-user password is wrong exits 2 (a harness input error, said as such)', async () => {
    const pw = join(scratch, 'wrong-password.txt');
    writeFileSync(pw, `${randomToken()}\n`, { mode: 0o600 });
    const cfg = join(scratch, 'wrong-password.yaml');
    writeFileSync(cfg, `user:\n  passwordFile: ${pw}\n`);
    const r = await runCli(['run', '--config', cfg]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/COULD NOT RUN\s+The harness could not run: The password given to the harness for the test user is wrong/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK_LINE);
  });
});

describe.concurrent('serve-reference + diagnose: the fault is the top cause', { timeout: patience(60_000) }, () => {
  // Secrets in files (mode 0600), as an operator would pass them; everything else as flags, no config file.
  const files = writeLiveConfig(null, creds);
  const diagnose = (issuer: string) =>
    runCli([
      'diagnose',
      '--issuer', issuer,
      '--client-id', creds.clientId,
      '--client-secret-file', files.secretFile,
      '--redirect-uri', creds.redirectUri,
      '--username', creds.username,
      '--password-file', files.passwordFile,
      '--json',
    ]);

  it.each<[string, string | null, string | null]>([
    ['the guide blueprint', null, null],
    ['sub-mode-hashed', 'sub-mode-hashed', 'sub-mode-not-email'],
    ['no-signing-key', 'no-signing-key', 'no-signing-key'],
    ['redirect-trailing-slash', 'redirect-trailing-slash', 'redirect-uri-trailing-slash'],
    ['no-email-mapping', 'no-email-mapping', 'scope-mapping-email-missing'],
    ['policy-denies-user', 'policy-denies-user', 'policy-denies-user'],
  ])('%s', async (_name, variant, cause) => {
    const server = await serveReference(variant ? ['--blueprint', variantPath(variant)] : []);
    try {
      expect(server.output().stdout).toMatch(/a stand-in, not authentik/);
      expect(server.issuer).toBe(`${server.url}/application/o/${creds.slug}/`);
      const r = await diagnose(server.issuer);
      expect(r.stderr).not.toMatch(STACK_LINE);
      const run = JSON.parse(r.stdout) as RunResult;
      expect(run.target.kind).toBe('live');
      if (cause === null) {
        expect(r.code, run.causes.map((c) => c.id).join(', ')).toBe(0);
        expect(run.verdict).toBe('pass');
      } else {
        expect(r.code, run.causes.map((c) => c.id).join(', ')).toBe(1);
        expect(run.causes[0]?.id).toBe(cause);
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Secrets: in-process, so every value the run registered (client secret, password, codes, tokens, signatures,
// cookie values, CSRF tokens...) is known, both from `secretValues()` and from a spy on Secrets.prototype.add that
// also sees the values of the runs `main()` makes. Every output is grepped for every one of them.

function randomToken(): string {
  return `pw-${crypto.randomUUID()}`;
}

function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false, env: childEnv() }, out: () => out, err: () => err };
}

function filesIn(dir: string): Array<[string, string]> {
  return readdirSync(dir).map((f) => [join(dir, f), readFileSync(join(dir, f), 'utf8')]);
}

/** Never prints a secret: a leak is named by output, label and length. */
function leaks(outputs: Array<[string, string]>, secrets: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of outputs) {
    for (const [value, label] of secrets) if (text.includes(value)) found.push(`${where}: a ${label} (${value.length} chars)`);
    const jwt = FULL_JWT.exec(text);
    if (jwt) found.push(`${where}: a JWT with its signature at offset ${jwt.index}`);
  }
  return found;
}

describe('no secret reaches any output (console, JSON, results.json, junit.xml, report.html)', { timeout: patience(60_000) }, () => {
  const spy = vi.spyOn(Secrets.prototype, 'add');
  afterAll(() => spy.mockRestore());

  const ALL_KINDS = ['client_secret', 'password', 'code', 'access_token', 'jwt-signature', 'cookie'];
  it.each<[string, Parameters<typeof harnessRun>[0], string[], string, string[]]>([
    ['the guide run', {}, [], 'pass', ALL_KINDS],
    [
      'a faulty run (no signing key: HS256 keyed with the client secret)',
      { embedded: { blueprint: variantPath('no-signing-key') } },
      ['--blueprint', variantPath('no-signing-key')],
      'fail',
      ALL_KINDS,
    ],
    // The token exchange is refused, so no access token (and no JWT) exists in this run.
    ['a faulty run (osTicket holds another client secret)', { osticket: { clientSecret: `wrong-${randomToken()}` } }, [], 'fail', ['client_secret', 'password', 'code', 'cookie']],
  ])('%s', async (_name, cfg, cliArgs, verdict, kinds) => {
    spy.mockClear();
    const dirA = mkdtempSync(join(scratch, 'secrets-a-'));
    const dirB = mkdtempSync(join(scratch, 'secrets-b-'));
    const { run, redact, secretValues } = await harnessRun(cfg, { reportDir: dirA });
    expect(run.verdict).toBe(verdict);
    const consoleText = formatConsoleSummary(run, { color: false, redact, reportDir: dirA });
    const jsonText = redact(JSON.stringify(run, null, 2));

    // The CLI's own console output of a run (a second run: its values are seen by the spy).
    const cap = captureIo();
    const argv = ['run', '--report', dirB, ...cliArgs];
    if (cfg.osticket) {
      const f = join(mkdtempSync(join(scratch, 'cfg-')), 'osticket-secret.yaml');
      writeFileSync(f, `osticket:\n  clientSecret: ${cfg.osticket.clientSecret}\n`);
      argv.push('--config', f);
    }
    const code = await main(argv, cap.io);
    expect(code).toBe(verdict === 'pass' ? 0 : 1);

    const secrets = new Map<string, string>();
    for (const v of secretValues()) secrets.set(v, 'secret');
    for (const [value, label] of spy.mock.calls) if (typeof value === 'string' && value.length >= Secrets.MIN_LENGTH) secrets.set(value, label ?? 'secret');
    // The test has teeth: the values it greps for include every kind the brief names.
    const labels = new Set(secrets.values());
    for (const l of kinds) expect(labels, `no ${l} registered`).toContain(l);
    if (cfg.osticket?.clientSecret) expect(secrets.has(cfg.osticket.clientSecret)).toBe(true);

    const outputs: Array<[string, string]> = [
      ['console summary', consoleText],
      ['--json output', jsonText],
      ['main() stdout', cap.out()],
      ['main() stderr', cap.err()],
      ...filesIn(dirA),
      ...filesIn(dirB),
    ];
    expect(outputs.filter(([f]) => /report\.html$|results\.json$|junit\.xml$/.test(f))).toHaveLength(6);
    expect(leaks(outputs, secrets)).toEqual([]);
  });
});
