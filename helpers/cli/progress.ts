/**
 * Progress while a run goes on: on a terminal one line rewritten in place (which check, how long so far); in CI
 * and pipes one plain line per finished check, so logs stay readable.
 */
import pc from 'picocolors';
import type { RunOptions } from '../checks/engine.ts';
import type { CliIo } from './main.ts';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;

export function createProgress(io: CliIo, color: boolean): { onProgress: NonNullable<RunOptions['onProgress']>; done: () => void } {
  // The clock starts with the first check, not before: the target's start is timed on its own line (issue 9 §9).
  let started: number | undefined;
  const secs = () => `${((Date.now() - (started ?? Date.now())) / 1000).toFixed(1)} s`;
  const paint = (status: keyof typeof MARK) => {
    const m = MARK[status];
    if (!color) return m;
    return status === 'pass' ? pc.green(m) : status === 'warn' ? pc.yellow(m) : status === 'fail' ? pc.red(m) : pc.dim(m);
  };
  let live = false;
  return {
    onProgress(e) {
      started ??= Date.now();
      const n = `[${String(e.index + 1).padStart(2)}/${e.total}]`;
      if (io.isTTY) {
        if (e.phase === 'start') {
          io.err(`\r\x1b[2K${n} ${e.check.id} … ${secs()}`);
          live = true;
        }
        return;
      }
      if (e.phase === 'end' && e.result) io.err(`${n} ${paint(e.result.status)} ${e.check.id} (${e.result.ms} ms)\n`);
    },
    done() {
      if (live) io.err(`\r\x1b[2K`);
      io.err(`checks finished in ${secs()}\n`);
    },
  };
}
