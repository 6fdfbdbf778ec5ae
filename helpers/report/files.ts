/**
 * How reports reach the disk (issue 9 §8): each file is written whole to a temporary name in the same folder and
 * renamed over the old one (a reader, or an interrupted run, never sees half a report), and a run that writes into
 * a folder holds a lock file there, so a second run writing into the same folder at the same time is refused with
 * a sentence instead of mixing its files with the first run's. A lock whose process is gone is taken over.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HarnessInputError } from '../config-errors.ts';
import { ensureOutputDir } from '../paths.ts';

export const LOCK_FILE = '.oidc-harness.lock';

/** Writes `text` to `file` atomically: a temporary sibling, then rename. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = join(file, '..', `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, text, 'utf8');
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The report folder, created if needed (never with recursive mkdir: helpers/paths.ts). */
export function reportDir(dir: string): string {
  return ensureOutputDir(dir, 'reports');
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the report folder's lock for this process, or refuses in one sentence while another live run holds it.
 * Returns the release function (idempotent).
 */
export function lockReportDir(dir: string): () => void {
  const abs = reportDir(dir);
  const file = join(abs, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new HarnessInputError(`cannot lock the report folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      const holder = Number.parseInt(readSafe(file), 10);
      if (alive(holder) && holder !== process.pid) {
        throw new HarnessInputError(`another oidc-harness run (process ${holder}) is writing reports to ${dir}; wait for it to finish or give another --report folder`);
      }
      rmSync(file, { force: true }); // left behind by a run that died: take it over
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      if (Number.parseInt(readSafe(file), 10) === process.pid) rmSync(file, { force: true });
    };
    process.once('exit', release); // an interrupted run (process.exit) leaves no lock behind either
    return release;
  }
  throw new HarnessInputError(`cannot lock the report folder ${dir}: another run keeps taking it`);
}

function readSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

