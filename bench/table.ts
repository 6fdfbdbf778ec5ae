/** The bench's table and the issue-12 targets it is read against (never asserted: printed and written). */
import type { ChromiumBench } from './chromium.ts';
import type { ColdBench } from './cold.ts';
import type { ConcurrencyLevel } from './headless.ts';
import type { LiveRunBench } from './live.ts';
import { SIGNATURES_PER_LOGIN, type LoginSplit } from './split.ts';
import type { Stats } from './stats.ts';

export interface BenchResult {
  when: string;
  machine: { node: string; cpus: number; cpuModel: string; memoryGb: number; loadBefore: number[]; loadAfter: number[] };
  headlessLogin: Stats & { cpuMsPerLogin: number };
  loginSplit: LoginSplit;
  chromiumLogin: ChromiumBench;
  chromiumOverHeadless: number | null;
  embeddedCatalog: { checks: number; requests: number; firstRunMs: number; wallMs: Stats; engineMs: Stats; verdicts: string[] };
  cold: ColdBench;
  live: LiveRunBench[];
  concurrency: ConcurrencyLevel[];
  memory: { benchProcessPeakRssMb: number; cliRunPeakRssMb: Stats | null };
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

/** issue 12 "Targets (2-core machine)". `met: null` when the measure could not be taken. */
export function targetsMet(r: BenchResult): TargetCheck[] {
  const live = (ms: number) => r.live.find((l) => l.latencyMs === ms);
  const at16 = r.concurrency.find((c) => c.flows === 16);
  // The harness as a user runs it: a cold CLI run (the bench process also holds Playwright and 64 flows; shown too).
  const rssMb = r.memory.cliRunPeakRssMb?.max;
  const out: TargetCheck[] = [
    { target: 'headless login median ≤ 15 ms', measured: `${r.headlessLogin.median} ms`, met: r.headlessLogin.median <= 15 },
    {
      target: 'headless login ≥ 50× faster than Chromium (same run)',
      measured: r.chromiumOverHeadless === null ? `not measured (${'skipped' in r.chromiumLogin ? r.chromiumLogin.skipped : '?'})` : `${r.chromiumOverHeadless}×`,
      met: r.chromiumOverHeadless === null ? null : r.chromiumOverHeadless >= 50,
    },
    { target: '`npm start` cold ≤ 1.0 s (median)', measured: `${r.cold.npmStart.wallMs.median} ms`, met: r.cold.npmStart.wallMs.median <= 1000 },
  ];
  for (const ms of [50, 200]) {
    const l = live(ms);
    out.push({ target: `live run wall ≤ 1.5× critical path at ${ms} ms latency`, measured: l ? `${l.wallOverCriticalPath}×` : 'not measured', met: l ? l.wallOverCriticalPath <= 1.5 : null });
  }
  out.push(
    { target: '≥ 150 logins/s at 16 concurrent flows, zero errors', measured: at16 ? `${at16.loginsPerSec}/s, ${at16.errors} errors` : 'not measured', met: at16 ? at16.loginsPerSec >= 150 && at16.errors === 0 : null },
    { target: 'peak RSS ≤ 200 MB (a cold CLI run, the largest of them)', measured: rssMb === undefined ? 'not measured (no /usr/bin/time)' : `${rssMb} MB (bench process ${r.memory.benchProcessPeakRssMb} MB)`, met: rssMb === undefined ? null : rssMb <= 200 },
  );
  return out;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

export function formatTable(r: BenchResult, targets: TargetCheck[]): string {
  const m = r.machine;
  const row = (what: string, s: Stats, unit = 'ms') => `${what.padEnd(58)} ${pad(s.median, 9)} ${pad(s.p95, 9)} ${pad(s.min, 9)} ${pad(s.n, 4)}  ${unit}`;
  const lines = [
    `oidc-harness bench · ${r.when} · node ${m.node} · ${m.cpus} CPU (${m.cpuModel}) · ${m.memoryGb} GB · load ${m.loadBefore.join(' ')} → ${m.loadAfter.join(' ')}`,
    `${'measure'.padEnd(58)} ${pad('median', 9)} ${pad('p95', 9)} ${pad('min', 9)} ${pad('n', 4)}`,
    row('headless login (authorize … userinfo, verified)', r.headlessLogin),
    `${'  CPU time per headless login (harness + in-process provider)'.padEnd(58)} ${pad(r.headlessLogin.cpuMsPerLogin, 9)}  ms`,
    row('headless login, provider in its own process (serve-reference)', r.loginSplit.login),
    `${'  CPU per login: harness / provider process'.padEnd(58)} ${pad(r.loginSplit.harnessCpuMsPerLogin, 9)} ${pad(r.loginSplit.providerCpuMsPerLogin ?? 'n/a', 9)}  ms`,
    `${`  of which provider signing: ${SIGNATURES_PER_LOGIN} × RS256, RSA-4096 (${r.loginSplit.rs256Rsa4096SignMs.median} ms each)`.padEnd(58)} ${pad(r.loginSplit.signingMsPerLogin, 9)}  ms`,
    'login' in r.chromiumLogin
      ? row(`Chromium login, fresh context each (launch ${r.chromiumLogin.launchMs} ms)`, r.chromiumLogin.login)
      : `Chromium login: skipped: ${r.chromiumLogin.skipped}`,
    ...(r.chromiumOverHeadless !== null ? [`${'Chromium / headless (medians)'.padEnd(58)} ${pad(`${r.chromiumOverHeadless}×`, 9)}`] : []),
    row(`full catalog, embedded, in-process: wall (${r.embeddedCatalog.checks} checks, ${r.embeddedCatalog.requests} requests)`, r.embeddedCatalog.wallMs),
    row('full catalog, embedded, in-process: engine', r.embeddedCatalog.engineMs),
    row('cold `npm start` (spawn to exit)', r.cold.npmStart.wallMs),
    row('cold `node bin/oidc-harness run` (spawn to exit)', r.cold.cliRun.wallMs),
    ...(r.cold.cliRun.cpuMs ? [row('  its CPU time (user + system)', r.cold.cliRun.cpuMs)] : []),
    ...r.live.flatMap((l) => [
      row(`live run, serve-reference --latency ${l.latencyMs}: wall (${l.requests} requests)`, l.wallMs),
      row(`  critical path / sum of request times: ${l.criticalPathMs.median} / ${l.requestMs.median} ms; wall ÷ critical path`, { ...l.criticalPathMs, median: l.wallOverCriticalPath, p95: NaN, min: NaN }, '×'),
    ]),
    ...r.concurrency.map((c) => `${`concurrency ${c.flows}: logins/s (${c.logins} logins, ${c.errors} errors)`.padEnd(58)} ${pad(c.loginsPerSec, 9)}   latency median ${c.latency.median} ms, p95 ${c.latency.p95} ms${c.firstError ? `; first error: ${c.firstError}` : ''}`),
    `${'peak RSS: bench process / cold CLI run (max)'.padEnd(58)} ${pad(r.memory.benchProcessPeakRssMb, 9)} ${pad(r.memory.cliRunPeakRssMb?.max ?? 'n/a', 9)}  MB`,
    '',
    'targets (issue 12):',
    ...targets.map((t) => `  ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'NOT '} ${t.target.padEnd(56)} ${t.measured}`),
  ];
  return lines.join('\n');
}
