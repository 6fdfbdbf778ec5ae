/**
 * Signing (authentik.md §4): the ID token and the JWT access token are signed with an asymmetric key whose kid is
 * in the JWKS, verify, and carry valid claims; the clocks agree. osTicket itself never reads the ID token
 * (osticket.md §2), so these protect every other consumer of the provider and catch the guide's "Signing Key" step.
 */
import { inspectJwt, isAsymmetricAlg, checkClaims } from '../../oidc/index.ts';
import { expectedIssuer, type CheckContext } from '../context.ts';
import { fail, pass, skip, warn, type CheckDef, type Outcome } from '../engine.ts';
import { noTokensReason } from './shared.ts';

/** The OIDF conformance suite's fixed allowance for iat (prior-art.md §1.2). */
export const SKEW_FAIL_SEC = 300;
/** Above this the skew is reported as a warning (a 4 s drift already broke a Keycloak tier, prior-art.md §4.2). */
export const SKEW_WARN_SEC = 30;

async function sharedTokens(ctx: CheckContext) {
  const fact = await ctx.osticketLogin();
  return fact.token?.ok ? { tokens: fact.token.token, at: fact.token } : { reason: noTokensReason(fact) };
}

function judgeAlg(token: string, what: string): Outcome | undefined {
  const j = inspectJwt(token);
  if (j.format === 'jwe') return fail('id-token-encrypted', { expected: 'a signed JWT (JWS)', actual: `JWE (${String(j.header?.alg)}/${String(j.header?.enc)})`, detail: `the ${what} is encrypted` });
  if (j.format !== 'jws') return fail('signing-signature-invalid', { expected: 'a JWT', actual: j.problem ?? 'malformed', detail: `the ${what} is not a well-formed JWT` });
  if (!j.alg || j.alg === 'none') return fail('signing-alg-none', { expected: 'RS256 (or another asymmetric alg)', actual: String(j.alg), detail: `the ${what} is unsigned (alg none)` });
  if (/^HS/.test(j.alg)) return fail('no-signing-key', { expected: 'RS256 (or ES*/PS*)', actual: j.alg, detail: `the ${what} is ${j.alg}: signed with the client secret` });
  if (!isAsymmetricAlg(j.alg)) return fail('signing-signature-invalid', { expected: 'RS/ES/PS 256-512', actual: j.alg });
  return undefined;
}

/** Measured skew in seconds (provider minus harness) from the ID token's iat, and the Date header offset. */
function skewOf(ctx: CheckContext, iat: unknown, receivedAtSec: number): { iatSkew?: number; dateSkew?: number } {
  const dateSkew = ctx.measurements['clock.dateHeaderOffsetSec'];
  return {
    iatSkew: typeof iat === 'number' ? iat - receivedAtSec : undefined,
    dateSkew: typeof dateSkew === 'number' ? dateSkew : undefined,
  };
}

/**
 * Why a signature cannot be judged: no discovery document, or a JWKS that could not be read. A cause is ranked
 * only where the evidence is (issue 9 §3): a wrong application slug is one cause, not four signing echoes.
 */
async function jwksBroken(ctx: CheckContext): Promise<string | undefined> {
  if (!(await ctx.metadata())) return 'no discovery document, so no JWKS to verify with (see discovery.reachable)';
  const j = await ctx.jwks();
  if (!j.ok) return `the JWKS could not be read (${j.problem ?? 'no answer'}; see discovery.jwks)`;
  const keys = j.json && typeof j.json === 'object' ? (j.json as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) return 'the JWKS has no keys (see discovery.jwks)';
  const kids = keys.map((k) => (k && typeof k === 'object' ? (k as { kid?: unknown }).kid : undefined));
  if (kids.some((k) => typeof k !== 'string')) return 'keys in the JWKS have no kid (see discovery.jwks)';
  // the same kid twice is authentik's one key pair for "sig" and "enc" (p/o2/views/jwks.py); twice for one use is not
  const kidUses = keys.map((k, i) => `${String(kids[i])}\u0000${String((k as { use?: unknown }).use ?? '')}`);
  if (new Set(kidUses).size !== kidUses.length) return 'the JWKS has a duplicate kid (see discovery.jwks)';
  if (!keys.some((k) => ['RSA', 'EC', 'OKP'].includes(String((k as { kty?: unknown }).kty)))) return 'the JWKS has no public key (see discovery.jwks)';
  return undefined;
}

export const signingChecks: CheckDef[] = [
  {
    id: 'signing.alg-asymmetric',
    area: 'signing',
    title: 'The ID token is signed with an asymmetric algorithm (RS/ES/PS), not HS256 or none',
    spec: 'OIDC Core §10.1; authentik/providers/oauth2/models.py (jwt_key: no signing key -> HS256 with the client secret)',
    severity: 'critical',
    async run(ctx) {
      const s = await sharedTokens(ctx);
      if (!s.tokens) return skip(s.reason!);
      // OIDC Core §3.1.3.3: a token response to an openid request MUST carry an id_token.
      if (!s.tokens.id_token) return fail('token-endpoint-error', { expected: 'an id_token in the token response (OIDC Core §3.1.3.3)', actual: 'no id_token', detail: 'the token response to an openid request has no id_token' });
      const bad = judgeAlg(s.tokens.id_token, 'ID token');
      const j = inspectJwt(s.tokens.id_token);
      if (bad && 'diagnosis' in bad && bad.diagnosis === 'no-signing-key') {
        // HS256 next to published public keys is a forged-looking token (RFC 8725 §2.1), not a missing Signing Key.
        const jwks = await ctx.jwks();
        const keys = jwks.ok && jwks.json && typeof jwks.json === 'object' ? (jwks.json as { keys?: unknown }).keys : undefined;
        if (Array.isArray(keys) && keys.length > 0) return fail('signing-alg-confusion', { expected: 'RS256 (or ES*/PS*), as the JWKS keys', actual: `${j.alg} with ${keys.length} public key(s) in the JWKS`, detail: `the ID token is ${j.alg} while the JWKS publishes public keys` });
      }
      if (bad) return bad;
      ctx.measurements['signing.idTokenAlg'] = String(j.alg);
      return pass({ actual: `alg ${j.alg}` });
    },
  },
  {
    id: 'signing.kid-in-jwks',
    area: 'signing',
    title: "The ID token's kid is present and in the JWKS",
    spec: 'OIDC Core §10.1 (kid); authentik/providers/oauth2/views/jwks.py; authentik/crypto/models.py (kid)',
    severity: 'major',
    async run(ctx) {
      const s = await sharedTokens(ctx);
      if (!s.tokens?.id_token) return skip(s.reason ?? 'the token response has no id_token');
      const j = inspectJwt(s.tokens.id_token);
      if (j.format === 'jwe') return skip('the ID token is encrypted (JWE): see signing.alg-asymmetric');
      if (!j.alg || j.alg === 'none') return skip('the ID token is unsigned (see signing.alg-asymmetric)');
      if (j.alg && /^HS/.test(j.alg)) {
        const jwks = (await ctx.jwks()).json as { keys?: unknown } | undefined;
        if (Array.isArray(jwks?.keys) && jwks.keys.length > 0) return skip(`the ID token is ${j.alg} beside published keys (see signing.alg-asymmetric)`);
        return fail('no-signing-key', { expected: 'a kid found in the JWKS', actual: `${j.alg}, no kid; JWKS ${JSON.stringify(jwks)}`, detail: 'HS256 tokens have no kid and the JWKS has no keys' });
      }
      const broken = await jwksBroken(ctx);
      if (broken) return skip(broken);
      const v = await ctx.verify(s.tokens.id_token);
      if (!j.kid) return fail('signing-kid-missing', { expected: 'a kid header', actual: 'none' });
      if (!v.kidInJwks) return fail('signing-kid-missing', { expected: `kid ${j.kid} in the JWKS`, actual: v.jwksProblem ?? 'no key with that kid', detail: `kid ${j.kid} is not in the JWKS` });
      return pass({ actual: `kid ${j.kid.slice(0, 16)}… found` });
    },
  },
  {
    id: 'signing.signature-verifies',
    area: 'signing',
    title: "The ID token's signature verifies",
    spec: 'OIDC Core §3.1.3.7 step 6; RFC 7515',
    severity: 'critical',
    async run(ctx) {
      const s = await sharedTokens(ctx);
      if (!s.tokens?.id_token) return skip(s.reason ?? 'the token response has no id_token');
      const broken = await jwksBroken(ctx);
      if (broken) return skip(broken);
      const v = await ctx.verify(s.tokens.id_token);
      if (v.format === 'jwe') return skip('the ID token is encrypted (JWE): see signing.alg-asymmetric');
      if (v.signature === 'valid') return pass({ actual: `${v.alg} verified against ${v.keySource === 'client-secret' ? 'the client secret' : 'the JWKS'}` });
      if (v.signature === 'none') return fail('signing-alg-none', { expected: 'a valid signature', actual: 'alg none' });
      if (v.signature === 'unverifiable' && !v.jwksHasKeys && v.alg && !/^HS/.test(v.alg)) return skip('the JWKS has no key to verify with (see discovery.jwks)');
      if (v.alg && /^HS/.test(v.alg) && v.jwksHasKeys) return skip(`the ID token is ${v.alg} beside published keys (see signing.alg-asymmetric)`);
      if (v.kidInJwks === false) return skip('its kid is not in the JWKS (see signing.kid-in-jwks)');
      return fail('signing-signature-invalid', { expected: 'a valid signature', actual: v.signatureDetail ?? v.signature, detail: v.signatureDetail });
    },
  },
  {
    id: 'signing.access-token',
    area: 'signing',
    title: 'The JWT access token is signed the same way and verifies',
    spec: 'authentik/providers/oauth2/id_token.py (to_access_token), authentik.md §6 (access token is a JWT)',
    severity: 'minor',
    async run(ctx) {
      const s = await sharedTokens(ctx);
      if (!s.tokens) return skip(s.reason!);
      const at = s.tokens.access_token;
      const j = inspectJwt(at);
      if (j.format === 'malformed') return skip('the access token is opaque (not a JWT): nothing to verify');
      if (j.format === 'jwe') return skip('the access token is encrypted (JWE): only authentik can read it; osTicket passes it through unread');
      const bad = judgeAlg(at, 'access token');
      if (bad) return bad;
      const broken = await jwksBroken(ctx);
      if (broken) return skip(broken);
      const v = await ctx.verify(at);
      if (v.signature !== 'valid') return fail('signing-signature-invalid', { expected: 'a valid signature', actual: v.signatureDetail ?? v.signature });
      return pass({ actual: `${v.alg}, kid in JWKS: ${v.kidInJwks}` });
    },
  },
  {
    id: 'signing.id-token-claims',
    area: 'signing',
    title: 'ID token claims are valid: iss, aud, exp, iat, sub, and the nonce of a login that sent one',
    spec: 'OIDC Core §3.1.3.7 (steps 2, 3, 9, 10, 11); OIDF conformance ValidateIdToken (iat within 5 min)',
    severity: 'major',
    async run(ctx) {
      const s = await sharedTokens(ctx);
      if (!s.tokens?.id_token) return skip(s.reason ?? 'the token response has no id_token');
      const j = inspectJwt(s.tokens.id_token);
      if (j.format !== 'jws' || !j.payload) return skip('the ID token cannot be read (see signing.alg-asymmetric)');
      const md = await ctx.metadata();
      if (!md) return skip('no discovery document, so no issuer to compare iss with (see discovery.reachable)');
      const issuer = typeof md?.issuer === 'string' ? md.issuer : expectedIssuer(ctx.target);
      const now = Math.floor(Date.now() / 1000);
      const opts = { jwks: {}, issuer, audience: ctx.target.osticket.clientId, clockToleranceSec: SKEW_FAIL_SEC, now };
      const errors = checkClaims(j.payload, opts);
      const iat = j.payload.iat;
      if (typeof iat === 'number' && iat < now - SKEW_FAIL_SEC) errors.push({ claim: 'iat', reason: `${now - iat} s in the past for a token just issued` });
      // The second login sent a nonce (osTicket's does not, osticket.md §2): it must come back unchanged.
      const c = await ctx.conformantLogin();
      if (c.exchange && !c.exchange.ok && /nonce/i.test(c.exchange.message)) errors.push({ claim: 'nonce', reason: c.exchange.message });
      else if (c.exchange?.ok && c.nonce && c.exchange.claims && c.exchange.claims.nonce !== c.nonce) errors.push({ claim: 'nonce', reason: 'not the nonce sent' });
      const subOnly = errors.length > 0 && errors.every((e) => e.claim === 'sub');
      const nonceChecked = c.exchange?.ok ? ' and nonce' : '';
      if (errors.length === 0) return pass({ actual: `iss, aud, exp, iat, sub${nonceChecked} valid` });
      const actual = errors.map((e) => `${e.claim}: ${e.reason}`).join('; ');
      if (subOnly) return fail('user-without-email', { expected: 'a non-empty sub', actual, detail: 'sub is empty' });
      const timeOnly = errors.every((e) => e.claim === 'iat' || e.claim === 'exp' || e.claim === 'nbf');
      const { dateSkew } = skewOf(ctx, iat, now);
      if (timeOnly && dateSkew !== undefined && Math.abs(dateSkew) > SKEW_WARN_SEC) return fail('clock-skew', { expected: 'iat/exp consistent with the harness clock', actual, detail: `authentik's Date header is ${dateSkew} s off` });
      return fail('id-token-claims-invalid', { expected: 'valid claims', actual, detail: actual });
    },
  },
  {
    id: 'signing.clock-skew',
    area: 'signing',
    title: "The provider's clock agrees with the harness's (Date header and iat)",
    spec: 'OIDC Core §3.1.3.7 step 10 (iat); OIDF conformance 5-minute allowance',
    severity: 'minor',
    async run(ctx) {
      await ctx.discovery();
      const s = await sharedTokens(ctx);
      const j = s.tokens?.id_token ? inspectJwt(s.tokens.id_token) : undefined;
      const received = s.at ? Math.floor(Date.parse(ctx.http.transcript.get(s.at.exchangeId)?.startedAt ?? '') / 1000) : NaN;
      const { iatSkew, dateSkew } = skewOf(ctx, j?.payload?.iat, received);
      if (iatSkew !== undefined) ctx.measurements['clock.iatOffsetSec'] = iatSkew;
      // The Date header measures the clocks; when it agrees, an iat far off is a claim problem (signing.id-token-claims).
      const clocks = typeof dateSkew === 'number' && Math.abs(dateSkew) <= SKEW_WARN_SEC ? [dateSkew] : [iatSkew, dateSkew];
      const worst = clocks.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
      if (worst.length === 0) return skip('neither a Date header nor an ID token iat to compare');
      const max = worst.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
      const actual = `Date header ${dateSkew ?? '?'} s, iat ${iatSkew ?? '?'} s (provider minus harness)`;
      if (Math.abs(max) > SKEW_FAIL_SEC) return fail('clock-skew', { expected: `within ±${SKEW_FAIL_SEC} s`, actual, detail: `the clocks differ by ${max} s` });
      if (Math.abs(max) > SKEW_WARN_SEC) return warn('clock-skew', { expected: `within ±${SKEW_WARN_SEC} s`, actual, detail: `the clocks differ by ${max} s` });
      return pass({ actual });
    },
  },
];
