/**
 * Issue 9 §1: every path the operator gives is checked before use, and no failure leaves a server up. The bad
 * paths are one sentence and exit 2: a folder under a regular file, /proc (where Node's recursive mkdir spins at
 * 100% CPU), a FIFO or a directory where a file is expected. In-process, the listening sockets are counted before
 * and after each failure; over the real CLI, the process must close by itself (the event waited on).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startReferenceProvider } from '../../compose/embedded/index.ts';
import { serveReference } from '../../helpers/cli/serve-reference.ts';
import { HarnessInputError, loadConfigFile, readSecretFile } from '../../helpers/config.ts';
import { checkInputFile, ensureOutputDir } from '../../helpers/paths.ts';
import { resolveTarget } from '../../helpers/target.ts';
import { runCli, STACK_LINE } from './cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'oidc-harness-paths-'));
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'x');
const fifo = join(dir, 'a-fifo');
execFileSync('mkfifo', [fifo]);

/** Listening servers of this process (node reports them as TCPServerWrap). */
const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('output folders', () => {
  it.each<[string, string, RegExp]>([
    ['under a regular file', join(aFile, 'x', 'y'), /a-file is a file, not a folder/],
    ['in /proc', '/proc/oidc-harness-x', /inside \/proc, a system folder/],
    ['in /sys', '/sys/oidc-harness-x/y', /inside \/sys, a system folder/],
    ['a regular file itself', aFile, /a-file is a file, not a folder/],
  ])('%s is refused in one sentence', (_name, path, sentence) => {
    expect(() => ensureOutputDir(path, 'reports')).toThrow(HarnessInputError);
    expect(() => ensureOutputDir(path, 'reports')).toThrow(sentence);
  });

  it('missing levels are created one at a time', () => {
    expect(ensureOutputDir(join(dir, 'new', 'deeper', 'reports'), 'reports')).toBe(join(dir, 'new', 'deeper', 'reports'));
  });
});

describe('input files', () => {
  it.each<[string, string, RegExp]>([
    ['a FIFO (readFileSync would block for ever)', fifo, /a-fifo is a pipe \(FIFO\), not a file/],
    ['a directory', dir, /is a directory, not a file/],
    ['a device', '/dev/zero', /\/dev\/zero is a device, not a file/],
    ['a missing file', join(dir, 'nope.yaml'), /cannot read the config file .*nope\.yaml: ENOENT/],
  ])('%s', (_name, path, sentence) => {
    expect(() => checkInputFile(path, 'config file')).toThrow(sentence);
    expect(() => loadConfigFile(path)).toThrow(sentence);
  });

  it('a secret file of a megabyte is refused as too large', () => {
    const big = join(dir, 'big-secret');
    writeFileSync(big, 'x'.repeat(1024 * 1024));
    expect(() => readSecretFile(big, 'client secret')).toThrow(/too large \(1\.0 MB; at most 0\.1 MB\)/);
  });
});

describe('no failure leaves a server up', () => {
  it.each<[string, Parameters<typeof resolveTarget>[0], RegExp]>([
    ['embedded with a password file that does not exist', { user: { passwordFile: join(dir, 'nope') } }, /test user password file .*ENOENT/],
    ["embedded with osTicket's secret file a FIFO", { osticket: { clientSecretFile: fifo } }, /a-fifo is a pipe/],
    ['embedded with a blueprint that is a directory', { embedded: { blueprint: dir } }, /the blueprint .* is a directory/],
  ])('%s', async (_name, cfg, sentence) => {
    const before = servers();
    await expect(resolveTarget(cfg)).rejects.toThrow(sentence);
    expect(servers()).toBe(before);
  });

  it('the reference provider with its TLS folder under a file: refused, nothing listening', async () => {
    const before = servers();
    await expect(startReferenceProvider({ tls: true, tlsDir: join(aFile, 'tls') })).rejects.toThrow();
    expect(servers()).toBe(before);
  });

  it('serve-reference refuses --tls-dir under a file before it starts, and installs no signal handler', async () => {
    const before = { servers: servers(), sigint: process.listenerCount('SIGINT') };
    const io = { out: () => undefined, err: () => undefined, isTTY: false, env: {} };
    let stopAsked = false;
    const stop = () => ((stopAsked = true), Promise.resolve());
    await expect(serveReference({ port: '0', host: '127.0.0.1', tls: true, tlsDir: join(aFile, 'tls') }, io, stop)).rejects.toThrow(/a-file is a file, not a folder/);
    expect(stopAsked).toBe(false);
    expect({ servers: servers(), sigint: process.listenerCount('SIGINT') }).toEqual(before);
  });
});

describe.concurrent('the real CLI closes by itself with exit 2', () => {
  it.each<[string, string[], RegExp]>([
    ['serve-reference --tls --tls-dir under a regular file', ['serve-reference', '--port', '0', '--tls', '--tls-dir', join(aFile, 'tls')], /cannot write the throwaway CA \(--tls-dir\) to .*a-file is a file, not a folder/],
    ['serve-reference --tls --tls-dir /proc/x', ['serve-reference', '--port', '0', '--tls', '--tls-dir', '/proc/x'], /inside \/proc/],
    ['run --report /proc/x', ['run', '--report', '/proc/x'], /cannot write the reports to \/proc\/x/],
  ])('%s', async (_name, args, sentence) => {
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(sentence);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
