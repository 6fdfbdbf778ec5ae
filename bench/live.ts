/**
 * Runs against a provider in another process: `oidc-harness serve-reference --latency MS` (every response delayed
 * by MS), pointed at as a live target, the way an operator points `diagnose` at authentik. The live run's wall time
 * is compared with its critical path (RunResult.requests.criticalPathMs: the longest chain of requests that waited
 * on each other, helpers/http/causality.ts).
 */
import type { HarnessConfig } from '../helpers/config.ts';
import { harnessRun } from '../helpers/run.ts';
import { resolveTarget } from '../helpers/target.ts';
import type { Target } from '../helpers/target-types.ts';
import { serveReference, type ServedReference } from '../test/cli/cli-process.ts';
import { guideLiveConfig } from '../test/cli/live-config.ts';
import { round, stats, type Stats } from './stats.ts';

/** Starts serve-reference with this latency, hands a live Target for it (and the server's process) to `fn`, stops it. */
export async function withServedReference<T>(latencyMs: number, fn: (target: Target, cfg: HarnessConfig, server: ServedReference) => Promise<T>): Promise<T> {
  const server = await serveReference(['--latency', String(latencyMs)], { timeoutMs: 30_000 });
  try {
    const cfg = guideLiveConfig(server.url);
    return await fn(await resolveTarget(cfg), cfg, server);
  } finally {
    await server.stop();
  }
}

export interface LiveRunBench {
  latencyMs: number;
  runs: number;
  verdicts: string[];
  requests: number;
  wallMs: Stats;
  criticalPathMs: Stats;
  /** Sum of every request's time: what a strictly sequential run would take at least. */
  requestMs: Stats;
  /** Median of wall / critical path over the runs. */
  wallOverCriticalPath: number;
}

export function liveRuns(latencyMs: number, runs: number): Promise<LiveRunBench> {
  return withServedReference(latencyMs, async (_target, cfg) => {
    await harnessRun(cfg); // warm-up: code paths and connections
    const wall: number[] = [];
    const critical: number[] = [];
    const sum: number[] = [];
    const verdicts = new Set<string>();
    let requests = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const { run } = await harnessRun(cfg);
      wall.push(performance.now() - t0);
      critical.push(run.requests.criticalPathMs ?? NaN);
      sum.push(run.requests.requestMs ?? NaN);
      verdicts.add(run.verdict);
      requests = run.requests.count;
    }
    const ratio = stats(wall.map((w, i) => w / critical[i]!)).median;
    return { latencyMs, runs, verdicts: [...verdicts], requests, wallMs: stats(wall), criticalPathMs: stats(critical), requestMs: stats(sum), wallOverCriticalPath: round(ratio, 2) };
  });
}
