/**
 * The hostile corpus, server side: one row per bad behaviour of the provider (or of the osTicket URL, or of the
 * harness input given beside a healthy provider). Each row names the check that must fail, the diagnosis it must
 * carry, and the only causes the run may rank (nothing unrelated). Paths are authentik's (authentik.md §1).
 */
import { createHmac } from 'node:crypto';
import type { HarnessConfig } from '../../helpers/config.ts';
import { json, parse, payloadOf, text, type Answer, type Front, type Rule } from './front.ts';

export const P = {
  discovery: /^\/application\/o\/osticket\/\.well-known\/openid-configuration/,
  jwks: /^\/application\/o\/osticket\/jwks\//,
  authorize: /^\/application\/o\/authorize\//,
  token: /^\/application\/o\/token\//,
  userinfo: /^\/application\/o\/userinfo\//,
};

export interface ServerRow {
  name: string;
  /** The class this row belongs to. */
  kind: string;
  rules?: (f: Front) => Rule[];
  /** TLS served by the front, and whether the harness is given the CA. */
  tls?: { cert: 'selfSigned' | 'expired' | 'otherName' | 'plain-http'; ca?: boolean };
  /** Changes to the (live) configuration. */
  cfg?: (c: HarnessConfig, f: Front) => HarnessConfig;
  exit: 1 | 2;
  /** The check that must fail with `cause`. */
  check: string;
  cause: string;
  /** Other causes the run may rank beside `cause` (consequences of the same fault). */
  also?: string[];
  /** What the failing check's actual or cause must quote. */
  seen?: RegExp;
}

const CTRL = '\u001b[2J\u001b]0;owned\u0007\u009b31m\r\nPASS';
const HUGE = 'x'.repeat(300_000);
const always = (path: RegExp, a: Answer, method?: string): Rule => ({ path, ...(method ? { method } : {}), act: { answer: () => a } });
const transformJson = (path: RegExp, fn: (body: Record<string, unknown>, f: Front) => unknown | Promise<unknown>, method?: string): Rule => ({
  path,
  ...(method ? { method } : {}),
  act: {
    transform: async (up, _seen, f) => {
      if (up.status !== 200) return up;
      return json(200, await fn(parse(up), f));
    },
  },
});
/** The JWKS with the front's key added beside the provider's. */
const jwksWithFront: Rule = transformJson(P.jwks, (b, f) => ({ keys: [...((b.keys as unknown[]) ?? []), f.publicJwk] }));
/** Re-sign the ID token of every token response with the front's key, its claims changed by `change`. */
function resignIdToken(change: (claims: Record<string, unknown>) => Record<string, unknown>, header: Record<string, unknown> = {}): Rule[] {
  return [
    jwksWithFront,
    transformJson(
      P.token,
      async (b, f) => (typeof b.id_token === 'string' ? { ...b, id_token: await f.sign(header, change(payloadOf(b.id_token))) } : b),
      'POST',
    ),
  ];
}
const unsigned = (claims: Record<string, unknown>) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
const cookies = (n: number) => Array.from({ length: n }, (_, i) => `storm${i}=${'v'.repeat(60)}; Path=/`);

export const SERVER_ROWS: ServerRow[] = [
  // ---- discovery: not JSON, not a document, too large, too slow, gone
  { name: 'discovery: an HTML page', kind: 'html-for-json', rules: () => [always(P.discovery, text(200, '<html><body>Login wall</body></html>'))], exit: 1, check: 'discovery.reachable', cause: 'discovery-malformed', seen: /not JSON/ },
  { name: 'discovery: invalid JSON', kind: 'invalid-json', rules: () => [always(P.discovery, json(200, '{"issuer": "http://x", '))], exit: 1, check: 'discovery.reachable', cause: 'discovery-malformed' },
  { name: 'discovery: a JSON array', kind: 'invalid-json', rules: () => [always(P.discovery, json(200, [1, 2, 3]))], exit: 1, check: 'discovery.reachable', cause: 'discovery-malformed' },
  { name: 'discovery: an empty body', kind: 'invalid-json', rules: () => [always(P.discovery, json(200, ''))], exit: 1, check: 'discovery.reachable', cause: 'discovery-malformed' },
  { name: 'discovery: 404', kind: 'status', rules: () => [always(P.discovery, text(404, 'Not Found'))], exit: 1, check: 'discovery.reachable', cause: 'discovery-unreachable' },
  { name: 'discovery: 500 (a server error is a server error)', kind: 'status', rules: () => [always(P.discovery, text(500, 'Internal Server Error'))], exit: 1, check: 'discovery.reachable', cause: 'server-error', seen: /HTTP 500/ },
  { name: 'discovery: 503 from a proxy', kind: 'status', rules: () => [always(P.discovery, text(503, 'Service Unavailable'))], exit: 1, check: 'discovery.reachable', cause: 'server-error' },
  { name: 'discovery: 50 MB declared', kind: 'oversized', rules: () => [{ path: P.discovery, act: { answer: () => json(200, `{"pad":"${'x'.repeat(50 * 1024 * 1024)}"}`) } }], exit: 1, check: 'discovery.reachable', cause: 'response-too-large', seen: /too large \(50\.0 MB/ },
  { name: 'discovery: a body that never ends', kind: 'never-ending', rules: () => [{ path: P.discovery, act: { raw: 'endless' } }], exit: 1, check: 'discovery.reachable', cause: 'response-too-large', seen: /too large \(more than 2\.0 MB/ },
  { name: 'discovery: one byte a second', kind: 'slow', rules: () => [{ path: P.discovery, act: { raw: 'drip' } }], exit: 2, check: 'discovery.reachable', cause: 'authentik-unreachable', seen: /no complete answer .* within \d+ ms/ },
  { name: 'discovery: headers that never come', kind: 'slow', rules: () => [{ path: P.discovery, act: { raw: 'hang' } }], exit: 2, check: 'discovery.reachable', cause: 'authentik-unreachable', seen: /within \d+ ms/ },
  { name: 'discovery: half the headers, then nothing', kind: 'slow', rules: () => [{ path: P.discovery, act: { raw: 'half-headers' } }], exit: 2, check: 'discovery.reachable', cause: 'authentik-unreachable' },
  { name: 'discovery: connection reset', kind: 'reset', rules: () => [{ path: P.discovery, act: { raw: 'reset' } }], exit: 2, check: 'discovery.reachable', cause: 'authentik-unreachable', seen: /closed|reset|ECONNRESET/ },
  { name: 'discovery: a redirect loop', kind: 'redirect-loop', rules: () => [always(P.discovery, text(302, '', { location: '/application/o/osticket/.well-known/openid-configuration' }))], exit: 1, check: 'discovery.reachable', cause: 'discovery-unreachable', seen: /302/ },
  { name: 'discovery: an off-host redirect (not followed)', kind: 'off-host-redirect', rules: () => [always(P.discovery, text(302, '', { location: 'http://127.0.0.2:1/.well-known/openid-configuration' }))], exit: 1, check: 'discovery.reachable', cause: 'discovery-unreachable' },
  { name: 'discovery: a Set-Cookie storm', kind: 'cookie-storm', rules: () => [{ path: P.discovery, act: { transform: (up) => ({ ...up, headers: { ...up.headers, 'set-cookie': cookies(600) } }) } }], exit: 1, check: 'discovery.reachable', cause: 'response-too-large', seen: /headers .* too large/ },
  { name: 'discovery: control characters in the issuer', kind: 'control-chars', rules: () => [transformJson(P.discovery, (b) => ({ ...b, issuer: `${String(b.issuer)}${CTRL}` }))], exit: 1, check: 'discovery.issuer-matches', cause: 'issuer-mismatch', also: ['id-token-claims-invalid'] },
  { name: 'discovery: a 300 kB issuer', kind: 'huge-strings', rules: () => [transformJson(P.discovery, (b) => ({ ...b, issuer: `${String(b.issuer)}${HUGE}` }))], exit: 1, check: 'discovery.issuer-matches', cause: 'issuer-mismatch', also: ['id-token-claims-invalid'] },
  { name: 'discovery: issuer is a number', kind: 'invalid-json', rules: () => [transformJson(P.discovery, (b) => ({ ...b, issuer: 42 }))], exit: 1, check: 'discovery.issuer-matches', cause: 'issuer-mismatch', also: ['id-token-claims-invalid'] },
  { name: 'discovery: without jwks_uri', kind: 'jwks', rules: () => [transformJson(P.discovery, (b) => ({ ...b, jwks_uri: undefined }))], exit: 1, check: 'discovery.jwks', cause: 'jwks-malformed' },
  { name: 'discovery: response_types_supported without code', kind: 'invalid-json', rules: () => [transformJson(P.discovery, (b) => ({ ...b, response_types_supported: ['token'] }))], exit: 1, check: 'discovery.response-type-code', cause: 'discovery-malformed' },

  // ---- JWKS
  { name: 'JWKS: no keys', kind: 'jwks', rules: () => [always(P.jwks, json(200, { keys: [] }))], exit: 1, check: 'discovery.jwks', cause: 'jwks-malformed' },
  { name: 'JWKS: {} while the tokens are RS256 (not "no signing key")', kind: 'jwks', rules: () => [always(P.jwks, json(200, {}))], exit: 1, check: 'discovery.jwks', cause: 'jwks-malformed' },
  { name: 'JWKS: not JSON', kind: 'jwks', rules: () => [always(P.jwks, text(200, 'garbage'))], exit: 1, check: 'discovery.jwks', cause: 'jwks-malformed' },
  { name: 'JWKS: a symmetric key only', kind: 'jwks', rules: () => [always(P.jwks, json(200, { keys: [{ kty: 'oct', kid: 'k', k: 'c2VjcmV0' }] }))], exit: 1, check: 'discovery.jwks', cause: 'jwks-malformed' },
  { name: 'JWKS: duplicate kid', kind: 'jwks', rules: () => [transformJson(P.jwks, (b) => ({ keys: [...(b.keys as Array<Record<string, unknown>>), { ...(b.keys as Array<Record<string, unknown>>)[0], n: 'AQAB' }] }))], exit: 1, check: 'discovery.jwks', cause: 'jwks-malformed', seen: /kid/ },
  { name: 'JWKS: keys without kid', kind: 'jwks', rules: () => [transformJson(P.jwks, (b) => ({ keys: (b.keys as Array<Record<string, unknown>>).map(({ kid: _k, ...k }) => k) }))], exit: 1, check: 'discovery.jwks', cause: 'jwks-malformed' },
  { name: 'JWKS: 500', kind: 'status', rules: () => [always(P.jwks, text(500, 'boom'))], exit: 1, check: 'discovery.jwks', cause: 'server-error' },
  { name: 'JWKS: 404', kind: 'status', rules: () => [always(P.jwks, text(404, 'nope'))], exit: 1, check: 'discovery.jwks', cause: 'jwks-unreachable' },
  { name: 'JWKS: never-ending body', kind: 'never-ending', rules: () => [{ path: P.jwks, act: { raw: 'endless' } }], exit: 1, check: 'discovery.jwks', cause: 'response-too-large' },

  // ---- authorize
  { name: 'authorize: a redirect loop (not "Regex admits near misses")', kind: 'redirect-loop', rules: () => [{ path: P.authorize, act: { answer: (s) => text(302, '', { location: s.path }) } }], exit: 1, check: 'login.completes', cause: 'authorize-redirect-loop' },
  { name: 'authorize: an off-host redirect', kind: 'off-host-redirect', rules: () => [always(P.authorize, text(302, '', { location: 'http://127.0.0.2:1/phish' }))], exit: 1, check: 'login.completes', cause: 'authorize-off-host-redirect', seen: /127\.0\.0\.2/ },
  { name: 'authorize: a redirect with a code to the callback\'s host on another port (not the callback)', kind: 'off-host-redirect', rules: () => [always(P.authorize, text(302, '', { location: 'https://osticket.company:8443/osticket/api/auth/oauth2?code=0123456789abcdef0123456789abcdef&state=s' }))], exit: 1, check: 'login.completes', cause: 'authorize-off-host-redirect', seen: /osticket\.company:8443\/osticket\/api\/auth\/oauth2\?code=\[redacted\]/ },
  { name: 'authorize: 500', kind: 'status', rules: () => [always(P.authorize, text(500, '<html><title>Server Error (500)</title></html>'))], exit: 1, check: 'login.completes', cause: 'server-error' },
  { name: 'authorize: headers that never come', kind: 'slow', rules: () => [{ path: P.authorize, act: { raw: 'hang' } }], exit: 2, check: 'login.completes', cause: 'authentik-unreachable' },
  { name: 'authorize: reset', kind: 'reset', rules: () => [{ path: P.authorize, act: { raw: 'reset' } }], exit: 2, check: 'login.completes', cause: 'authentik-unreachable' },
  { name: 'authorize: JSON where a redirect is expected', kind: 'html-for-json', rules: () => [always(P.authorize, json(200, { hello: 'world' }))], exit: 1, check: 'login.completes', cause: 'authentik-flow-error' },

  // ---- token endpoint
  { name: 'token: 500 (a server error, not a refused auth method)', kind: 'status', rules: () => [always(P.token, text(500, 'Internal Server Error'), 'POST')], exit: 1, check: 'token.client-secret-post', cause: 'server-error' },
  { name: 'token: 502 from a proxy', kind: 'status', rules: () => [always(P.token, text(502, '<html>Bad Gateway</html>'), 'POST')], exit: 1, check: 'token.client-secret-post', cause: 'server-error' },
  { name: 'token: an HTML page', kind: 'html-for-json', rules: () => [always(P.token, text(200, '<html>hi</html>'), 'POST')], exit: 1, check: 'token.client-secret-post', cause: 'token-endpoint-error' },
  { name: 'token: invalid JSON', kind: 'invalid-json', rules: () => [always(P.token, json(200, '{"access_token": '), 'POST')], exit: 1, check: 'token.client-secret-post', cause: 'token-endpoint-error' },
  { name: 'token: an empty JSON object', kind: 'invalid-json', rules: () => [always(P.token, json(200, {}), 'POST')], exit: 1, check: 'token.client-secret-post', cause: 'token-endpoint-error' },
  { name: 'token: never-ending body', kind: 'never-ending', rules: () => [{ path: P.token, method: 'POST', act: { raw: 'endless' } }], exit: 1, check: 'token.client-secret-post', cause: 'response-too-large' },
  { name: 'token: headers that never come', kind: 'slow', rules: () => [{ path: P.token, method: 'POST', act: { raw: 'hang' } }], exit: 2, check: 'token.client-secret-post', cause: 'authentik-unreachable' },
  { name: 'token: a 400 with control characters in error_description', kind: 'control-chars', rules: () => [always(P.token, json(400, { error: 'invalid_request', error_description: CTRL }), 'POST')], exit: 1, check: 'token.client-secret-post', cause: 'token-endpoint-error' },
  { name: 'token: without id_token', kind: 'token-response', rules: () => [transformJson(P.token, (b) => ({ ...b, id_token: undefined }), 'POST')], exit: 1, check: 'signing.alg-asymmetric', cause: 'token-endpoint-error', seen: /id_token/ },
  { name: 'token: token_type is not Bearer', kind: 'token-response', rules: () => [transformJson(P.token, (b) => ({ ...b, token_type: 'mac' }), 'POST')], exit: 1, check: 'token.client-secret-post', cause: 'token-endpoint-error', seen: /token_type/ },
  { name: 'ID token: alg none', kind: 'id-token', rules: () => [transformJson(P.token, (b) => ({ ...b, id_token: unsigned(payloadOf(String(b.id_token))) }), 'POST')], exit: 1, check: 'signing.alg-asymmetric', cause: 'signing-alg-none' },
  { name: 'ID token: signed by another key (kid not in the JWKS)', kind: 'id-token', rules: () => resignIdToken((c) => c).slice(1), exit: 1, check: 'signing.kid-in-jwks', cause: 'signing-kid-missing' },
  { name: "ID token: another key under the provider's kid", kind: 'id-token', rules: () => [{ path: P.token, method: 'POST', act: { transform: async (up, _s, f) => { if (up.status !== 200) return up; const b = parse(up); const kid = JSON.parse(Buffer.from(String(b.id_token).split('.')[0]!, 'base64url').toString()).kid as string; return json(200, { ...b, id_token: await f.sign({ kid }, payloadOf(String(b.id_token))) }); } } }], exit: 1, check: 'signing.signature-verifies', cause: 'signing-signature-invalid' },
  { name: 'ID token: HS256 signed with the public key (key confusion)', kind: 'id-token', rules: () => [{ path: P.token, method: 'POST', act: { transform: async (up) => { if (up.status !== 200) return up; const b = parse(up); return json(200, { ...b, id_token: hs256WithPublicKey(payloadOf(String(b.id_token))) }); } } }], exit: 1, check: 'signing.alg-asymmetric', cause: 'signing-alg-confusion' },
  { name: 'ID token: expired', kind: 'id-token', rules: () => resignIdToken((c) => ({ ...c, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })), exit: 1, check: 'signing.id-token-claims', cause: 'id-token-claims-invalid', seen: /exp/ },
  { name: 'ID token: wrong iss', kind: 'id-token', rules: () => resignIdToken((c) => ({ ...c, iss: 'https://evil.example/' })), exit: 1, check: 'signing.id-token-claims', cause: 'id-token-claims-invalid', seen: /iss/ },
  { name: 'ID token: wrong aud', kind: 'id-token', rules: () => resignIdToken((c) => ({ ...c, aud: 'someone-else' })), exit: 1, check: 'signing.id-token-claims', cause: 'id-token-claims-invalid', seen: /aud/ },
  { name: 'ID token: wrong nonce', kind: 'id-token', rules: () => resignIdToken((c) => (c.nonce ? { ...c, nonce: 'not-the-nonce' } : c)), exit: 1, check: 'signing.id-token-claims', cause: 'id-token-claims-invalid', seen: /nonce/ },
  { name: 'ID token: control characters and a huge string in claims', kind: 'control-chars', rules: () => resignIdToken((c) => ({ ...c, sub: `${String(c.sub)}${CTRL}`, name: HUGE })), exit: 1, check: 'subject.subs-agree', cause: 'sub-mismatch-idtoken-userinfo', also: ['sub-unstable'] },

  // ---- userinfo
  { name: 'userinfo: another sub', kind: 'userinfo', rules: () => [transformJson(P.userinfo, (b) => ({ ...b, sub: 'someone-else@company' }))], exit: 1, check: 'subject.subs-agree', cause: 'sub-mismatch-idtoken-userinfo' },
  { name: 'userinfo: as a JWT', kind: 'userinfo', rules: () => [{ path: P.userinfo, act: { transform: async (up, _s, f) => (up.status === 200 ? { status: 200, headers: { 'content-type': 'application/jwt' }, body: Buffer.from(await f.sign({}, parse(up))) } : up) } }], exit: 1, check: 'scopes.userinfo-email', cause: 'userinfo-error' },
  { name: 'userinfo: 500', kind: 'status', rules: () => [always(P.userinfo, text(500, 'boom'))], exit: 1, check: 'scopes.userinfo-email', cause: 'server-error' },
  { name: 'userinfo: an HTML page', kind: 'html-for-json', rules: () => [always(P.userinfo, text(200, '<html>x</html>'))], exit: 1, check: 'scopes.userinfo-email', cause: 'userinfo-error' },
  { name: 'userinfo: without email', kind: 'userinfo', rules: () => [transformJson(P.userinfo, (b) => ({ ...b, email: undefined }))], exit: 1, check: 'scopes.userinfo-email', cause: 'scope-mapping-email-missing' },
  { name: 'userinfo: 3 MB of name', kind: 'oversized', rules: () => [transformJson(P.userinfo, (b) => ({ ...b, name: 'n'.repeat(3 * 1024 * 1024) }))], exit: 1, check: 'scopes.userinfo-email', cause: 'response-too-large' },
  { name: 'userinfo: control characters in sub', kind: 'control-chars', rules: () => [transformJson(P.userinfo, (b) => ({ ...b, sub: `${String(b.sub)}${CTRL}` }))], exit: 1, check: 'subject.subs-agree', cause: 'sub-mismatch-idtoken-userinfo' },
  { name: 'userinfo: a Set-Cookie storm', kind: 'cookie-storm', rules: () => [{ path: P.userinfo, act: { transform: (up) => ({ ...up, headers: { ...up.headers, 'set-cookie': cookies(600) } }) } }], exit: 1, check: 'scopes.userinfo-email', cause: 'response-too-large' },

  // ---- TLS
  { name: 'TLS: self-signed, not trusted', kind: 'tls', tls: { cert: 'selfSigned' }, exit: 2, check: 'discovery.reachable', cause: 'tls-untrusted' },
  { name: 'TLS: expired certificate', kind: 'tls', tls: { cert: 'expired', ca: true }, exit: 2, check: 'discovery.reachable', cause: 'tls-expired' },
  { name: 'TLS: certificate for another name', kind: 'tls', tls: { cert: 'otherName', ca: true }, exit: 2, check: 'discovery.reachable', cause: 'tls-hostname-mismatch' },
  { name: 'TLS: an https issuer on a plain-http port (not "certificate chain")', kind: 'tls', tls: { cert: 'plain-http' }, exit: 2, check: 'discovery.reachable', cause: 'tls-plain-http' },

  // ---- item 3: the harness input and the osTicket URL
  { name: 'a wrong --email while the sub received is an email: the harness input', kind: 'wrong-diagnosis', cfg: (c) => ({ ...c, user: { ...c.user, email: 'somebody-else@company' } }), exit: 2, check: 'subject.id-token-sub-is-email', cause: 'harness-email-mismatch', seen: /somebody-else@company/ },
  { name: 'a wrong application slug: one cause, no signing/JWKS echoes', kind: 'wrong-diagnosis', cfg: (c) => ({ ...c, authentik: { ...c.authentik, slug: 'no-such-app' } }), exit: 1, check: 'discovery.reachable', cause: 'discovery-unreachable' },
  { name: 'an osTicket URL that never answers fails the osTicket checks only', kind: 'wrong-diagnosis', cfg: (c) => ({ ...c, osticket: { ...c.osticket, url: 'http://127.0.0.1:9/osticket/' } }), exit: 1, check: 'osticket.sso-link-shown', cause: 'osticket-unreachable' },
];

/** HS256 keyed with the text of an RSA public key (the classic key-confusion token). */
function hs256WithPublicKey(claims: Record<string, unknown>): string {
  const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'hostile-front-key' })).toString('base64url');
  const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createHmac('sha256', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBg...\n-----END PUBLIC KEY-----\n').update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${sig}`;
}
