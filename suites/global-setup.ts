/**
 * Runs the harness once for the whole `suites` project: resolves the target (embedded by default; live or
 * containers from OIDC_HARNESS_CONFIG / the env variables in the README), runs every check, writes the reports
 * to reports/ (OIDC_HARNESS_REPORT_DIR), and hands the RunResult to the suite files.
 */
import type { TestProject } from 'vitest/node';
import type { RunResult } from '../helpers/checks/types.ts';
import { configFromEnv, loadConfigFile } from '../helpers/config.ts';
import { harnessRun } from '../helpers/run.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    harnessRun: RunResult;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const file = process.env.OIDC_HARNESS_CONFIG;
  const cfg = configFromEnv(process.env, file ? loadConfigFile(file) : {});
  const { run } = await harnessRun(cfg, { reportDir: process.env.OIDC_HARNESS_REPORT_DIR ?? 'reports' });
  project.provide('harnessRun', run);
}
