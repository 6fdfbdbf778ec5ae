/**
 * What authentik's own migrations do to an install that already exists when it is upgraded, applied to the
 * blueprint the reference provider loads at the new version: the reference provider applies a blueprint as a new
 * install would, so without this an in-place upgrade would be predicted as if everything were created afresh.
 *
 * One migration matters to the login today: 2026.5 added the provider's Grant Types, back-filling every existing
 * provider with all of them (release notes 2026.5 "Existing providers default to having all grant types enabled to
 * preserve current behavior"; migration 0033_alter_oauth2provider_grant_types, authentik.md §6), while a provider
 * created by a blueprint, the API or Terraform afterwards gets none. So a provider entry without grant_types is
 * back-filled; an entry that sets them keeps them (a blueprint authentik applies again after the upgrade writes them
 * again). The document is edited with `yaml`'s document API, so authentik's tags (!Find, !KeyOf, !Env) are kept.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import { hasChange, parseRelease, type Release } from './versions.ts';

/** Every grant type a 2026.5 provider can have (authentik.md §6 "[2026.5+] grant_types on the provider"). */
export const ALL_GRANT_TYPES = ['authorization_code', 'implicit', 'hybrid', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code'] as const;

export interface AppliedMigration {
  /** The known change (known-changes.ts) whose migration this is. */
  changeId: string;
  /** What it changed, one line each. */
  changed: string[];
}

const GRANT_TYPES_SINCE = parseRelease('2026.5.0')!;

/** The blueprint text as an in-place upgrade from `from` to `to` leaves the install it describes. */
export function migrateBlueprint(text: string, from: Release, to: Release): { text: string; applied: AppliedMigration[] } {
  if (hasChange(from, GRANT_TYPES_SINCE) || !hasChange(to, GRANT_TYPES_SINCE)) return { text, applied: [] };
  const doc = parseDocument(text);
  const entries = doc.get('entries');
  const changed: string[] = [];
  if (doc.errors.length === 0 && isSeq(entries)) {
    for (const entry of entries.items) {
      if (!isMap(entry) || entry.get('model') !== 'authentik_providers_oauth2.oauth2provider' || entry.get('state') === 'absent') continue;
      const attrs = entry.get('attrs');
      if (!isMap(attrs) || attrs.has('grant_types')) continue;
      attrs.set('grant_types', doc.createNode([...ALL_GRANT_TYPES], { flow: true }));
      changed.push(`provider ${providerName(entry.get('identifiers'), attrs.get('name'))}: grant_types back-filled with every grant type`);
    }
  }
  if (!changed.length) return { text, applied: [] };
  return { text: doc.toString({ lineWidth: 0 }), applied: [{ changeId: 'grant-types-enforced', changed }] };
}

function providerName(identifiers: unknown, name: unknown): string {
  if (typeof name === 'string') return JSON.stringify(name);
  const ids = isMap(identifiers) ? identifiers.toJSON() : {};
  return JSON.stringify(ids);
}
