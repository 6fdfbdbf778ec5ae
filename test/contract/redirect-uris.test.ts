/**
 * Contract: redirect URI list semantics and authorize-time errors (authentik.md §3, §6 grant_types).
 * authentik sources: providers/oauth2/views/authorize.py (check_redirect_uri, pre_permission_check),
 * authentik/lib/views.py (bad_request_message -> if/error.html), providers/oauth2/errors.py (RedirectUriError,
 * ClientIdError, AuthorizeError.create_uri), models.py (RedirectURI, RedirectURIMatchingMode).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch } from 'undici';
import { DEFAULT_BLUEPRINT_PATH, parseBlueprint, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { pythonFullmatch } from '../../compose/embedded/python-re.ts';
import { authorizePath, Client, exchange, loginForCallback, REDIRECT_URI, start, variant } from './support.ts';

const guide = readFileSync(DEFAULT_BLUEPRINT_PATH, 'utf8');
let ref: RunningReferenceProvider;
let regex: RunningReferenceProvider;
let badRegex: RunningReferenceProvider;
let empty: RunningReferenceProvider;
let noGrants: RunningReferenceProvider;
let noGrantsOld: RunningReferenceProvider;

beforeAll(async () => {
  [ref, regex, badRegex, empty, noGrants, noGrantsOld] = await Promise.all([
    start(),
    start({ blueprintPath: variant('redirect-regex-broad') }),
    start(),
    start({ blueprintText: guide.replace(/redirect_uris:\n\s+- matching_mode: strict\n\s+url: .*\n/, 'redirect_uris: []\n') }),
    start({ blueprintPath: variant('grant-types-empty') }),
    start({ blueprintPath: variant('grant-types-empty'), profile: '2025.10' }),
  ]);
});
afterAll(async () => {
  await Promise.all([ref, regex, badRegex, empty, noGrants, noGrantsOld].map((p) => p?.close()));
});

const authorize = (base: string, p: Parameters<typeof authorizePath>[0]) =>
  fetch(`${base}${authorizePath(p)}`, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });

const NEAR_MISSES = [
  `${REDIRECT_URI}/`,
  REDIRECT_URI.replace('https:', 'http:'),
  REDIRECT_URI.replace('osticket.company', 'osticket.company.evil.example'),
  REDIRECT_URI.replace('oauth2', 'OAuth2'),
  `${REDIRECT_URI}?x=1`,
];

describe('strict matching (check_redirect_uri, matching_mode strict)', () => {
  it('the exact registered URI is accepted (302 to the login flow)', async () => {
    const r = await authorize(ref.url, {});
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toMatch(/^\/if\/flow\//);
  });

  it.each(NEAR_MISSES)('near miss %s -> 400 HTML "Redirect URI Error", before any login', async (uri) => {
    const r = await authorize(ref.url, { redirect_uri: uri });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.headers.getSetCookie()).toEqual([]);
    const html = await r.text();
    expect(html).toContain('Redirect URI Error');
    expect(html).toContain('The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).');
  });

  it('a missing redirect_uri is the Redirect URI Error page too', async () => {
    const r = await fetch(`${ref.url}/application/o/authorize/?client_id=osticket-harness-client&response_type=code`, { redirect: 'manual' });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('Redirect URI Error');
  });

  it('an unknown client_id -> 400 HTML "Client ID Error"', async () => {
    const r = await authorize(ref.url, { client_id: 'not-a-client' });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('Client ID Error');
    expect(html).toContain('The client identifier (client_id) is missing or invalid.');
  });
});

describe('regex matching (Python re.fullmatch)', () => {
  it('a broad regex admits near misses the guide\'s strict entry refuses', async () => {
    for (const uri of [REDIRECT_URI, `${REDIRECT_URI}/`, `${REDIRECT_URI}?x=1`]) {
      expect((await authorize(regex.url, { redirect_uri: uri })).status, uri).toBe(302);
    }
  });

  it('the regex is anchored (fullmatch): a prefix before the pattern does not match', async () => {
    expect((await authorize(regex.url, { redirect_uri: `x${REDIRECT_URI}` })).status).toBe(400);
    expect((await authorize(regex.url, { redirect_uri: REDIRECT_URI.replace('https:', 'http:') })).status).toBe(400);
  });

  it('a Regex redirect URI that does not compile is refused when the blueprint is applied: "Invalid Regex Pattern: +"', () => {
    // providers/oauth2/api/providers.py RedirectURISerializer.validate (authentik.md §3, §13)
    for (const url of ['+', 'https://osticket\\.company/(unclosed']) {
      const text = guide.replace(/- matching_mode: strict\n(\s+)url: .*\n/, `- matching_mode: regex\n$1url: '${url}'\n`);
      expect(() => parseBlueprint(text, 'bad.yaml', { env: {} })).toThrow(`redirect_uris[0]: Invalid Regex Pattern: ${url}.`);
    }
    const named = guide.replace(/- matching_mode: strict\n(\s+)url: .*\n/, "- matching_mode: regex\n$1url: 'https://(?P<host>osticket)\\.company/.*'\n");
    expect(parseBlueprint(named, 'named.yaml', { env: {} }).provider.redirect_uris[0]!.url).toContain('(?P<host>');
    // Python syntax is matched with Python's meaning: named groups, back-references, \Z
    expect(pythonFullmatch('https://(?P<h>osticket)\\.company/(?P=h)/.*', 'https://osticket.company/osticket/cb')).toBe(true);
    expect(pythonFullmatch('https://osticket\\.company/cb\\Z', 'https://osticket.company/cb')).toBe(true);
    expect(pythonFullmatch('https://osticket\\.company/cb\\Z', 'https://osticket.company/cbZ')).toBe(false);
  });

  it('a stored regex that does not compile (saved before validation) gives the Redirect URI Error page, not a server error', async () => {
    badRegex.blueprint.provider.redirect_uris.splice(0, 1, { matching_mode: 'regex', url: 'https://osticket\\.company/(unclosed', redirect_uri_type: 'authorization' });
    const r = await authorize(badRegex.url, {});
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('Redirect URI Error');
  });
});

describe('redirect_uri_type (2026.5+): logout entries are not used for login', () => {
  const withLogout = guide.replace(
    '      signing_key:',
    '        - matching_mode: strict\n          url: https://osticket.company/osticket/logout\n          redirect_uri_type: logout\n      signing_key:',
  );
  it('a logout-type entry does not admit an authorize request on 2026.8, while a 2025.10 profile has no such type', async () => {
    const [newer, older] = await Promise.all([start({ blueprintText: withLogout }), start({ blueprintText: withLogout, profile: '2025.10' })]);
    try {
      expect((await authorize(newer.url, { redirect_uri: 'https://osticket.company/osticket/logout' })).status).toBe(400);
      expect((await authorize(newer.url, {})).status).toBe(302);
      expect((await authorize(older.url, { redirect_uri: 'https://osticket.company/osticket/logout' })).status).toBe(302);
    } finally {
      await Promise.all([newer.close(), older.close()]);
    }
  });
});

describe('no redirect URIs configured (authentik.md §3)', () => {
  it('the first redirect_uri seen is saved as strict before login; others then fail', async () => {
    const first = 'https://first.example/cb';
    expect((await authorize(empty.url, { redirect_uri: first })).status).toBe(302);
    expect(empty.blueprint.provider.redirect_uris).toEqual([{ matching_mode: 'strict', url: first, redirect_uri_type: 'authorization' }]);
    expect((await authorize(empty.url, { redirect_uri: 'https://second.example/cb' })).status).toBe(400);
    expect((await authorize(empty.url, { redirect_uri: first })).status).toBe(302);
  });
});

describe('errors after a valid redirect_uri are redirects (AuthorizeError.create_uri)', () => {
  it('unsupported response_type -> 302 redirect_uri?error=...&error_description=...&state=<raw>', async () => {
    const r = await fetch(`${ref.url}/application/o/authorize/?client_id=osticket-harness-client&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&response_type=bogus&state=a%20b`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    const loc = r.headers.get('location')!;
    expect(loc.startsWith(`${REDIRECT_URI}?error=unsupported_response_type&error_description=`)).toBe(true);
    expect(loc.endsWith('&state=a b')).toBe(true);
  });

  it('grant_types: [] on 2026.5+ -> every authorize 302s with invalid_request "The request is otherwise malformed"', async () => {
    const r = await authorize(noGrants.url, {});
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe(`${REDIRECT_URI}?error=invalid_request&error_description=The%20request%20is%20otherwise%20malformed&state=st-123`);
  });

  it('grant_types: [] on 2026.5+ -> the token endpoint answers invalid_grant', async () => {
    const { res, body } = await exchange(noGrants.url, 'deadbeef');
    expect(res.status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('profiles before 2026.5 ignore grant_types: the login completes', async () => {
    const cb = await loginForCallback(new Client(noGrantsOld.url), authorizePath());
    expect(cb.searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('redirect_uri at the token endpoint (views/token.py __check_redirect_uri)', () => {
  it('is checked against the allowed list: a near miss or a missing one is invalid_client', async () => {
    const c = new Client(ref.url);
    const cb = await loginForCallback(c, authorizePath());
    const code = cb.searchParams.get('code')!;
    const wrong = await exchange(ref.url, code, { redirect_uri: `${REDIRECT_URI}/` });
    expect(wrong.res.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_client');
    const missing = await exchange(ref.url, code, { redirect_uri: '' });
    expect(missing.body.error).toBe('invalid_client');
    // the code was not consumed by those failures
    const ok = await exchange(ref.url, code);
    expect(ok.res.status).toBe(200);
  });
});
