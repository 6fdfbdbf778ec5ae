/**
 * Turns undici / Node network and TLS failures into one-sentence HttpError messages with a stable code.
 * undici's request() throws the network error itself, fetch wraps it in `TypeError('fetch failed')` with the real
 * error in `.cause` (npm-stack.md §4); the cause chain is walked either way.
 */
import { HttpError } from './types.ts';

export type HttpErrorCode =
  | 'ECONNREFUSED'
  | 'ENOTFOUND'
  | 'ECONNRESET'
  | 'TIMEOUT'
  | 'DEADLINE'
  | 'BUDGET'
  | 'TLS_SELF_SIGNED'
  | 'TLS_UNKNOWN_CA'
  | 'TLS_HOSTNAME_MISMATCH'
  | 'TLS_EXPIRED'
  | 'TLS_NOT_YET_VALID'
  | 'TLS_PROTOCOL'
  | 'TLS_ERROR'
  | 'BAD_URL'
  | 'CLOSED'
  | 'TOO_LARGE'
  | 'NETWORK';

interface Describable {
  /** "127.0.0.1:9443 (authentik.company:443)" */
  where: string;
  /** "authentik.company" */
  hostname: string;
}

function chain(err: unknown): Array<{ code?: string; message?: string; name?: string }> {
  const out: Array<{ code?: string; message?: string; name?: string }> = [];
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const o = e as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    out.push({
      code: typeof o.code === 'string' ? o.code : undefined,
      message: typeof o.message === 'string' ? o.message : undefined,
      name: typeof o.name === 'string' ? o.name : undefined,
    });
    // AggregateError (happy eyeballs) holds the per-address errors
    if (Array.isArray(o.errors) && o.errors.length > 0) e = o.errors[0];
    else e = o.cause;
  }
  return out;
}

/** Classifies a thrown fetch error. Timeouts are decided by the caller (it owns the timer), not here. */
export function classifyNetworkError(err: unknown, d: Describable): { code: HttpErrorCode; message: string; rawCode?: string } {
  const links = chain(err);
  const codes = links.map((l) => l.code).filter((c): c is string => !!c);
  const messages = links.map((l) => l.message ?? '').join(' | ');
  const has = (...cs: string[]) => codes.find((c) => cs.includes(c));

  let c: string | undefined;
  if ((c = has('ECONNREFUSED'))) return { code: 'ECONNREFUSED', rawCode: c, message: `connection refused by ${d.where}` };
  if ((c = has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA')))
    return {
      code: 'ENOTFOUND',
      rawCode: c,
      message: `host name ${d.hostname} does not resolve (${c}); add it to the resolution map or fix the URL`,
    };
  if ((c = has('DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN')))
    return {
      code: 'TLS_SELF_SIGNED',
      rawCode: c,
      message: `TLS certificate of ${d.where} is self-signed and not trusted (${c}); pass its CA certificate (ca option)`,
    };
  if ((c = has('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE')))
    return {
      code: 'TLS_UNKNOWN_CA',
      rawCode: c,
      message: `TLS certificate of ${d.where} is signed by an unknown CA (${c}); pass that CA certificate (ca option)`,
    };
  if ((c = has('ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH')))
    return {
      code: 'TLS_HOSTNAME_MISMATCH',
      rawCode: c,
      message: `TLS certificate of ${d.where} is not valid for the name ${d.hostname} (${firstMessage(links, c)})`,
    };
  if ((c = has('CERT_HAS_EXPIRED')))
    return { code: 'TLS_EXPIRED', rawCode: c, message: `TLS certificate of ${d.where} has expired (${c})` };
  if ((c = has('CERT_NOT_YET_VALID')))
    return { code: 'TLS_NOT_YET_VALID', rawCode: c, message: `TLS certificate of ${d.where} is not yet valid (${c})` };
  if ((c = has('ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO', 'ERR_SSL_PACKET_LENGTH_TOO_LONG')) || /wrong version number|packet length too long/i.test(messages))
    return {
      code: 'TLS_PROTOCOL',
      rawCode: c,
      message: `TLS handshake with ${d.where} failed: the server does not speak TLS there (is it plain http?)`,
    };
  if ((c = codes.find((x) => /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_)/.test(x))))
    return { code: 'TLS_ERROR', rawCode: c, message: `TLS error with ${d.where} (${c})` };
  if ((c = has('UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT')))
    return { code: 'TIMEOUT', rawCode: c, message: `no answer from ${d.where} in time (${c})` };
  if ((c = has('UND_ERR_HEADERS_OVERFLOW', 'HPE_HEADER_OVERFLOW')))
    return { code: 'TOO_LARGE', rawCode: c, message: `the response headers from ${d.where} are too large (${c}; a Set-Cookie storm or a misbehaving proxy)` };
  if ((c = has('ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE')))
    return { code: 'ECONNRESET', rawCode: c, message: `connection to ${d.where} was closed before a complete response (${c})` };
  if ((c = has('UND_ERR_CLIENT_DESTROYED', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED')))
    return { code: 'CLOSED', rawCode: c, message: `the HTTP client was closed before the request to ${d.where} ran` };
  if (/bad port/i.test(messages)) return { code: 'BAD_URL', message: `the port of ${d.where} is refused by fetch (bad port)` };
  if ((c = has('EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL')))
    return { code: 'NETWORK', rawCode: c, message: `${d.where} is unreachable (${c})` };
  const first = codes[0];
  return {
    code: 'NETWORK',
    rawCode: first,
    message: `request to ${d.where} failed${first ? ` (${first})` : ''}: ${oneLine(links.at(-1)?.message ?? 'unknown error')}`,
  };
}

function firstMessage(links: Array<{ code?: string; message?: string }>, code: string): string {
  const m = links.find((l) => l.code === code)?.message ?? code;
  return oneLine(m);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 200);
}

export function isHttpError(e: unknown): e is HttpError {
  return e instanceof HttpError;
}

export { HttpError };
