/** Actor requests against real local servers: cookies per actor across hosts, manual redirects, limits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttp, follow, HttpError } from '../../helpers/http/index.ts';
import { startHttp, type TestServer } from './servers.ts';

let app: TestServer; // plays "osticket.company"
let idp: TestServer; // plays "authentik.company"
let slow: TestServer;
let big: TestServer;

beforeAll(async () => {
  app = await startHttp((req, res, body) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/login') {
      res.writeHead(302, { location: 'http://authentik.company/authorize?x=1', 'set-cookie': 'OSTSESSID=sess-one-1234; path=/; HttpOnly' });
      return res.end();
    }
    if (u.pathname === '/callback') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ cookie: req.headers.cookie ?? null, method: req.method, body }));
    }
    if (u.pathname === '/loop') {
      res.writeHead(302, { location: '/loop2' });
      return res.end();
    }
    if (u.pathname === '/loop2') {
      res.writeHead(302, { location: '/loop' });
      return res.end();
    }
    if (u.pathname === '/post-302') {
      res.writeHead(302, { location: '/callback' });
      return res.end();
    }
    if (u.pathname === '/post-307') {
      res.writeHead(307, { location: '/callback' });
      return res.end();
    }
    if (u.pathname.startsWith('/chain/')) {
      const n = Number(u.pathname.split('/')[2]);
      res.writeHead(302, { location: `/chain/${n + 1}` });
      return res.end();
    }
    res.statusCode = 404;
    res.end('nope');
  });
  idp = await startHttp((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/authorize') {
      res.writeHead(302, {
        location: 'http://osticket.company/callback?code=abc123def456&state=s1',
        'set-cookie': 'authentik_session=idp-session-value-xyz; Path=/; HttpOnly; SameSite=Lax',
      });
      return res.end();
    }
    res.end(JSON.stringify({ cookie: req.headers.cookie ?? null }));
  });
  slow = await startHttp(() => {
    /* never answers */
  });
  big = await startHttp((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    const write = () => {
      while (sent < 8 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) return res.once('drain', write);
      }
      res.end();
    };
    write();
  });
});
afterAll(async () => {
  await Promise.all([app, idp, slow, big].map((s) => s.close()));
});

function mapFor() {
  return {
    'osticket.company:80': `127.0.0.1:${app.port}`,
    'authentik.company:80': `127.0.0.1:${idp.port}`,
    'slow.test:80': `127.0.0.1:${slow.port}`,
    'big.test:80': `127.0.0.1:${big.port}`,
  };
}

describe('actors, cookies and manual redirects', () => {
  it('follows 302s across hosts with the jar, each host getting only its cookies; stopWhen stops before requesting', async () => {
    const http = createHttp({ resolve: mapFor() });
    const browser = http.actor('browser');
    const r = await follow(browser, 'http://osticket.company/login', {
      label: 'sso',
      stopWhen: (u) => u.pathname === '/callback',
    });
    expect(r.outcome).toBe('stopped');
    expect(r.stoppedAt?.href).toBe('http://osticket.company/callback?code=abc123def456&state=s1');
    expect(r.hops.map((h) => h.status)).toEqual([302, 302]);
    expect(http.requestCount).toBe(2);
    // now the caller requests the callback itself: only osTicket's cookie goes there
    const cb = await browser.request(r.stoppedAt!);
    expect((cb.json as { cookie: string }).cookie).toBe('OSTSESSID=sess-one-1234');
    const back = await browser.request('http://authentik.company/other');
    expect((back.json as { cookie: string }).cookie).toBe('authentik_session=idp-session-value-xyz');
    // another actor has its own, empty jar; the same name returns the same actor; fresh replaces it
    expect(((await http.actor('osticket-server').request('http://authentik.company/x')).json as { cookie: null }).cookie).toBeNull();
    expect(http.actor('browser')).toBe(browser);
    expect(http.actor('browser', { fresh: true })).not.toBe(browser);
    expect(http.transcript.exchanges.map((e) => e.label)).toEqual(['sso #1', 'sso #2', undefined, undefined, undefined]);
    expect(http.transcript.exchanges.map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
    await http.close();
  });

  it('switches POST to GET after 302 and keeps POST and body on 307', async () => {
    const http = createHttp({ resolve: mapFor() });
    const a = http.actor('a');
    const r302 = await follow(a, 'http://osticket.company/post-302', { init: { method: 'POST', form: { a: 'b' } } });
    expect(r302.outcome).toBe('final');
    expect(r302.last.json).toMatchObject({ method: 'GET', body: '' });
    const r307 = await follow(a, 'http://osticket.company/post-307', { init: { method: 'POST', form: { a: 'b' } } });
    expect(r307.last.json).toMatchObject({ method: 'POST', body: 'a=b' });
    await http.close();
  });

  it('detects a redirect loop and a too-long chain, returning every hop', async () => {
    const http = createHttp({ resolve: mapFor() });
    const a = http.actor('a');
    const loop = await follow(a, 'http://osticket.company/loop');
    expect(loop.outcome).toBe('loop');
    expect(loop.hops.length).toBe(4); // loop, loop2, loop, loop2 -> next /loop would be the third visit
    expect(loop.stoppedAt?.pathname).toBe('/loop');
    const chain = await follow(a, 'http://osticket.company/chain/0', { maxHops: 5 });
    expect(chain.outcome).toBe('max-hops');
    expect(chain.hops.length).toBe(6);
    await http.close();
  });
});

describe('limits', () => {
  it('times out a server that never answers, within the timeout budget', async () => {
    const http = createHttp({ resolve: mapFor(), timeoutMs: 300 });
    const t0 = Date.now();
    const err = await http
      .actor('a')
      .request('http://slow.test/')
      .then(() => undefined, (e: unknown) => e as HttpError);
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(HttpError);
    expect(err!.code).toBe('TIMEOUT');
    expect(err!.message).toBe(`no complete answer from 127.0.0.1:${slow.port} (slow.test:80) within 300 ms (GET)`);
    // The timeout fired (not an early error); no upper bound: a loaded machine may be late, never early.
    expect(took).toBeGreaterThanOrEqual(290);
    // per-request override
    const e2 = await http.actor('a').request('http://slow.test/', { timeoutMs: 100 }).catch((e: HttpError) => e);
    expect((e2 as HttpError).code).toBe('TIMEOUT');
    await http.close();
  });

  it('enforces the run deadline: clips a running request, then fails fast', async () => {
    const http = createHttp({ resolve: mapFor(), timeoutMs: 5_000, deadline: Date.now() + 250 });
    const e1 = (await http.actor('a').request('http://slow.test/').catch((e: unknown) => e)) as HttpError;
    expect(e1.code).toBe('DEADLINE');
    const e2 = (await http.actor('a').request('http://osticket.company/callback').catch((e: unknown) => e)) as HttpError;
    expect(e2.code).toBe('DEADLINE');
    expect(http.requestCount).toBe(1); // fails fast: the refused one was never sent
    expect(http.transcript.get(e2.exchangeId)?.errorCode).toBe('DEADLINE');
    await http.close();
  });

  it('enforces the request budget and exposes the count', async () => {
    const http = createHttp({ resolve: mapFor(), requestBudget: 2 });
    const a = http.actor('a');
    await a.request('http://osticket.company/callback');
    await a.request('http://osticket.company/callback');
    const e = (await a.request('http://osticket.company/callback').catch((x: unknown) => x)) as HttpError;
    expect(e.code).toBe('BUDGET');
    expect(e.message).toMatch(/request budget of 2 requests is used up/);
    expect(http.requestCount).toBe(2);
    await http.close();
  });

  it('caps a huge body: refused as too large (issue 9 §9), recorded truncated, memory bounded', async () => {
    const http = createHttp({ resolve: mapFor(), maxBodyBytes: 256 * 1024, transcriptBodyBytes: 1024 });
    const e = (await http.actor('a').request('http://big.test/').catch((x: unknown) => x)) as HttpError;
    expect(e).toBeInstanceOf(HttpError);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toMatch(/the 200 response from .* is too large \(.*MB; the harness reads at most 0\.3 MB: maxBodyBytes \/ --max-body-bytes\)/);
    const ex = http.transcript.get(e.exchangeId)!;
    expect(ex.responseTruncated).toBe(true);
    expect(ex.responseBytes).toBe(256 * 1024);
    expect(ex.responseBody!.length).toBeLessThan(1200);
    expect(ex.notes?.join(' ')).toMatch(/larger than 262144 bytes/);
    await http.close();
  });

  it('refuses non-http URLs and requests after close', async () => {
    const http = createHttp({});
    const e = (await http.actor('a').request('file:///etc/passwd').catch((x: unknown) => x)) as HttpError;
    expect(e.code).toBe('BAD_URL');
    const e2 = (await http.actor('a').request('not a url').catch((x: unknown) => x)) as HttpError;
    expect(e2.code).toBe('BAD_URL');
    await http.close();
    const e3 = (await http.actor('a').request('http://127.0.0.1:9/').catch((x: unknown) => x)) as HttpError;
    expect(e3.code).toBe('CLOSED');
    expect(http.requestCount).toBe(0);
  });
});

describe('transcript order', () => {
  it('keeps exchanges in id (send) order when concurrent requests finish out of order', async () => {
    const srv = await startHttp((req, res) => {
      setTimeout(() => res.end('ok'), req.url === '/slow' ? 120 : 5);
    });
    const http = createHttp({});
    const a = http.actor('a');
    await Promise.all([a.request(`${srv.url}/slow`), a.request(`${srv.url}/fast`)]);
    expect(http.transcript.exchanges.map((e) => [e.id, new URL(e.url).pathname])).toEqual([
      [1, '/slow'],
      [2, '/fast'],
    ]);
    await http.close();
    await srv.close();
  });
});
