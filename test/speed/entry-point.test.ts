/**
 * The CLI runs the JavaScript compiled into dist/ only while it is current (bin/entry-point.js): an edited, pulled
 * or never-built checkout runs its TypeScript sources, never stale JavaScript; an installed package (dist/ and no
 * sources) runs dist/. Checked on throwaway folder trees with set modification times, and on this checkout.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseEntry, STAMP } from '../../bin/entry-point.js';
import { REPO, runCli } from '../cli/cli-process.ts';

const choose = chooseEntry;

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A package tree; every file and folder dated T0 unless changed afterwards. */
function tree(opts: { sources: boolean; dist: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'oidc-entry-'));
  dirs.push(root);
  const files: string[] = ['package.json'];
  if (opts.sources) files.push('helpers/cli/main.ts', 'helpers/http/client.ts', 'compose/embedded/index.ts', 'tsconfig.json', 'package-lock.json', 'scripts/build.mjs');
  if (opts.dist) files.push('dist/helpers/cli/main.js', STAMP);
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '');
  }
  for (const f of [...files, 'helpers', 'helpers/cli', 'helpers/http', 'compose', 'compose/embedded'])
    try {
      utimesSync(join(root, f), T0, T0);
    } catch {
      // folder absent in this tree
    }
  if (opts.dist) utimesSync(join(root, STAMP), at(1), at(1)); // built after the sources
  return root;
}

describe('which code the CLI runs', () => {
  it('a built, untouched checkout runs dist/', () => {
    expect(choose(tree({ sources: true, dist: true }))).toEqual({ kind: 'dist', reason: 'dist/ is up to date' });
  });

  it('a never-built checkout runs the sources', () => {
    expect(choose(tree({ sources: true, dist: false })).kind).toBe('sources');
  });

  it('a source edited after the build: the sources, and the reason names the file', () => {
    const root = tree({ sources: true, dist: true });
    utimesSync(join(root, 'helpers/http/client.ts'), at(2), at(2));
    expect(choose(root)).toEqual({ kind: 'sources', reason: 'helpers/http/client.ts changed after the last build (npm run build)' });
  });

  it('a source deleted or added after the build (its folder changed): the sources', () => {
    const root = tree({ sources: true, dist: true });
    rmSync(join(root, 'compose/embedded/index.ts'));
    utimesSync(join(root, 'compose/embedded'), at(2), at(2));
    expect(choose(root).kind).toBe('sources');
  });

  it('a build input changed after the build (tsconfig, the lockfile: dependencies are bundled, the build script): the sources', () => {
    for (const input of ['tsconfig.json', 'package-lock.json', 'scripts/build.mjs']) {
      const root = tree({ sources: true, dist: true });
      utimesSync(join(root, input), at(2), at(2));
      expect(choose(root)).toEqual({ kind: 'sources', reason: `${input} changed after the last build (npm run build)` });
    }
  });

  it('an installed package (dist/, no sources) runs dist/; with neither, a sentence', () => {
    expect(choose(tree({ sources: false, dist: true }))).toEqual({ kind: 'dist', reason: 'installed package' });
    expect(choose(tree({ sources: false, dist: false })).kind).toBe('none');
  });

  it('this checkout: the bin runs what chooseEntry says', async () => {
    const expected = choose(REPO);
    const r = await runCli(['--version'], { env: { ...process.env, OIDC_HARNESS_DEBUG: '1' } as Record<string, string> });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`oidc-harness: running ${expected.kind} (`);
  });
});
