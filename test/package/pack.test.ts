/**
 * Installable like any npm CLI (issue 12): `npm pack` of a copy of this project (its `prepare` bundles dist/)
 * gives a tarball that installs globally into a temporary prefix with production dependencies only. The installed
 * `oidc-harness`, run outside this repository, answers --version and runs `run`, `serve-reference` and
 * `diagnose` from compiled JavaScript, with the blueprints it ships.
 *
 * No network beyond what `npm ci` fetched: `npm install -g --prefix <tmp> --offline <tarball>` from npm's cache
 * when the cache holds the registry's package documents; a lockfile install (`npm ci`, as in .ci/run) caches only
 * the tarballs, and then npm answers ENOTCACHED. In that case the tarball is laid out as `npm install -g` lays it
 * (lib/node_modules/oidc-harness and a bin link) with this project's installed production dependencies linked
 * (`npm ls --omit=dev`), so a module the package needs but does not declare as a dependency is still missed.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../helpers/checks/types.ts';
import { childEnv, patience, REPO, runProcess, serveReference, STACK_LINE } from '../cli/cli-process.ts';
import { guideCredentials, writeLiveConfig } from '../cli/live-config.ts';

const work = mkdtempSync(join(tmpdir(), 'oidc-harness-pack-'));
const stage = join(work, 'stage');
const prefix = join(work, 'prefix');
const elsewhere = join(work, 'elsewhere');
const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const installed = join(prefix, 'lib', 'node_modules', 'oidc-harness');
const linkedBin = join(prefix, 'bin', 'oidc-harness');
const env = (extra: Record<string, string> = {}) => childEnv({ OIDC_HARNESS_DEBUG: '1', ...extra });

/** What `npm pack` needs from this checkout, copied so that its `prepare` builds there and not in the repo. */
function stageCopy(): void {
  mkdirSync(stage);
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'bin', 'scripts', 'helpers', 'compose'])
    cpSync(join(REPO, f), join(stage, f), { recursive: true, filter: (src) => !src.includes(`${join('compose', 'containers', 'local-images')}`) });
  symlinkSync(join(REPO, 'node_modules'), join(stage, 'node_modules')); // the bundler for `prepare`
}

let tarball = '';
beforeAll(async () => {
  stageCopy();
  const pack = await runProcess('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: stage, env: childEnv(), timeoutMs: 120_000 });
  expect(pack.code, pack.stderr).toBe(0);
  tarball = join(work, pack.stdout.trim().split('\n').at(-1)!);
  mkdirSync(elsewhere);
  const install = await runProcess('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { cwd: elsewhere, env: childEnv(), timeoutMs: 180_000 });
  if (install.code !== 0) {
    expect(install.stderr, 'the offline install failed for another reason than an uncached registry document').toMatch(/ENOTCACHED/);
    await layOutLikeNpm();
  }
}, patience(150_000));

/** What `npm install -g --prefix` makes of the tarball, with this project's production dependencies linked. */
async function layOutLikeNpm(): Promise<void> {
  rmSync(prefix, { recursive: true, force: true });
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  const tar = await runProcess('tar', ['-xzf', tarball, '-C', unpacked], { env: childEnv() });
  expect(tar.code, tar.stderr).toBe(0);
  mkdirSync(join(prefix, 'lib', 'node_modules'), { recursive: true });
  renameSync(join(unpacked, 'package'), installed);
  const ls = await runProcess('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO, env: childEnv() });
  const top = new RegExp(`^${REPO.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/node_modules/((?:@[^/]+/)?[^/]+)$`);
  const prod = ls.stdout.split('\n').map((l) => top.exec(l.trim())?.[1]).filter((n): n is string => !!n);
  expect(prod).toContain('undici');
  for (const name of prod) {
    mkdirSync(join(installed, 'node_modules', name, '..'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules', name), join(installed, 'node_modules', name));
  }
  mkdirSync(join(prefix, 'bin'));
  symlinkSync(join('..', 'lib', 'node_modules', 'oidc-harness', 'bin', 'oidc-harness'), linkedBin);
}
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball, installed globally into a temporary prefix', () => {
  it('holds compiled JavaScript, the blueprints and production dependencies only: no sources, no dev tools', () => {
    expect(tarball).toMatch(new RegExp(`oidc-harness-${version.replace(/\./g, '\\.')}\\.tgz$`));
    expect(existsSync(join(installed, 'dist', 'helpers', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(installed, 'compose', 'blueprints', 'osticket.yaml'))).toBe(true);
    expect(readdirSync(join(installed, 'compose', 'blueprints', 'variants')).length).toBeGreaterThan(10);
    expect(existsSync(join(installed, 'helpers'))).toBe(false);
    for (const dev of ['typescript', 'vitest', 'playwright-core'])
      expect(existsSync(join(installed, 'node_modules', dev)), dev).toBe(false);
    for (const dep of ['undici', 'openid-client', 'oidc-provider']) expect(existsSync(join(installed, 'node_modules', dep)), dep).toBe(true);
  });

  it('oidc-harness --version, through the bin link, from dist/', async () => {
    const r = await runProcess(linkedBin, ['--version'], { cwd: elsewhere, env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
    expect(r.stderr).toContain('running dist (installed package)');
  });

  it('run: the embedded target passes with the shipped guide blueprint and writes the reports', async () => {
    const reports = join(elsewhere, 'reports');
    const r = await runProcess(linkedBin, ['run', '--report', reports], { cwd: elsewhere, env: env(), timeoutMs: 60_000 });
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const run = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as RunResult;
    expect(run.verdict).toBe('pass');
    expect(run.target.description).toContain(join(installed, 'compose', 'blueprints', 'osticket.yaml'));
  });

  it('serve-reference, and diagnose against it', async () => {
    const bin = join(installed, 'bin', 'oidc-harness');
    const server = await serveReference([], { bin, cwd: elsewhere, env: env() });
    try {
      expect(server.output().stderr).toContain('running dist (installed package)');
      const files = writeLiveConfig(null, undefined, mkdtempSync(join(work, 'live-')));
      const c = guideCredentials();
      const r = await runProcess(
        linkedBin,
        ['diagnose', '--issuer', server.issuer, '--client-id', c.clientId, '--client-secret-file', files.secretFile, '--redirect-uri', c.redirectUri, '--username', c.username, '--password-file', files.passwordFile, '--json'],
        { cwd: elsewhere, env: env(), timeoutMs: 60_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as RunResult).verdict).toBe('pass');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
