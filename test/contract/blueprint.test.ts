/**
 * Contract: the blueprint loader reads what real authentik reads (authentik.md §10; authentik/blueprints/v1/common.py
 * for the tags, authentik/blueprints/v1/importer.py for entries, providers/oauth2/models.py for defaults).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLUEPRINT_PATH, loadBlueprint, parseBlueprint, startReferenceProvider, VARIANTS_DIR } from '../../compose/embedded/index.ts';

const guide = readFileSync(DEFAULT_BLUEPRINT_PATH, 'utf8');

describe('blueprint loader', () => {
  it('resolves the guide\'s blueprint: confidential provider, strict URI, user_email, RS256 key, openid/email/profile, grant types', () => {
    const b = loadBlueprint(DEFAULT_BLUEPRINT_PATH, { env: {} });
    expect(b.provider).toMatchObject({
      client_id: 'osticket-harness-client', client_type: 'confidential', sub_mode: 'user_email', issuer_mode: 'per_provider',
      signing_key: 'authentik Self-signed Certificate', encryption_key: null, scopes: ['openid', 'email', 'profile'],
      grant_types: ['authorization_code', 'refresh_token'], access_code_validity_s: 60, access_token_validity_s: 3600,
      authorization_flow: 'default-provider-authorization-implicit-consent', invalidation_flow: 'default-provider-invalidation-flow',
    });
    expect(b.provider.redirect_uris).toEqual([{ matching_mode: 'strict', url: 'https://osticket.company/osticket/api/auth/oauth2', redirect_uri_type: 'authorization' }]);
    expect(b.application).toMatchObject({ slug: 'osticket', name: 'osTicket', bindings: [] });
    expect(b.users[0]).toMatchObject({ username: 'osticket-test', email: 'osticket-test@example.com', name: 'osTicket Test', is_active: true });
  });

  it('!Env takes the environment over the default', () => {
    const b = parseBlueprint(guide, 'osticket.yaml', { env: { OSTICKET_CLIENT_ID: 'from-env', OSTICKET_TEST_EMAIL: 'agent@corp.example' } });
    expect(b.provider.client_id).toBe('from-env');
    expect(b.users[0]!.email).toBe('agent@corp.example');
  });

  it('every variant differs from the guide in one place and loads', () => {
    const files = readdirSync(VARIANTS_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(16);
    for (const f of files) expect(() => loadBlueprint(`${VARIANTS_DIR}/${f}`, { env: {} }), f).not.toThrow();
    expect(loadBlueprint(`${VARIANTS_DIR}/grant-types-empty.yaml`, { env: {} }).provider.grant_types).toEqual([]);
    expect(parseBlueprint(guide.replace(/\s+grant_types: .*\n/, '\n'), 'x.yaml', { env: {} }).provider.grant_types).toBeNull();
  });

  it('an unknown tag is one clear sentence with the tag and its line', () => {
    expect(() => parseBlueprint(guide.replace('sub_mode: user_email', 'sub_mode: !Magic user_email'), 'bad.yaml', { env: {} }))
      .toThrow(/^Blueprint bad\.yaml, document: unsupported tag !Magic at line \d+/);
  });

  it('bad entries name the file, the entry and the problem', () => {
    expect(() => parseBlueprint(guide.replace('sub_mode: user_email', 'sub_mode: user_nickname'), 'bad.yaml', { env: {} }))
      .toThrow(/^Blueprint bad\.yaml, entry 1 \(authentik_providers_oauth2\.oauth2provider "osticket-provider"\): sub_mode "user_nickname"/);
    expect(() => parseBlueprint('version: 2\nentries: []\n', 'v.yaml')).toThrow(/version: 1/);
    // required since 2024.10 (the provider serializer refuses a provider without an invalidation flow)
    expect(() => parseBlueprint(guide.replace(/\s+invalidation_flow: .*\n/, '\n'), 'x.yaml', { env: {} })).toThrow(/invalidation_flow is required/);
    expect(() => parseBlueprint(guide.replace('slug: osticket', 'slug: os ticket'), 'x.yaml', { env: {} })).toThrow(/slug "os ticket" is not a valid slug/);
    expect(() => loadBlueprint('/nonexistent/blueprint.yaml')).toThrow(/cannot be read: ENOENT/);
  });

  it('models an osTicket login never touches load, are not modelled and are listed once at start; a model authentik does not have is refused', async () => {
    const extra = [
      '  - model: authentik_sources_oauth.oauthsource\n    identifiers: {slug: github}\n    attrs: {name: GitHub, provider_type: github}',
      '  - model: authentik_outposts.outpost\n    identifiers: {name: embedded}\n    attrs: {type: proxy}',
      '  - model: authentik_events.notificationrule\n    identifiers: {name: alerts}',
      '  - model: authentik_providers_saml.samlpropertymapping\n    identifiers: {name: saml-upn}\n    attrs: {saml_name: upn, expression: return user.email}',
      '  - model: authentik_providers_rac.endpoint\n    identifiers: {name: ssh}',
      '  - model: authentik_events.notificationrule\n    identifiers: {name: more-alerts}',
    ].join('\n');
    const text = `${guide.trimEnd()}\n${extra}\n`;
    const b = parseBlueprint(text, 'install.yaml', { env: {} });
    expect(b.ignored).toEqual({
      'authentik_events.notificationrule': 2, 'authentik_outposts.outpost': 1, 'authentik_providers_rac.endpoint': 1,
      'authentik_providers_saml.samlpropertymapping': 1, 'authentik_sources_oauth.oauthsource': 1,
    });
    expect(parseBlueprint(guide, 'g.yaml', { env: {} }).ignored).toEqual({});
    const lines: string[] = [];
    const p = await startReferenceProvider({ blueprintText: text, env: {}, log: (l) => lines.push(l) });
    await p.close();
    expect(lines.filter((l) => l.includes('loaded without modelling'))).toEqual([
      'blueprint: loaded without modelling them (an osTicket login never touches them): authentik_events.notificationrule (2), authentik_outposts.outpost (1), authentik_providers_rac.endpoint (1), authentik_providers_saml.samlpropertymapping (1), authentik_sources_oauth.oauthsource (1)',
    ]);
    expect(() => parseBlueprint(`${guide.trimEnd()}\n  - model: authentik_nothing.widget\n    identifiers: {name: x}\n`, 'bad.yaml', { env: {} }))
      .toThrow(/model authentik_nothing\.widget does not exist in authentik \("App or Model does not exist"\)/);
  });
});
