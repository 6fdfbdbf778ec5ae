/**
 * `npm run bench`: how fast and how heavy the harness is on this machine (issue 12), in one process run. Writes
 * reports/bench.json and prints a table with the targets. Nothing here is asserted: numbers on a shared
 * machine move with the load, which is recorded (load average before and after) next to them.
 *
 *  1. headless login (authorize → flow executor → code → token → userinfo → ID-token verification) against the
 *     embedded provider: median/p95/min over BENCH_LOGINS (200) after a warm-up;
 *  2. the same login in headless Chromium, a fresh context each, BENCH_CHROMIUM (20) logins; ratio of the medians;
 *  3. the full catalog on the embedded target in-process (engine and wall time), and cold `npm start`;
 *  4. live runs against `serve-reference --latency 0|50|200`: wall time / critical path;
 *  5. logins per second at 1, 4, 16 and 64 concurrent flows against serve-reference, errors at each;
 *  6. peak RSS of this process and of a cold CLI run;
 *  7. where a login's time goes: harness CPU and provider CPU per login (provider in its own process) and the
 *     provider's RS256 signing with authentik's default RSA-4096 key (bench/split.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { harnessRun } from '../helpers/run.ts';
import { resolveTarget } from '../helpers/target.ts';
import { REPO } from '../test/cli/cli-process.ts';
import { chromiumLogins } from './chromium.ts';
import { coldStarts } from './cold.ts';
import { concurrentLogins, sequentialLogins } from './headless.ts';
import { liveRuns, withServedReference } from './live.ts';
import { loginSplit } from './split.ts';
import { formatTable, targetsMet, type BenchResult } from './table.ts';
import { round, rss, stats } from './stats.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const N_LOGINS = env('BENCH_LOGINS', 200);
const N_CHROMIUM = env('BENCH_CHROMIUM', 20);
const N_RUNS = env('BENCH_RUNS', 10);
const N_COLD = env('BENCH_COLD', 5);
const N_LIVE = env('BENCH_LIVE_RUNS', 3);
const N_SPLIT = env('BENCH_SPLIT_LOGINS', 100);
const LATENCIES = [0, 50, 200];
const FLOWS = [1, 4, 16, 64];

const load = () => loadavg().map((x) => round(x, 2));
const step = (what: string) => process.stderr.write(`[bench] ${what}\n`);

async function embeddedPhase() {
  const target = await resolveTarget({});
  try {
    step(`headless login x ${N_LOGINS}`);
    const headless = await sequentialLogins(target, N_LOGINS, 20);
    rss.sample();
    step(`Chromium login x ${N_CHROMIUM}`);
    const chromium = await chromiumLogins(target, N_CHROMIUM, 2);
    rss.sample();
    return { headless, chromium };
  } finally {
    await target.close?.();
  }
}

async function catalogRuns() {
  step(`full catalog, embedded, in-process x ${N_RUNS}`);
  const first = performance.now();
  await harnessRun({});
  const firstMs = performance.now() - first;
  const wall: number[] = [];
  const engine: number[] = [];
  const verdicts = new Set<string>();
  let requests = 0;
  let checks = 0;
  for (let i = 0; i < N_RUNS; i++) {
    const t0 = performance.now();
    const { run } = await harnessRun({});
    wall.push(performance.now() - t0);
    engine.push(run.ms);
    verdicts.add(run.verdict);
    requests = run.requests.count;
    checks = run.results.length;
    rss.sample();
  }
  return { checks, requests, firstRunMs: round(firstMs), wallMs: stats(wall), engineMs: stats(engine), verdicts: [...verdicts] };
}

async function concurrencyPhase() {
  return withServedReference(0, async (target) => {
    const levels = [];
    for (const flows of FLOWS) {
      step(`concurrency: ${flows} flows`);
      levels.push(await concurrentLogins(target, flows, Math.max(200, flows * 8)));
      rss.sample();
    }
    return levels;
  });
}

async function main(): Promise<void> {
  const loadBefore = load();
  const started = new Date().toISOString();
  const { headless, chromium } = await embeddedPhase();
  const catalog = await catalogRuns();
  const live = [];
  for (const latency of LATENCIES) {
    step(`live run, serve-reference --latency ${latency} x ${N_LIVE}`);
    live.push(await liveRuns(latency, latency >= 200 ? Math.min(N_LIVE, 2) : N_LIVE));
    rss.sample();
  }
  const concurrency = await concurrencyPhase();
  step(`login CPU split, serve-reference x ${N_SPLIT}`);
  const split = await loginSplit(N_SPLIT, 20);
  step(`cold npm start and CLI run x ${N_COLD}`);
  const cold = await coldStarts(N_COLD);
  const result: BenchResult = {
    when: started,
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGb: round(totalmem() / 1024 ** 3), loadBefore, loadAfter: load() },
    headlessLogin: headless,
    loginSplit: split,
    chromiumLogin: chromium,
    chromiumOverHeadless: 'login' in chromium ? round(chromium.login.median / headless.median, 1) : null,
    embeddedCatalog: catalog,
    cold,
    live,
    concurrency,
    memory: { benchProcessPeakRssMb: rss.mb(), cliRunPeakRssMb: cold.cliRun.peakRssMb },
  };
  const targets = targetsMet(result);
  mkdirSync(join(REPO, 'reports'), { recursive: true });
  const out = join(REPO, 'reports', 'bench.json');
  writeFileSync(out, `${JSON.stringify({ ...result, targets }, null, 2)}\n`);
  process.stdout.write(`${formatTable(result, targets)}\nwritten: ${out}\n`);
}

await main();
