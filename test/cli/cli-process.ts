/**
 * Drives the real `bin/oidc-harness` in child processes (node + tsx loader, exactly what users run), with a limit
 * on every spawn, and starts `serve-reference` in the background. Shared by test/cli, test/e2e and bench/.
 *
 * Built for a busy machine (issue 9): at most CHILD_SLOTS children start or run at once in this worker (a node +
 * tsx start costs about a second of CPU; ten at once on two cores took 7 s for `--help`), every wait is for an
 * event (a line printed, a process closed), and every limit is a generous `patience()` scaled by the load, never
 * a timing assertion.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { patience, Slots } from '../support/patience.ts';

export { patience } from '../support/patience.ts';

/** Children starting or running at once (serve-reference holds a slot only until it is ready). */
export const CHILD_SLOTS = Math.max(1, Number(process.env.OIDC_HARNESS_TEST_CHILDREN) || availableParallelism());
const slots = new Slots(CHILD_SLOTS);

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = resolve(REPO, 'bin/oidc-harness');
export const GUIDE_BLUEPRINT = resolve(REPO, 'compose/blueprints/osticket.yaml');
export const variantPath = (name: string) => resolve(REPO, 'compose/blueprints/variants', `${name}.yaml`);

/**
 * The environment for a child: the parent's, minus every variable the harness or the blueprints read (so a user's
 * OIDC_HARNESS_CONFIG or OSTICKET_CLIENT_SECRET cannot change what a test sees) and minus vitest's own, plus
 * CI=true and NO_COLOR=1 (plain, uncoloured lines).
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(OIDC_HARNESS_|OIDC_CLIENT_|AUTHENTIK_|OSTICKET_|TEST_(USERNAME|PASSWORD|EMAIL)|VITEST|TINYPOOL)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, CI: 'true', NO_COLOR: '1', ...extra };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node bin/oidc-harness ...args`; kills it (SIGKILL) and rejects if it outlives `patience(timeoutMs)`. */
export function runCli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return runProcess(process.execPath, [BIN, ...args], opts);
}

/**
 * Runs a child to its end. `timeoutMs` is what an idle machine needs at most; the limit applied is
 * `patience(timeoutMs)`, counted from the moment the child gets its slot.
 */
export async function runProcess(
  command: string,
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  const release = await slots.acquire();
  try {
    return await runChild(command, args, opts);
  } finally {
    release();
  }
}

function runChild(command: string, args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string }): Promise<CliResult> {
  const timeoutMs = patience(opts.timeoutMs ?? 15_000);
  const t0 = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: opts.cwd ?? REPO, env: opts.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** A Node stack frame line ("    at fn (file:1:2)"): must never reach an operator. */
export const STACK_LINE = /^\s+at\s/m;

export interface ServedReference {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** The issuer line it printed. */
  issuer: string;
  /** Milliseconds from spawn to the line that says "ready". */
  readyMs: number;
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  /** SIGTERM, then the exit code (SIGKILL and a rejection after `timeoutMs`). */
  stop: (timeoutMs?: number) => Promise<number | null>;
}

/**
 * Spawns `oidc-harness serve-reference --port 0 [...args]` and resolves once it has printed its base URL (the
 * event), or rejects when it exits first or prints nothing within `patience(timeoutMs)`.
 */
export async function serveReference(args: string[] = [], opts: ServeOptions = {}): Promise<ServedReference> {
  const release = await slots.acquire();
  try {
    return await startServeReference(args, opts);
  } finally {
    release(); // once ready (or failed), it idles until a test talks to it: the slot goes to the next child
  }
}

/** `bin`/`cwd`: another copy of the CLI (e.g. installed from the packed tarball) and where it runs. */
interface ServeOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  bin?: string;
  cwd?: string;
}

function startServeReference(args: string[], opts: ServeOptions): Promise<ServedReference> {
  const timeoutMs = patience(opts.timeoutMs ?? 10_000);
  const t0 = performance.now();
  const child = spawn(process.execPath, [opts.bin ?? BIN, 'serve-reference', '--port', '0', ...args], {
    cwd: opts.cwd ?? REPO,
    env: opts.env ?? childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let readyMs: number | undefined;
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const stop = async (ms = patience(5_000)): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`serve-reference did not exit within ${ms} ms of SIGTERM`));
      }, ms);
    });
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`serve-reference printed no base URL within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (readyMs === undefined && /\bready\b/.test(stdout)) readyMs = performance.now() - t0;
      const base = /base URL:\s+(\S+)/.exec(stdout);
      const issuer = /issuer:\s+(\S+)/.exec(stdout);
      if (base && issuer) {
        clearTimeout(timer);
        done({ url: base[1]!, issuer: issuer[1]!, readyMs: readyMs ?? performance.now() - t0, child, output: () => ({ stdout, stderr }), stop });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      fail(new Error(`serve-reference exited (${code}) before printing its base URL\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

export interface StartedCli {
  child: ChildProcess;
  /** Resolves once stderr or stdout matches `re` (the event a test waits for), rejects if the process ends first. */
  waitFor: (re: RegExp) => Promise<void>;
  /** The process's end. */
  done: Promise<CliResult>;
}

/** Starts `node bin/oidc-harness ...args` and lets the test act on its output while it runs (e.g. send Ctrl-C). */
export async function startCli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<StartedCli> {
  const release = await slots.acquire();
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: opts.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => ((stdout += d), changed()));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => ((stderr += d), changed()));
  const limit = patience(opts.timeoutMs ?? 15_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`oidc-harness ${args.join(' ')} did not finish within ${limit} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, limit);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      release();
      changed();
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
  const waitFor = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (re.test(stdout) || re.test(stderr)) {
          listeners.delete(check);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          reject(new Error(`the process ended before printing ${re}\nstdout: ${stdout}\nstderr: ${stderr}`));
        }
      };
      listeners.add(check);
      check();
    });
  return { child, waitFor, done };
}
