/**
 * Contract: several applications and providers in one install (issue 11 item 7).
 * authentik sources: authentik/core/models.py (Application.provider, one provider per application),
 * providers/oauth2/urls.py (discovery, JWKS, end-session per application slug), providers/oauth2/models.py
 * (get_issuer per slug, jwt_key per provider), views/authorize.py and views/token.py (the provider is the one whose
 * client_id the request names; a code of another provider is invalid_grant), views/userinfo.py (the token's
 * provider's mappings), policies/views.py (one authentik session signs in to every application).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKeyPair, DEFAULT_BLUEPRINT_PATH, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { authorizePath, Client, exchange, loginForCallback, start } from './support.ts';

const guide = readFileSync(DEFAULT_BLUEPRINT_PATH, 'utf8');
const GRAFANA_CB = 'https://grafana.company/login/generic_oauth';

async function twoApps(): Promise<string> {
  const kp = await buildKeyPair('grafana-ec', { kty: 'EC', crv: 'P-256' }, 'md5-hex', 'test');
  const pem = new X509Certificate(kp.certificateDer).toString(); // Node's PEM, no empty line when 48 | DER length
  const indent = (s: string) => s.trim().split('\n').map((l) => `        ${l}`).join('\n');
  return `${guide}
  - model: authentik_crypto.certificatekeypair
    id: grafana-key
    identifiers:
      name: grafana-ec
    attrs:
      certificate_data: |
${indent(pem)}
      key_data: |
${indent(kp.keyData)}
  - model: authentik_providers_oauth2.scopemapping
    id: grafana-role
    identifiers:
      name: Grafana role
    attrs:
      scope_name: grafana
      expression: 'return {"grafana_role": "Viewer"}'
  - model: authentik_providers_oauth2.oauth2provider
    id: grafana-provider
    identifiers:
      name: Grafana
    attrs:
      authorization_flow: !Find [authentik_flows.flow, [slug, default-provider-authorization-implicit-consent]]
      invalidation_flow: !Find [authentik_flows.flow, [slug, default-provider-invalidation-flow]]
      client_id: grafana-client
      client_secret: grafana-secret
      redirect_uris:
        - matching_mode: strict
          url: ${GRAFANA_CB}
      signing_key: !KeyOf grafana-key
      access_token_validity: minutes=5
      property_mappings:
        - !Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-openid]]
        - !KeyOf grafana-role
      grant_types: [authorization_code]
  - model: authentik_core.application
    identifiers:
      slug: grafana
    attrs:
      name: Grafana
      provider: !KeyOf grafana-provider
`;
}

let text: string;
let ref: RunningReferenceProvider;
beforeAll(async () => {
  text = await twoApps();
  ref = await start({ blueprintText: text, app: 'osticket' });
});
afterAll(() => ref?.close());

describe('choosing the application under test', () => {
  it('several OAuth2 applications and no --app: one sentence listing the slugs', async () => {
    await expect(start({ blueprintText: text })).rejects.toThrow(/it has 2 OAuth2 applications \(osticket, grafana\); choose the one under test with --app SLUG/);
  });

  it('an unknown --app names the slugs there are', async () => {
    await expect(start({ blueprintText: text, app: 'wiki' })).rejects.toThrow(/--app wiki: no OAuth2 application has that slug; the OAuth2 applications are osticket, grafana/);
  });

  it('--app selects the application the harness signs in to; the others are served too', () => {
    expect(ref.blueprint.application.slug).toBe('osticket');
    expect(ref.blueprint.applications.map((a) => a.application.slug)).toEqual(['osticket', 'grafana']);
  });
});

describe('each application has its own issuer, keys and provider', () => {
  it('discovery and JWKS per slug: its issuer, its signing algorithm and key', async () => {
    const doc = async (slug: string) => (await (await fetch(`${ref.url}/application/o/${slug}/.well-known/openid-configuration`)).json()) as Record<string, any>;
    const [o, g] = await Promise.all([doc('osticket'), doc('grafana')]);
    expect(o.issuer).toBe(`${ref.url}/application/o/osticket/`);
    expect(g.issuer).toBe(`${ref.url}/application/o/grafana/`);
    expect(o.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(g.id_token_signing_alg_values_supported).toEqual(['ES256']);
    expect(new Set(g.scopes_supported)).toEqual(new Set(['grafana', 'openid']));
    const jwks = async (slug: string) => ((await (await fetch(`${ref.url}/application/o/${slug}/jwks/`)).json()) as { keys: Array<Record<string, string>> }).keys;
    const [ok, gk] = await Promise.all([jwks('osticket'), jwks('grafana')]);
    expect(ok[0]!.kty).toBe('RSA');
    expect(gk[0]!.kty).toBe('EC');
    expect(gk[0]!.kid).not.toBe(ok[0]!.kid);
  });

  it('one session signs in to both; each code is redeemed by its own client only, tokens carry the application\'s issuer, key and claims', async () => {
    const c = new Client(ref.url);
    await loginForCallback(c, authorizePath());
    const g = await c.req(authorizePath({ scope: 'openid grafana', redirect_uri: GRAFANA_CB }, 'grafana-client'));
    expect(g.status).toBe(302);
    const cb = new URL(g.headers.get('location')!);
    expect(`${cb.origin}${cb.pathname}`).toBe(GRAFANA_CB);
    const code = cb.searchParams.get('code')!;
    // the osTicket client cannot redeem Grafana's code (authorization_code.provider != self.provider)
    const stolen = await exchange(ref.url, code, { redirect_uri: 'https://osticket.company/osticket/api/auth/oauth2' });
    expect(stolen.body.error).toBe('invalid_grant');
    const res = await fetch(`${ref.url}/application/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: GRAFANA_CB, client_id: 'grafana-client', client_secret: 'grafana-secret' }).toString(),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body.expires_in).toBe(300);
    expect(decodeProtectedHeader(body.id_token).alg).toBe('ES256');
    const claims = decodeJwt(body.id_token);
    expect(claims.iss).toBe(`${ref.url}/application/o/grafana/`);
    expect(claims.aud).toBe('grafana-client');
    expect(claims.grafana_role).toBe('Viewer');
    expect(claims.email).toBeUndefined();
    const ui = await fetch(`${ref.url}/application/o/userinfo/`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(((await ui.json()) as Record<string, unknown>).grafana_role).toBe('Viewer');
  });

  it('end-session is per application slug', async () => {
    const r = await fetch(`${ref.url}/application/o/grafana/end-session/`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    expect((await fetch(`${ref.url}/application/o/nope/end-session/`, { redirect: 'manual' })).status).toBe(404);
  });
});
