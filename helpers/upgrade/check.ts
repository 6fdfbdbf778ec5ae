/**
 * `oidc-harness upgrade-check` (issue 13 item 2): a prediction of what an authentik upgrade changes for osTicket's
 * login, before anyone touches production. It runs the whole catalog on the reference provider at the version in use
 * and at the planned one, with the same blueprint (the guide's, or the operator's own), and compares the two runs with
 * `compare` (one engine, one comparison: helpers/run.ts, helpers/compare.ts). Each difference is explained with the
 * known-changes table, and every known change between the two versions is listed with who notices it and whether
 * the run saw it. It is a prediction from a stand-in, not from authentik: the output says how to confirm it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../checks/types.ts';
import { breaksOsticket, compareRuns, type Comparison, type ObservedChange, type StatusChange } from '../compare.ts';
import { HarnessInputError, type HarnessConfig } from '../config.ts';
import { checkInputFile, ensureOutputDir } from '../paths.ts';
import { harnessRun, type HarnessRunOptions } from '../run.ts';
import { changesBetween } from './explain.ts';
import type { KnownChange } from './known-changes.ts';
import { migrateBlueprint, type AppliedMigration } from './migrations.ts';
import { compareReleases, parseRelease } from './versions.ts';

export interface UpgradeCheckInput {
  from: string;
  to: string;
  blueprint?: string;
  app?: string;
  /** Write each run's reports to <dir>/authentik-<version>/ and the prediction to <dir>/upgrade-check.json. */
  reportDir?: string;
}

/** How a known change between the two versions showed (or why it could not). */
export type KnownChangeState = 'seen' | 'migrated' | 'not-in-this-setup' | 'not-visible' | 'not-reproduced' | 'expected-not-seen';

export interface KnownChangeOutcome {
  change: KnownChange;
  state: KnownChangeState;
  /** The differences it explains. */
  seen: string[];
  /** What authentik's migration for it changed in this install (state `migrated`). */
  migrated?: string[];
}

export interface UpgradeCheck {
  from: string;
  to: string;
  blueprint: string;
  app: string;
  runs: { from: RunResult; to: RunResult };
  comparison: Comparison;
  /** What authentik's migrations change in this install on the way (the --to run loads the blueprint so changed). */
  migrations: AppliedMigration[];
  /**
   * When a migration applied: the --to version with the blueprint as written, as a new install, a restore or a
   * staging copy made from it would be, and what of that breaks osTicket.
   */
  freshInstall?: { run: RunResult; breaksOsticket: Array<StatusChange | ObservedChange> };
  known: KnownChangeOutcome[];
  /** Differences no known change explains and that follow from no other. */
  unexplained: Array<StatusChange | ObservedChange>;
  /** The changes that break osTicket's login. */
  breaksOsticket: Array<StatusChange | ObservedChange>;
  ms: number;
}

export interface UpgradeCheckHooks {
  /** The reference provider's versions (compose/embedded/profiles.ts PROFILES). */
  profiles: readonly string[];
  /**
   * The blueprint the provider loads (the guide's when none is given), the application slugs it defines with an
   * OAuth2 provider, and the one under test (`app`, or the only one; the loader refuses a choice it cannot make).
   */
  blueprintInfo(blueprintPath: string | undefined, app: string | undefined): { path: string; applications: string[]; app: string };
  onRun?: (version: string, phase: 'start' | 'end', run?: RunResult) => void;
  onProgress?: HarnessRunOptions['onProgress'];
}

/** Checks the input before anything runs: one sentence naming what is wrong (exit 2). */
export function validateUpgradeInput(input: UpgradeCheckInput, hooks: Pick<UpgradeCheckHooks, 'profiles' | 'blueprintInfo'>): { blueprint: string; app: string } {
  const known = hooks.profiles.join(', ');
  for (const [flag, v] of [['--from', input.from], ['--to', input.to]] as const) {
    if (!hooks.profiles.includes(v)) {
      throw new HarnessInputError(`${flag} ${JSON.stringify(v)} is not an authentik version the reference provider knows; known versions: ${known} (each stands for its release line)`);
    }
  }
  const order = compareReleases(parseRelease(input.from)!, parseRelease(input.to)!);
  if (order === 0) throw new HarnessInputError(`--from and --to are both ${input.from}: give the version you run now and the one you plan to upgrade to`);
  if (order > 0) throw new HarnessInputError(`--to ${input.to} is older than --from ${input.from}: authentik is upgraded forward, one release after another, never back`);
  const blueprint = input.blueprint === undefined ? undefined : checkInputFile(input.blueprint, 'blueprint');
  let info: { path: string; applications: string[]; app: string };
  try {
    info = hooks.blueprintInfo(blueprint, input.app);
  } catch (e) {
    throw new HarnessInputError(`the blueprint ${input.blueprint ?? 'of the guide'} cannot be used: ${(e as Error).message}`);
  }
  const apps = info.applications;
  const app = info.app;
  if (!apps.includes(app)) {
    throw new HarnessInputError(`--app ${JSON.stringify(input.app)}: the blueprint ${input.blueprint ?? '(the guide)'} defines ${apps.length ? `the application${apps.length > 1 ? 's' : ''} ${apps.join(', ')}` : 'no application'}`);
  }
  return { blueprint: info.path, app };
}

export async function upgradeCheck(input: UpgradeCheckInput, base: HarnessConfig, hooks: UpgradeCheckHooks): Promise<UpgradeCheck> {
  const t0 = performance.now();
  const { blueprint, app } = validateUpgradeInput(input, hooks);
  const reportDir = input.reportDir ? ensureOutputDir(input.reportDir, 'reports') : undefined;
  // One key pair for both runs, as an in-place upgrade keeps its certificate (the kid rule is the version's).
  const keyCacheDir = reportDir ?? mkdtempSync(join(tmpdir(), 'oidc-harness-upgrade-'));
  // The install at --to is the one at --from after authentik's migrations (migrations.ts), not a new one.
  const migrated = migrateBlueprint(readFileSync(blueprint, 'utf8'), parseRelease(input.from)!, parseRelease(input.to)!);
  const inPlace = migrated.applied.length ? join(keyCacheDir, `blueprint-in-place-${input.to}.yaml`) : blueprint;
  if (inPlace !== blueprint) writeFileSync(inPlace, migrated.text);
  const runAt = async (version: string, path = blueprint, label = `authentik-${version}`): Promise<RunResult> => {
    hooks.onRun?.(version, 'start');
    const cfg: HarnessConfig = { ...base, target: 'embedded', embedded: { ...base.embedded, profile: version as EmbeddedProfile, blueprint: path, app } };
    const { run } = await harnessRun(cfg, {
      keyCacheDir,
      ...(reportDir ? { reportDir: ensureOutputDir(join(reportDir, label), 'reports') } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    });
    hooks.onRun?.(version, 'end', run);
    if (run.verdict === 'error') throw new HarnessInputError(`the run at authentik ${version} could not run: ${run.error ?? 'see its report'}`);
    return run;
  };
  let runs: { from: RunResult; to: RunResult };
  let fresh: RunResult | undefined;
  try {
    runs = { from: await runAt(input.from), to: await runAt(input.to, inPlace) };
    if (inPlace !== blueprint) fresh = await runAt(input.to, blueprint, `authentik-${input.to}-new-install`);
  } finally {
    if (!reportDir) rmSync(keyCacheDir, { recursive: true, force: true });
  }
  const comparison = compareRuns(runs.from, runs.to);
  const result: UpgradeCheck = {
    from: input.from,
    to: input.to,
    blueprint,
    app,
    runs,
    comparison,
    migrations: migrated.applied,
    ...(fresh ? { freshInstall: { run: fresh, breaksOsticket: breaksOsticket(compareRuns(runs.from, fresh)) } } : {}),
    known: knownOutcomes(comparison, input.from, input.to, migrated.applied),
    unexplained: differences(comparison).filter((d) => d.explanation.kind === 'unknown'),
    breaksOsticket: breaksOsticket(comparison),
    ms: Math.round(performance.now() - t0),
  };
  if (reportDir) writeFileSync(join(reportDir, 'upgrade-check.json'), `${JSON.stringify(summaryJson(result), null, 2)}\n`);
  return result;
}

/** Validated against the profiles before use (validateUpgradeInput); the config schema checks it again. */
type EmbeddedProfile = NonNullable<NonNullable<HarnessConfig['embedded']>['profile']>;

const differences = (c: Comparison): Array<StatusChange | ObservedChange> => [...c.statusChanges, ...c.observedChanges];

/** Every known change between the two versions, oldest first, with what the runs showed of it. */
export function knownOutcomes(c: Comparison, from: string, to: string, migrations: readonly AppliedMigration[] = []): KnownChangeOutcome[] {
  const diffs = differences(c);
  return changesBetween(parseRelease(from)!, parseRelease(to)!)
    .sort((a, b) => compareReleases(parseRelease(a.version)!, parseRelease(b.version)!))
    .map((change) => {
      const seen = diffs.filter((d) => d.explanation.kind === 'known' && d.explanation.change.id === change.id).map(describe);
      const state: KnownChangeState = seen.length
        ? 'seen'
        : migrations.some((m) => m.changeId === change.id)
          ? 'migrated'
          : change.seenAs.length === 0
          ? 'not-visible'
          : !change.profileFeature
            ? 'not-reproduced'
            : change.when
              ? 'not-in-this-setup'
              : 'expected-not-seen';
      const migration = migrations.find((m) => m.changeId === change.id);
      return { change, state, seen, ...(migration ? { migrated: migration.changed } : {}) };
    });
}

export function describe(d: StatusChange | ObservedChange): string {
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  return 'id' in d ? `${d.id} ${d.from} -> ${d.to}` : `${d.path} ${Array.isArray(d.from) && Array.isArray(d.to) ? `+${show(d.to.filter((x) => !(d.from as unknown[]).includes(x)))}` : `${show(d.from)} -> ${show(d.to)}`}`;
}

/** 1 when a change breaks osTicket's login, else 0 (2 is the CLI's: the check could not run). */
export function upgradeExitCode(u: UpgradeCheck): 0 | 1 {
  return u.breaksOsticket.length ? 1 : 0;
}

/** The prediction as JSON (--json, upgrade-check.json): no transcripts, the comparison and the known changes. */
export function summaryJson(u: UpgradeCheck): Record<string, unknown> {
  return {
    prediction: 'from the reference provider (a stand-in for authentik), not from authentik itself',
    from: u.from,
    to: u.to,
    blueprint: u.blueprint,
    app: u.app,
    verdicts: { from: u.runs.from.verdict, to: u.runs.to.verdict },
    breaksOsticket: u.breaksOsticket.map(describe),
    migrations: u.migrations,
    ...(u.freshInstall ? { freshInstall: { verdict: u.freshInstall.run.verdict, breaksOsticket: u.freshInstall.breaksOsticket.map(describe) } } : {}),
    known: u.known.map((k) => ({ ...k.change, seenAs: undefined, state: k.state, seen: k.seen })),
    unexplained: u.unexplained.map(describe),
    comparison: u.comparison,
    ms: u.ms,
  };
}
