// Container entry of oidc-harness/reference-authentik: runs the reference provider (compose/embedded) on
// REFERENCE_HOST:REFERENCE_PORT (default 0.0.0.0:9000, authentik's HTTP port) configured by the blueprint at
// REFERENCE_BLUEPRINT. The provider builds its issuer from the Host header, as authentik does (authentik.md), so
// the harness reaches it as http://authentik:9000 through its resolution map.
import { existsSync } from 'node:fs';

interface StartedProvider { url?: string; issuer?: string; close?: () => Promise<void> | void; stop?: () => Promise<void> | void }
type StartReferenceProvider = (opts: { port: number; host: string; blueprintPath?: string; version?: string }) => Promise<StartedProvider>;

const host = process.env.REFERENCE_HOST ?? '0.0.0.0';
const port = Number(process.env.REFERENCE_PORT ?? '9000');
const blueprintPath = process.env.REFERENCE_BLUEPRINT;
const version = process.env.REFERENCE_VERSION || undefined;

if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`reference-entry: REFERENCE_PORT must be a TCP port, got ${JSON.stringify(process.env.REFERENCE_PORT)}`);
  process.exit(2);
}
if (blueprintPath && !existsSync(blueprintPath)) {
  console.error(`reference-entry: blueprint not found at ${blueprintPath}`);
  process.exit(2);
}

// Resolved at run time so this file type-checks whatever shape compose/embedded has while it is being built.
const mod = (await import(new URL('../embedded/index.ts', import.meta.url).href)) as { startReferenceProvider?: StartReferenceProvider };
if (typeof mod.startReferenceProvider !== 'function') {
  console.error('reference-entry: compose/embedded/index.ts exports no startReferenceProvider');
  process.exit(2);
}
const started = await mod.startReferenceProvider({ port, host, ...(blueprintPath ? { blueprintPath } : {}), ...(version ? { version } : {}) });
console.log(`reference-authentik: listening on http://${host}:${port} (${started.url ?? 'url not reported'})`);

const shutdown = async (signal: string): Promise<void> => {
  console.log(`reference-authentik: ${signal}, shutting down`);
  try { await (started.close ?? started.stop)?.call(started); } finally { process.exit(0); }
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
