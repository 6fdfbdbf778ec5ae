/**
 * The check catalog, in run order: discovery first (everything else reads it), then the shared login, the four
 * properties, the token endpoint probes, and the osTicket-server checks. Suites, the CLI and the self-tests all
 * read this one list.
 */
import type { CheckDef } from '../engine.ts';
import { discoveryChecks } from './discovery.ts';
import { loginChecks, redirectChecks } from './login-redirect.ts';
import { scopeChecks, subjectChecks } from './scopes-subject.ts';
import { signingChecks } from './signing.ts';
import { tokenChecks } from './token-endpoint.ts';
import { osticketChecks } from './osticket.ts';

export const CATALOG: readonly CheckDef[] = Object.freeze([
  ...discoveryChecks,
  ...loginChecks,
  ...redirectChecks,
  ...scopeChecks,
  ...subjectChecks,
  ...signingChecks,
  ...tokenChecks,
  ...osticketChecks,
]);

export function checkById(id: string): CheckDef | undefined {
  return CATALOG.find((c) => c.id === id);
}
