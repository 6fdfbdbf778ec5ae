/**
 * The front layer: a node:http handler that gives the reference provider authentik's contract (authentik.md) and
 * hands the OIDC core work to oidc-provider (oidc-core.ts) over an internal loopback server.
 *
 * What it does itself, and why (CONTRACT.md has the full table):
 * - URL layout with mandatory trailing slashes, per-slug discovery/JWKS, health endpoints (authentik URLs).
 * - Authorize pre-checks in authentik's order: 404 without a query, "Client ID Error" / "Redirect URI Error" pages,
 *   strict/regex redirect matching, grant_types, silent scope dropping, then login through the flow executor,
 *   policies, consent. Only then is the request forwarded to oidc-provider, whose code is put in authentik's
 *   callback shape (302, `state` always present, no RFC 9207 `iss`).
 * - Token endpoint: authentik's client-auth extraction, error codes (invalid_client for a redirect mismatch, 400
 *   for unknown clients), code-reuse answer without revoking issued tokens; oidc-provider checks the code, PKCE and
 *   the secret, then the front layer replaces its opaque access token and id_token with authentik's JWTs, which are
 *   signed by oidc-provider's IdToken machinery (oidc-core.ts signJwt).
 * - Userinfo, introspection, revocation on authentik's token model (JWT access tokens, authentik error headers).
 * - The flow executor JSON API (authentik/flows/views/executor.py) and sessions, which oidc-provider has no notion of.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedBlueprint, ResolvedUser } from './blueprint.ts';
import { claimsForScopes, discoveryDocument, grantScopes, issuerFor, jwksDocument, scopePermissions, subjectFor } from './claims.ts';
import { appendSetCookie, parseCookies, parseForm, pyQuote, readBody, send, sendJson } from './http-util.ts';
import type { RsaKey } from './keys.ts';
import { CORE_EMPTY_SCOPE, type OidcCore } from './oidc-core.ts';
import { errorPage, flowPage, notFoundPage, permissionDeniedPage } from './pages.ts';
import type { Profile, ProfileFeatures } from './profiles.ts';
import {
  csrfCookie, CSRF_COOKIE, SESSION_COOKIE, sessionCookie, SessionStore,
  type AkSession, type AuthorizeRequest, type FlowPlan, type StageName,
} from './sessions.ts';

export interface FrontLayerOptions {
  blueprint: ResolvedBlueprint;
  profile: Profile;
  features: ProfileFeatures;
  core: OidcCore;
  signingKey: RsaKey;
  encryptionKey: RsaKey | null;
  installId: string;
  tls: boolean;
  clockOffsetSec: number;
  log?: (line: string) => void;
}

const AUTHENTICATION_FLOW = 'default-authentication-flow';
const IMPLICIT_CONSENT = 'default-provider-authorization-implicit-consent';
const EXPLICIT_CONSENT = 'default-provider-authorization-explicit-consent';
const ACR = 'goauthentik.io/providers/oauth2/default';
const CONSENT_VALIDITY_S = 4 * 7 * 86400;

/** authentik/providers/oauth2/errors.py descriptions. */
const AUTHORIZE_ERRORS: Record<string, string> = {
  invalid_request: 'The request is otherwise malformed',
  unsupported_response_type: 'The authorization server does not support obtaining an authorization code using this method',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed',
  login_required: 'The Authorization Server requires End-User authentication',
  consent_required: 'The Authorization Server requires End-User consent',
  access_denied: 'The resource owner or authorization server denied the request',
  server_error: 'The authorization server encountered an unexpected condition that prevented it from fulfilling the request',
};
const TOKEN_ERRORS: Record<string, string> = {
  invalid_request: 'The request is otherwise malformed',
  invalid_client: 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)',
  invalid_grant: 'The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed',
};
const BEARER_ERRORS: Record<string, [string, number]> = {
  invalid_token: ['The access token provided is expired, revoked, malformed, or invalid for other reasons', 401],
  insufficient_scope: ['The request requires higher privileges than provided by the access token', 403],
};

export interface CodeRecord {
  userPk: number;
  scopes: string[];
  nonce: string | null;
  authTime: number;
  amr: string[];
  sid: string;
  redirectUri: string;
  consumed: boolean;
}

interface TokenRecord {
  kind: 'access' | 'refresh';
  userPk: number;
  scopes: string[];
  nonce: string | null;
  authTime: number;
  amr: string[];
  sid: string;
  sub: string;
  claims: Record<string, unknown>;
  expiresAtMs: number;
  revoked: boolean;
}

class ExecutorError extends Error {}

function constantEquals(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Records the front layer shares with the core (codes by value). */
export function createCodeStore() {
  return new Map<string, CodeRecord>();
}

export function createFrontLayer(o: FrontLayerOptions & { codes: Map<string, CodeRecord> }) {
  const { blueprint: bp, features, core } = o;
  const provider = bp.provider;
  const app = bp.application;
  const sessions = new SessionStore();
  const codes = o.codes;
  const tokens = new Map<string, TokenRecord>();
  const consents = new Map<string, { scopes: string[]; expiresAtMs: number }>();
  const nowSec = () => Math.floor((Date.now() + o.clockOffsetSec * 1000) / 1000);
  const authenticationFlow = provider.authentication_flow ?? AUTHENTICATION_FLOW;

  // ---------- small helpers ----------

  const baseUrl = (req: IncomingMessage) => {
    const https = o.tls || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim().toLowerCase() === 'https';
    return `${https ? 'https' : 'http'}://${req.headers.host ?? '127.0.0.1'}`;
  };
  const isSecure = (req: IncomingMessage) => baseUrl(req).startsWith('https:');

  const userByPk = (pk: number) => bp.users.find((u) => u.pk === pk) ?? null;
  const findUser = (identifier: string): ResolvedUser | null =>
    // identification user_fields [email, username] (blueprints/default/flow-default-authentication-flow.yaml)
    bp.users.find((u) => (u.email !== '' && u.email.toLowerCase() === identifier.toLowerCase()) || u.username === identifier) ?? null;

  const loginRedirectUris = () =>
    provider.redirect_uris.filter((r) => !features.redirectUriTypes || r.redirect_uri_type === 'authorization');

  /** views/authorize.py check_redirect_uri: strict equality or Python re.fullmatch; a bad regex never matches. */
  const redirectAllowed = (uri: string): boolean =>
    loginRedirectUris().some((r) => {
      if (r.matching_mode === 'strict') return r.url === uri;
      try {
        return new RegExp(`^(?:${r.url})$`).test(uri);
      } catch {
        return false;
      }
    });

  const authorizeErrorUri = (redirectUri: string, error: string, state: string | null): string => {
    // AuthorizeError.create_uri: description quoted, state appended as-is.
    const sep = redirectUri.includes('?') ? '&' : '?';
    let uri = `${redirectUri}${sep}error=${error}&error_description=${pyQuote(AUTHORIZE_ERRORS[error] ?? error)}`;
    if (state) uri += `&state=${state}`;
    return uri;
  };

  const startSession = async (req: IncomingMessage, res: ServerResponse, existing: AkSession | null): Promise<AkSession> => {
    if (existing) return existing;
    const s = sessions.create();
    appendSetCookie(res, sessionCookie(await sessions.cookieValue(s), isSecure(req)));
    return s;
  };

  // ---------- policies (authentik/policies/engine.py; expression policies: return True/False only) ----------

  const policyDecision = (user: ResolvedUser): { passing: boolean; messages: string[] } => {
    const bindings = app.bindings.filter((b) => b.enabled);
    if (bindings.length === 0) return { passing: true, messages: [] };
    const results = bindings.map((b) => {
      let passing: boolean;
      if (b.policy) {
        const expr = (b.policy.expression ?? 'return True').trim();
        if (/^return\s+True$/.test(expr)) passing = true;
        else if (/^return\s+False$/.test(expr)) passing = false;
        else throw new Error(`the reference provider only evaluates expression policies "return True" / "return False" (policy ${b.policy.name})`);
      } else if (b.user) {
        passing = b.user === user.username || b.user === String(user.pk);
      } else if (b.group) {
        passing = user.groups.includes(b.group);
      } else {
        passing = false;
      }
      return b.negate ? !passing : passing;
    });
    const passing = app.policy_engine_mode === 'all' ? results.every(Boolean) : results.some(Boolean);
    return { passing, messages: [] };
  };

  // ---------- tokens (id_token.py IDToken.new / to_access_token; views/token.py) ----------

  const issueTokens = async (
    base: string,
    grant: { userPk: number; scopes: string[]; nonce: string | null; authTime: number; amr: string[]; sid: string },
    refreshToken: string | undefined,
  ) => {
    const user = userByPk(grant.userPk);
    if (!user) throw new Error('user vanished');
    const issuer = issuerFor(base, bp);
    const now = nowSec();
    const exp = now + provider.access_token_validity_s;
    const sub = subjectFor(provider, user, o.installId);
    const idClaims: Record<string, unknown> = {
      iss: issuer,
      sub,
      aud: provider.client_id,
      exp,
      iat: now,
      auth_time: grant.authTime,
      acr: ACR,
      amr: grant.amr,
      sid: grant.sid,
      jti: randomBytes(16).toString('hex'),
      ...(grant.nonce !== null ? { nonce: grant.nonce } : {}),
      // IDToken.to_dict: the mappings' claims are applied last and may overwrite any of the above, sub included
      // (authentik/providers/oauth2/id_token.py, `id_dict.update(self.claims)`).
      ...(provider.include_claims_in_id_token ? claimsForScopes(provider, grant.scopes, user, features, o.installId) : {}),
    };
    const idToken = await core.signJwt(issuer, idClaims);
    const atClaims = { ...idClaims, azp: provider.client_id, uid: randomBytes(24).toString('base64url'), scope: grant.scopes.join(' ') };
    const accessToken = await core.signJwt(issuer, atClaims);
    tokens.set(accessToken, {
      kind: 'access', ...grant, sub, claims: idClaims,
      expiresAtMs: Date.now() + provider.access_token_validity_s * 1000, revoked: false,
    });
    if (refreshToken) {
      tokens.set(refreshToken, {
        kind: 'refresh', ...grant, sub, claims: idClaims,
        expiresAtMs: Date.now() + provider.refresh_token_validity_s * 1000, revoked: false,
      });
    }
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      scope: grant.scopes.join(' '),
      expires_in: provider.access_token_validity_s,
      id_token: idToken,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    };
  };

  // ---------- authorize ----------

  /** Parses and validates an authorize request; returns a response to send instead when it fails. */
  const parseAuthorize = (
    req: IncomingMessage, params: URLSearchParams, fullPath: string,
  ): { ok: AuthorizeRequest } | { page: [number, string] } | { redirect: string } => {
    const clientId = params.get('client_id') ?? '';
    if (clientId !== provider.client_id) {
      return { page: [400, errorPage('Client ID Error', 'The client identifier (client_id) is missing or invalid.')] };
    }
    const redirectUri = params.get('redirect_uri') ?? '';
    const redirectError: { page: [number, string] } = { page: [400, errorPage('Redirect URI Error', 'The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).')] };
    if (/^(javascript|data|vbscript):/i.test(redirectUri)) return redirectError;
    if (loginRedirectUris().length === 0 && redirectUri) {
      // No redirect URIs configured: the first one seen is saved as strict, before login (authentik.md §3).
      provider.redirect_uris.push({ matching_mode: 'strict', url: redirectUri, redirect_uri_type: 'authorization' });
      o.log?.(`saved first redirect URI for provider ${provider.name}`);
    }
    if (!redirectUri || !redirectAllowed(redirectUri)) return redirectError;
    const state = params.get('state');
    const responseType = params.get('response_type') ?? '';
    if (responseType !== 'code') {
      // Implicit and hybrid response types exist in authentik but are not implemented here (CONTRACT.md).
      return { redirect: authorizeErrorUri(redirectUri, 'unsupported_response_type', state) };
    }
    if (features.enforceGrantTypes && !(provider.grant_types ?? []).includes('authorization_code')) {
      o.log?.('Invalid grant_type for provider');
      return { redirect: authorizeErrorUri(redirectUri, 'invalid_request', state) };
    }
    const method = params.get('code_challenge_method');
    const challenge = params.get('code_challenge');
    if (challenge && method && method !== 'plain' && method !== 'S256') {
      return { redirect: authorizeErrorUri(redirectUri, 'invalid_request', state) };
    }
    return {
      ok: {
        clientId,
        redirectUri,
        responseType,
        scopes: grantScopes(provider, params.has('scope') ? params.get('scope') : null, responseType),
        state,
        nonce: params.get('nonce'),
        codeChallenge: challenge || null,
        codeChallengeMethod: challenge ? ((method as 'plain' | 'S256' | null) ?? 'plain') : null,
        prompt: (params.get('prompt') ?? '').split(/\s+/).filter(Boolean),
        loginHint: params.get('login_hint'),
        fullPath,
      },
    };
  };

  /** Hands the validated request to oidc-provider for the code, then shapes the callback URL like authentik. */
  const fulfil = async (base: string, session: AkSession, ar: AuthorizeRequest): Promise<string> => {
    const issuer = issuerFor(base, bp);
    let coreSession = session.coreSessions.get(issuer);
    if (!coreSession) {
      coreSession = await core.createSession(issuer, { accountId: String(session.userPk), loginTs: session.authTime, amr: session.amr, acr: ACR });
      session.coreSessions.set(issuer, coreSession);
    }
    const q = new URLSearchParams({ client_id: ar.clientId, redirect_uri: ar.redirectUri, response_type: 'code' });
    const coreScopes = ar.scopes.filter((s) => s !== 'offline_access');
    q.set('scope', coreScopes.length ? coreScopes.join(' ') : CORE_EMPTY_SCOPE);
    if (ar.codeChallenge) {
      // oidc-provider only knows S256; a plain challenge c is stored as S256(c), which a verifier v matches iff v = c.
      q.set('code_challenge', ar.codeChallengeMethod === 'S256' ? ar.codeChallenge : createHash('sha256').update(ar.codeChallenge).digest('base64url'));
      q.set('code_challenge_method', 'S256');
    }
    const r = await core.send(issuer, { method: 'GET', path: `/application/o/authorize/?${q}`, headers: { cookie: `_session=${coreSession}` } });
    const location = r.headers.location;
    if (!location) throw new Error(`oidc-provider answered the authorization request with HTTP ${r.status}`);
    const answer = new URL(location, base);
    const code = answer.searchParams.get('code');
    if (!code) {
      const error = answer.searchParams.get('error') ?? 'server_error';
      return authorizeErrorUri(ar.redirectUri, AUTHORIZE_ERRORS[error] ? error : 'invalid_request', ar.state);
    }
    codes.set(code, {
      userPk: session.userPk!, scopes: ar.scopes, nonce: ar.nonce, authTime: session.authTime, amr: session.amr,
      sid: createHash('sha256').update(session.key).digest('hex'), redirectUri: ar.redirectUri, consumed: false,
    });
    setTimeout(() => codes.delete(code), (provider.access_code_validity_s + 600) * 1000).unref();
    // OAuthFulfillmentStage.create_response_uri: keep the redirect URI's query, add code and state (always present).
    const cb = new URL(ar.redirectUri);
    const qs = new URLSearchParams(cb.search);
    qs.set('code', code);
    qs.set('state', ar.state ?? '');
    cb.search = qs.toString();
    return cb.toString();
  };

  const newAuthenticationPlan = (ar: AuthorizeRequest | null, applicationName: string | null): FlowPlan => {
    const plan: FlowPlan = {
      flow: authenticationFlow, kind: 'authentication', stages: ['identification', 'password', 'mfa', 'login'], index: 0,
      pendingUser: null, failedAttempts: 0, applicationName, authorize: ar, consentToken: null,
    };
    if (features.loginHintSkipsIdentification && ar?.loginHint) {
      // [2026.2+] login_hint skips a simple identification stage (stages/identification/stage.py).
      plan.pendingUser = ar.loginHint;
      plan.index = 1;
    }
    return plan;
  };

  const handleAuthorize = async (req: IncomingMessage, res: ServerResponse, url: URL, params: URLSearchParams) => {
    if ([...params.keys()].length === 0) return send(res, 404, notFoundPage(), { 'Content-Type': 'text/html; charset=utf-8' });
    const parsed = parseAuthorize(req, params, url.pathname + url.search);
    if ('page' in parsed) return send(res, parsed.page[0], parsed.page[1], { 'Content-Type': 'text/html; charset=utf-8' });
    if ('redirect' in parsed) return send(res, 302, '', { Location: parsed.redirect });
    const ar = parsed.ok;
    const base = baseUrl(req);
    let session = await sessions.load(parseCookies(req)[SESSION_COOKIE]);
    const user = session?.userPk != null ? userByPk(session.userPk) : null;
    const mustLogin = !user || !user.is_active || (ar.prompt.includes('login') && !session!.forcedLogin);
    if (mustLogin) {
      if (ar.prompt.includes('none')) return send(res, 302, '', { Location: authorizeErrorUri(ar.redirectUri, 'login_required', ar.state) });
      session = await startSession(req, res, session);
      if (user && ar.prompt.includes('login')) session.forcedLogin = true;
      // PolicyAccessView.handle_no_permission: plan the authentication flow, 302 to /if/flow/<slug>/?<params>&next=...
      session.plan = newAuthenticationPlan(ar, app.name);
      const qs = new URLSearchParams(url.search);
      qs.set('next', ar.fullPath);
      return send(res, 302, '', { Location: `/if/flow/${authenticationFlow}/?${qs}` });
    }
    session!.forcedLogin = false;
    const decision = policyDecision(user);
    if (!decision.passing) {
      // policies/denied.py AccessDeniedResponse: an HTML page with HTTP 200, not an error redirect.
      return send(res, 200, permissionDeniedPage('Access denied'), { 'Content-Type': 'text/html; charset=utf-8' });
    }
    if (provider.authorization_flow === EXPLICIT_CONSENT) {
      const consent = consents.get(`${user.pk}:${app.slug}`);
      const covered = consent && consent.expiresAtMs > Date.now() && ar.scopes.every((s) => consent.scopes.includes(s));
      if (!covered || ar.prompt.includes('consent')) {
        session!.plan = {
          flow: EXPLICIT_CONSENT, kind: 'consent', stages: ['consent', 'fulfilment'], index: 0, pendingUser: user.username,
          failedAttempts: 0, applicationName: app.name, authorize: ar, consentToken: randomUUID(),
        };
        return send(res, 302, '', { Location: `/if/flow/${EXPLICIT_CONSENT}/${url.search}` });
      }
    } else if (provider.authorization_flow !== IMPLICIT_CONSENT) {
      o.log?.(`authorization flow ${provider.authorization_flow} is treated as implicit consent by the reference provider`);
    }
    return send(res, 302, '', { Location: await fulfil(base, session!, ar) });
  };

  // ---------- token endpoint (views/token.py, utils.py extract_client_auth) ----------

  const clientAuth = (req: IncomingMessage, form: URLSearchParams): { id: string; secret: string } => {
    const header = String(req.headers.authorization ?? '');
    const m = /^Basic\s+(\S+)$/i.exec(header);
    if (m) {
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i >= 0) {
        let id = decoded.slice(0, i);
        let secret = decoded.slice(i + 1);
        if (features.percentDecodeBasic) {
          // Python unquote: %XX decoded, a raw "+" stays "+" (authentik.md §12).
          const unquote = (s: string) => { try { return decodeURIComponent(s); } catch { return s; } };
          id = unquote(id);
          secret = unquote(secret);
        }
        return { id, secret };
      }
    }
    return { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' };
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const tokenError = (error: string) =>
      sendJson(res, 400, { error, error_description: TOKEN_ERRORS[error] ?? error, request_id: requestId }, { 'Cache-Control': 'no-store' });
    if (req.method !== 'POST') return send(res, 405, '');
    const form = parseForm(req, await readBody(req));
    const creds = clientAuth(req, form);
    if (creds.id !== provider.client_id) return tokenError('invalid_client');
    const grantType = form.get('grant_type') ?? '';
    if (features.enforceGrantTypes && !(provider.grant_types ?? []).includes(grantType)) {
      o.log?.(`grant_type_not_configured: ${grantType}`);
      return tokenError('invalid_grant');
    }
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return tokenError('unsupported_grant_type');
    if (provider.client_type === 'confidential' && !constantEquals(creds.secret, provider.client_secret)) return tokenError('invalid_client');
    const base = baseUrl(req);
    const issuer = issuerFor(base, bp);
    const coreForm = new URLSearchParams({ grant_type: grantType, client_id: creds.id });
    if (provider.client_type === 'confidential') coreForm.set('client_secret', creds.secret);

    if (grantType === 'authorization_code') {
      const redirectUri = form.get('redirect_uri') ?? '';
      if (!redirectUri || !redirectAllowed(redirectUri)) {
        o.log?.('configuration_error: Invalid redirect URI used by provider');
        return tokenError('invalid_client');
      }
      const code = form.get('code') ?? '';
      const record = codes.get(code);
      // A reused code is refused here, so oidc-provider never sees it and never revokes the grant (authentik keeps
      // the tokens it already issued, authentik.md §6).
      if (!record || record.consumed) return tokenError('invalid_grant');
      coreForm.set('code', code);
      coreForm.set('redirect_uri', record.redirectUri);
      const verifier = form.get('code_verifier');
      if (verifier !== null) coreForm.set('code_verifier', verifier);
      const r = await core.send(issuer, { method: 'POST', path: '/application/o/token/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: coreForm.toString() });
      const body = JSON.parse(r.body || '{}') as Record<string, unknown>;
      if (r.status !== 200) return tokenError(body.error === 'invalid_client' ? 'invalid_client' : 'invalid_grant');
      record.consumed = true;
      const out = await issueTokens(base, record, typeof body.refresh_token === 'string' ? body.refresh_token : undefined);
      return sendJson(res, 200, out, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    }

    const refreshToken = form.get('refresh_token') ?? '';
    const record = tokens.get(refreshToken);
    if (!record || record.kind !== 'refresh' || record.revoked || record.expiresAtMs <= Date.now()) {
      if (record?.revoked) o.log?.('suspicious_request: revoked refresh token used');
      return tokenError('invalid_grant');
    }
    let scopes = record.scopes;
    if (form.has('scope')) {
      const requested = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
      if (!requested.includes('offline_access') || !requested.every((s) => record.scopes.includes(s))) return tokenError('invalid_scope');
      scopes = requested;
    }
    coreForm.set('refresh_token', refreshToken);
    // The core never holds offline_access (see oidc-core.ts refreshTokenWanted); pass the rest of the scopes.
    const coreScopes = scopes.filter((s) => s !== 'offline_access');
    if (coreScopes.length) coreForm.set('scope', coreScopes.join(' '));
    const r = await core.send(issuer, { method: 'POST', path: '/application/o/token/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: coreForm.toString() });
    const body = JSON.parse(r.body || '{}') as Record<string, unknown>;
    if (r.status !== 200) return tokenError(body.error === 'invalid_client' ? 'invalid_client' : body.error === 'invalid_scope' ? 'invalid_scope' : 'invalid_grant');
    record.revoked = true;
    const out = await issueTokens(base, { ...record, scopes }, typeof body.refresh_token === 'string' ? body.refresh_token : undefined);
    return sendJson(res, 200, out, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  };

  // ---------- userinfo (views/userinfo.py, utils.py extract_access_token / protected_resource_view) ----------

  const bearerError = (res: ServerResponse, error: keyof typeof BEARER_ERRORS) => {
    const [description, status] = BEARER_ERRORS[error]!;
    send(res, status, '', { 'WWW-Authenticate': `error="${error}", error_description="${description}"` });
  };

  const handleUserinfo = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method === 'OPTIONS') return send(res, 200, '');
    if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, '');
    const form = req.method === 'POST' ? parseForm(req, await readBody(req)) : new URLSearchParams();
    const header = String(req.headers.authorization ?? '');
    const token = /^Bearer\s.+$/.test(header) ? (header.split(/\s+/)[1] ?? '') : (form.get('access_token') ?? url.searchParams.get('access_token') ?? '');
    const record = token ? tokens.get(token) : undefined;
    if (!record || record.kind !== 'access' || record.revoked || record.expiresAtMs <= Date.now()) return bearerError(res, 'invalid_token');
    if (!record.scopes.includes('openid')) return bearerError(res, 'insufficient_scope');
    const user = userByPk(record.userPk);
    if (!user) return bearerError(res, 'invalid_token');
    // views/userinfo.py get: claims.setdefault("sub", ...), then update with the mappings' claims (a mapping may
    // overwrite sub), then nonce.
    const body = { sub: record.sub, ...claimsForScopes(provider, record.scopes, user, features, o.installId), ...(record.nonce !== null ? { nonce: record.nonce } : {}) };
    return sendJson(res, 200, body, { 'Cache-Control': 'no-store' });
  };

  const handleIntrospect = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return send(res, 405, '');
    const form = parseForm(req, await readBody(req));
    const creds = clientAuth(req, form);
    const authed = creds.id === provider.client_id && (provider.client_type === 'public' || constantEquals(creds.secret, provider.client_secret));
    const record = tokens.get(form.get('token') ?? '');
    if (!authed || !record || record.revoked || record.expiresAtMs <= Date.now()) return sendJson(res, 200, { active: false });
    return sendJson(res, 200, { ...record.claims, active: true, scope: record.scopes.join(' '), client_id: provider.client_id });
  };

  const handleRevoke = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    if (req.method !== 'POST') return send(res, 405, '');
    const form = parseForm(req, await readBody(req));
    const creds = clientAuth(req, form);
    const authed = creds.id === provider.client_id && (provider.client_type === 'public' || constantEquals(creds.secret, provider.client_secret));
    if (!authed) return sendJson(res, 401, { error: 'invalid_client', error_description: TOKEN_ERRORS.invalid_client, request_id: requestId });
    tokens.delete(form.get('token') ?? '');
    return sendJson(res, 200, {});
  };

  // ---------- flow executor (flows/views/executor.py, flows/challenge.py, stages/*) ----------

  const flowInfo = (plan: FlowPlan) => ({
    title: plan.kind === 'consent' ? `Redirecting to ${plan.applicationName ?? ''}` : 'Welcome to authentik!',
    background: '/static/dist/assets/images/flow_background.jpg',
    cancel_url: '/flows/-/cancel/',
    layout: 'stacked',
  });

  const challengeFor = (plan: FlowPlan, stage: StageName): Record<string, unknown> => {
    const common = { flow_info: flowInfo(plan) };
    switch (stage) {
      case 'identification':
        return {
          ...common, component: 'ak-stage-identification', user_fields: ['email', 'username'], password_fields: false,
          allow_show_password: false, ...(plan.applicationName ? { application_pre: plan.applicationName } : {}),
          enable_remember_me: false, flow_designation: 'authentication', primary_action: 'Log in', sources: [],
          show_source_labels: false, captcha_stage: null, passkey_challenge: null, pending_user_identifier: null,
        };
      case 'password':
        return {
          ...common, component: 'ak-stage-password', pending_user: plan.pendingUser ?? '',
          pending_user_avatar: '/static/dist/assets/images/user_default.png', recovery_url: '', allow_show_password: false,
        };
      case 'consent': {
        const ar = plan.authorize!;
        return {
          ...common, component: 'ak-stage-consent', pending_user: plan.pendingUser ?? '',
          pending_user_avatar: '/static/dist/assets/images/user_default.png', header_text: '',
          permissions: scopePermissions(provider, ar.scopes),
          additional_permissions: [], token: plan.consentToken,
        };
      }
      default:
        throw new ExecutorError(`stage ${stage} has no challenge`);
    }
  };

  const accessDenied = (plan: FlowPlan | null, message: string) => ({
    component: 'ak-stage-access-denied', error_message: message, pending_user: plan?.pendingUser ?? '',
    pending_user_avatar: '/static/dist/assets/images/user_default.png', ...(plan ? { flow_info: flowInfo(plan) } : {}),
  });

  const handleExecutor = async (req: IncomingMessage, res: ServerResponse, slug: string, url: URL, requestId: string) => {
    const flowError = () => sendJson(res, 200, { component: 'ak-stage-flow-error', request_id: requestId });
    try {
      if (req.method !== 'GET' && req.method !== 'POST') throw new ExecutorError('method not allowed');
      if (![authenticationFlow, AUTHENTICATION_FLOW, IMPLICIT_CONSENT, EXPLICIT_CONSENT].includes(slug)) throw new ExecutorError('flow not found');
      const cookies = parseCookies(req);
      const session = await startSession(req, res, await sessions.load(cookies[SESSION_COOKIE]));
      session.get = new URLSearchParams(url.searchParams.get('query') ?? '');
      const selfRedirect = () => send(res, 302, '', { Location: url.pathname + url.search });

      let body: Record<string, unknown> | null = null;
      if (req.method === 'POST') {
        const raw = await readBody(req);
        const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        // DRF with the orjson parser only: anything but JSON is an exception -> ak-stage-flow-error.
        if (type !== 'application/json') throw new ExecutorError('unsupported media type');
        try {
          const parsed: unknown = JSON.parse(raw.toString('utf8'));
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
          body = parsed as Record<string, unknown>;
        } catch {
          throw new ExecutorError('malformed JSON');
        }
        // CSRF is enforced by SessionAuthentication only once the session is authenticated.
        if (session.userPk !== null) {
          const header = String(req.headers['x-authentik-csrf'] ?? '');
          const cookie = cookies[CSRF_COOKIE] ?? '';
          if (!session.csrf || !header || header !== cookie || header !== session.csrf) throw new ExecutorError('CSRF Failed');
        }
      }

      let plan = session.plan && session.plan.flow === slug ? session.plan : null;
      if (!plan) {
        if (slug === authenticationFlow || slug === AUTHENTICATION_FLOW) {
          plan = newAuthenticationPlan(null, null);
          session.plan = plan;
        } else {
          return sendJson(res, 200, accessDenied(null, 'Flow does not apply to current user.'));
        }
      }
      const stage = plan.stages[plan.index]!;

      if (body) {
        const component = body.component;
        const expected = stage === 'identification' ? 'ak-stage-identification' : stage === 'password' ? 'ak-stage-password' : stage === 'consent' ? 'ak-stage-consent' : null;
        if (component !== expected) throw new ExecutorError('unknown component');
        if (stage === 'identification') {
          const uid = body.uid_field;
          if (typeof uid !== 'string' || uid === '') {
            return sendJson(res, 200, { ...challengeFor(plan, stage), response_errors: { uid_field: [{ string: 'This field is required.', code: 'required' }] } });
          }
          // pretend_user_exists: unknown users pass here and fail at the password stage.
          plan.pendingUser = findUser(uid)?.username ?? uid;
          plan.index++;
          return selfRedirect();
        }
        if (stage === 'password') {
          const password = body.password;
          const user = plan.pendingUser ? findUser(plan.pendingUser) : null;
          const ok = typeof password === 'string' && user !== null && user.is_active && user.password !== null && constantEquals(password, user.password);
          if (!ok) {
            plan.failedAttempts++;
            if (plan.failedAttempts >= 5) {
              session.plan = null;
              return sendJson(res, 200, accessDenied(plan, 'Invalid password'));
            }
            return sendJson(res, 200, { ...challengeFor(plan, stage), response_errors: { password: [{ string: 'Invalid password', code: 'invalid' }] } });
          }
          plan.pendingUser = user.username;
          plan.index++;
          return selfRedirect();
        }
        // consent
        const token = body.token;
        if (typeof token !== 'string' || token === '') {
          return sendJson(res, 200, { ...challengeFor(plan, stage), response_errors: { token: [{ string: 'This field is required.', code: 'required' }] } });
        }
        if (features.consentTokenChecked && token !== plan.consentToken) {
          o.log?.('Invalid consent token, re-showing prompt');
          return sendJson(res, 200, challengeFor(plan, stage));
        }
        consents.set(`${session.userPk}:${app.slug}`, { scopes: plan.authorize!.scopes, expiresAtMs: Date.now() + CONSENT_VALIDITY_S * 1000 });
        plan.index++;
        return selfRedirect();
      }

      // GET
      switch (stage) {
        case 'identification':
        case 'password':
        case 'consent':
          return sendJson(res, 200, challengeFor(plan, stage));
        case 'mfa':
          // default-authentication-mfa-validation: not_configured_action skip -> stage_ok -> 302 to self.
          plan.index++;
          return selfRedirect();
        case 'login': {
          const user = plan.pendingUser ? findUser(plan.pendingUser) : null;
          if (!user) throw new ExecutorError('no pending user');
          session.plan = null;
          sessions.rotate(session);
          session.userPk = user.pk;
          session.authTime = nowSec();
          session.amr = ['pwd'];
          session.coreSessions.clear();
          const secure = isSecure(req);
          appendSetCookie(res, sessionCookie(await sessions.cookieValue(session), secure));
          appendSetCookie(res, csrfCookie(session.csrf!, secure));
          const next = session.get.get('next') ?? '/';
          if (/^[a-z][a-z0-9+.-]*:/i.test(next) || next.startsWith('//')) return sendJson(res, 200, accessDenied(plan, 'Invalid next URL'));
          return sendJson(res, 200, { component: 'xak-flow-redirect', to: next });
        }
        case 'fulfilment': {
          session.plan = null;
          const to = await fulfil(baseUrl(req), session, plan.authorize!);
          return sendJson(res, 200, { component: 'xak-flow-redirect', to });
        }
      }
    } catch (e) {
      if (!(e instanceof ExecutorError)) o.log?.(`flow executor exception: ${(e as Error).message}`);
      return flowError();
    }
  };

  // ---------- routing ----------

  const slugBase = `/application/o/${app.slug}/`;

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().replaceAll('-', '');
    res.setHeader('X-authentik-id', requestId);
    if (o.clockOffsetSec) res.setHeader('Date', new Date(Date.now() + o.clockOffsetSec * 1000).toUTCString());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://reference.invalid');
    } catch {
      return send(res, 400, '');
    }
    const path = url.pathname;
    const html = { 'Content-Type': 'text/html; charset=utf-8' };
    try {
      if (path === '/-/health/live/' || path === '/-/health/ready/') return send(res, 200, '');
      if (path === '/application/o/authorize/') {
        const params = req.method === 'POST' ? parseForm(req, await readBody(req)) : url.searchParams;
        return await handleAuthorize(req, res, url, params);
      }
      if (path === '/application/o/token/') return await handleToken(req, res, requestId);
      if (path === '/application/o/userinfo/') return await handleUserinfo(req, res, url);
      if (path === '/application/o/introspect/') return await handleIntrospect(req, res);
      if (path === '/application/o/revoke/') return await handleRevoke(req, res, requestId);
      if (path === `${slugBase}.well-known/openid-configuration` || path === `/.well-known/oauth-authorization-server${slugBase}`) {
        return sendJson(res, 200, discoveryDocument(baseUrl(req), bp, features));
      }
      if (path === `${slugBase}jwks/`) {
        return sendJson(res, 200, jwksDocument(bp, o.signingKey, o.encryptionKey), { 'Access-Control-Allow-Origin': '*' });
      }
      if (path === slugBase) return send(res, 302, '', { Location: `${slugBase}.well-known/openid-configuration` });
      if (path === `${slugBase}end-session/`) {
        return send(res, 302, '', { Location: `/if/flow/${provider.invalidation_flow ?? 'default-provider-invalidation-flow'}/` });
      }
      const exec = /^\/api\/v3\/flows\/executor\/([^/]+)\/$/.exec(path);
      if (exec) return await handleExecutor(req, res, decodeURIComponent(exec[1]!), url, requestId);
      const flow = /^\/if\/flow\/([^/]+)\/$/.exec(path);
      if (flow && req.method === 'GET') return send(res, 200, flowPage(decodeURIComponent(flow[1]!)), html);
      return send(res, 404, notFoundPage(), html);
    } catch (e) {
      o.log?.(`internal error on ${req.method} ${path}: ${(e as Error).message}`);
      if (!res.headersSent) return send(res, 500, errorPage('Internal Server Error', `request_id ${requestId}`), html);
      res.end();
    }
  };
}
