/**
 * One harness run, shared by the three views (CLI `run`/`diagnose`, the vitest suites, the self-tests): resolve the
 * target, run the catalog, stop the target, write the reports. Secrets registered during the run redact every
 * report; the RunResult itself never holds a raw secret.
 */
import { CATALOG } from './checks/catalog/index.ts';
import { runChecks, type RunOptions } from './checks/engine.ts';
import type { Area, RunResult } from './checks/types.ts';
import type { HarnessConfig } from './config.ts';
import { Secrets } from './http/index.ts';
import { writeReports, type WrittenReports } from './report/index.ts';
import { lockReportDir } from './report/files.ts';
import { resolveTarget } from './target.ts';
import type { Target } from './target-types.ts';

export interface HarnessRunOptions {
  /** Write results.json, junit.xml and report.html here. */
  reportDir?: string;
  /** Embedded: keep the reference provider's generated test keys here (default: reportDir). */
  keyCacheDir?: string;
  only?: Area[];
  onProgress?: RunOptions['onProgress'];
  /** Called once the target is resolved (CLI: "target ready" line, budget notice), with how long that took. */
  onTarget?: (target: Target, readyMs: number) => void;
}

export interface HarnessRun {
  run: RunResult;
  reports?: WrittenReports;
  /** Redacts the run's secrets from any text (for console output). */
  redact: (text: string) => string;
  /** The raw secret values of the run (self-tests grep outputs for them; never print). */
  secretValues: () => string[];
}

export async function harnessRun(cfg: HarnessConfig, opts: HarnessRunOptions = {}): Promise<HarnessRun> {
  const secrets = new Secrets();
  secrets.add(cfg.client?.secret, 'client_secret');
  secrets.add(cfg.user?.password, 'password');
  // The report folder also keeps the embedded provider's generated test keys between runs (key-cache.ts).
  // One run at a time per report folder: a second one is refused before it starts (helpers/report/files.ts).
  const unlock = opts.reportDir ? lockReportDir(opts.reportDir) : () => undefined;
  try {
    return await runLocked(cfg, opts, secrets);
  } finally {
    unlock();
  }
}

async function runLocked(cfg: HarnessConfig, opts: HarnessRunOptions, secrets: Secrets): Promise<HarnessRun> {
  // Starting the target (the embedded provider loading a blueprint, containers) is timed apart from the checks.
  const t0 = performance.now();
  const target = await resolveTarget(cfg, { keyCacheDir: opts.keyCacheDir ?? opts.reportDir });
  const readyMs = Math.round(performance.now() - t0);
  let run: RunResult;
  try {
    opts.onTarget?.(target, readyMs);
    run = await runChecks(target, CATALOG, { secrets, only: opts.only, onProgress: opts.onProgress, acknowledge: cfg.acknowledge });
    run.measurements['target.readyMs'] = readyMs;
  } finally {
    await target.close?.();
  }
  const redact = (t: string) => secrets.redact(t);
  const reports = opts.reportDir ? await writeReports(run, opts.reportDir, { redact }) : undefined;
  return { run, reports, redact, secretValues: () => secrets.values() };
}
