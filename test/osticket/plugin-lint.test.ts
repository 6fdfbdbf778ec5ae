import { describe, expect, it } from 'vitest';
import { decodeChoice, lintPluginConfig, type PluginInstanceSettings } from '../../helpers/osticket/plugin-config.ts';
import { encryptOsticketSecret } from '../../helpers/osticket/secret-crypto.ts';

const SALT = 'LintSalt0123456789abcdefghijklmn';
const NS = 'plugin.3.instance.1';
const good = (): PluginInstanceSettings => ({
  auth_name: 'Authentik', auth_service: 'Authentik', auth_target: 'all', auth_type: 'auth',
  redirectUri: 'https://osticket.company/osticket/api/auth/oauth2', clientId: 'cid',
  clientSecretStored: encryptOsticketSecret('the-secret', SALT, NS),
  urlAuthorize: 'https://authentik.company/application/o/authorize/',
  urlAccessToken: 'https://authentik.company/application/o/token/',
  urlResourceOwnerDetails: 'https://authentik.company/application/o/userinfo/',
  scopes: 'email openid profile',
});
const ids = (s: PluginInstanceSettings, o = { secretSalt: SALT, namespace: NS }) => lintPluginConfig(s, o).map((f) => `${f.field}:${f.diagnosis}`);

describe('lintPluginConfig', () => {
  it('passes the guide\'s configuration', () => {
    expect(ids(good())).toEqual([]);
  });

  it.each([
    ['a trailing backtick', 'https://authentik.company/application/o/token/`', /backtick at the end/],
    ['a leading space', ' https://authentik.company/application/o/token/', /space at the start/],
    ['a trailing newline', 'https://authentik.company/application/o/token/\n', /line break at the end/],
    ['a zero-width space inside', 'https://authentik.company/appli\u200bcation/o/token/', /U\+200B at position/],
    ['a quote', '"https://authentik.company/application/o/token/"', /quote at the start/],
    ['no scheme', 'authentik.company/application/o/token/', /not an absolute http\(s\) URL/],
  ])('flags %s in an endpoint', (_what, value, message) => {
    const f = lintPluginConfig({ ...good(), urlAccessToken: value }, { secretSalt: SALT, namespace: NS });
    expect(f.map((x) => x.diagnosis)).toEqual(['endpoint-stray-character']);
    expect(f[0]!.field).toBe('urlAccessToken');
    expect(f[0]!.label).toBe('Token Endpoint');
    expect(f[0]!.message).toMatch(message);
  });

  it.each([
    ['a trailing slash', 'https://osticket.company/osticket/api/auth/oauth2/'],
    ['the legacy callback', 'https://osticket.company/osticket/api/auth/ext'],
    ['different case', 'https://osticket.company/osticket/api/auth/OAuth2'],
    ['a query', 'https://osticket.company/osticket/api/auth/oauth2?x=1'],
  ])('flags a Redirect URI with %s', (_what, value) => {
    expect(ids({ ...good(), redirectUri: value })).toEqual(['redirectUri:osticket-redirect-uri-invalid']);
  });

  it('flags a missing Redirect URI (osTicket would rebuild it from each request\'s Host)', () => {
    const s = good();
    delete s.redirectUri;
    expect(ids(s)).toEqual(['redirectUri:osticket-redirect-uri-invalid']);
  });

  it.each(['openid,email,profile', 'openid, email, profile', 'openid email,profile'])('flags comma-separated scopes %j', (scopes) => {
    const f = lintPluginConfig({ ...good(), scopes }, { secretSalt: SALT, namespace: NS });
    expect(f.map((x) => x.diagnosis)).toEqual(['scopes-comma-separated']);
    expect(f[0]!.message).toContain('email openid profile');
  });

  it('flags a secret that is missing, plain text, or encrypted with another salt or namespace; never prints it', () => {
    const s = good();
    expect(ids({ ...s, clientSecretStored: undefined })).toEqual(['clientSecret:osticket-secret-undecryptable']);
    const plain = lintPluginConfig({ ...s, clientSecretStored: 'the-secret' });
    expect(plain.map((x) => x.diagnosis)).toEqual(['osticket-secret-undecryptable']);
    expect(plain[0]!.message).not.toContain('the-secret');
    expect(ids(s, { secretSalt: 'other', namespace: NS })).toEqual(['clientSecret:osticket-secret-undecryptable']);
    expect(ids(s, { secretSalt: SALT, namespace: 'plugin.3.instance.2' })).toEqual(['clientSecret:osticket-secret-undecryptable']);
    // Without the salt only the format can be checked: an encrypted value passes.
    expect(lintPluginConfig(s)).toEqual([]);
  });

  it('decodes choice fields stored as JSON or as a bare key (ChoiceField::to_php)', () => {
    expect(decodeChoice('{"agents":"Agents Only"}')).toBe('agents');
    expect(decodeChoice('users')).toBe('users');
    expect(decodeChoice(undefined)).toBeUndefined();
  });
});
