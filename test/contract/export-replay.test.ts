/**
 * Contract: replaying a real install from `ak export_blueprint` (issue 11 item 8).
 * authentik sources: authentik/blueprints/v1/exporter.py (Exporter.get_entries: every object of every allowed model,
 * in apps.get_models() order, identified by pk), authentik/blueprints/v1/common.py (BlueprintEntry.from_model,
 * get_attrs: read-only fields and fields equal to their serializer field's initial value left out, references as
 * primary keys), authentik/blueprints/v1/importer.py (Importer._apply_models: entries applied top to bottom, a pk
 * reference resolved against the database, so into the install it came from every referenced object exists
 * whatever the order), authentik/crypto/api.py (key material write-only), core/api/users.py (password write-only),
 * flows/api/flows.py and flows/api/bindings.py (policybindingmodel_ptr_id read-only).
 * The fixture test/fixtures/export/authentik-export.yaml is hand-built in that format.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseBlueprint, type ResolvedBlueprint, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { start } from './support.ts';

const EXPORT = new URL('../fixtures/export/authentik-export.yaml', import.meta.url).pathname;
const TEXT = readFileSync(EXPORT, 'utf8');
const logs: string[] = [];
let ref: RunningReferenceProvider;
beforeAll(async () => {
  ref = await start({ blueprintPath: EXPORT, app: 'osticket', testUserPassword: 'replayed-password', log: (l) => logs.push(l) });
});
afterAll(() => ref?.close());

/** The export with its entries reordered (the same objects, another order). */
function reordered(order: (entries: unknown[]) => unknown[]): string {
  const doc = parse(TEXT) as { entries: unknown[] };
  return stringify({ ...doc, entries: order(doc.entries) });
}

/** What a login depends on, as plain data, to compare two loads (lists in file order sorted: the order is the file's). */
function shape(bp: ResolvedBlueprint): unknown {
  return {
    apps: bp.applications.map((a) => [a.application.slug, a.provider.client_id, a.provider.sub_mode, a.provider.authentication_flow, a.provider.authorization_flow, a.provider.signing_key]).sort(),
    bindings: bp.application.bindings.map((b) => [b.group, b.order]),
    users: bp.users.map((u) => [u.pk, u.username, u.is_active, u.groups.slice().sort(), u.superuser, u.type]).sort((a, b) => Number(a[0]) - Number(b[0])),
    flows: bp.flows.map((f) => [f.slug, f.bindings.map((b) => [b.order, b.stage.name, b.stage.type])]).sort(),
    mappings: bp.provider.scope_mappings.map((m) => m.managed ?? m.name),
    brand: bp.brand,
    notes: bp.notes,
  };
}

describe('an ak export_blueprint file', () => {
  it('loads: applications, providers, flows, stages and keys referenced by primary key; the managed mappings as the defaults', () => {
    const bp = ref.blueprint;
    expect(bp.exported).toBe(true);
    expect(bp.applications.map((a) => a.application.slug)).toEqual(['osticket', 'osticket-staging', 'grafana']);
    expect(bp.provider.scope_mappings.map((m) => m.managed)).toEqual([
      'goauthentik.io/providers/oauth2/scope-email', 'goauthentik.io/providers/oauth2/scope-openid', 'goauthentik.io/providers/oauth2/scope-profile',
    ]);
    expect(bp.provider.authentication_flow).toBe('corp-login');
    // the stage bindings come before the stages in the file (flows app before the stages apps): resolved anyway
    const corp = bp.flows.find((f) => f.slug === 'corp-login')!;
    expect(corp.bindings.map((b) => [b.order, b.stage.name, b.stage.type])).toEqual([
      [10, 'corp-identification', 'identification'], [20, 'corp-mfa', 'authenticator_validate'], [100, 'corp-user-login', 'user_login'],
    ]);
    expect((corp.bindings[0]!.stage as { password_stage?: { name: string } }).password_stage?.name).toBe('corp-password');
    expect(bp.brand.flow_authentication).toBe('default-authentication-flow');
    expect(bp.application.bindings.map((b) => b.group)).toEqual(['helpdesk']);
  });

  it('resolves references in any order, as the install the export came from has every object: reversed and interleaved loads are the same', () => {
    const base = shape(ref.blueprint);
    const reversed = parseBlueprint(reordered((e) => [...e].reverse()), EXPORT, { app: 'osticket' });
    const interleaved = parseBlueprint(reordered((e) => [...e.filter((_, i) => i % 2), ...e.filter((_, i) => !(i % 2))]), EXPORT, { app: 'osticket' });
    expect(shape(reversed)).toEqual(base);
    expect(shape(interleaved)).toEqual(base);
  });

  it('a primary key no entry has is one sentence naming the entry', () => {
    const broken = TEXT.replace('password_stage: 5e6f7081-0000-4000-8000-000000000006', 'password_stage: 5e6f7081-0000-4000-8000-000000000099');
    expect(() => parseBlueprint(broken, EXPORT, { app: 'osticket' })).toThrow(/identificationstage pk 5e6f7081-0000-4000-8000-000000000005\).*password_stage is the primary key 5e6f7081-0000-4000-8000-000000000099, which no .* entry of the export has/);
  });

  it('a field the export leaves out has its serializer initial value: jdoe (no is_active) is inactive', () => {
    const byName = Object.fromEntries(ref.blueprint.users.map((u) => [u.username, u]));
    expect(byName.jdoe?.is_active).toBe(false);
    expect(byName['osticket-test']?.is_active).toBe(true);
    expect(byName.akadmin?.superuser).toBe(true);
  });

  it('says at start what it serves differently: other application types, keys exported by name only, policy bindings it cannot place', () => {
    const text = logs.join('\n');
    expect(text).toMatch(/applications without an OAuth2 provider are not served: wiki/);
    expect(text).toMatch(/key pair "grafana-signing" has no key material .* generated RSA-4096 test key/);
    expect(text).toMatch(/1 policy binding of the export target a flow or a stage binding .* not applied, so a policy bound there is not evaluated \(policy "default-authentication-flow-password-stage"/);
  });

  it('a policy the reference cannot evaluate: listed when bound where the login never goes, refused when osTicket\'s login evaluates it', () => {
    const withPolicy = (target: string) => reordered((e) => [...e,
      { model: 'authentik_policies_reputation.reputationpolicy', identifiers: { pk: 'aa000000-0000-4000-8000-000000000001' }, attrs: { name: 'block bad IPs', threshold: -5, check_ip: true } },
      { model: 'authentik_policies.policybinding', identifiers: { pk: 'aa000000-0000-4000-8000-000000000002' }, attrs: { enabled: true, order: 5, policy: 'aa000000-0000-4000-8000-000000000001', target, timeout: 30 } },
    ]);
    const GRAFANA = '4d5e6f70-0000-4000-8000-000000000303';
    const OSTICKET = '4d5e6f70-0000-4000-8000-000000000301';
    expect(parseBlueprint(withPolicy(GRAFANA), EXPORT, { app: 'osticket' }).notes.join('\n')).toMatch(/bound where osTicket's login through osticket never goes, so they are not evaluated: "block bad IPs" \(application grafana\)/);
    expect(() => parseBlueprint(withPolicy(OSTICKET), EXPORT, { app: 'osticket' })).toThrow(/policy "block bad IPs" is bound to application osticket, which osTicket's login through osticket evaluates, and the reference provider cannot evaluate it/);
  });

  it('needs --app with several OAuth2 applications', async () => {
    await expect(start({ blueprintPath: EXPORT })).rejects.toThrow(/3 OAuth2 applications \(osticket, osticket-staging, grafana\); choose the one under test with --app SLUG/);
  });

  it('the test user is the one user who is not an administrator, a service account or inactive; only it gets the password', () => {
    expect(ref.testUser?.username).toBe('osticket-test');
    expect(ref.blueprint.users.filter((u) => u.password !== null).map((u) => u.username)).toEqual(['osticket-test']);
  });

  it('two users who could be the test user: one sentence asking for --username', async () => {
    const jdoeActive = reordered((e) => e.map((x) => {
      const entry = x as { model: string; attrs: Record<string, unknown> };
      return entry.model === 'authentik_core.user' && entry.attrs.username === 'jdoe' ? { ...entry, attrs: { ...entry.attrs, is_active: true } } : x;
    }));
    await expect(start({ blueprintText: jdoeActive, app: 'osticket', testUserPassword: 'x' })).rejects.toThrow(/has 2 users who could be the test user \(osticket-test, jdoe\); choose one with --username/);
  });

  it('--username picks another; without a password an export is refused in one sentence', async () => {
    const other = await start({ blueprintPath: EXPORT, app: 'osticket', testUsername: 'akadmin', testUserPassword: 'x' });
    try {
      expect(other.testUser?.username).toBe('akadmin');
    } finally {
      await other.close();
    }
    await expect(start({ blueprintPath: EXPORT, app: 'osticket' })).rejects.toThrow(/the test user osticket-test of the export .* has no password \(ak export_blueprint leaves passwords out\)/);
  });
});
