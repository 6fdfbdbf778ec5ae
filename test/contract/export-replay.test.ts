/**
 * Contract: replaying a real install from `ak export_blueprint` (issue 11 item 8; first part).
 * authentik sources: authentik/blueprints/v1/exporter.py (Exporter.get_entries: every object, identified by pk),
 * authentik/blueprints/v1/common.py (BlueprintEntry.from_model, get_attrs: read-only and write-only fields absent,
 * references as primary keys), authentik/crypto/api.py (key material write-only), core/api/users.py (password
 * write-only). The fixture test/fixtures/export/authentik-export.yaml is hand-built in that format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { authorizePath, Client, exchange, loginForCallback, start } from './support.ts';

const EXPORT = new URL('../fixtures/export/authentik-export.yaml', import.meta.url).pathname;
const logs: string[] = [];
let ref: RunningReferenceProvider;
beforeAll(async () => {
  ref = await start({ blueprintPath: EXPORT, app: 'osticket', testUsername: 'osticket-test', testUserPassword: 'replayed-password', log: (l) => logs.push(l) });
});
afterAll(() => ref?.close());

describe('an ak export_blueprint file', () => {
  it('loads: providers, mappings, flows and keys referenced by primary key; the managed mappings as the defaults', () => {
    expect(ref.blueprint.applications.map((a) => a.application.slug)).toEqual(['osticket', 'grafana']);
    expect(ref.blueprint.provider.scope_mappings.map((m) => m.managed)).toEqual([
      'goauthentik.io/providers/oauth2/scope-email', 'goauthentik.io/providers/oauth2/scope-openid', 'goauthentik.io/providers/oauth2/scope-profile',
    ]);
    expect(ref.blueprint.provider.authentication_flow).toBe('corp-login');
  });

  it('says at start what it serves differently: the other application types, the key exported by name only', () => {
    expect(logs.join('\n')).toMatch(/applications without an OAuth2 provider are not served: wiki/);
    expect(logs.join('\n')).toMatch(/key pair "grafana-signing" has no key material .* generated RSA-4096 test key/);
  });

  it('needs --app with several OAuth2 applications', async () => {
    await expect(start({ blueprintPath: EXPORT })).rejects.toThrow(/2 OAuth2 applications \(osticket, grafana\); choose the one under test with --app SLUG/);
  });

  it('exported users have no password; the test user (and only it) gets the one given on the command line', () => {
    expect(ref.blueprint.users.map((u) => u.username)).toEqual(['osticket-test', 'grafana-admin']);
    expect(ref.testUser?.username).toBe('osticket-test');
    expect(ref.blueprint.users.map((u) => u.password)).toEqual(['replayed-password', null]);
  });

  it('two users who could be the test user: one sentence asking for --username', async () => {
    await expect(start({ blueprintPath: EXPORT, app: 'osticket', testUserPassword: 'x' })).rejects.toThrow(/2 users who could be the test user \(osticket-test, grafana-admin\); choose one with --username/);
  });
});
