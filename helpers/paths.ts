/**
 * Every path an operator gives (config, secret and CA files, blueprints, the report and TLS folders) is checked
 * here before it is used, so a bad one is one sentence and exit 2, never a hang (issue 9 §1):
 * - input files must be regular files of a sane size: a FIFO or /dev/stdin would block readFileSync for ever, a
 *   directory or device is not a file, a 2 GB "config" is a mistake;
 * - output folders are created one level at a time without Node's recursive mkdir, which spins at 100% CPU under
 *   /proc and /sys (mkdir answers ENOENT there for ever); the nearest existing folder must be a writable directory.
 */
import { accessSync, constants, mkdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HarnessInputError } from './config-errors.ts';

/** Input files larger than this are refused (configs, secrets, CAs are kilobytes; blueprints well under this). */
export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;

/** Pseudo file systems: nothing of the harness belongs there, and Node's mkdir loops on them. */
const PSEUDO = /^\/(proc|sys|dev)(\/|$)/;

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return st.isFile() ? 'a file' : 'not a regular file';
}

/** Checks that `path` names a readable regular file of at most `maxBytes`; returns its absolute path. */
export function checkInputFile(path: string, what: string, maxBytes = MAX_INPUT_FILE_BYTES): string {
  const abs = resolve(path);
  let st: Stats;
  try {
    st = statSync(abs);
  } catch (e) {
    throw new HarnessInputError(`cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (!st.isFile()) throw new HarnessInputError(`the ${what} ${path} is ${kind(st)}, not a file`);
  if (st.size > maxBytes) throw new HarnessInputError(`the ${what} ${path} is too large (${mb(st.size)}; at most ${mb(maxBytes)})`);
  try {
    accessSync(abs, constants.R_OK);
  } catch (e) {
    throw new HarnessInputError(`cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return abs;
}

/** Reads a checked input file as UTF-8. */
export function readInputFile(path: string, what: string, maxBytes = MAX_INPUT_FILE_BYTES): string {
  const abs = checkInputFile(path, what, maxBytes);
  try {
    return readFileSync(abs, 'utf8');
  } catch (e) {
    throw new HarnessInputError(`cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * Makes sure `path` is a writable directory, creating the missing levels one at a time (never `recursive: true`).
 * Returns the absolute path.
 */
export function ensureOutputDir(path: string, what: string): string {
  const abs = resolve(path);
  if (PSEUDO.test(abs)) throw new HarnessInputError(`cannot write the ${what} to ${path}: it is inside ${abs.split('/')[1] ? `/${abs.split('/')[1]}` : '/'}, a system folder`);
  const missing: string[] = [];
  let existing = abs;
  for (;;) {
    let st: Stats | undefined;
    try {
      st = statSync(existing);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new HarnessInputError(`cannot write the ${what} to ${path}: ${code ?? 'error'}`);
    }
    if (st) {
      if (!st.isDirectory()) throw new HarnessInputError(`cannot write the ${what} to ${path}: ${existing} is ${kind(st)}, not a folder`);
      break;
    }
    missing.unshift(existing);
    const up = dirname(existing);
    if (up === existing) break;
    existing = up;
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new HarnessInputError(`cannot write the ${what} to ${path}: ${existing} is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new HarnessInputError(`cannot write the ${what} to ${path}: creating ${dir} failed (${code ?? 'error'})`);
    }
  }
  return abs;
}
