#!/usr/bin/env node
// `npm run build`, also run by `prepare` (npm install / npm ci / npm pack in this folder): bundles the CLI
// (helpers/cli/main.ts and everything it imports, the dependencies included) with esbuild into
// dist/helpers/cli/main.js plus a few chunks in dist/chunks/, one per part a command loads on demand (the run
// engine, the reference provider with oidc-provider, the container stack, upgrade-check, …). A cold start then
// reads a handful of files instead of ~950 small modules (issue 12: module resolution and compilation were most of
// a cold run). Left out of the bundle and loaded from node_modules only when a command needs them: the container
// tooling (testcontainers, dockerode, mysql2), playwright-core, and the X.509 writer (@peculiar/x509 with
// reflect-metadata, used only when a certificate must be made).
//
// From scratch every time so nothing stale is left behind; then dist/.build-stamp is dated to when the build
// STARTED. bin/entry-point.js runs dist/ only while no source or build input is newer than that stamp; otherwise it
// runs the TypeScript sources through tsx, so an edited checkout never runs stale JavaScript. No type checking here
// (esbuild strips types): `npm run typecheck` does that.
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP } from '../bin/entry-point.js';

/** Not bundled: big, optional for most commands, or relying on Node's own CommonJS loader (named exports). */
const EXTERNAL = ['testcontainers', 'dockerode', 'mysql2', 'mysql2/*', 'playwright-core', '@peculiar/x509', 'reflect-metadata'];

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The harness uses three things from undici (helpers/http: Agent, its request(), buildConnector), but undici's main
 * module loads all of it (fetch, WebSocket, mocks, caches, proxies: ~120 ms of a cold start on our machine, issue
 * 12). In the bundle, the harness's `import … from 'undici'` gets just those parts, with the request API put on
 * Dispatcher.prototype exactly as undici's index.js does. Named exports, so importing anything else from undici
 * fails the build instead of giving undefined at run time; the sources (tsx) and every dependency keep undici itself.
 */
const UNDICI_PARTS = `
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import api from 'undici/lib/api/index.js';
import Agent from 'undici/lib/dispatcher/agent.js';
import buildConnector from 'undici/lib/core/connect.js';
Object.assign(Dispatcher.prototype, api);
export { Agent, Dispatcher, buildConnector };
`;
const undiciParts = {
  name: 'undici-parts',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) =>
      args.importer.startsWith(join(root, 'helpers')) ? { path: 'undici-parts', namespace: 'undici-parts' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'undici-parts' }, () => ({ contents: UNDICI_PARTS, loader: 'js', resolveDir: root }));
  },
};
const started = new Date();
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // e.g. `npm install --omit=dev` in a clone: no bundler. The bin then runs the sources through tsx.
  console.warn('oidc-harness build: esbuild is not installed (a dev dependency); dist/ not built, the CLI runs the TypeScript sources through tsx');
  process.exit(0);
}
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
try {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { 'helpers/cli/main': 'helpers/cli/main.ts' },
    outdir: dist,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    external: EXTERNAL,
    plugins: [undiciParts],
    // Bundled CommonJS dependencies call require() for Node's built-ins and the external modules.
    banner: { js: "import { createRequire as __ohCreateRequire } from 'node:module';\nconst require = __ohCreateRequire(import.meta.url);" },
    legalComments: 'eof',
    logLevel: 'warning',
  });
} catch {
  rmSync(dist, { recursive: true, force: true }); // never leave a half-built dist/ to be run (esbuild printed why)
  process.exit(1);
}
mkdirSync(dist, { recursive: true });
const stamp = join(root, STAMP);
writeFileSync(stamp, `dist/ bundled by scripts/build.mjs (esbuild); build started ${started.toISOString()}\n`);
utimesSync(stamp, started, started);
