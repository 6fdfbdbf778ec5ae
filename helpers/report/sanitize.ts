/**
 * Last line of defence before anything is written: every string of a RunResult goes through the caller's
 * `redact` hook (the run's secret registry, helpers/http/secrets.ts) and then through built-in masks for the
 * shapes a secret has even when nobody registered it (a token signature, a cookie value, a `code=` parameter).
 * The transcript is already redacted by the HTTP layer; this catches what a check put into expected/actual/detail.
 */
import type { RunResult } from '../checks/types.ts';
import { stripControl } from './escape.ts';
import { redactAuthorization, redactCookieHeader, redactSetCookie } from '../http/redact.ts';

export interface ReportOptions {
  /** Redaction hook applied to every string that reaches a report (e.g. `(t) => secrets.redact(t)`). */
  redact?: (text: string) => string;
}

/** For a terminal: also strip control characters from every string (helpers/report/escape.ts stripControl). */
export interface SanitizeOptions extends ReportOptions {
  terminal?: boolean;
}

const MASK = '[redacted]';
const alreadyRedacted = (v: string) => /redacted/i.test(v);

/** Form/query parameters and JSON members whose values are secrets (RFC 6749 §4.1, authentik flow executor). */
const SECRET_NAMES = 'code|client_secret|password|passwd|access_token|refresh_token|code_verifier|assertion|client_assertion';
const PARAM = new RegExp(`(^|[?&#\\s;])(${SECRET_NAMES})=([^&#\\s"'<>]+)`, 'g');
const JSON_MEMBER = new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`, 'g');
/** Compact JWS (3 parts) and JWE (5 parts) starting with a base64url JSON header ("eyJ"). */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}((?:\.[A-Za-z0-9_-]*){2,4})/g;

export function maskSecretShapes(text: string): string {
  let out = text.replace(JWT, (whole: string) => {
    const parts = whole.split('.');
    let trailing = '';
    while (parts.length > 3 && parts[parts.length - 1] === '') {
      parts.pop(); // a sentence's full stop after a token is not a JWT part
      trailing += '.';
    }
    // JWS: header.payload stay readable (claims are evidence), the signature goes.
    if (parts.length === 3 && parts[2]) return `${parts[0]}.${parts[1]}.${MASK}${trailing}`;
    // JWE: everything but the header is key material or ciphertext.
    if (parts.length === 5) return `${parts[0]}.${MASK}${trailing}`;
    return whole;
  });
  out = out.replace(PARAM, (whole: string, pre: string, name: string, value: string) =>
    alreadyRedacted(decodeSafe(value)) ? whole : `${pre}${name}=${MASK}`,
  );
  out = out.replace(JSON_MEMBER, (whole: string, open: string, value: string, close: string) =>
    alreadyRedacted(value) || value === '' ? whole : `${open}${MASK}${close}`,
  );
  return out;
}

function decodeSafe(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/**
 * Header values that are credentials as a whole; masked unless the HTTP layer already did (the same maskers the
 * HTTP layer uses when it records an exchange, helpers/http/redact.ts).
 */
function maskHeader(name: string, value: string): string {
  if (alreadyRedacted(value)) return value;
  switch (name.toLowerCase()) {
    case 'authorization':
    case 'proxy-authorization':
      return redactAuthorization(value);
    case 'cookie':
      return redactCookieHeader(value);
    case 'set-cookie':
      return redactSetCookie(value);
    default:
      return value;
  }
}

/** A deep copy of the run in which every string went through `redact` and the built-in masks. */
export function sanitizeRun(run: RunResult, opts: SanitizeOptions = {}): RunResult {
  const hook = opts.redact;
  const masked = (s: string): string => maskSecretShapes(hook ? hook(s) : s);
  const clean = opts.terminal ? (s: string) => stripControl(masked(s)) : masked;
  const walk = (value: unknown, headerName?: string): unknown => {
    if (typeof value === 'string') return clean(headerName ? maskHeader(headerName, value) : value);
    if (Array.isArray(value)) return value.map((v) => walk(v, headerName));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      const isHeaders = headerName === '*headers*';
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const key = isHeaders ? clean(k) : k;
        const childHeader = isHeaders ? k : k === 'requestHeaders' || k === 'responseHeaders' ? '*headers*' : undefined;
        out[key] = walk(v, childHeader);
      }
      return out;
    }
    return value;
  };
  return walk(run) as RunResult;
}
