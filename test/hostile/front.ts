/**
 * The hostile corpus's loopback server (issue 9): a front in front of the reference provider that behaves badly in
 * one way per case. By default it passes every request through unchanged (the provider builds its issuer from the
 * Host header, so the front's own URL is the issuer); a case's rules answer some paths themselves: HTML or broken
 * JSON, a body that never ends or drips one byte a second, headers that never come, a reset, redirect loops and
 * off-host redirects, Set-Cookie storms, huge or control-character strings, and tokens re-signed with the front's
 * own key (published in the JWKS beside the provider's) so claims can be changed and still verify.
 */
import { createServer as createHttp, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}
export interface Seen {
  method: string;
  path: string;
  body: string;
}
/** What a rule does with a request it matches. */
export type Act =
  | { answer: (seen: Seen, front: Front) => Answer | Promise<Answer> }
  | { transform: (upstream: Answer, seen: Seen, front: Front) => Answer | Promise<Answer> }
  | { raw: 'hang' | 'reset' | 'endless' | 'drip' | 'half-headers' };
export interface Rule {
  path: RegExp;
  method?: string;
  act: Act;
}

export interface Front {
  url: string;
  /** The front's own signing key: a JWK with its kid, and a signer for JWTs. */
  kid: string;
  sign: (header: Record<string, unknown>, payload: Record<string, unknown>) => Promise<string>;
  publicJwk: JWK;
  setRules: (rules: Rule[]) => void;
  close: () => Promise<void>;
}

export const json = (status: number, value: unknown, headers: Record<string, string | string[]> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});
export const text = (status: number, body: string | Buffer, headers: Record<string, string | string[]> = {}): Answer => ({
  status,
  headers: { 'content-type': 'text/html', ...headers },
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
});
export const parse = (a: Answer): Record<string, unknown> => JSON.parse(a.body.toString('utf8')) as Record<string, unknown>;

function reply(out: ServerResponse, a: Answer): void {
  const headers = { ...a.headers };
  delete headers['content-length'];
  delete headers['transfer-encoding'];
  out.writeHead(a.status, { ...headers, 'content-length': String(a.body.length) });
  out.end(a.body);
}

function rawAct(kind: 'hang' | 'reset' | 'endless' | 'drip' | 'half-headers', inc: IncomingMessage, out: ServerResponse): void {
  const socket = inc.socket as Socket;
  if (kind === 'hang') return; // headers never come
  if (kind === 'reset') {
    socket.resetAndDestroy();
    return;
  }
  if (kind === 'half-headers') {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n'); // and nothing more
    return;
  }
  out.writeHead(200, { 'content-type': 'application/json' });
  const chunk = kind === 'endless' ? Buffer.alloc(64 * 1024, 0x20) : Buffer.from(' ');
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    out.write(chunk);
  }, kind === 'endless' ? 5 : 1000);
  socket.on('close', () => clearInterval(timer));
}

/** Starts the front before the provider at `upstreamPort`; `tls` serves https with the given certificate. */
export async function startFront(upstreamPort: number, tls?: { key: string; cert: string }): Promise<Front> {
  let rules: Rule[] = [];
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = 'hostile-front-key';
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const sockets = new Set<Socket>();
  let front!: Front;

  const handler = (inc: IncomingMessage, out: ServerResponse) => {
    const chunks: Buffer[] = [];
    inc.on('data', (c: Buffer) => chunks.push(c));
    inc.on('end', () => {
      const seen: Seen = { method: inc.method ?? 'GET', path: inc.url ?? '/', body: Buffer.concat(chunks).toString('utf8') };
      const rule = rules.find((r) => r.path.test(seen.path) && (!r.method || r.method === seen.method));
      const fail = () => reply(out, text(502, 'front error'));
      if (rule && 'raw' in rule.act) return rawAct(rule.act.raw, inc, out);
      if (rule && 'answer' in rule.act) return void Promise.resolve(rule.act.answer(seen, front)).then((a) => reply(out, a), fail);
      const headers = { ...inc.headers, 'content-length': String(Buffer.concat(chunks).length) };
      delete headers['transfer-encoding'];
      delete headers['accept-encoding'];
      const up = request({ host: '127.0.0.1', port: upstreamPort, method: seen.method, path: seen.path, headers }, (res) => {
        const body: Buffer[] = [];
        res.on('data', (c: Buffer) => body.push(c));
        res.on('end', () => {
          const answer: Answer = { status: res.statusCode ?? 502, headers: res.headers as Record<string, string | string[]>, body: Buffer.concat(body) };
          if (rule && 'transform' in rule.act) void Promise.resolve(rule.act.transform(answer, seen, front)).then((a) => reply(out, a), fail);
          else reply(out, answer);
        });
      });
      up.on('error', fail);
      up.end(Buffer.concat(chunks));
    });
  };
  const server: Server = tls ? createHttps({ key: tls.key, cert: tls.cert }, handler) : createHttp(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  front = {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    kid,
    publicJwk,
    sign: (header, payload) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, ...header } as { alg: string }).sign(privateKey),
    setRules: (r) => {
      rules = r;
      for (const s of sockets) s.destroy(); // no connection carries a previous case's behaviour
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
  return front;
}

/** The payload of a compact JWS. */
export function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
