/**
 * `npm run bench`: how fast and how heavy the harness is on this machine. Measures, with no assertions:
 *  - reference provider start: cold (a fresh `oidc-harness serve-reference` process, spawn to its "ready" line and
 *    to the first 200 from /-/health/ready/) and warm (startReferenceProvider() again in this process);
 *  - a full embedded run: N in-process harnessRun({}) (median, p90), plus one cold `node bin/oidc-harness run`;
 *  - requests per run, and peak RSS (this process; the cold CLI run through /usr/bin/time -v when available).
 * Prints a table and writes reports/bench.json (reports/ is git-ignored).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startReferenceProvider } from '../compose/embedded/index.ts';
import { harnessRun } from '../helpers/run.ts';
import { BIN, childEnv, REPO, runCli, runProcess, serveReference } from '../test/cli/cli-process.ts';

const N_RUNS = Number(process.env.BENCH_RUNS ?? 10);
const N_COLD = Number(process.env.BENCH_COLD ?? 5);
const N_WARM_START = 10;

interface Stats {
  n: number;
  min: number;
  median: number;
  p90: number;
  max: number;
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  // nearest-rank percentiles
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { n: s.length, min: round(s[0]!), median: round(q(0.5)), p90: round(q(0.9)), max: round(s[s.length - 1]!) };
}
const round = (x: number) => Math.round(x * 10) / 10;
const mb = (bytes: number) => round(bytes / 1024 / 1024);

let peakRss = process.memoryUsage().rss;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

/** Cold start of `serve-reference`: spawn -> "ready" line, -> first 200 from /-/health/ready/, and what it reports itself. */
async function coldServeReference(): Promise<{ readyMs: number; healthyMs: number; selfReportedMs: number | null }> {
  const t0 = performance.now();
  const server = await serveReference();
  try {
    const res = await fetch(`${server.url}/-/health/ready/`, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    const healthyMs = performance.now() - t0;
    const self = /ready in (\d+) ms/.exec(server.output().stdout);
    return { readyMs: server.readyMs, healthyMs: res.status === 200 ? healthyMs : NaN, selfReportedMs: self ? Number(self[1]) : null };
  } finally {
    await server.stop();
  }
}

async function warmStarts(): Promise<number[]> {
  await (await startReferenceProvider()).close(); // warm-up: module graph, key generation code paths
  const out: number[] = [];
  for (let i = 0; i < N_WARM_START; i++) {
    const t0 = performance.now();
    const p = await startReferenceProvider();
    out.push(performance.now() - t0);
    sampleRss();
    await p.close();
  }
  return out;
}

async function inProcessRuns(): Promise<{ first: number; wall: number[]; engineMs: number[]; requests: number[]; verdicts: string[] }> {
  const wall: number[] = [];
  const engineMs: number[] = [];
  const requests: number[] = [];
  const verdicts: string[] = [];
  let first = NaN;
  for (let i = 0; i <= N_RUNS; i++) {
    const t0 = performance.now();
    const { run } = await harnessRun({});
    const ms = performance.now() - t0;
    sampleRss();
    if (i === 0) {
      first = ms; // includes loading the check catalog's lazy paths; reported apart
      continue;
    }
    wall.push(ms);
    engineMs.push(run.ms);
    requests.push(run.requests.count);
    verdicts.push(run.verdict);
  }
  return { first, wall, engineMs, requests, verdicts };
}

/** One cold `node bin/oidc-harness run` (writes its reports to a scratch dir), with peak RSS from GNU time if present. */
async function coldCliRun(): Promise<{ wallMs: number; exitCode: number | null; peakRssMb: number | null; via: string }> {
  const reportDir = join(REPO, 'reports', 'bench-cli-run');
  const gnuTime = existsSync('/usr/bin/time');
  if (gnuTime) {
    const r = await runProcess('/usr/bin/time', ['-v', process.execPath, BIN, 'run', '--report', reportDir], { env: childEnv(), timeoutMs: 60_000 });
    const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    return { wallMs: r.ms, exitCode: r.code, peakRssMb: kb ? round(Number(kb[1]) / 1024) : null, via: '/usr/bin/time -v' };
  }
  const r = await runCli(['run', '--report', reportDir], { timeoutMs: 60_000 });
  return { wallMs: r.ms, exitCode: r.code, peakRssMb: null, via: 'spawn (no /usr/bin/time)' };
}

async function main(): Promise<void> {
  const cold: Array<Awaited<ReturnType<typeof coldServeReference>>> = [];
  for (let i = 0; i < N_COLD; i++) cold.push(await coldServeReference());
  const warm = await warmStarts();
  const runs = await inProcessRuns();
  const cli = await coldCliRun();
  const ru = process.resourceUsage();

  const result = {
    when: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGb: round(totalmem() / 1024 ** 3) },
    referenceProvider: {
      coldSpawnToReadyMs: stats(cold.map((c) => c.readyMs)),
      coldSpawnToHealthyMs: stats(cold.map((c) => c.healthyMs)),
      coldSelfReportedStartMs: stats(cold.map((c) => c.selfReportedMs ?? NaN)),
      warmInProcessStartMs: stats(warm),
    },
    embeddedRun: {
      inProcessFirstRunMs: round(runs.first),
      inProcessWallMs: stats(runs.wall),
      engineMs: stats(runs.engineMs),
      requestsPerRun: stats(runs.requests),
      verdicts: [...new Set(runs.verdicts)],
      coldCliRun: { ...cli, wallMs: round(cli.wallMs) },
    },
    memory: {
      benchPeakRssMb: mb(peakRss),
      benchMaxRssMb: round(ru.maxRSS / 1024),
      coldCliRunPeakRssMb: cli.peakRssMb,
    },
  };

  const rp = result.referenceProvider;
  const er = result.embeddedRun;
  const row = (what: string, s: Stats | number | null, unit = 'ms') =>
    typeof s === 'object' && s !== null
      ? `${what.padEnd(52)} ${String(s.median).padStart(8)} ${String(s.p90).padStart(8)} ${String(s.min).padStart(8)} ${String(s.max).padStart(8)} ${String(s.n).padStart(3)}  ${unit}`
      : `${what.padEnd(52)} ${String(s ?? 'n/a').padStart(8)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(8)} ${'1'.padStart(3)}  ${unit}`;
  const lines = [
    `oidc-harness bench · node ${result.machine.node} · ${result.machine.cpus} CPU (${result.machine.cpuModel}) · ${result.machine.memoryGb} GB`,
    `${'measure'.padEnd(52)} ${'median'.padStart(8)} ${'p90'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'n'.padStart(3)}`,
    row('serve-reference cold: spawn -> "ready" line', rp.coldSpawnToReadyMs),
    row('serve-reference cold: spawn -> /-/health/ready/ 200', rp.coldSpawnToHealthyMs),
    row('serve-reference cold: start time it reports', rp.coldSelfReportedStartMs),
    row('reference provider warm start (in-process)', rp.warmInProcessStartMs),
    row('embedded run, in-process, first', er.inProcessFirstRunMs),
    row('embedded run, in-process (wall, incl. provider)', er.inProcessWallMs),
    row('embedded run, in-process (engine only)', er.engineMs),
    row('embedded run, cold `node bin/oidc-harness run`', er.coldCliRun.wallMs),
    row('requests per embedded run', er.requestsPerRun, 'requests'),
    row('peak RSS, this bench process', result.memory.benchMaxRssMb, 'MB'),
    row(`peak RSS, cold CLI run (${cli.via})`, result.memory.coldCliRunPeakRssMb, 'MB'),
    `verdicts of the in-process runs: ${er.verdicts.join(', ')}; cold CLI run exit code ${cli.exitCode}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(join(REPO, 'reports'), { recursive: true });
  const out = join(REPO, 'reports', 'bench.json');
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`written: ${out}\n`);
}

await main();
