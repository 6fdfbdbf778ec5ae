/**
 * authentik sessions and flow plans, kept in memory per reference-provider instance.
 * Cookies follow authentik/root/middleware.py and authentik/root/settings.py (authentik.md §8 "Cookies and CSRF"):
 * `authentik_session` (a JWT wrapping the session key, HttpOnly, SameSite=Lax over HTTP, SameSite=None; Secure over
 * TLS) and `authentik_csrf` (readable by the page, set by login()).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

export type StageName = 'identification' | 'password' | 'mfa' | 'login' | 'consent' | 'fulfilment';

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

export interface FlowPlan {
  flow: string;
  kind: 'authentication' | 'consent';
  stages: StageName[];
  index: number;
  pendingUser: string | null;
  failedAttempts: number;
  applicationName: string | null;
  authorize: AuthorizeRequest | null;
  consentToken: string | null;
}

export interface AkSession {
  key: string;
  userPk: number | null;
  authTime: number;
  amr: string[];
  csrf: string | null;
  /** oidc-provider Session id per issuer (the core's `_session`). */
  coreSessions: Map<string, string>;
  plan: FlowPlan | null;
  /** SESSION_KEY_GET: the executor's last `query`, overwritten on every executor call. */
  get: URLSearchParams;
  /** Set when prompt=login forced a new login; cleared by the authorize request after it. */
  forcedLogin: boolean;
}

export const SESSION_COOKIE = 'authentik_session';
export const CSRF_COOKIE = 'authentik_csrf';

export class SessionStore {
  private readonly sessions = new Map<string, AkSession>();
  private readonly secret = randomBytes(32);

  create(): AkSession {
    const s: AkSession = {
      key: randomBytes(16).toString('hex'),
      userPk: null,
      authTime: 0,
      amr: [],
      csrf: null,
      coreSessions: new Map(),
      plan: null,
      get: new URLSearchParams(),
      forcedLogin: false,
    };
    this.sessions.set(s.key, s);
    return s;
  }

  async load(cookieValue: string | undefined): Promise<AkSession | null> {
    if (!cookieValue) return null;
    try {
      const { payload } = await jwtVerify(cookieValue, this.secret, { algorithms: ['HS256'] });
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

  async cookieValue(s: AkSession): Promise<string> {
    return new SignJWT({ sid: s.key, authenticated: s.userPk !== null })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setIssuer('authentik')
      .setJti(randomUUID().replaceAll('-', ''))
      .sign(this.secret);
  }
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; HttpOnly; Path=/; ${secure ? 'SameSite=None; Secure' : 'SameSite=Lax'}`;
}

export function csrfCookie(value: string, secure: boolean): string {
  const expires = new Date(Date.now() + 365 * 86400 * 1000).toUTCString();
  return `${CSRF_COOKIE}=${value}; expires=${expires}; Max-Age=${365 * 86400}; Path=/; ${secure ? 'SameSite=None; Secure' : 'SameSite=Lax'}`;
}
