/**
 * A conformant OpenID Connect RP on openid-client 6 (the "what a correct client sees" counterpart of the osTicket
 * profile): discovery, authorization URL with state + nonce + PKCE S256, code exchange with client_secret_post or
 * client_secret_basic, userinfo. Every request goes through our HTTP layer (client.customFetch adapting
 * Actor.request), so it is in the transcript, redacted, bounded by timeouts/deadline/budget, and uses the
 * resolution map and CA.
 *
 * openid-client does NOT verify ID-token signatures in the code flow (npm-stack.md §2): verify.ts does that.
 * Every failure is returned as a typed RpError carrying openid-client's code and its cause's message.
 */
import * as client from 'openid-client';
import type { Actor } from '../http/client.ts';
import { HttpError } from '../http/types.ts';
import type { ClientAuthMethod, RpError } from './types.ts';

export interface ConformantRpOptions {
  actor: Actor;
  /** Full discovery URL (authentik: <base>/application/o/<slug>/.well-known/openid-configuration), used as-is. */
  discoveryUrl: string | URL;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Default client_secret_basic. */
  authMethod?: ClientAuthMethod;
  /** Default "openid email profile". */
  scope?: string;
  /** Seconds, default 30. */
  clockToleranceSec?: number;
  /** id_token_signed_response_alg; default: what discovery lists (openid-client's rule), else RS256. */
  idTokenAlg?: string;
  /** openid-client's own timeout (s); our HTTP layer's per-request timeout applies anyway. */
  timeoutSec?: number;
  /**
   * The discovery answer the run already has (issue 12: one discovery per run, shared by every client and
   * check): openid-client validates it exactly as a response it fetched itself (issuer, JSON, status), and no
   * second request is sent. A transport failure is re-thrown as it happened. Absent: discovery is fetched.
   */
  discovered?: () => Promise<DiscoveredDocument>;
}

/** A discovery exchange that already happened: what the server answered, or how the request failed. */
export type DiscoveredDocument = { status: number; contentType?: string; body: string } | { error: HttpError };

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce?: string;
  codeVerifier?: string;
  codeChallenge?: string;
  scope: string;
}

export interface TokenSet {
  access_token: string;
  token_type?: string;
  id_token?: string;
  refresh_token?: string;
  scope?: string;
  expires_in?: number;
  [k: string]: unknown;
}

export type RpResult<T> = ({ ok: true } & T) | RpError;

export interface ConformantRp {
  readonly config: client.Configuration;
  readonly metadata: client.ServerMetadata;
  readonly authMethod: ClientAuthMethod;
  readonly redirectUri: string;
  /** Builds the authorize URL (state, nonce, PKCE S256 by default; switch each off for probes). */
  authorizationRequest(p?: { scope?: string; pkce?: boolean; nonce?: boolean; extra?: Record<string, string> }): Promise<AuthorizationRequest>;
  /** Code exchange from the callback URL (state, iss, nonce, PKCE checked by openid-client). */
  exchangeCode(
    callbackUrl: URL,
    req: AuthorizationRequest,
    p?: { label?: string; authMethod?: ClientAuthMethod },
  ): Promise<RpResult<{ tokens: TokenSet; claims?: Record<string, unknown>; exchangeIds: number[] }>>;
  /** Userinfo with the Bearer token; `expectedSubject` undefined = skip openid-client's sub check. */
  userinfo(accessToken: string, expectedSubject?: string, p?: { label?: string }): Promise<RpResult<{ claims: Record<string, unknown>; exchangeIds: number[] }>>;
}

/** Discovery through the actor; returns the RP or a typed error (unreachable, not JSON, bad metadata...). */
export async function createConformantRp(opts: ConformantRpOptions): Promise<RpResult<{ rp: ConformantRp; exchangeIds: number[] }>> {
  const { actor } = opts;
  const secrets = actor.http.secrets;
  secrets.add(opts.clientSecret, 'client_secret');
  const authMethod = opts.authMethod ?? 'client_secret_basic';
  const state = { label: 'rp: discovery' };
  const discoveryUrl = new URL(String(opts.discoveryUrl));
  const fetchImpl = makeCustomFetch(actor, state, opts.redirectUri, opts.discovered ? { url: discoveryUrl.href, answer: opts.discovered } : undefined);
  const metadata: Partial<client.ClientMetadata> = {
    client_secret: opts.clientSecret,
    [client.clockTolerance]: opts.clockToleranceSec ?? 30,
  };
  if (opts.idTokenAlg) metadata.id_token_signed_response_alg = opts.idTokenAlg;
  const before = actor.http.transcript.lastId;
  let config: client.Configuration;
  try {
    config = await client.discovery(discoveryUrl, opts.clientId, metadata, clientAuth(authMethod, opts.clientSecret), {
      execute: discoveryUrl.protocol === 'http:' ? [client.allowInsecureRequests] : [],
      [client.customFetch]: fetchImpl,
      timeout: opts.timeoutSec ?? 30,
    });
  } catch (e) {
    return toRpError(e, actor);
  }
  if (discoveryUrl.protocol === 'http:') client.allowInsecureRequests(config);
  const discoveryIds = idsSince(actor, before);

  const rp: ConformantRp = {
    config,
    metadata: config.serverMetadata(),
    authMethod,
    redirectUri: opts.redirectUri,
    async authorizationRequest(p = {}) {
      const scope = p.scope ?? opts.scope ?? 'openid email profile';
      const stateValue = client.randomState();
      const params: Record<string, string> = { redirect_uri: opts.redirectUri, scope, response_type: 'code', state: stateValue };
      const out: AuthorizationRequest = { url: new URL('about:blank'), state: stateValue, scope };
      if (p.nonce !== false) params.nonce = out.nonce = client.randomNonce();
      if (p.pkce !== false) {
        out.codeVerifier = client.randomPKCECodeVerifier();
        out.codeChallenge = await client.calculatePKCECodeChallenge(out.codeVerifier);
        params.code_challenge = out.codeChallenge;
        params.code_challenge_method = 'S256';
        secrets.add(out.codeVerifier, 'code_verifier');
      }
      Object.assign(params, p.extra ?? {});
      out.url = client.buildAuthorizationUrl(config, params);
      return out;
    },
    async exchangeCode(callbackUrl, req, p = {}) {
      const code = callbackUrl.searchParams.get('code');
      if (code) secrets.add(code, 'code');
      const method = p.authMethod ?? authMethod;
      // A per-call auth method needs its own Configuration (client auth is bound to it).
      const cfg = method === authMethod ? config : cloneConfig(config, opts, method, fetchImpl);
      state.label = p.label ?? `rp: token (${method})`;
      const start = actor.http.transcript.lastId;
      try {
        const tokens = await client.authorizationCodeGrant(cfg, callbackUrl, {
          pkceCodeVerifier: req.codeVerifier,
          expectedState: req.state,
          expectedNonce: req.nonce,
          idTokenExpected: true,
        });
        for (const k of ['access_token', 'refresh_token'] as const) if (typeof tokens[k] === 'string') secrets.add(tokens[k] as string, k);
        const claims = tokens.claims() as Record<string, unknown> | undefined;
        return { ok: true, tokens: { ...tokens } as TokenSet, claims: claims ? { ...claims } : undefined, exchangeIds: idsSince(actor, start) };
      } catch (e) {
        return toRpError(e, actor);
      }
    },
    async userinfo(accessToken, expectedSubject, p = {}) {
      secrets.add(accessToken, 'access_token');
      state.label = p.label ?? 'rp: userinfo';
      const start = actor.http.transcript.lastId;
      try {
        const claims = await client.fetchUserInfo(config, accessToken, expectedSubject ?? client.skipSubjectCheck);
        return { ok: true, claims: { ...claims } as Record<string, unknown>, exchangeIds: idsSince(actor, start) };
      } catch (e) {
        return toRpError(e, actor);
      }
    },
  };
  return { ok: true, rp, exchangeIds: discoveryIds };
}

function clientAuth(method: ClientAuthMethod, secret: string): client.ClientAuth {
  return method === 'client_secret_post' ? client.ClientSecretPost(secret) : client.ClientSecretBasic(secret);
}

function cloneConfig(config: client.Configuration, opts: ConformantRpOptions, method: ClientAuthMethod, fetchImpl: client.CustomFetch): client.Configuration {
  const metadata: Partial<client.ClientMetadata> = { ...config.clientMetadata(), client_secret: opts.clientSecret };
  const cfg = new client.Configuration(config.serverMetadata(), opts.clientId, metadata, clientAuth(method, opts.clientSecret));
  cfg[client.customFetch] = fetchImpl;
  if (new URL(String(opts.discoveryUrl)).protocol === 'http:') client.allowInsecureRequests(cfg);
  return cfg;
}

/**
 * Adapts Actor.request to openid-client's fetch contract. The Response is rebuilt from the recorded text (our
 * layer already read and capped the body). openid-client derives the token request's redirect_uri from the
 * callback URL with its query stripped; we send the configured redirect URI instead (npm-stack.md §2 recipe).
 */
function makeCustomFetch(
  actor: Actor,
  state: { label: string },
  redirectUri: string,
  discovered?: { url: string; answer: () => Promise<DiscoveredDocument> },
): client.CustomFetch {
  return async (url, options) => {
    if (discovered && url === discovered.url && (options.method ?? 'GET') === 'GET') {
      const d = await discovered.answer();
      if ('error' in d) throw d.error;
      return new Response(d.body, { status: d.status, headers: d.contentType ? { 'content-type': d.contentType } : {} });
    }
    let body: string | undefined;
    const headers: Record<string, string> = { ...options.headers };
    if (options.body instanceof URLSearchParams) {
      const p = new URLSearchParams(options.body);
      if (p.has('redirect_uri')) p.set('redirect_uri', redirectUri);
      body = p.toString();
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (typeof options.body === 'string') body = options.body;
    else if (options.body instanceof Uint8Array || options.body instanceof ArrayBuffer) body = Buffer.from(options.body as ArrayBuffer).toString('utf8');
    const res = await actor.request(url, { method: options.method, headers, body, label: state.label });
    const nullBody = res.status === 204 || res.status === 304 || options.method === 'HEAD';
    const out = new Response(nullBody ? null : res.text, { status: res.status, headers: copyHeaders(res.headers) });
    return out;
  };
}

function copyHeaders(h: Headers): Headers {
  const out = new Headers();
  h.forEach((v, k) => {
    if (k !== 'set-cookie' && k !== 'content-encoding' && k !== 'content-length') out.append(k, v);
  });
  return out;
}

function idsSince(actor: Actor, afterId: number): number[] {
  return actor.http.transcript.ownSince(afterId).map((e) => e.id);
}

/** openid-client / oauth4webapi errors -> RpError with the useful cause; secrets redacted from every string. */
export function toRpError(e: unknown, actor?: Actor): RpError {
  const redact = (s: string) => (actor ? actor.http.secrets.redact(s) : s).replace(/\s+/g, ' ').slice(0, 400);
  const http = findHttpError(e);
  if (http) return { ok: false, code: http.code, message: redact(http.message) };
  const err = e as {
    code?: string;
    message?: string;
    name?: string;
    error?: string;
    error_description?: string;
    status?: number;
    cause?: unknown;
  };
  const cause = err?.cause as { message?: string; cause?: unknown } | undefined;
  const causeMsg = cause && typeof cause === 'object' && typeof cause.message === 'string' ? cause.message : undefined;
  const out: RpError = {
    ok: false,
    code: err?.code ?? err?.name ?? 'ERROR',
    message: redact([err?.message ?? String(e), causeMsg].filter(Boolean).join(': ')),
  };
  if (typeof err?.error === 'string') out.error = err.error;
  if (typeof err?.error_description === 'string') out.errorDescription = redact(err.error_description);
  if (typeof err?.status === 'number') out.status = err.status;
  if (err instanceof client.WWWAuthenticateChallengeError) {
    const ch = (err.cause as unknown as Array<{ parameters?: Record<string, string> }> | undefined)?.[0];
    if (ch?.parameters?.error) out.error = ch.parameters.error;
    if (ch?.parameters?.error_description) out.errorDescription = redact(ch.parameters.error_description);
  }
  if (cause && typeof cause === 'object' && cause.cause !== undefined) out.detail = safeDetail(cause.cause);
  else if (cause && typeof cause === 'object' && !(cause instanceof Error) && !(cause instanceof URLSearchParams)) out.detail = safeDetail(cause);
  return out;
}

function safeDetail(d: unknown): unknown {
  try {
    // Only small plain data (expected/claim values); tokens inside would be caught by the transcript layer but
    // this object may be printed, so strip anything that looks like a JWT or long opaque value.
    return JSON.parse(JSON.stringify(d, (_k, v) => (typeof v === 'string' && v.length > 200 ? `[${v.length} chars]` : v)));
  } catch {
    return undefined;
  }
}

function findHttpError(e: unknown): HttpError | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur; i++) {
    if (cur instanceof HttpError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
