/**
 * JWT inspection and verification with jose 6, against the JWKS JSON the harness fetched itself (through an
 * Actor, so it is in the transcript and uses the resolution map) via jose.createLocalJWKSet — never jose's remote
 * fetch. openid-client does not verify ID-token signatures in the code flow (npm-stack.md §2), so this is where
 * the "Signing" property is proven. Never throws on bad input: every problem is a field of the result.
 *
 * authentik facts used (authentik.md §4): without a signing key tokens are HS256 keyed with the client secret,
 * have no kid, and the JWKS is `{}` (no `keys`); with a key the header carries `kid` and the JWKS lists it; with
 * an encryption key both tokens are compact JWE (5 parts).
 */
import * as jose from 'jose';
import type { ClaimError, JwtInspection, JwtVerification, VerifyOptions } from './types.ts';

const HMAC_ALGS = new Set(['HS256', 'HS384', 'HS512']);
const ASYMMETRIC_ALGS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

export function isAsymmetricAlg(alg: string | undefined): boolean {
  return !!alg && ASYMMETRIC_ALGS.has(alg);
}

function b64urlJson(part: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes without verifying: format (JWS 3 parts / JWE 5 parts), header, payload (JWS), alg, kid. */
export function inspectJwt(token: unknown): JwtInspection {
  if (typeof token !== 'string' || token.length === 0) return { format: 'malformed', parts: 0, problem: 'not a non-empty string' };
  const parts = token.split('.');
  const header = b64urlJson(parts[0] ?? '');
  const base = {
    parts: parts.length,
    header,
    alg: typeof header?.alg === 'string' ? header.alg : undefined,
    kid: typeof header?.kid === 'string' ? header.kid : undefined,
    typ: typeof header?.typ === 'string' ? header.typ : undefined,
  };
  if (parts.length === 5) {
    if (!header) return { ...base, format: 'malformed', problem: 'JWE protected header is not base64url JSON' };
    return { ...base, format: 'jwe' };
  }
  if (parts.length !== 3) return { ...base, format: 'malformed', problem: `${parts.length} dot-separated parts (a JWS has 3, a JWE 5)` };
  if (!header) return { ...base, format: 'malformed', problem: 'header is not base64url JSON' };
  const payload = b64urlJson(parts[1] ?? '');
  if (!payload) return { ...base, format: 'malformed', problem: 'payload is not base64url JSON' };
  if (!/^[A-Za-z0-9_-]*$/.test(parts[2] ?? '')) return { ...base, payload, format: 'malformed', problem: 'signature is not base64url' };
  return { ...base, payload, format: 'jws' };
}

interface JwksView {
  keys: Array<Record<string, unknown>>;
  problem?: string;
}

function viewJwks(jwks: unknown): JwksView {
  if (!jwks || typeof jwks !== 'object' || Array.isArray(jwks)) return { keys: [], problem: 'JWKS is not a JSON object' };
  const keys = (jwks as { keys?: unknown }).keys;
  if (keys === undefined) return { keys: [], problem: 'JWKS has no "keys" member' };
  if (!Array.isArray(keys)) return { keys: [], problem: '"keys" is not an array' };
  if (keys.length === 0) return { keys: [], problem: '"keys" is empty' };
  return { keys: keys.filter((k): k is Record<string, unknown> => !!k && typeof k === 'object') };
}

/** Checks the signature and the ID-token claims; see JwtVerification for every field. */
export async function verifyJwt(token: unknown, opts: VerifyOptions): Promise<JwtVerification> {
  const ins = inspectJwt(token);
  const jwks = viewJwks(opts.jwks);
  const kidInJwks = !!ins.kid && jwks.keys.some((k) => k.kid === ins.kid);
  const result: JwtVerification = {
    format: ins.format,
    alg: ins.alg,
    kid: ins.kid,
    kidInJwks,
    jwksHasKeys: jwks.keys.length > 0,
    jwksProblem: jwks.problem,
    signature: 'unverifiable',
    claimsErrors: [],
    header: ins.header,
    payload: ins.payload,
  };
  if (ins.format === 'malformed') {
    result.signatureDetail = `malformed token: ${ins.problem}`;
    return result;
  }
  if (ins.format === 'jwe') {
    result.signatureDetail = 'the token is encrypted (JWE); the harness does not hold the decryption key';
    return result;
  }
  result.claimsErrors = checkClaims(ins.payload ?? {}, opts);
  const alg = ins.alg;
  const compact = token as string;
  if (!alg) {
    result.signatureDetail = 'no "alg" in the header';
  } else if (alg.toLowerCase() === 'none') {
    result.signature = 'none';
    result.signatureDetail = 'alg "none": the token is not signed';
  } else if (HMAC_ALGS.has(alg)) {
    result.keySource = 'client-secret';
    if (!opts.clientSecret) {
      result.signatureDetail = `${alg} needs the client secret, which was not given`;
    } else {
      await check(result, () => jose.compactVerify(compact, new TextEncoder().encode(opts.clientSecret), { algorithms: [alg] }));
    }
  } else if (ASYMMETRIC_ALGS.has(alg)) {
    result.keySource = 'jwks';
    if (jwks.keys.length === 0) {
      result.signatureDetail = `cannot verify ${alg}: ${jwks.problem ?? 'JWKS has no keys'}`;
    } else {
      let set: ReturnType<typeof jose.createLocalJWKSet> | undefined;
      try {
        set = jose.createLocalJWKSet({ keys: jwks.keys } as unknown as jose.JSONWebKeySet);
      } catch (e) {
        result.jwksProblem = `JWKS rejected by jose: ${errMessage(e)}`;
        result.signatureDetail = result.jwksProblem;
      }
      if (set) await check(result, () => jose.compactVerify(compact, set, { algorithms: [alg] }));
    }
  } else {
    result.signatureDetail = `unsupported algorithm "${alg}"`;
  }
  return result;
}

async function check(result: JwtVerification, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
    result.signature = 'valid';
    result.signatureDetail = undefined;
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'ERROR';
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
      result.signature = 'invalid';
      result.signatureDetail = 'signature does not verify with the expected key';
    } else if (code === 'ERR_JWKS_NO_MATCHING_KEY') {
      result.signature = 'unverifiable';
      result.signatureDetail = `no key in the JWKS matches kid ${result.kid ?? '(none)'} and alg ${result.alg}`;
    } else {
      result.signature = code === 'ERR_JWS_INVALID' ? 'invalid' : 'unverifiable';
      result.signatureDetail = `${code}: ${errMessage(e)}`;
    }
  }
}

/** OIDC Core 3.1.3.7 claim checks, all reported at once (jose would stop at the first). */
export function checkClaims(payload: Record<string, unknown>, opts: VerifyOptions): ClaimError[] {
  const errors: ClaimError[] = [];
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const tol = opts.clockToleranceSec ?? 30;
  const { iss, aud, exp, iat, nbf, nonce, sub, azp } = payload;
  if (iss === undefined) errors.push({ claim: 'iss', reason: 'missing' });
  else if (iss !== opts.issuer) errors.push({ claim: 'iss', reason: `"${String(iss)}" is not the issuer "${opts.issuer}"` });
  if (aud === undefined) errors.push({ claim: 'aud', reason: 'missing' });
  else if (typeof aud === 'string') {
    if (aud !== opts.audience) errors.push({ claim: 'aud', reason: `"${aud}" is not the client_id` });
  } else if (Array.isArray(aud)) {
    if (!aud.includes(opts.audience)) errors.push({ claim: 'aud', reason: 'the client_id is not in the aud array' });
    else if (aud.length > 1 && azp !== opts.audience) errors.push({ claim: 'azp', reason: 'several audiences but azp is not the client_id' });
  } else errors.push({ claim: 'aud', reason: 'not a string or array' });
  if (azp !== undefined && azp !== opts.audience) errors.push({ claim: 'azp', reason: `"${String(azp)}" is not the client_id` });
  if (typeof sub !== 'string' || sub === '') errors.push({ claim: 'sub', reason: sub === undefined ? 'missing' : 'empty or not a string' });
  if (exp === undefined) errors.push({ claim: 'exp', reason: 'missing' });
  else if (typeof exp !== 'number') errors.push({ claim: 'exp', reason: 'not a number' });
  else if (exp <= now - tol) errors.push({ claim: 'exp', reason: `expired ${now - exp} s ago` });
  if (iat === undefined) errors.push({ claim: 'iat', reason: 'missing' });
  else if (typeof iat !== 'number') errors.push({ claim: 'iat', reason: 'not a number' });
  else if (iat > now + tol) errors.push({ claim: 'iat', reason: `${iat - now} s in the future (clock skew beyond ${tol} s)` });
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + tol)) errors.push({ claim: 'nbf', reason: 'not yet valid' });
  if (opts.nonce !== undefined) {
    if (nonce === undefined) errors.push({ claim: 'nonce', reason: 'missing (a nonce was sent at authorize)' });
    else if (nonce !== opts.nonce) errors.push({ claim: 'nonce', reason: 'does not equal the nonce sent at authorize' });
  }
  return errors;
}

function errMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 200);
}
