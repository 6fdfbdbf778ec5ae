// Container entry of oidc-harness/reference-authentik: runs the reference provider (compose/embedded) on
// REFERENCE_HOST:REFERENCE_PORT (default 0.0.0.0:9000, authentik's HTTP port, authentik.md §9) configured by the
// blueprint at REFERENCE_BLUEPRINT, with the authentik version profile REFERENCE_PROFILE (default: the provider's).
// The provider builds its issuer from the Host header, as authentik does, so the harness reaches it as
// http://authentik:9000 through its resolution map. Health: GET /-/health/ready/.
import { existsSync } from 'node:fs';

const host = process.env.REFERENCE_HOST ?? '0.0.0.0';
const port = Number(process.env.REFERENCE_PORT ?? '9000');
const blueprintPath = process.env.REFERENCE_BLUEPRINT || undefined;
const profile = process.env.REFERENCE_PROFILE || undefined;

if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`reference-entry: REFERENCE_PORT must be a TCP port, got ${JSON.stringify(process.env.REFERENCE_PORT)}`);
  process.exit(2);
}
if (blueprintPath && !existsSync(blueprintPath)) {
  console.error(`reference-entry: blueprint not found at ${blueprintPath}`);
  process.exit(2);
}
// Imported after the checks above so a bad invocation fails fast and plainly.
const { startReferenceProvider, isProfile, PROFILES } = await import('../embedded/index.ts');
if (profile !== undefined && !isProfile(profile)) {
  console.error(`reference-entry: REFERENCE_PROFILE must be one of ${PROFILES.join(', ')}, got ${JSON.stringify(profile)}`);
  process.exit(2);
}
try {
  const started = await startReferenceProvider({ port, host, ...(blueprintPath ? { blueprintPath } : {}), ...(profile ? { profile } : {}), log: (line) => console.log(line) });
  console.log(`reference-authentik: listening on ${host}:${started.port} (profile ${started.profile}, application ${started.blueprint.application.slug})`);
  const shutdown = (signal: string): void => {
    console.log(`reference-authentik: ${signal}, shutting down`);
    void started.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  console.error(`reference-entry: the reference provider did not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
