/**
 * A loopback HTTP proxy in front of the reference provider that tampers with chosen exchanges, for the self-tests
 * that prove a check CAN fail where real authentik has no setting to misbehave (a replayed code accepted, a
 * broken signature, a dropped state...). The harness reaches it through its resolution map, so every URL, Host
 * header and issuer stays the provider's own.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  method: string;
  /** Path + query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
export interface Tamper {
  /** Rewrite the request before it goes upstream, or answer it directly. */
  request?: (req: Exchange) => Exchange | { answer: Answer } | void;
  /** Rewrite the upstream answer. */
  response?: (req: Exchange, res: Answer) => Answer | void;
}

export async function startTamperProxy(upstreamPort: number, tamper: Tamper): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((inc, out) => {
    const chunks: Buffer[] = [];
    inc.on('data', (c: Buffer) => chunks.push(c));
    inc.on('end', () => {
      let ex: Exchange = { method: inc.method ?? 'GET', path: inc.url ?? '/', headers: inc.headers, body: Buffer.concat(chunks) };
      const r = tamper.request?.(ex);
      const reply = (a: Answer) => {
        const headers = { ...a.headers };
        delete headers['content-length'];
        delete headers['transfer-encoding'];
        out.writeHead(a.status, { ...headers, 'content-length': String(a.body.length) });
        out.end(a.body);
      };
      if (r && 'answer' in r) return reply(r.answer);
      if (r) ex = r;
      const headers = { ...ex.headers, 'content-length': String(ex.body.length) };
      delete headers['transfer-encoding'];
      const up = request({ host: '127.0.0.1', port: upstreamPort, method: ex.method, path: ex.path, headers }, (res) => {
        const body: Buffer[] = [];
        res.on('data', (c: Buffer) => body.push(c));
        res.on('end', () => {
          const answer: Answer = { status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(body) };
          reply(tamper.response?.(ex, answer) ?? answer);
        });
      });
      up.on('error', () => reply({ status: 502, headers: {}, body: Buffer.from('') }));
      up.end(ex.body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

export const json = (b: Buffer): Record<string, unknown> => JSON.parse(b.toString('utf8')) as Record<string, unknown>;
export const toBody = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
