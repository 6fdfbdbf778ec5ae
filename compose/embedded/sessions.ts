/**
 * authentik sessions and flow plans, kept in memory per reference-provider instance.
 * Cookies follow authentik/root/middleware.py and authentik/root/settings.py (authentik.md §8 "Cookies and CSRF"):
 * `authentik_session` (a JWT wrapping the session key, HttpOnly, SameSite=Lax over HTTP, SameSite=None; Secure over
 * TLS) and `authentik_csrf` (readable by the page, set by login()).
 */
import { randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { ResolvedApplication, ResolvedFlowStageBinding, ResolvedStage, ResolvedUser } from './blueprints/index.ts';

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  responseType: string;
  scopes: string[];
  /** Raw state as sent; null when absent. */
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'plain' | 'S256' | null;
  prompt: string[];
  loginHint: string | null;
  /** path + query of the original authorize request (the `next` of the authentication flow). */
  fullPath: string;
}

/** The user a flow is about (PLAN_CONTEXT_PENDING_USER): a blueprint user, or what was typed for an unknown one. */
export interface PendingUser {
  user: ResolvedUser | null;
  username: string;
  email: string;
}

/** A consent permission (authentik/flows/challenge.py PermissionDict). */
export interface Permission {
  id: string;
  name: string;
}

/** The stages a plan runs: a blueprint stage, or one authentik adds in memory (flows/models.py in_memory_stage). */
export type PlanStage =
  | ResolvedStage
  | { type: 'oauth_fulfillment'; pk: string; name: string }
  | { type: 'session_end'; pk: string; name: string }
  /** providers/oauth2/views/authorize.py: the consent stage added for prompt=consent (mode always_require). */
  | { type: 'consent_in_memory'; pk: string; name: string };

export interface PlannedBinding {
  stage: PlanStage;
  /** The flow's binding (for its policies and invalid_response_action), null for in-memory stages. */
  binding: ResolvedFlowStageBinding | null;
  /** ReevaluateMarker: the binding's policies are checked again when the stage comes up. */
  reevaluate: boolean;
}

/** FlowPlan.context, with the keys authentik's stages use. */
export interface PlanContext {
  pendingUser: PendingUser | null;
  /** PLAN_CONTEXT_PENDING_USER_IDENTIFIER: what was typed, shown instead of the matched user. */
  pendingUserIdentifier: string | null;
  /** The pending user was authenticated by a backend (password): `hasattr(pending_user, "backend")`. */
  authenticated: boolean;
  /** PLAN_CONTEXT_METHOD and the MFA devices used (for amr). */
  method: string | null;
  mfaDevices: number;
  application: ResolvedApplication | null;
  /** PLAN_CONTEXT_PARAMS: the authorize request the fulfilment stage answers. */
  authorize: AuthorizeRequest | null;
  consentHeader: string | null;
  consentPermissions: Permission[] | null;
  consentAdditionalPermissions: Permission[] | null;
}

export interface FlowPlan {
  flowSlug: string;
  bindings: PlannedBinding[];
  context: PlanContext;
}

export interface AkSession {
  key: string;
  userPk: number | null;
  authTime: number;
  amr: string[];
  csrf: string | null;
  /** oidc-provider Session id per issuer (the core's `_session`). */
  coreSessions: Map<string, string>;
  /** SESSION_KEY_PLAN */
  plan: FlowPlan | null;
  /** SESSION_KEY_GET: the executor's last `query`, overwritten on every executor call. */
  get: URLSearchParams;
  /** Set when prompt=login forced a new login; cleared by the authorize request after it. */
  forcedLogin: boolean;
  /** SESSION_KEY_APPLICATION_PRE: the application an anonymous authorize request was for. */
  applicationPre: ResolvedApplication | null;
  /** SESSION_KEY_CONSENT_TOKEN (stages/consent/stage.py). */
  consentToken: string | null;
  /** SESSION_KEY_INVALID_TRIES (stages/password/stage.py). */
  invalidTries: number;
}

export const SESSION_COOKIE = 'authentik_session';
export const CSRF_COOKIE = 'authentik_csrf';

function blankSession(): AkSession {
  return {
    key: randomBytes(16).toString('hex'),
    userPk: null,
    authTime: 0,
    amr: [],
    csrf: null,
    coreSessions: new Map(),
    plan: null,
    get: new URLSearchParams(),
    forcedLogin: false,
    applicationPre: null,
    consentToken: null,
    invalidTries: 0,
  };
}

export class SessionStore {
  private readonly sessions = new Map<string, AkSession>();
  /**
   * The cookie's HS256 key, imported once: jose imports a raw secret (a Uint8Array) again at every sign and verify,
   * ~1 ms of every login spread over its requests (issue 12, the provider's profile). Same key, same tokens.
   */
  private readonly secret = webcrypto.subtle.importKey('raw', randomBytes(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

  create(): AkSession {
    const s = blankSession();
    this.sessions.set(s.key, s);
    return s;
  }

  async load(cookieValue: string | undefined): Promise<AkSession | null> {
    if (!cookieValue) return null;
    try {
      const { payload } = await jwtVerify(cookieValue, await this.secret, { algorithms: ['HS256'] });
      return typeof payload.sid === 'string' ? (this.sessions.get(payload.sid) ?? null) : null;
    } catch {
      return null;
    }
  }

  /** Django login() cycles the session key and rotates the CSRF token. */
  rotate(s: AkSession): void {
    this.sessions.delete(s.key);
    s.key = randomBytes(16).toString('hex');
    s.csrf = randomBytes(24).toString('base64url');
    this.sessions.set(s.key, s);
  }

  /**
   * Django logout(): session.flush(), a new empty session under a new key (the CSRF cookie stays); the flow plan the
   * user_logout stage is in is written back by stage_ok.
   */
  flush(s: AkSession): void {
    this.sessions.delete(s.key);
    Object.assign(s, blankSession(), { csrf: s.csrf });
    this.sessions.set(s.key, s);
  }

  async cookieValue(s: AkSession): Promise<string> {
    return new SignJWT({ sid: s.key, authenticated: s.userPk !== null })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setIssuer('authentik')
      .setJti(randomUUID().replaceAll('-', ''))
      .sign(await this.secret);
  }
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; HttpOnly; Path=/; ${secure ? 'SameSite=None; Secure' : 'SameSite=Lax'}`;
}

export function csrfCookie(value: string, secure: boolean): string {
  const expires = new Date(Date.now() + 365 * 86400 * 1000).toUTCString();
  return `${CSRF_COOKIE}=${value}; expires=${expires}; Max-Age=${365 * 86400}; Path=/; ${secure ? 'SameSite=None; Secure' : 'SameSite=Lax'}`;
}
