/**
 * The token endpoint (authentik.md §6): both client authentication methods work, a wrong secret and a reused
 * code are refused, PKCE S256 is accepted and enforced when a challenge was sent, state round-trips. The
 * probes that spend a code get a fresh one from the browser's authentik session (no second password entry).
 */
import { randomBytes, createHash } from 'node:crypto';
import type { DiagnosisId } from '../../diagnosis/catalog.ts';
import { loginThroughAuthentik } from '../../authentik/index.ts';
import { buildOsticketAuthorizeUrl, type TokenResult } from '../../oidc/index.ts';
import { isObject, type CheckContext, type CodeFact } from '../context.ts';
import { fail, pass, skip, warn, type CheckDef, type Outcome } from '../engine.ts';
import { endpointFault, judgeLogin, noTokensReason, probeRedirect } from './shared.ts';

interface TokenPost {
  status: number;
  error?: string;
  exchangeId: number;
  body?: Record<string, unknown>;
}

/**
 * One token request with a form body (authentik reads request.POST only, §6) and optional Basic auth, its id and
 * secret percent-encoded (RFC 6749 §2.3.1) unless `raw`.
 */
async function postToken(ctx: CheckContext, form: Record<string, string>, label: string, basic?: { id: string; secret: string; raw?: boolean }): Promise<TokenPost> {
  const headers: Record<string, string> = {};
  const enc = (v: string) => (basic?.raw ? v : encodeURIComponent(v));
  if (basic) headers.authorization = `Basic ${Buffer.from(`${enc(basic.id)}:${enc(basic.secret)}`).toString('base64')}`;
  const res = await ctx.rpServer.request(ctx.target.osticket.tokenUrl, { method: 'POST', form, headers, label });
  const body = isObject(res.json) ? res.json : undefined;
  for (const k of ['access_token', 'refresh_token', 'id_token']) if (typeof body?.[k] === 'string') ctx.http.secrets.add(body[k] as string, k);
  return { status: res.status, error: typeof body?.error === 'string' ? body.error : undefined, exchangeId: res.exchangeId, body };
}

/** The plugin's code exchange (client_secret_post, osticket.md §2) with one field changed by a probe. */
function exchangeCode(ctx: CheckContext, code: string, label: string, change: Record<string, string> = {}): Promise<TokenPost> {
  const o = ctx.target.osticket;
  return postToken(ctx, { client_id: o.clientId, client_secret: o.clientSecret, redirect_uri: o.redirectUri, grant_type: 'authorization_code', code, ...change }, label);
}

/** A probe that must be refused with one of `errors`: pass, `accepted` when tokens were issued, else an endpoint error. */
function expectRefusal(r: TokenPost, errors: string[], accepted: { diagnosis: DiagnosisId; detail?: string }): Outcome {
  const expected = `HTTP 400 ${errors[0]}`;
  if (r.status >= 400 && r.error && errors.includes(r.error)) return pass({ expected: errors.join(' or '), actual: `HTTP ${r.status} ${r.error}` });
  if (r.status === 200) return fail(accepted.diagnosis, { expected, actual: 'HTTP 200 with tokens', ...(accepted.detail ? { detail: accepted.detail } : {}) });
  return fail('token-endpoint-error', { expected, actual: `HTTP ${r.status} ${r.error ?? ''}` });
}

/** A fresh code for a probe, or the reason none could be had (the skip reason). */
async function codeFor(ctx: CheckContext, label: string, fact?: CodeFact, baselineOnly = false): Promise<{ code?: string; skip?: string; fact?: CodeFact }> {
  const shared = await ctx.osticketLogin();
  if (!shared.code) return { skip: 'the shared login did not reach the callback with a code (see login.completes)' };
  // A probe means something only against a baseline that works: osTicket's own exchange must have succeeded.
  if (!shared.token?.ok) return { skip: "osTicket's own token request failed (see token.client-secret-post)" };
  if (baselineOnly) return {};
  const f = fact ?? (await ctx.freshCode(label));
  if (!f.code) {
    const j = await judgeLogin(ctx, f);
    return { skip: `no fresh code for this probe: ${j?.detail ?? f.outcome.kind}` };
  }
  return { code: f.code, fact: f };
}

/**
 * client_secret_post works but the conformant client's client_secret_basic is refused. authentik before 2026.2.2
 * does not percent-decode Basic credentials (utils.py extract_client_auth; authentik.md §6, §13), so an RFC 6749
 * §2.3.1 client that encodes "-" as %2D is refused. Proven, not assumed: one Basic request with the same
 * credentials unencoded and a code that cannot exist (at the registered redirect_uri) answers invalid_grant when
 * authentik authenticated the client. Otherwise Basic itself does not get through (a proxy, the client type).
 */
async function judgeBasicRefusal(ctx: CheckContext, refusedId: number): Promise<Outcome> {
  const o = ctx.target.osticket;
  const encodes = /[^A-Za-z0-9]/.test(o.clientId + o.clientSecret); // what RFC 6749 Appendix B form-encoding changes
  const refused = { expected: 'HTTP 200', actual: 'HTTP 400 invalid_client for client_secret_basic; client_secret_post works', evidence: [refusedId] };
  if (!encodes) return fail('client-auth-method-unsupported', { ...refused, detail: 'client_secret_post works but client_secret_basic is refused, with credentials that read the same encoded or not' });
  const form = { grant_type: 'authorization_code', code: 'oidc-harness-probe-no-such-code', redirect_uri: o.redirectUri };
  const plain = await postToken(ctx, form, 'probe: token (Basic, credentials not percent-encoded)', { id: o.clientId, secret: o.clientSecret, raw: true });
  const evidence = [refusedId, plain.exchangeId];
  if (plain.error !== 'invalid_grant') {
    return fail('client-auth-method-unsupported', { ...refused, evidence, detail: `client_secret_basic is refused whether the credentials are percent-encoded or not (unencoded: HTTP ${plain.status} ${plain.error ?? ''})` });
  }
  return warn('basic-credentials-not-decoded', {
    expected: 'HTTP 200 for RFC 6749 §2.3.1 (percent-encoded) Basic credentials',
    actual: 'invalid_client for the percent-encoded credentials; the same credentials unencoded authenticate (invalid_grant for a made-up code)',
    detail: `the Client ID or Secret has characters an RFC 6749 §2.3.1 client percent-encodes (${JSON.stringify(o.clientId)} has ${/[^A-Za-z0-9]/.test(o.clientId) ? 'some' : 'none'}; the secret ${/[^A-Za-z0-9]/.test(o.clientSecret) ? 'has some' : 'has none'}), and authentik compared them without decoding`,
    evidence,
  });
}

/** The diagnosis for osTicket's own (client_secret_post) token request failing. */
async function tokenFailure(ctx: CheckContext, t: Extract<TokenResult, { ok: false }>): Promise<Outcome> {
  const evidence = t.exchangeId ? [t.exchangeId] : [];
  const wrongEndpoint = await endpointFault(ctx, 'token', t.detail, evidence);
  if (wrongEndpoint) return wrongEndpoint;
  if (t.kind === 'transport' && t.httpError) throw t.httpError;
  // A server error is a server error (issue 9 §3), whatever else the body says.
  if ((t.status ?? 0) >= 500) return fail('server-error', { expected: 'HTTP 200 with tokens', actual: t.detail, detail: `the token endpoint answered HTTP ${t.status}`, evidence });
  if (t.error === 'invalid_client') return fail('client-secret-mismatch', { expected: 'HTTP 200 with tokens', actual: t.detail, detail: t.detail, evidence });
  return fail('token-endpoint-error', { expected: 'HTTP 200 with tokens', actual: t.detail, detail: t.detail, evidence });
}

export const tokenChecks: CheckDef[] = [
  {
    id: 'token.client-secret-post',
    area: 'token-endpoint',
    title: "osTicket's token request (client_secret_post, form body) is answered with tokens",
    spec: 'RFC 6749 §2.3.1, §4.1.3; authentik/providers/oauth2/utils.py (extract_client_auth); osticket.md §2',
    severity: 'critical',
    async run(ctx) {
      const fact = await ctx.osticketLogin();
      if (!fact.code) return skip(noTokensReason(fact));
      const t = fact.token!;
      if (!t.ok) return tokenFailure(ctx, t);
      const tok = t.token;
      // RFC 6749 §5.1 / OIDC Core §3.1.3.3: token_type Bearer (case-insensitive); userinfo takes a Bearer token.
      if (typeof tok.token_type !== 'string' || tok.token_type.toLowerCase() !== 'bearer') {
        return fail('token-endpoint-error', { expected: 'token_type Bearer', actual: `token_type ${JSON.stringify(tok.token_type)}`, detail: `the token response has token_type ${JSON.stringify(tok.token_type)}, not Bearer (OIDC Core §3.1.3.3)`, evidence: [t.exchangeId] });
      }
      return pass({ actual: `HTTP ${t.status}: token_type ${String(tok.token_type)}, scope "${String(tok.scope)}", id_token ${tok.id_token ? 'present' : 'absent'}, expires_in ${String(tok.expires_in)}` });
    },
  },
  {
    id: 'token.client-secret-basic',
    area: 'token-endpoint',
    title: 'A conformant client authenticating with client_secret_basic gets tokens too',
    spec: 'RFC 6749 §2.3.1 (Basic MUST be supported); authentik.md §6',
    severity: 'major',
    probe: true,
    async run(ctx) {
      const c = await ctx.conformantLogin();
      if (c.rpError) return skip(`the conformant client could not start: ${c.rpError.message}`);
      const raw = c.basic;
      if (!raw) return skip(`the second login did not reach the token request (${c.outcome?.kind ?? 'not run'})`);
      const err = isObject(raw.json) && typeof raw.json.error === 'string' ? raw.json.error : undefined;
      if (raw.status === 200) return pass({ actual: 'HTTP 200', evidence: [raw.exchangeId] });
      if (raw.status >= 500) return fail('server-error', { expected: 'HTTP 200', actual: `HTTP ${raw.status}`, detail: `the token endpoint answered HTTP ${raw.status}`, evidence: [raw.exchangeId] });
      // Only a refusal of the client (invalid_client, 401) says something about the authentication method.
      const shared = (await ctx.osticketLogin()).token;
      if (err !== 'invalid_client' && raw.status !== 401 && !shared?.ok) return skip("osTicket's own token request failed too (see token.client-secret-post)");
      if (err !== 'invalid_client') return fail('client-auth-method-unsupported', { expected: 'HTTP 200', actual: `HTTP ${raw.status} ${err ?? ''}`, evidence: [raw.exchangeId] });
      // Refused as a client. If client_secret_post works with the same id and secret, Basic itself is refused.
      if (!(await ctx.osticketLogin()).token?.ok) return fail('client-secret-mismatch', { expected: 'HTTP 200', actual: `HTTP ${raw.status} ${err}`, evidence: [raw.exchangeId] });
      return judgeBasicRefusal(ctx, raw.exchangeId);
    },
  },
  {
    id: 'token.wrong-secret-refused',
    area: 'token-endpoint',
    title: 'A token request with a wrong client secret is refused with invalid_client',
    spec: 'RFC 6749 §5.2 (invalid_client); authentik/providers/oauth2/views/token.py (secret checked for confidential clients)',
    severity: 'major',
    probe: true,
    async run(ctx) {
      const got = await codeFor(ctx, 'probe: fresh code (wrong secret)');
      if (!got.code) return skip(got.skip!);
      const o = ctx.target.osticket;
      const wrong = `${o.clientSecret.slice(0, -1)}${o.clientSecret.endsWith('x') ? 'y' : 'x'}`;
      ctx.http.secrets.add(wrong, 'wrong_client_secret');
      const r = await exchangeCode(ctx, got.code, 'probe: token (wrong secret)', { client_secret: wrong });
      return expectRefusal(r, ['invalid_client'], { diagnosis: 'client-type-public', detail: 'a wrong client secret was accepted' });
    },
  },
  {
    id: 'token.code-single-use',
    area: 'token-endpoint',
    title: 'An authorization code cannot be used twice (invalid_grant)',
    spec: 'RFC 6749 §4.1.2 (single use), §10.5; authentik/providers/oauth2/views/token.py (code deleted after use)',
    severity: 'major',
    probe: true,
    async run(ctx) {
      const fact = await ctx.osticketLogin();
      if (!fact.code || !fact.token?.ok) return skip(noTokensReason(fact));
      const r = await exchangeCode(ctx, fact.code, 'probe: token (code reused)');
      return expectRefusal(r, ['invalid_grant'], { diagnosis: 'code-reuse-accepted' });
    },
  },
  {
    id: 'token.redirect-uri-mismatch-refused',
    area: 'redirect-uri',
    title: 'A token request with another redirect_uri than the registered one is refused',
    spec: 'RFC 6749 §4.1.3; authentik/providers/oauth2/views/token.py (__check_redirect_uri: invalid_client)',
    severity: 'major',
    probe: true,
    async run(ctx) {
      const got = await codeFor(ctx, 'probe: fresh code (redirect mismatch)');
      if (!got.code) return skip(got.skip!);
      const o = ctx.target.osticket;
      const other = `${o.redirectUri}/other`;
      const r = await exchangeCode(ctx, got.code, 'probe: token (other redirect_uri)', { redirect_uri: other });
      // authentik checks the token's redirect_uri against the registered list (§3): a registration that admits
      // this URI at authorize too is the too-broad Regex, not a token-endpoint defect.
      const admitted = r.status === 200 && (await probeRedirect(ctx, other)).verdict === 'accepted';
      // authentik answers invalid_client (views/token.py); RFC 6749 names invalid_grant. Either is a refusal.
      return expectRefusal(r, ['invalid_client', 'invalid_grant'], {
        diagnosis: admitted ? 'redirect-uri-regex-too-broad' : 'redirect-uri-mismatch-accepted-at-token',
        detail: `redirect_uri=${other} was accepted at the token endpoint${admitted ? ' and at authorize' : ''}`,
      });
    },
  },
  {
    id: 'token.pkce-s256-accepted',
    area: 'token-endpoint',
    title: 'A login with PKCE S256 (conformant client) is accepted',
    spec: 'RFC 7636 §4.6; authentik.md §6 (PKCE plain/S256)',
    severity: 'minor',
    probe: true,
    async run(ctx) {
      const c = await ctx.conformantLogin();
      if (c.rpError) return skip(`the conformant client could not start: ${c.rpError.message}`);
      if (!c.rawToken) return skip(`the second login did not reach the token request (${c.outcome?.kind ?? 'not run'})`);
      if (c.rawToken.status === 200) return pass({ actual: `HTTP 200 with code_verifier (${c.authMethod ?? 'client_secret_basic'})`, evidence: [c.rawToken.exchangeId] });
      const err = isObject(c.rawToken.json) ? String(c.rawToken.json.error ?? '') : '';
      if (err === 'invalid_client') return skip('the conformant client was refused as a client (see token.client-secret-basic)');
      if (c.rawToken.status >= 500) return fail('server-error', { expected: 'HTTP 200', actual: `HTTP ${c.rawToken.status}`, detail: `the token endpoint answered HTTP ${c.rawToken.status}`, evidence: [c.rawToken.exchangeId] });
      if (!(await ctx.osticketLogin()).token?.ok) return skip("osTicket's own token request failed too (see token.client-secret-post)");
      return fail('token-endpoint-error', { expected: 'HTTP 200', actual: `HTTP ${c.rawToken.status} ${err}`, evidence: [c.rawToken.exchangeId] });
    },
  },
  {
    id: 'token.pkce-enforced',
    area: 'token-endpoint',
    title: 'When a code_challenge was sent, a wrong code_verifier is refused (invalid_grant)',
    spec: 'RFC 7636 §4.6; authentik/providers/oauth2/views/token.py (PKCE enforced when the code has a challenge)',
    severity: 'minor',
    probe: true,
    async run(ctx) {
      const got = await codeFor(ctx, 'probe: fresh code (PKCE)', undefined, true);
      if (got.skip) return skip(got.skip);
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const req = buildOsticketAuthorizeUrl(ctx.target.osticket);
      req.url.searchParams.set('code_challenge', challenge);
      req.url.searchParams.set('code_challenge_method', 'S256');
      const outcome = await loginThroughAuthentik(ctx.browser, req.url, ctx.target.user, { redirectUri: ctx.target.osticket.redirectUri, label: 'probe: fresh code (PKCE)' });
      const code = outcome.kind === 'callback' ? outcome.url.searchParams.get('code') : null;
      if (!code) return skip(`no fresh code for this probe (${outcome.kind})`);
      ctx.http.secrets.add(code, 'code');
      const wrong = randomBytes(32).toString('base64url');
      ctx.http.secrets.add(wrong, 'code_verifier');
      const r = await exchangeCode(ctx, code, 'probe: token (wrong code_verifier)', { code_verifier: wrong });
      return expectRefusal(r, ['invalid_grant'], { diagnosis: 'pkce-not-enforced' });
    },
  },
  {
    id: 'token.state-round-trips',
    area: 'token-endpoint',
    title: "The state osTicket sent comes back unchanged on the callback",
    spec: 'RFC 6749 §4.1.2 (state REQUIRED if present in the request); osticket.md §2 (state compared with the session)',
    severity: 'major',
    async run(ctx) {
      const fact = await ctx.osticketLogin();
      if (fact.outcome.kind !== 'callback' || (!fact.code && !fact.error)) return skip('the login did not reach the callback (see login.completes)');
      if (fact.returnedState === fact.state) return pass({ expected: fact.state, actual: String(fact.returnedState) });
      return fail('state-not-returned', { expected: fact.state, actual: String(fact.returnedState) });
    },
  },
];
