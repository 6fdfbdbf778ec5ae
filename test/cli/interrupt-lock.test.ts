/**
 * Issue 9 §8, interrupted and concurrent runs: Ctrl-C says the run was interrupted and that no report was written
 * (exit 130); reports are written whole (temporary file, then rename); a second run writing into the same folder
 * at the same time is refused with a sentence, and a lock left by a process that died does not block for ever.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../helpers/cli/main.ts';
import { LOCK_FILE, lockReportDir, writeFileAtomic } from '../../helpers/report/files.ts';
import { harnessRun } from '../../helpers/run.ts';
import { startCli, STACK_LINE } from './cli-process.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'oidc-harness-lock-'));

describe('Ctrl-C', () => {
  it('during a run: one sentence, exit 130, no report written', async () => {
    const dir = join(scratch(), 'reports');
    const cli = await startCli(['run', '--report', dir]);
    await cli.waitFor(/\[ *\d+\/\d+\] /); // the checks are running
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/oidc-harness: interrupted \(SIGINT\): the run was stopped before it finished; no report was written to /);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(['results.json', 'junit.xml', 'report.html'].filter((f) => existsSync(join(dir, f)))).toEqual([]);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});

describe('reports folder', () => {
  it('reports are written through a temporary file and a rename: nothing else is left in the folder', async () => {
    const dir = scratch();
    await writeFileAtomic(join(dir, 'results.json'), '{"a":1}\n');
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('a second run into a folder another live process is writing is refused with a sentence (exit 2)', async () => {
    const dir = scratch();
    // The parent of this test process is alive for as long as the test runs: it stands for the first run.
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
    let err = '';
    const io: CliIo = { out: () => undefined, err: (t) => void (err += t), isTTY: false, env: {} };
    expect(await main(['run', '--report', dir], io)).toBe(2);
    expect(err).toMatch(new RegExp(`another oidc-harness run \\(process ${process.ppid}\\) is writing reports to ${dir}; wait for it to finish or give another --report folder`));
    expect(existsSync(join(dir, 'results.json'))).toBe(false);
  });

  it('a lock left by a process that died is taken over, and released after the run', async () => {
    const dir = scratch();
    writeFileSync(join(dir, LOCK_FILE), '2147483646\n'); // no such process
    const { run } = await harnessRun({}, { reportDir: dir, only: ['discovery'] });
    expect(run.verdict).toBe('pass');
    expect(existsSync(join(dir, 'results.json'))).toBe(true);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('the lock is released on failure too', () => {
    const dir = scratch();
    const release = lockReportDir(dir);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    release();
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
