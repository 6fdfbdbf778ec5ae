/**
 * Cold starts: a new process from spawn to exit, the way a user runs it. `npm start` (npm, then
 * `node bin/oidc-harness run --target embedded --report reports`) and the bin directly under GNU time for its peak
 * RSS. Nothing is cached in this process; the OS file cache is warm after the first spawn.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, childEnv, REPO, runProcess } from '../test/cli/cli-process.ts';
import { round, stats, type Stats } from './stats.ts';

export interface ColdBench {
  npmStart: { wallMs: Stats; exitCodes: number[] };
  cliRun: { wallMs: Stats; cpuMs: Stats | null; peakRssMb: Stats | null; via: string; exitCodes: number[] };
}

export async function coldStarts(n: number): Promise<ColdBench> {
  const npmWall: number[] = [];
  const npmCodes: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await runProcess('npm', ['start', '--silent'], { env: childEnv(), timeoutMs: 60_000 });
    npmWall.push(r.ms);
    npmCodes.push(r.code ?? -1);
  }
  const gnuTime = existsSync('/usr/bin/time');
  const reportDir = join(REPO, 'reports', 'bench-cold-run');
  const wall: number[] = [];
  const rssMb: number[] = [];
  const cpuMs: number[] = [];
  const codes: number[] = [];
  for (let i = 0; i < n; i++) {
    const args = [process.execPath, BIN, 'run', '--report', reportDir];
    const r = gnuTime ? await runProcess('/usr/bin/time', ['-v', ...args], { env: childEnv(), timeoutMs: 60_000 }) : await runProcess(args[0]!, args.slice(1), { env: childEnv(), timeoutMs: 60_000 });
    wall.push(r.ms);
    codes.push(r.code ?? -1);
    const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    if (kb) rssMb.push(round(Number(kb[1]) / 1024));
    const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
    const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
    if (user && sys) cpuMs.push(round((Number(user[1]) + Number(sys[1])) * 1000));
  }
  return {
    npmStart: { wallMs: stats(npmWall), exitCodes: [...new Set(npmCodes)] },
    cliRun: { wallMs: stats(wall), cpuMs: cpuMs.length ? stats(cpuMs) : null, peakRssMb: rssMb.length ? stats(rssMb) : null, via: gnuTime ? '/usr/bin/time -v' : 'spawn (no /usr/bin/time: no RSS)', exitCodes: [...new Set(codes)] },
  };
}
