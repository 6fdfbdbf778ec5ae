/**
 * Result types of the two relying parties (osTicket client profile, conformant openid-client RP) and of the
 * jose-based JWT verification. Every operation returns a typed result; none throws on a bad server.
 */
import type { HttpError } from '../http/types.ts';

// ---------------------------------------------------------------- osTicket profile

/** The plugin's identity after mapAttributes (osticket.md §3). Missing claims are null, as in PHP. */
export interface OsticketIdentity {
  username: string | null;
  email: string | null;
  givenname: string | null;
  surname: string | null;
}

export interface OsticketAuthorizeRequest {
  url: URL;
  state: string;
  /** The exact scope parameter value sent (before URL encoding). */
  scope: string;
}

/** Token endpoint JSON as authentik returns it (§6); other members kept as-is. */
export interface TokenResponse {
  access_token: string;
  token_type?: string;
  scope?: string;
  expires_in?: number;
  id_token?: string;
  refresh_token?: string;
  [k: string]: unknown;
}

export type TokenResult =
  | { ok: true; status: number; exchangeId: number; token: TokenResponse }
  | {
      ok: false;
      /** http-error: non-2xx with an OAuth error JSON; not-json: body is not JSON; no-access-token: 2xx JSON without it. */
      kind: 'http-error' | 'not-json' | 'no-access-token' | 'transport';
      status?: number;
      exchangeId?: number;
      /** OAuth `error` (invalid_client, invalid_grant, ...) when present. */
      error?: string;
      errorDescription?: string;
      /** One-line human summary, no secrets. */
      detail: string;
      httpError?: HttpError;
    };

export type UserinfoResult =
  | { ok: true; status: number; exchangeId: number; claims: Record<string, unknown> }
  | {
      ok: false;
      /** http-error: non-2xx (authentik: empty body + WWW-Authenticate error="..."); not-json / not-object: bad body. */
      kind: 'http-error' | 'not-json' | 'not-object' | 'transport';
      status?: number;
      exchangeId?: number;
      /** Parsed from WWW-Authenticate (authentik sends it without the Bearer prefix, authentik.md §5). */
      error?: string;
      errorDescription?: string;
      wwwAuthenticate?: string;
      detail: string;
      httpError?: HttpError;
    };

// ---------------------------------------------------------------- conformant RP

export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic';

/** A typed openid-client / transport failure: `code` is openid-client's (OAUTH_*) or the HttpError code. */
export interface RpError {
  ok: false;
  /** e.g. OAUTH_RESPONSE_BODY_ERROR, OAUTH_JWT_CLAIM_COMPARISON_FAILED, TIMEOUT, ECONNREFUSED */
  code: string;
  /** One line: openid-client's message plus its cause's message (the useful part). */
  message: string;
  /** OAuth `error` / `error_description` for server errors (invalid_client, invalid_grant...). */
  error?: string;
  errorDescription?: string;
  status?: number;
  /** The claim/expected values openid-client reports for comparison failures (`err.cause.cause`), when present. */
  detail?: unknown;
}

// ---------------------------------------------------------------- JWT verification

export type JwtFormat = 'jws' | 'jwe' | 'malformed';
export type SignatureStatus = 'valid' | 'invalid' | 'unverifiable' | 'none';

export interface JwtInspection {
  format: JwtFormat;
  /** Number of dot-separated parts. */
  parts: number;
  header?: Record<string, unknown>;
  /** Decoded payload (JWS only). */
  payload?: Record<string, unknown>;
  alg?: string;
  kid?: string;
  typ?: string;
  /** Why the token is malformed (when format = malformed). */
  problem?: string;
}

export interface ClaimError {
  /** iss, aud, exp, iat, nbf, nonce, sub, azp */
  claim: string;
  reason: string;
}

export interface JwtVerification {
  format: JwtFormat;
  alg?: string;
  kid?: string;
  /** The header kid is present in the JWKS (false when no kid or no keys). */
  kidInJwks: boolean;
  /** The JWKS has a non-empty `keys` array (authentik serves `{}` without a signing key, §4). */
  jwksHasKeys: boolean;
  /** A JWKS problem worth reporting (e.g. "no keys member", "not an object"). */
  jwksProblem?: string;
  signature: SignatureStatus;
  /** Why the signature is invalid/unverifiable (jose's code and message, or our own reason). */
  signatureDetail?: string;
  /** 'jwks' for asymmetric algs, 'client-secret' for HS*. */
  keySource?: 'jwks' | 'client-secret';
  claimsErrors: ClaimError[];
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
}

export interface VerifyOptions {
  /** The JWKS JSON as fetched (may be `{}` or garbage). */
  jwks: unknown;
  /** For HS256/384/512 (authentik without a signing key signs with the client secret, §4). */
  clientSecret?: string;
  issuer: string;
  /** The client_id. */
  audience: string;
  /** Expected nonce, when one was sent. */
  nonce?: string;
  /** Default 30 s. */
  clockToleranceSec?: number;
  /** Override "now" (epoch seconds) for tests. */
  now?: number;
}
