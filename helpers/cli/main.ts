/**
 * The CLI (`oidc-harness`): `run`, `diagnose`, `compare`, `upgrade-check` and `serve-reference` on top of the one
 * engine (helpers/run.ts).
 * Exit codes: 0 every check passed (warnings allowed), 1 a check failed, 2 the harness could not run (bad input,
 * target unreachable, wrong test password) with one clear sentence, 130 interrupted by Ctrl-C (143 by SIGTERM), no
 * report written. No stack traces; no secrets on any output.
 */
import { Command, CommanderError, Option } from 'commander';
import type { Area, RunResult } from '../checks/types.ts';
import { AREAS } from '../checks/types.ts';
import { configFromEnv, HarnessInputError, loadConfigFile, type HarnessConfig } from '../config.ts';
import { formatConsoleSummary, maskSecretShapes } from '../report/index.ts';
import { ensureOutputDir } from '../paths.ts';
import { escapeJsonForTerminal, stripControl } from '../report/escape.ts';
import { VERSION } from '../version.ts';
import { applyFlags, splitIssuer } from './flags.ts';
import { createProgress } from './progress.ts';
import { PROFILES } from '../../compose/embedded/profiles.ts';
import { KEY_TYPE_NAMES } from '../../compose/embedded/crypto/keypairs.ts';
import type { ServeReferenceFlags } from './serve-reference.ts';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): CliIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
});

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org) or in CI logs. */
export function useColor(io: CliIo): boolean {
  return io.isTTY && !('NO_COLOR' in io.env) && io.env.CI !== 'true';
}

export function exitCodeFor(run: RunResult): 0 | 1 | 2 {
  if (run.verdict === 'error') return 2;
  return run.counts.fail > 0 ? 1 : 0;
}

function parseAreas(value: string | undefined): Area[] | undefined {
  if (!value) return undefined;
  const areas = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of areas) if (!AREAS.includes(a as Area)) throw new HarnessInputError(`--only: unknown area "${a}" (areas: ${AREAS.join(', ')})`);
  return areas as Area[];
}

/** Fails before any check runs when the report folder cannot be written (not after a whole run). */
function ensureReportDir(dir: string | undefined): void {
  if (dir) ensureOutputDir(dir, 'reports');
}

/** The options `run` and `diagnose` share: where the configuration comes from, what to run, limits, output. */
function withRunOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file (YAML or JSON); env OIDC_HARNESS_CONFIG')
    .option('--only <areas>', `comma-separated areas: ${AREAS.join(', ')}`)
    .option('--report <dir>', 'write results.json, junit.xml and report.html here')
    .option('--json', 'print the results as JSON instead of the summary')
    .option('--request-timeout <ms>', 'timeout of each request (config timeouts.requestMs; default 10000)')
    .option('--deadline <ms>', 'deadline of the whole run (config timeouts.runMs; default 60000 embedded, 120000 live)')
    .option('--request-budget <n>', 'most requests a run may send (config requestBudget; live default 120)')
    .option('--concurrency <n>', 'requests in flight at once (config concurrency; default 4; 1 = one at a time, checks in order)')
    .option('--max-body-bytes <n>', 'largest response body read (config maxBodyBytes; default 2097152)')
    .option('--acknowledge <ids>', 'comma-separated warnings you know and accept, e.g. email-verified-false (config acknowledge): no longer shown as warnings');
}

async function runAndReport(cfg: HarnessConfig, opts: Record<string, unknown>, io: CliIo): Promise<number> {
  const o = { report: typeof opts.report === 'string' ? opts.report : undefined, only: typeof opts.only === 'string' ? opts.only : undefined, json: opts.json === true };
  ensureReportDir(o.report);
  const color = useColor(io);
  const progress = o.json ? undefined : createProgress(io, color);
  // Each command loads what it needs when it runs (issue 12): --help, --version and bad input stay light.
  const { harnessRun } = await import('../run.ts');
  const work = harnessRun(cfg, {
    reportDir: o.report,
    only: parseAreas(o.only),
    onTarget: (t, readyMs) => {
      if (o.json) return;
      io.err(`target: ${stripControl(t.description)} (ready in ${(readyMs / 1000).toFixed(1)} s)\n`);
      if (t.readOnly) io.err(`live mode: read-only, one login at a time, at most ${t.requestBudget ?? 'unbounded'} requests\n`);
    },
    onProgress: progress?.onProgress,
  });
  work.catch(() => undefined); // after an interruption its outcome is no longer awaited
  const stop = interruption(io, o.report);
  try {
    const done = await Promise.race([work.then((r) => ({ r })), stop.signalled]);
    if ('code' in done) return done.code;
    progress?.done();
    const { run, redact } = done.r;
    if (o.json) io.out(`${escapeJsonForTerminal(redact(JSON.stringify(run, null, 2)))}\n`);
    else io.out(`${formatConsoleSummary(run, { color, redact, reportDir: o.report })}\n`);
    return exitCodeFor(run);
  } finally {
    stop.remove();
  }
}

/**
 * Ctrl-C (SIGINT) or SIGTERM during a run: one sentence saying the run was interrupted and that no report was
 * written (reports are only ever written whole, at the end), and exit 130 / 143 (128 + the signal number, as shells
 * report it). The bin entry exits right after, which stops whatever the run had started.
 */
function interruption(io: CliIo, reportDir: string | undefined): { signalled: Promise<{ code: number }>; remove: () => void } {
  let onSignal: (sig: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<{ code: number }>((resolve) => {
    onSignal = (sig) => {
      io.err(`\noidc-harness: interrupted (${sig}): the run was stopped before it finished; no report was written${reportDir ? ` to ${reportDir}` : ''}\n`);
      resolve({ code: sig === 'SIGINT' ? 130 : 143 });
    };
  });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signalled,
    remove: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function baseConfig(opts: { config?: unknown }, env: NodeJS.ProcessEnv): HarnessConfig {
  const file = typeof opts.config === 'string' ? opts.config : env.OIDC_HARNESS_CONFIG;
  return configFromEnv(env, file ? loadConfigFile(file) : {});
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('oidc-harness')
    .description('OIDC conformance and diagnostics for osTicket (auth-oauth2 plugin) signing in through authentik')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .version(VERSION, '-V, --version', 'print the version and exit')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  withRunOptions(
    program
      .command('run')
      .description('run every check on a target and write the reports')
      .addOption(new Option('--target <kind>', 'what to test').choices(['embedded', 'containers', 'live']))
      .option('--profile <version>', `embedded: authentik version profile (${PROFILES.join(', ')})`)
      .option('--blueprint <file>', 'embedded: the blueprint the reference provider loads')
      .option('--app <slug>', 'embedded: the application under test when the blueprint has several')
      .option('--username <name>', "the test user (embedded: an export's user when it has several who could be)")
      .option('--password-file <file>', "file holding the test user's password (embedded: an export's, which carries none; or env TEST_PASSWORD / TEST_PASSWORD_FILE)")
      .option('--key-type <name=type...>', `embedded: the type of a key pair an export names without its key (${KEY_TYPE_NAMES.join(', ')}; default rsa-4096)`)
      .option('--redirect-uri <uri>', "osTicket's Redirect URI (embedded: the reference provider registers it too)"),
  )
    .addHelpText('after', '\nExamples:\n  oidc-harness run\n  oidc-harness run --target embedded --blueprint compose/blueprints/variants/no-signing-key.yaml\n  oidc-harness run --target embedded --blueprint my-export.yaml --app osticket --password-file password.txt\n  oidc-harness run --target live --config harness.yaml --report reports')
    .action(async (o: Record<string, unknown>) => {
      const cfg = applyFlags(baseConfig(o, io.env), o);
      setExit(await runAndReport(cfg, o, io));
    });

  withRunOptions(
    program
      .command('diagnose')
      .description('troubleshoot a live deployment, read-only: which setting is wrong, on which side, and how to fix it')
      .option('--issuer <url>', "the provider's \"OpenID Configuration Issuer\" (…/application/o/<slug>/) or \"OpenID Configuration URL\"")
      .option('--authentik <url>', 'authentik base URL (with --slug), instead of --issuer')
      .option('--slug <slug>', 'application slug (default osticket)')
      .option('--client-id <id>', 'the Client ID osTicket is configured with')
      .option('--client-secret <secret>', 'the client secret (prefer --client-secret-file or env OIDC_CLIENT_SECRET: command lines are visible to other users)')
      .option('--client-secret-file <file>', 'file holding the client secret')
      .option('--redirect-uri <uri>', "osTicket's Redirect URI")
      .option('--scopes <scopes>', "osTicket's Scopes field as typed (default \"email openid profile\")")
      .option('--username <name>', 'an authentik test user')
      .option('--password-file <file>', "file holding the test user's password (or env TEST_PASSWORD / TEST_PASSWORD_FILE)")
      .option('--email <email>', "the test user's email (the expected sub)")
      .option('--osticket <url>', 'osTicket base URL, e.g. https://osticket.company/osticket/')
      .option('--ca <file>', 'extra CA certificate(s) to trust (PEM)')
      .option('--resolve <host:port=ip:port...>', 'connect to ip:port for host:port (Host, SNI and cookies keep the name)'),
  )
    .addHelpText(
      'after',
      '\nThe test user\'s password is never a flag: --password-file FILE, or env TEST_PASSWORD / TEST_PASSWORD_FILE.\n\nExample:\n  oidc-harness diagnose --issuer https://authentik.company/application/o/osticket/ \\\n    --client-id abc --client-secret-file secret.txt --redirect-uri https://osticket.company/osticket/api/auth/oauth2 \\\n    --username osticket-test --password-file password.txt',
    )
    .action(async (o: Record<string, unknown>) => {
      const base = baseConfig(o, io.env);
      base.target = 'live';
      if (typeof o.issuer === 'string') {
        const iss = splitIssuer(o.issuer);
        base.authentik = { ...base.authentik, url: iss.url, slug: iss.slug };
      }
      setExit(await runAndReport(applyFlags(base, o), o, io));
    });

  program
    .command('compare')
    .description('compare two results.json (a saved baseline and a run after an upgrade): regressions in checks and in what the integration sees')
    .argument('<baseline>', 'results.json of the baseline run')
    .argument('<new>', 'results.json of the new run')
    .option('--json', 'print the comparison as JSON')
    .addOption(new Option('--fail-on <what>', 'exit 1 on any regression, or only on a change that breaks osTicket').choices(['any', 'osticket']).default('any'))
    .addHelpText('after', '\nExample:\n  cp reports/results.json baseline.json\n  AUTHENTIK_TAG=2026.8.8 node bin/oidc-harness run --target containers --report reports\n  node bin/oidc-harness compare baseline.json reports/results.json\n\nExit codes: 0 no regression (with --fail-on osticket: no change breaks osTicket), 1 there is one, 2 a file is not a results.json.')
    .action(async (baseline: string, next: string, o: { json?: boolean; failOn: 'any' | 'osticket' }) => {
      const { breaksOsticket, compareRuns, formatComparison, loadResults } = await import('../compare.ts');
      const c = compareRuns(loadResults(baseline), loadResults(next));
      io.out(`${o.json ? escapeJsonForTerminal(JSON.stringify(c, null, 2)) : formatComparison(c).split('\n').map(stripControl).join('\n')}\n`);
      setExit((o.failOn === 'osticket' ? breaksOsticket(c).length : c.regressions) > 0 ? 1 : 0);
    });

  program
    .command('upgrade-check')
    .description("predict what an authentik upgrade changes for osTicket's login: the catalog on the reference provider at both versions with the same blueprint, compared and explained with the known upgrade changes")
    .requiredOption('--from <version>', 'the authentik version you run now, e.g. 2025.10')
    .requiredOption('--to <version>', 'the version you plan to upgrade to, e.g. 2026.8')
    .option('--blueprint <file>', 'your own blueprint (ak export_blueprint output, or what you apply); default: the guide, compose/blueprints/osticket.yaml')
    .option('--app <slug>', 'the application osTicket signs in to, when the blueprint has several')
    .option('--password-file <file>', "the test user's password when the blueprint has none (an export; or env TEST_PASSWORD / TEST_PASSWORD_FILE)")
    .option('--report <dir>', 'write both runs (authentik-<version>/) and upgrade-check.json here')
    .option('--json', 'print the prediction as JSON')
    .addHelpText(
      'after',
      "\nExit codes: 0 no change breaks osTicket's login (changes for other clients may be listed), 1 a change breaks it, 2 the check could not run (bad input, e.g. an unknown version).\nA prediction from the reference provider, not authentik: the output says how to confirm it (containers target with AUTHENTIK_TAG, or a staging instance).\n\nExamples:\n  oidc-harness upgrade-check --from 2025.10 --to 2026.8\n  oidc-harness upgrade-check --from 2026.2 --to 2026.5 --blueprint my-export.yaml --app osticket --report reports/upgrade",
    )
    .action(async (o: { from: string; to: string; blueprint?: string; app?: string; passwordFile?: string; report?: string; json?: boolean }) => {
      const { runUpgradeCheck } = await import('./upgrade-check.ts');
      setExit(await runUpgradeCheck(o, applyFlags(baseConfig({}, io.env), { passwordFile: o.passwordFile }), io));
    });

  program
    .command('serve-reference')
    .description('serve the authentik-compatible reference provider on 127.0.0.1 in the foreground (a stand-in, not authentik)')
    .option('--port <n>', 'port (0 = any free port)', '9000')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--blueprint <file>', 'authentik blueprint (default compose/blueprints/osticket.yaml)')
    .option('--app <slug>', 'the application under test when the blueprint has several')
    .option('--username <name>', "the test user, when an export has several who could be")
    .option('--password-file <file>', "file holding the test user's password, which an export does not carry (or env TEST_PASSWORD / TEST_PASSWORD_FILE)")
    .option('--key-type <name=type...>', `the type of a key pair an export names without its key (${KEY_TYPE_NAMES.join(', ')}; default rsa-4096)`)
    .option('--profile <version>', `authentik version profile (${PROFILES.join(', ')})`)
    .option('--tls', 'serve HTTPS with a throwaway CA written to --tls-dir')
    .option('--tls-dir <dir>', 'where the throwaway CA goes', 'reports')
    .option('--clock-offset <seconds>', 'shift the provider clock (the one switch authentik does not have)')
    .option('--redirect-uri <uri>', "register osTicket's callback at this address (the blueprint's !Env OSTICKET_REDIRECT_URI)")
    .option('--latency <ms>', 'delay every response by this many milliseconds (a slow network or a loaded authentik)', '0')
    .addHelpText('after', '\nExamples:\n  oidc-harness serve-reference --port 9000\n  oidc-harness serve-reference --redirect-uri http://127.0.0.1:8080/api/auth/oauth2\n  oidc-harness serve-reference --blueprint compose/blueprints/variants/sub-mode-hashed.yaml --profile 2025.10\n  oidc-harness serve-reference --blueprint my-export.yaml --app osticket --password-file password.txt')
    .action(async (o: ServeReferenceFlags & { username?: string; passwordFile?: string }) => {
      const { serveReference } = await import('./serve-reference.ts');
      const { user } = applyFlags(baseConfig({}, io.env), { username: o.username, passwordFile: o.passwordFile });
      setExit(await serveReference({ ...o, user }, io));
    });
  return program;
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2; // commander already printed its sentence
    if (e instanceof HarnessInputError) {
      io.err(`oidc-harness: ${stripControl(e.message)}\n`);
      return 2;
    }
    io.err(`oidc-harness: internal error: ${stripControl(maskSecretShapes((e as Error)?.message ?? String(e)))}\n`);
    if (io.env.OIDC_HARNESS_DEBUG) io.err(`${(e as Error)?.stack ?? ''}\n`);
    return 2;
  }
}
