/**
 * Runs one hostile row in-process and checks what every row must hold (issue 9 "A hostile corpus"): the run ends
 * within its deadline, exit 1 or 2 (never a crash), the named check fails with the named diagnosis, no unrelated
 * cause is ranked, the console holds no control character, and no secret is in any byte written.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunResult } from '../../helpers/checks/types.ts';
import { exitCodeFor } from '../../helpers/cli/main.ts';
import type { HarnessConfig } from '../../helpers/config.ts';
import { hasControl } from '../../helpers/report/escape.ts';
import { formatConsoleSummary } from '../../helpers/report/index.ts';
import { harnessRun } from '../../helpers/run.ts';
import { patience } from '../support/patience.ts';

/** A JWT whose signature is still there. */
const FULL_JWT = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}/;

export interface Expectation {
  exit: 1 | 2;
  check: string;
  cause: string;
  also?: string[];
  seen?: RegExp;
}

export async function runRow(cfg: HarnessConfig, want: Expectation): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-harness-hostile-'));
  const deadline = cfg.timeouts?.runMs ?? 120_000;
  const t0 = performance.now();
  const { run, redact, secretValues } = await harnessRun(cfg, { reportDir: dir });
  const took = performance.now() - t0;
  const summary = formatConsoleSummary(run, { color: false, redact, reportDir: dir });
  const causes = run.causes.filter((c) => c.status === 'fail').map((c) => c.id);
  const what = `${run.verdict}; failing: ${run.results.filter((r) => r.status === 'fail').map((r) => `${r.id} -> ${r.diagnosis?.id}`).join(', ')}`;

  // ends within its deadline (the run's own deadline plus the provider's start, under a load-scaled allowance)
  expect(took, what).toBeLessThan(deadline + patience(5_000));
  expect(exitCodeFor(run), what).toBe(want.exit);
  const r = run.results.find((x) => x.id === want.check);
  expect(r?.status, `${want.check}: ${what}`).toBe('fail');
  expect(r?.diagnosis?.id, `${want.check}: ${what}`).toBe(want.cause);
  expect(causes[0], what).toBe(want.cause);
  expect(causes.filter((c) => c !== want.cause && !(want.also ?? []).includes(c)), `unrelated causes: ${what}`).toEqual([]);
  if (want.seen) expect(`${r?.actual ?? ''} ${r?.diagnosis?.cause ?? ''}`).toMatch(want.seen);
  for (const line of summary.split('\n')) expect(hasControl(line), JSON.stringify(line.slice(0, 200))).toBe(false);

  const written: Array<[string, string]> = [['console', summary], ...readdirSync(dir).map((f): [string, string] => [f, readFileSync(join(dir, f), 'utf8')])];
  const secrets = [...secretValues(), cfg.client?.secret, cfg.user?.password].filter((s): s is string => typeof s === 'string' && s.length >= 8);
  for (const [where, body] of written) {
    for (const s of secrets) expect(body.includes(s), `a secret (${s.length} chars) in ${where}`).toBe(false);
    expect(FULL_JWT.test(body), `a JWT with its signature in ${where}`).toBe(false);
  }
  return run;
}
