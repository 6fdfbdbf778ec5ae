#!/usr/bin/env node
// `npm run build`, also run by `prepare` (npm install / npm ci / npm pack in this folder): compiles helpers/ and
// compose/ to dist/ (tsconfig.build.json), from scratch so a deleted source leaves no stale JavaScript behind, then
// writes dist/.build-stamp dated to when the build STARTED. bin/entry-point.js runs dist/ only while no source is
// newer than that stamp; otherwise it runs the TypeScript sources through tsx, so an edited checkout never runs
// stale JavaScript.
import { spawnSync } from 'node:child_process';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP } from '../bin/entry-point.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = new Date();
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // e.g. `npm install --omit=dev` in a clone: no compiler. The bin then runs the sources through tsx.
  console.warn('oidc-harness build: typescript is not installed (a dev dependency); dist/ not built, the CLI runs the TypeScript sources through tsx');
  process.exit(0);
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(join(root, 'dist'), { recursive: true, force: true }); // never leave a half-built dist/ to be run
  process.exit(r.status ?? 1);
}
const stamp = join(root, STAMP);
writeFileSync(stamp, `dist/ compiled by tsc -p tsconfig.build.json; build started ${started.toISOString()}\n`);
utimesSync(stamp, started, started);
