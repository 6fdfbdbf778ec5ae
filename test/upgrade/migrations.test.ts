/**
 * upgrade-check predicts an in-place upgrade, so the install at the new version is the old one after authentik's own
 * migrations (helpers/upgrade/migrations.ts): 2026.5 back-fills every existing provider with all grant types
 * (release notes 2026.5; migration 0033), while an entry that sets grant_types keeps them. The edit keeps
 * authentik's tags and the reference provider loads the result.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBlueprint } from '../../compose/embedded/index.ts';
import { ALL_GRANT_TYPES, migrateBlueprint } from '../../helpers/upgrade/migrations.ts';
import { parseRelease } from '../../helpers/upgrade/versions.ts';

const GUIDE = readFileSync(resolve(import.meta.dirname, '../../compose/blueprints/osticket.yaml'), 'utf8');
const WITHOUT_GRANT_TYPES = GUIDE.split('\n').filter((l) => !/^\s*grant_types:/.test(l)).join('\n');
const r = (v: string) => parseRelease(v)!;

describe('migrations of an in-place upgrade', () => {
  it('2026.5 back-fills a provider without grant_types with every grant type; the tags stay and the provider loads it', () => {
    const { text, applied } = migrateBlueprint(WITHOUT_GRANT_TYPES, r('2025.10'), r('2026.5'));
    expect(applied).toEqual([{ changeId: 'grant-types-enforced', changed: ['provider {"name":"osTicket"}: grant_types back-filled with every grant type'] }]);
    expect(text).toContain('!Find [ authentik_flows.flow, [ slug, default-provider-authorization-implicit-consent ] ]');
    expect(text).toContain('!Env [ OSTICKET_CLIENT_ID, osticket-harness-client ]');
    expect(parseBlueprint(text, 'migrated.yaml', { env: {} }).provider.grant_types).toEqual([...ALL_GRANT_TYPES]);
  });

  it('an entry that sets grant_types keeps them; an upgrade that does not cross 2026.5 changes nothing', () => {
    expect(migrateBlueprint(GUIDE, r('2025.10'), r('2026.8'))).toEqual({ text: GUIDE, applied: [] });
    expect(migrateBlueprint(WITHOUT_GRANT_TYPES, r('2026.5'), r('2026.8')).applied).toEqual([]);
    expect(migrateBlueprint(WITHOUT_GRANT_TYPES, r('2025.8'), r('2026.2')).applied).toEqual([]);
  });
});
