/** The osTicket client profile: the plugin's exact authorize URL, scope joining and attribute mapping. */
import { describe, expect, it } from 'vitest';
import {
  buildOsticketAuthorizeUrl,
  leagueAppendQuery,
  mapOsticketIdentity,
  newOsticketState,
  osticketScopeParam,
  parseWwwAuthenticate,
  phpRawUrlEncode,
} from '../../helpers/oidc/index.ts';
import type { OsticketPluginSettings } from '../../helpers/target-types.ts';

const settings: OsticketPluginSettings = {
  redirectUri: 'https://osticket.company/osticket/api/auth/oauth2',
  clientId: 'osticket-harness-client',
  clientSecret: 'not-used-here',
  authorizeUrl: 'https://authentik.company/application/o/authorize/',
  tokenUrl: 'https://authentik.company/application/o/token/',
  userinfoUrl: 'https://authentik.company/application/o/userinfo/',
  scopes: 'email openid profile',
};

describe('scope joining (osticket.md §2, §11)', () => {
  it.each([
    ['email openid profile', 'email openid profile', 'scope=email%20openid%20profile'],
    ['openid,email,profile', 'openid,email,profile', 'scope=openid%2Cemail%2Cprofile'],
    ['openid, email, profile', 'openid,email,profile', 'scope=openid%2Cemail%2Cprofile'],
    ['openid email,profile', 'openid email,profile', 'scope=openid%20email%2Cprofile'],
  ])('%j -> %j on the wire as %s', (raw, param, wire) => {
    expect(osticketScopeParam(raw)).toBe(param);
    const { url } = buildOsticketAuthorizeUrl({ ...settings, scopes: raw }, 'a'.repeat(32));
    expect(url.search).toContain(`&${wire}&`);
  });
});

describe('authorize URL', () => {
  it('has exactly the plugin parameters, in order, RFC 3986 encoded, no nonce, no PKCE', () => {
    const state = newOsticketState();
    expect(state).toMatch(/^[0-9a-f]{32}$/);
    expect(newOsticketState()).not.toBe(state);
    const { url, scope } = buildOsticketAuthorizeUrl(settings, state);
    expect(scope).toBe('email openid profile');
    expect(url.href).toBe(
      `https://authentik.company/application/o/authorize/?state=${state}&scope=email%20openid%20profile&response_type=code&approval_prompt=auto` +
        '&redirect_uri=https%3A%2F%2Fosticket.company%2Fosticket%2Fapi%2Fauth%2Foauth2&client_id=osticket-harness-client',
    );
    expect([...url.searchParams.keys()]).toEqual(['state', 'scope', 'response_type', 'approval_prompt', 'redirect_uri', 'client_id']);
  });

  it("keeps a query already on urlAuthorize (league appendQuery) and encodes like PHP's rawurlencode", () => {
    expect(leagueAppendQuery('https://idp/auth?tenant=a', 'state=1')).toBe('https://idp/auth?tenant=a&state=1');
    expect(leagueAppendQuery('https://idp/auth?', '&state=1')).toBe('https://idp/auth?&state=1');
    expect(leagueAppendQuery('https://idp/auth', '')).toBe('https://idp/auth');
    const { url } = buildOsticketAuthorizeUrl({ ...settings, authorizeUrl: 'https://authentik.company/application/o/authorize/?x=1' }, 'b'.repeat(32));
    expect(url.search.startsWith('?x=1&state=')).toBe(true);
    expect(phpRawUrlEncode("a b,c!*'()~")).toBe('a%20b%2Cc%21%2A%27%28%29~');
  });
});

describe('mapAttributes (osticket.md §3)', () => {
  it('defaults: username and email from "email"; givenname/surname match nothing in authentik claims', () => {
    expect(mapOsticketIdentity({ sub: 'u@x.io', email: 'u@x.io', name: 'U X', given_name: 'U X', preferred_username: 'u' })).toEqual({
      username: 'u@x.io',
      email: 'u@x.io',
      givenname: null,
      surname: null,
    });
  });

  it('lower-cases keys and configured names; the guide mapping (Given Name = name, Surname cleared)', () => {
    expect(mapOsticketIdentity({ EMAIL: 'u@x.io', Name: 'U X', family_name: 'X' }, { givenname: 'NAME', surname: '' })).toEqual({
      username: 'u@x.io',
      email: 'u@x.io',
      givenname: 'U X',
      surname: null,
    });
  });

  it('username falls back to email; email is copied from an email-like username; nested claims are not read', () => {
    expect(mapOsticketIdentity({ preferred_username: 'a@b.co' }, { username: 'preferred_username', email: 'mail' })).toMatchObject({
      username: 'a@b.co',
      email: 'a@b.co',
    });
    expect(mapOsticketIdentity({ preferred_username: 'alice' }, { username: 'preferred_username', email: 'mail' })).toMatchObject({
      username: 'alice',
      email: null,
    });
    expect(mapOsticketIdentity({ profile: { email: 'n@x.io' } })).toEqual({ username: null, email: null, givenname: null, surname: null });
    expect(mapOsticketIdentity({ email: '' })).toMatchObject({ username: '', email: '' });
  });

  it("parses authentik's WWW-Authenticate without the Bearer prefix", () => {
    expect(parseWwwAuthenticate('error="insufficient_scope", error_description="The request requires higher privileges"')).toEqual({
      error: 'insufficient_scope',
      errorDescription: 'The request requires higher privileges',
    });
    expect(parseWwwAuthenticate(undefined)).toEqual({});
  });
});
