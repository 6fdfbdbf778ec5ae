/**
 * The osTicket auth-oauth2 plugin's client profile: exactly the requests the plugin (0.6, develop) makes through
 * league/oauth2-client's GenericProvider (osticket.md §2, §3, §11). Used by the embedded target, where no osTicket
 * runs, and by checks that compare what osTicket would send with what authentik accepts.
 *
 * What the plugin does NOT do is part of the profile: no nonce, no PKCE, no Basic auth, no Accept header, and the
 * ID token is never read (identity comes only from the userinfo JSON).
 */
import { randomBytes } from 'node:crypto';
import type { Actor } from '../http/client.ts';
import { HttpError } from '../http/types.ts';
import type { OsticketPluginSettings } from '../target-types.ts';
import type { OsticketAuthorizeRequest, OsticketIdentity, TokenResponse, TokenResult, UserinfoResult } from './types.ts';

/** Guzzle 7's default User-Agent prefix, as seen on the wire (osticket.md §11). */
export const OSTICKET_USER_AGENT = 'GuzzleHttp/7';

/**
 * The `scope` parameter value the plugin sends for a raw "Scopes" field (osticket.md §2 getScopes):
 * split on ',' and trim each part; more than one part -> joined with ',' (scopeSeparator); otherwise unchanged.
 *   "email openid profile"   -> "email openid profile"   (sent as email%20openid%20profile)
 *   "openid,email,profile"   -> "openid,email,profile"   (sent as openid%2Cemail%2Cprofile)
 *   "openid, email, profile" -> "openid,email,profile"
 */
export function osticketScopeParam(rawScopesField: string): string {
  const parts = rawScopesField.split(',').map((s) => s.trim());
  return parts.length > 1 ? parts.join(',') : rawScopesField;
}

/** 32 lowercase hex characters: league's getRandomState() = bin2hex(random_bytes(16)). */
export function newOsticketState(): string {
  return randomBytes(16).toString('hex');
}

/**
 * PHP rawurlencode / http_build_query(..., PHP_QUERY_RFC3986): unreserved = A-Z a-z 0-9 - _ . ~, everything else
 * %XX (upper-case hex). encodeURIComponent leaves !'()* alone, PHP does not.
 */
export function phpRawUrlEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** PHP http_build_query($params, '', '&', PHP_QUERY_RFC3986) for a flat string map, keeping insertion order. */
export function phpBuildQuery(params: Array<[string, string]>): string {
  return params.map(([k, v]) => `${phpRawUrlEncode(k)}=${phpRawUrlEncode(v)}`).join('&');
}

/**
 * league AbstractProvider::appendQuery: trim '?' and '&' from the query, then glue with '?' when the URL has no
 * '?' yet, otherwise '&'. An existing query on urlAuthorize is therefore kept, and a URL ending in '?' gets '&'.
 */
export function leagueAppendQuery(url: string, query: string): string {
  const q = query.replace(/^[?&]+|[?&]+$/g, '');
  if (!q) return url;
  return url + (url.includes('?') ? '&' : '?') + q;
}

/**
 * The authorize URL of triggerAuth() -> getAuthorizationUrl() (league getAuthorizationParameters):
 * parameters in the order state, scope, response_type=code, approval_prompt=auto, redirect_uri, client_id.
 */
export function buildOsticketAuthorizeUrl(settings: OsticketPluginSettings, state: string = newOsticketState()): OsticketAuthorizeRequest {
  const scope = osticketScopeParam(settings.scopes);
  const query = phpBuildQuery([
    ['state', state],
    ['scope', scope],
    ['response_type', 'code'],
    ['approval_prompt', 'auto'],
    ['redirect_uri', settings.redirectUri],
    ['client_id', settings.clientId],
  ]);
  return { url: new URL(leagueAppendQuery(settings.authorizeUrl, query)), state, scope };
}

/**
 * getAccessToken('authorization_code', ['code' => $code]): POST urlAccessToken, form body in league's order
 * client_id, client_secret, redirect_uri, grant_type, code (PostAuthOptionProvider: client_secret_post).
 * Headers: content-type only, plus Guzzle's User-Agent. (undici's fetch adds `accept: *\/*` by itself; the
 * plugin sends none, and authentik does not look at it.)
 */
export async function osticketTokenRequest(actor: Actor, settings: OsticketPluginSettings, code: string, label = 'osticket: token'): Promise<TokenResult> {
  actor.http.secrets.add(settings.clientSecret, 'client_secret');
  actor.http.secrets.add(code, 'code');
  const body = phpBuildQuery([
    ['client_id', settings.clientId],
    ['client_secret', settings.clientSecret],
    ['redirect_uri', settings.redirectUri],
    ['grant_type', 'authorization_code'],
    ['code', code],
  ]);
  let res;
  try {
    res = await actor.request(settings.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': OSTICKET_USER_AGENT },
      body,
      label,
    });
  } catch (e) {
    if (e instanceof HttpError) return { ok: false, kind: 'transport', detail: e.message, httpError: e, exchangeId: e.exchangeId };
    throw e;
  }
  const json = res.json;
  const obj = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (!obj) {
    return {
      ok: false,
      kind: res.status >= 200 && res.status < 300 ? 'not-json' : 'http-error',
      status: res.status,
      exchangeId: res.exchangeId,
      detail: `token endpoint answered ${res.status} with ${describeBody(res.text, res.headers.get('content-type'))}`,
    };
  }
  const error = typeof obj.error === 'string' ? obj.error : undefined;
  const errorDescription = typeof obj.error_description === 'string' ? obj.error_description : undefined;
  // league: an `error` key raises IdentityProviderException whatever the status (checkResponse).
  if (error || res.status < 200 || res.status >= 300) {
    return {
      ok: false,
      kind: 'http-error',
      status: res.status,
      exchangeId: res.exchangeId,
      error,
      errorDescription,
      detail: `token endpoint answered ${res.status}${error ? ` ${error}` : ''}${errorDescription ? `: ${errorDescription}` : ''}`,
    };
  }
  if (typeof obj.access_token !== 'string' || !obj.access_token) {
    return { ok: false, kind: 'no-access-token', status: res.status, exchangeId: res.exchangeId, detail: `token endpoint answered ${res.status} JSON without access_token` };
  }
  actor.http.secrets.add(obj.access_token, 'access_token');
  if (typeof obj.refresh_token === 'string') actor.http.secrets.add(obj.refresh_token, 'refresh_token');
  return { ok: true, status: res.status, exchangeId: res.exchangeId, token: obj as TokenResponse };
}

/** getResourceOwner(): GET urlResourceOwnerDetails with only `Authorization: Bearer <token>` (BearerAuthorizationTrait). */
export async function osticketUserinfo(actor: Actor, settings: OsticketPluginSettings, accessToken: string, label = 'osticket: userinfo'): Promise<UserinfoResult> {
  actor.http.secrets.add(accessToken, 'access_token');
  let res;
  try {
    res = await actor.request(settings.userinfoUrl, {
      method: 'GET',
      headers: { authorization: `Bearer ${accessToken}`, 'user-agent': OSTICKET_USER_AGENT },
      label,
    });
  } catch (e) {
    if (e instanceof HttpError) return { ok: false, kind: 'transport', detail: e.message, httpError: e, exchangeId: e.exchangeId };
    throw e;
  }
  const www = res.headers.get('www-authenticate') ?? undefined;
  if (res.status < 200 || res.status >= 300) {
    const { error, errorDescription } = parseWwwAuthenticate(www);
    return {
      ok: false,
      kind: 'http-error',
      status: res.status,
      exchangeId: res.exchangeId,
      error,
      errorDescription,
      wwwAuthenticate: www,
      detail: `userinfo answered ${res.status}${error ? ` ${error}` : ''}${errorDescription ? `: ${errorDescription}` : ''}`,
    };
  }
  if (res.json === undefined)
    return { ok: false, kind: 'not-json', status: res.status, exchangeId: res.exchangeId, detail: `userinfo answered ${res.status} with ${describeBody(res.text, res.headers.get('content-type'))}` };
  if (!res.json || typeof res.json !== 'object' || Array.isArray(res.json))
    return { ok: false, kind: 'not-object', status: res.status, exchangeId: res.exchangeId, detail: `userinfo JSON is not an object` };
  return { ok: true, status: res.status, exchangeId: res.exchangeId, claims: res.json as Record<string, unknown> };
}

/** Parses authentik's `WWW-Authenticate: error="invalid_token", error_description="..."` (with or without a scheme). */
export function parseWwwAuthenticate(value: string | undefined): { error?: string; errorDescription?: string } {
  if (!value) return {};
  const get = (name: string) => new RegExp(`${name}="([^"]*)"`, 'i').exec(value)?.[1];
  return { error: get('error'), errorDescription: get('error_description') };
}

/**
 * mapAttributes (osticket.md §3): keys of the userinfo object and the configured attribute names are lower-cased;
 * only username, givenname, surname and email are read, from the top level; an attribute configured as '' is
 * skipped; a missing claim is null; username falls back to email; email is copied from username when it looks
 * like an email. Defaults: username=email, email=email, givenname=givenname, surname=surname.
 */
export function mapOsticketIdentity(
  userinfo: Record<string, unknown>,
  attributes: OsticketPluginSettings['attributes'] = {},
): OsticketIdentity {
  const lower = new Map<string, unknown>();
  for (const [k, v] of Object.entries(userinfo)) lower.set(k.toLowerCase(), v);
  const config = {
    username: attributes?.username ?? 'email',
    givenname: attributes?.givenname ?? 'givenname',
    surname: attributes?.surname ?? 'surname',
    email: attributes?.email ?? 'email',
  };
  const out: OsticketIdentity = { username: null, email: null, givenname: null, surname: null };
  for (const key of ['username', 'givenname', 'surname', 'email'] as const) {
    const attr = config[key];
    if (attr === '') continue;
    out[key] = scalar(lower.get(attr.toLowerCase()));
  }
  if (!out.username && out.email) out.username = out.email;
  if (!out.email && out.username && looksLikeEmail(out.username)) out.email = out.username;
  return out;
}

/** PHP string view of a JSON scalar; arrays/objects are not usable as names (null). */
function scalar(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '';
  return null;
}

/** osTicket's Validator::is_email, reduced to its shape check. */
export function looksLikeEmail(s: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);
}

function describeBody(text: string, contentType: string | null): string {
  if (!text) return 'an empty body';
  return `a non-JSON body (${contentType ?? 'no content-type'}, ${text.length} characters)`;
}
