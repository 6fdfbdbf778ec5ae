/**
 * Structural redaction for everything recorded in the transcript. Two layers:
 *  1. structural: secret-bearing fields by name (query, form, JSON), Authorization / Cookie / Set-Cookie / CSRF
 *     headers, and any JWT reduced to `header.payload.[sig redacted]` (claims are evidence, the signature is the
 *     credential);
 *  2. by value: the `Secrets` registry (configured secrets plus values harvested here from responses, so a code
 *     first seen in a Location header is also hidden when it later travels in a JSON `to` or a form body).
 */
import type { Secrets } from './secrets.ts';

/** Field names whose values are secrets wherever they appear as query, form or JSON fields. */
export const SECRET_FIELDS = [
  'code',
  'client_secret',
  'password',
  'passwd',
  'access_token',
  'refresh_token',
  'id_token',
  'code_verifier',
  'token',
  'client_assertion',
  'device_code',
] as const;

export const REDACTED = '[redacted]';
export const SIG_REDACTED = '[sig redacted]';

const FIELD_ALT = SECRET_FIELDS.join('|');
// name=value in query strings, form bodies, URLs embedded in JSON/HTML. The name must start the text or follow a
// delimiter, so `error_code=` or `access_token=` never match as `code=` / `token=`.
// A JWT already reduced to header.payload.[sig redacted] is matched whole (it contains a space) and kept.
const REDUCED_JWT = String.raw`eyJ[A-Za-z0-9_-]*\.(?:[A-Za-z0-9_-]*\.\[sig redacted\]|\[jwe redacted\])`;
const QUERY_FIELD_RE = new RegExp(`(^|[?&#;\\s"'(,/])(${FIELD_ALT})=(${REDUCED_JWT}|[^&#"'\\s<>;,)]*)`, 'gi');
// "name": "value" in JSON (string values only).
const JSON_FIELD_RE = new RegExp(`"(${FIELD_ALT})"(\\s*:\\s*)"((?:[^"\\\\]|\\\\.)*)"`, 'gi');
// Compact JWE (5 parts) first, then JWS (3 parts). Headers are base64url JSON, so they start with "eyJ".
const JWE_RE = /\b(eyJ[A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)/g;
const JWS_RE = /\b(eyJ[A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+)/g;

/** In a JSON body, `code` is also authentik's stage-error code ("invalid", "required"): keep those identifiers. */
function isErrorIdentifier(name: string, value: string): boolean {
  return name.toLowerCase() === 'code' && /^[a-z][a-z_]{0,31}$/.test(value);
}

function isReducedJwt(v: string): boolean {
  return v.startsWith('eyJ') && (v.endsWith(`.${SIG_REDACTED}`) || v.endsWith('.[jwe redacted]'));
}

/** Reduces every JWT to header.payload.[sig redacted] and every JWE to header.[jwe redacted]. */
export function redactJwts(text: string): string {
  return text
    .replace(JWE_RE, (_m, h: string) => `${h}.[jwe redacted]`)
    .replace(JWS_RE, (_m, h: string, p: string) => `${h}.${p}.${SIG_REDACTED}`);
}

/** Structural redaction of any text (URL, body, header value); no registry. */
export function redactStructural(text: string): string {
  if (!text) return text;
  let out = redactJwts(text);
  out = out.replace(JSON_FIELD_RE, (m, name: string, sep: string, value: string) =>
    value === '' || value === REDACTED || isReducedJwt(value) || isErrorIdentifier(name, value) ? m : `"${name}"${sep}"${REDACTED}"`,
  );
  out = out.replace(QUERY_FIELD_RE, (m, pre: string, name: string, value: string) =>
    value === '' || value === REDACTED || isReducedJwt(value) ? m : `${pre}${name}=${REDACTED}`,
  );
  return out;
}

/** Finds secret values by field name (query/form/JSON) and JWT signatures, and registers them. */
export function harvestSecrets(text: string | undefined, secrets: Secrets): void {
  if (!text) return;
  for (const m of text.matchAll(JSON_FIELD_RE)) {
    const [, name, , value] = m;
    if (value && !isErrorIdentifier(name!, value)) secrets.add(unescapeJson(value), name!.toLowerCase());
  }
  for (const m of text.matchAll(QUERY_FIELD_RE)) {
    const [, , name, value] = m;
    if (value) secrets.add(safeDecode(value), name!.toLowerCase());
  }
  for (const m of text.matchAll(JWS_RE)) if (m[3] && m[3].length >= 16) secrets.add(m[3], 'jwt-signature');
}

/** Registers cookie values (from Set-Cookie or Cookie headers); short values ("1", "true") are skipped. */
export function harvestCookieValues(header: string, secrets: Secrets, isSetCookie: boolean): void {
  const pairs = isSetCookie ? [header.split(';')[0] ?? ''] : header.split(';');
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const value = pair.slice(eq + 1).trim();
    if (value.length >= 8) secrets.add(value, 'cookie');
  }
}

/** `Cookie: a=1; b=2` -> `a=[redacted]; b=[redacted]` (names kept). */
export function redactCookieHeader(value: string): string {
  return value
    .split(';')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join(';');
}

/** `Set-Cookie: authentik_session=xyz; Path=/; HttpOnly` -> `authentik_session=[redacted]; Path=/; HttpOnly`. */
export function redactSetCookie(value: string): string {
  const semi = value.indexOf(';');
  const first = semi < 0 ? value : value.slice(0, semi);
  const rest = semi < 0 ? '' : value.slice(semi);
  const eq = first.indexOf('=');
  const name = eq < 0 ? first : first.slice(0, eq);
  return `${name}=${REDACTED}${rest}`;
}

/** `Basic abc` -> `Basic [redacted]`, `Bearer eyJ..` -> `Bearer [redacted]`. */
export function redactAuthorization(value: string): string {
  const sp = value.indexOf(' ');
  return sp < 0 ? REDACTED : `${value.slice(0, sp)} ${REDACTED}`;
}

const CSRF_HEADER_RE = /csrf|^x-api-key$|^proxy-authorization$/i;

export function redactHeaderValue(name: string, value: string, secrets: Secrets): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization' || lower === 'proxy-authorization') return redactAuthorization(value);
  if (lower === 'cookie') return redactCookieHeader(value);
  if (lower === 'set-cookie') return secrets.redact(redactJwts(redactSetCookie(value)));
  if (CSRF_HEADER_RE.test(lower)) return REDACTED;
  return redactText(value, secrets);
}

/** Full redaction of a text: structural first (keeps JWT payloads), then every registered value. */
export function redactText(text: string | undefined, secrets: Secrets): string {
  if (!text) return text ?? '';
  return secrets.redact(redactStructural(text));
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return v;
  }
}

function unescapeJson(v: string): string {
  try {
    return JSON.parse(`"${v}"`) as string;
  } catch {
    return v;
  }
}
