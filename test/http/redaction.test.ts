/**
 * Every secret that crosses the wire in an OIDC login (client secret, password, code, consent token, CSRF token,
 * cookies, access/refresh/ID tokens, PKCE verifier) must be absent from the serialised transcript, while JWT
 * headers and payloads (evidence) stay readable.
 */
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttp, redactStructural, redactSetCookie, redactAuthorization } from '../../helpers/http/index.ts';
import { startHttp, type TestServer } from './servers.ts';

const CLIENT_SECRET = 'Sup3r-secret/with+chars&more==';
const PASSWORD = 'correct horse battery staple';
const CODE = 'c0de1234c0de1234c0de1234c0de1234';
const CONSENT_TOKEN = 'consent-token-98765';
const CSRF = 'csrfTOKENvalue0123456789';
const REFRESH = 'r'.repeat(20) + 'EFRESH';
const VERIFIER = 'verifier-abcdefghijklmnopqrstuvwxyz-0123456789';
let ACCESS = '';
let ID_TOKEN = '';
let SESSION_JWT = '';
let server: TestServer;

const JWT_WITH_SIG = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}/;

beforeAll(async () => {
  const { privateKey } = await jose.generateKeyPair('RS256');
  const sign = (claims: Record<string, unknown>) =>
    new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' }).setIssuedAt().setExpirationTime('1h').sign(privateKey);
  ACCESS = await sign({ sub: 'user@company', scope: 'openid email' });
  ID_TOKEN = await sign({ sub: 'user@company', email: 'user@company', nonce: 'n-1' });
  SESSION_JWT = await new jose.SignJWT({ sid: 'x' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('k'.repeat(32)));
  server = await startHttp((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/authorize') {
      res.writeHead(302, {
        location: `https://osticket.company/osticket/api/auth/oauth2?code=${CODE}&state=abc`,
        'set-cookie': [`authentik_session=${SESSION_JWT}; Path=/; HttpOnly`, `authentik_csrf=${CSRF}; Path=/; SameSite=Lax`],
      });
      return res.end();
    }
    res.setHeader('content-type', 'application/json');
    if (u.pathname === '/executor') {
      return res.end(
        JSON.stringify({
          component: 'xak-flow-redirect',
          to: `https://osticket.company/osticket/api/auth/oauth2?code=${CODE}&state=abc`,
          token: CONSENT_TOKEN,
        }),
      );
    }
    if (u.pathname === '/token') {
      return res.end(JSON.stringify({ access_token: ACCESS, token_type: 'Bearer', refresh_token: REFRESH, id_token: ID_TOKEN, expires_in: 3600 }));
    }
    if (u.pathname === '/errors') {
      return res.end(JSON.stringify({ component: 'ak-stage-password', response_errors: { password: [{ string: 'Invalid password', code: 'invalid' }] } }));
    }
    res.end(JSON.stringify({ sub: 'user@company' }));
  });
});
afterAll(() => server.close());

describe('transcript redaction', () => {
  it('keeps no secret value and no signed JWT anywhere in the transcript JSON', async () => {
    const http = createHttp({ resolve: { 'authentik.company:80': `127.0.0.1:${server.port}` } });
    http.secrets.add(CLIENT_SECRET, 'client_secret');
    const a = http.actor('browser');
    const base = 'http://authentik.company';
    await a.request(`${base}/authorize?client_id=c&state=abc`);
    await a.request(`${base}/executor?query=x`, { json: { component: 'ak-stage-password', password: PASSWORD } });
    await a.request(`${base}/executor?query=x`, {
      json: { component: 'ak-stage-consent', token: CONSENT_TOKEN },
      headers: { 'X-authentik-CSRF': CSRF },
    });
    await a.request(`${base}/token`, {
      form: { grant_type: 'authorization_code', code: CODE, redirect_uri: 'https://osticket.company/x', client_id: 'c', client_secret: CLIENT_SECRET, code_verifier: VERIFIER },
    });
    await a.request(`${base}/token`, {
      headers: { authorization: `Basic ${Buffer.from(`c:${CLIENT_SECRET}`).toString('base64')}` },
      form: { grant_type: 'refresh_token', refresh_token: REFRESH },
    });
    await a.request(`${base}/userinfo`, { headers: { authorization: `Bearer ${ACCESS}` } });
    await a.request(`${base}/userinfo?access_token=${ACCESS}`);
    const errs = await a.request(`${base}/errors`);
    // the caller still gets everything in clear
    expect(errs.json).toMatchObject({ response_errors: { password: [{ code: 'invalid' }] } });

    const json = JSON.stringify(http.transcript);
    const secretsUsed = [
      CLIENT_SECRET,
      encodeURIComponent(CLIENT_SECRET),
      Buffer.from(`c:${CLIENT_SECRET}`).toString('base64'),
      PASSWORD,
      CODE,
      CONSENT_TOKEN,
      CSRF,
      REFRESH,
      VERIFIER,
      ACCESS,
      ID_TOKEN,
      SESSION_JWT,
      ACCESS.split('.')[2]!,
      ID_TOKEN.split('.')[2]!,
      SESSION_JWT.split('.')[2]!,
    ];
    for (const s of secretsUsed) expect(json.includes(s), `secret leaked: ${s.slice(0, 6)}…`).toBe(false);
    expect(JWT_WITH_SIG.test(json)).toBe(false);

    // evidence kept: JWT header+payload, cookie names and attributes, auth schemes, stage error codes
    const [h, p] = ID_TOKEN.split('.');
    expect(json).toContain(`${h}.${p}.[sig redacted]`);
    const first = http.transcript.get(1)!;
    expect(first.responseHeaders!['set-cookie']).toEqual(['authentik_session=[redacted]; Path=/; HttpOnly', 'authentik_csrf=[redacted]; Path=/; SameSite=Lax']);
    expect(first.responseHeaders!.location).toBe('https://osticket.company/osticket/api/auth/oauth2?code=[redacted]&state=abc');
    const consent = http.transcript.get(3)!;
    expect(consent.requestHeaders['x-authentik-csrf']).toBe('[redacted]');
    expect(consent.requestHeaders.cookie).toBe('authentik_session=[redacted]; authentik_csrf=[redacted]');
    expect(consent.requestBody).toBe('{"component":"ak-stage-consent","token":"[redacted]"}');
    expect(http.transcript.get(5)!.requestHeaders.authorization).toBe('Basic [redacted]');
    expect(http.transcript.get(6)!.requestHeaders.authorization).toBe('Bearer [redacted]');
    expect(http.transcript.get(8)!.responseBody).toContain('"code":"invalid"');
    await http.close();
  });

  it('structural helpers', () => {
    expect(redactStructural('a=1&code=xyz&error_code=keep&access_token=t0k3n')).toBe('a=1&code=[redacted]&error_code=keep&access_token=[redacted]');
    expect(redactStructural('{"client_secret": "s3cr3t", "code":"required"}')).toBe('{"client_secret": "[redacted]", "code":"required"}');
    expect(redactSetCookie('OSTSESSID=abc; path=/; HttpOnly')).toBe('OSTSESSID=[redacted]; path=/; HttpOnly');
    expect(redactAuthorization('Bearer abc.def.ghi')).toBe('Bearer [redacted]');
    const jwe = 'eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.AAAA.BBBB.CCCC.DDDD';
    expect(redactStructural(`x ${jwe} y`)).toBe('x eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.[jwe redacted] y');
  });
});
