// Which code the CLI runs (plain JavaScript: it must work before anything is compiled).
//  - dist/ (bundled at install/build time, scripts/build.mjs) when it is built and no TypeScript source, source
//    folder or build input (tsconfig, the lockfile: the dependencies are bundled too, the build script) is newer
//    than its stamp: the fast path, and the only one in an installed package (which ships dist/ and no sources);
//  - otherwise the TypeScript sources through tsx: a checkout that was edited, pulled or never built still runs
//    exactly its current sources, never stale JavaScript.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const STAMP = 'dist/.build-stamp';
const SOURCE_DIRS = ['helpers', 'compose'];
const BUILD_INPUTS = ['tsconfig.json', 'package-lock.json', 'scripts/build.mjs'];

const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
};

/** The first source (a .ts file, a source folder, or a build input) changed after `sinceMs`, or undefined. */
export function sourceNewerThan(root, sinceMs) {
  for (const f of BUILD_INPUTS) if ((mtime(join(root, f)) ?? 0) > sinceMs) return f;
  for (const dir of SOURCE_DIRS) {
    const base = join(root, dir);
    if ((mtime(base) ?? 0) > sinceMs) return dir;
    // Folders count too: deleting or renaming a file changes its folder's mtime.
    for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
      if (!entry.isDirectory() && !entry.name.endsWith('.ts')) continue;
      const p = join(entry.parentPath ?? entry.path, entry.name);
      if ((mtime(p) ?? 0) > sinceMs) return p.slice(root.length).replace(/^[/\\]/, '');
    }
  }
  return undefined;
}

/** @returns {{ kind: 'dist' | 'sources' | 'none', reason: string }} */
export function chooseEntry(root) {
  const haveSources = existsSync(join(root, 'helpers', 'cli', 'main.ts'));
  const haveDist = existsSync(join(root, 'dist', 'helpers', 'cli', 'main.js'));
  if (!haveSources) return haveDist ? { kind: 'dist', reason: 'installed package' } : { kind: 'none', reason: 'neither dist/ nor the sources are there; reinstall oidc-harness' };
  const stampMs = mtime(join(root, STAMP));
  if (!haveDist || stampMs === undefined) return { kind: 'sources', reason: 'dist/ is not built (npm run build)' };
  const newer = sourceNewerThan(root, stampMs);
  return newer ? { kind: 'sources', reason: `${newer} changed after the last build (npm run build)` } : { kind: 'dist', reason: 'dist/ is up to date' };
}
