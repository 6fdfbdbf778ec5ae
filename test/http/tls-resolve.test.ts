/**
 * The resolution map keeps the URL's name for Host, cookies, SNI and the certificate check while the TCP
 * connection goes to the mapped 127.0.0.1:port; TLS failures become one-sentence HttpErrors with precise codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyNetworkError, createHttp, HttpError } from '../../helpers/http/index.ts';
import { makePki, type TestPki } from './certs.ts';
import { startHttp, startHttps, type TestServer } from './servers.ts';

let pki: TestPki;
const servers: TestServer[] = [];
let good: TestServer, otherName: TestServer, selfSigned: TestServer, expired: TestServer, plain: TestServer;
const seen: Array<{ host?: string; sni?: string }> = [];

beforeAll(async () => {
  pki = makePki();
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const sni = (req.socket as import('node:tls').TLSSocket).servername || undefined;
    seen.push({ host: req.headers.host, sni });
    res.setHeader('content-type', 'application/json');
    res.setHeader('set-cookie', 'authentik_session=abcdefgh12345678; Path=/; HttpOnly; SameSite=None; Secure');
    res.end(JSON.stringify({ host: req.headers.host, sni, cookie: req.headers.cookie ?? null }));
  };
  good = await startHttps(pki.good, handler);
  otherName = await startHttps(pki.otherName, handler);
  selfSigned = await startHttps(pki.selfSigned, handler);
  expired = await startHttps(pki.expired, handler);
  plain = await startHttp((req, res) => handler(req, res));
  servers.push(good, otherName, selfSigned, expired, plain);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function expectHttpError(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    return e as HttpError;
  }
  throw new Error('expected an HttpError');
}

describe('TLS through the resolution map', () => {
  it('reaches https://authentik.company/ at 127.0.0.1:<port> with the CA: Host, SNI and cookies keep the name', async () => {
    const http = createHttp({ resolve: { 'authentik.company:443': `127.0.0.1:${good.port}` }, ca: pki.caCert });
    const a = http.actor('browser');
    const r1 = await a.request('https://authentik.company/application/o/authorize/');
    expect(r1.status).toBe(200);
    expect(r1.json).toMatchObject({ host: 'authentik.company', sni: 'authentik.company', cookie: null });
    // SameSite=None; Secure cookie stored for the name (not the IP) and sent back
    const r2 = await a.request('https://authentik.company/next');
    expect((r2.json as { cookie: string }).cookie).toBe('authentik_session=abcdefgh12345678');
    const ex = http.transcript.get(r1.exchangeId)!;
    expect(ex.url).toBe('https://authentik.company/application/o/authorize/');
    expect(ex.connectedTo).toBe(`127.0.0.1:${good.port}`);
    await http.close();
  });

  it('fails without the CA with a clear unknown-CA error naming both addresses', async () => {
    const http = createHttp({ resolve: { 'authentik.company:443': `127.0.0.1:${good.port}` } });
    const err = await expectHttpError(http.actor('b').request('https://authentik.company/'));
    expect(err.code).toBe('TLS_UNKNOWN_CA');
    expect(err.message).toBe(
      `TLS certificate of 127.0.0.1:${good.port} (authentik.company:443) is signed by an unknown CA (UNABLE_TO_VERIFY_LEAF_SIGNATURE); pass that CA certificate (ca option)`,
    );
    expect(http.transcript.get(err.exchangeId)?.errorCode).toBe('TLS_UNKNOWN_CA');
    await http.close();
  });

  it('names a hostname mismatch, a self-signed certificate and an expired one', async () => {
    const http = createHttp({
      ca: pki.caCert,
      resolve: {
        'authentik.company:443': `127.0.0.1:${otherName.port}`,
        'self.authentik.company:443': `127.0.0.1:${selfSigned.port}`,
        'authentik.company:8443': `127.0.0.1:${expired.port}`,
      },
    });
    const a = http.actor('b');
    const mismatch = await expectHttpError(a.request('https://authentik.company/'));
    expect(mismatch.code).toBe('TLS_HOSTNAME_MISMATCH');
    expect(mismatch.message).toMatch(/is not valid for the name authentik\.company/);
    const self = await expectHttpError(a.request('https://self.authentik.company/'));
    // the self-signed cert is for authentik.company, but the chain check fails first
    expect(self.code).toBe('TLS_SELF_SIGNED');
    const old = await expectHttpError(a.request('https://authentik.company:8443/'));
    expect(old.code).toBe('TLS_EXPIRED');
    expect(old.message).toBe(`TLS certificate of 127.0.0.1:${expired.port} (authentik.company:8443) has expired (CERT_HAS_EXPIRED)`);
    await http.close();
  });

  it('maps container-style aliases over plain http (port in the key matters) and reports refused connections', async () => {
    const http = createHttp({ resolve: { 'authentik:9000': `127.0.0.1:${plain.port}`, 'authentik:9443': '127.0.0.1:1' } });
    const a = http.actor('b');
    const r = await a.request('http://authentik:9000/-/health/live/');
    expect(r.json).toMatchObject({ host: 'authentik:9000' });
    // port 1 is refused by fetch itself ("bad port"); use a closed high port instead
    const closedPort = await (async () => {
      const s = await startHttp((_q, res) => res.end());
      const p = s.port;
      await s.close();
      return p;
    })();
    const http2 = createHttp({ resolve: { 'authentik.company:443': `127.0.0.1:${closedPort}` } });
    const err = await expectHttpError(http2.actor('b').request('https://authentik.company/'));
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.message).toBe(`connection refused by 127.0.0.1:${closedPort} (authentik.company:443)`);
    const tlsToPlain = createHttp({ resolve: { 'authentik.company:443': `127.0.0.1:${plain.port}` } });
    const proto = await expectHttpError(tlsToPlain.actor('b').request('https://authentik.company/'));
    expect(proto.code).toBe('TLS_PROTOCOL');
    await Promise.all([http.close(), http2.close(), tlsToPlain.close()]);
  });

  it('words an unresolvable name as ENOTFOUND (classified from the error undici raises; no DNS query is sent)', () => {
    const undiciLike = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND authentik.company'), { code: 'ENOTFOUND' }),
    });
    const c = classifyNetworkError(undiciLike, { where: 'authentik.company:443', hostname: 'authentik.company' });
    expect(c.code).toBe('ENOTFOUND');
    expect(c.message).toBe('host name authentik.company does not resolve (ENOTFOUND); add it to the resolution map or fix the URL');
  });

  it('rejects a malformed resolution map with a one-line message', () => {
    expect(() => createHttp({ resolve: { 'authentik.company:99999': '127.0.0.1:1' } })).toThrow(/resolution map key "authentik.company:99999"/);
  });
});
