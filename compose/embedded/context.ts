/**
 * What every endpoint and stage of the front layer shares: the resolved blueprint, the version profile, the OIDC
 * core, the in-memory stores authentik keeps in its database (sessions, codes, tokens, consents), and small request
 * helpers (issuer base URL from the Host header, authentik.md §1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedApplication, ResolvedBlueprint, ResolvedProvider, ResolvedUser } from './blueprints/index.ts';
import { appendSetCookie } from './http-util.ts';
import type { RsaKey } from './keys.ts';
import type { OidcCore } from './oidc-core.ts';
import type { CodeRecord, TokenRecord } from './oauth2/tokens.ts';
import type { Profile, ProfileFeatures } from './profiles.ts';
import { sessionCookie, SessionStore, type AkSession } from './sessions.ts';

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
  codes: Map<string, CodeRecord>;
  log?: (line: string) => void;
}

/** A stored consent (authentik/stages/consent/models.py UserConsent), per user and application. */
export interface StoredConsent {
  scopes: string[];
  expiresAtMs: number;
}

export const DEFAULT_AUTHENTICATION_FLOW = 'default-authentication-flow';

export interface FrontContext {
  readonly o: FrontLayerOptions;
  readonly bp: ResolvedBlueprint;
  readonly provider: ResolvedProvider;
  readonly app: ResolvedApplication;
  readonly features: ProfileFeatures;
  readonly core: OidcCore;
  readonly sessions: SessionStore;
  readonly codes: Map<string, CodeRecord>;
  readonly tokens: Map<string, TokenRecord>;
  readonly consents: Map<string, StoredConsent>;
  /** The provider's authentication_flow, or the brand's default. */
  readonly authenticationFlow: string;
  log(line: string): void;
  /** Seconds since the epoch, shifted by the clock offset. */
  nowSec(): number;
  /** `http(s)://<Host>` as Django's build_absolute_uri sees it (X-Forwarded-Proto honoured). */
  baseUrl(req: IncomingMessage): string;
  isSecure(req: IncomingMessage): boolean;
  userByPk(pk: number): ResolvedUser | null;
  /** identification user_fields [email, username] (blueprints/default/flow-default-authentication-flow.yaml). */
  findUser(identifier: string): ResolvedUser | null;
  /** The request's session, or a new one whose cookie is set on the response. */
  startSession(req: IncomingMessage, res: ServerResponse, existing: AkSession | null): Promise<AkSession>;
}

export function createFrontContext(o: FrontLayerOptions): FrontContext {
  const bp = o.blueprint;
  const sessions = new SessionStore();
  const baseUrl = (req: IncomingMessage) => {
    const https = o.tls || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim().toLowerCase() === 'https';
    return `${https ? 'https' : 'http'}://${req.headers.host ?? '127.0.0.1'}`;
  };
  const isSecure = (req: IncomingMessage) => baseUrl(req).startsWith('https:');
  return {
    o,
    bp,
    provider: bp.provider,
    app: bp.application,
    features: o.features,
    core: o.core,
    sessions,
    codes: o.codes,
    tokens: new Map(),
    consents: new Map(),
    authenticationFlow: bp.provider.authentication_flow ?? DEFAULT_AUTHENTICATION_FLOW,
    log: (line) => o.log?.(line),
    nowSec: () => Math.floor((Date.now() + o.clockOffsetSec * 1000) / 1000),
    baseUrl,
    isSecure,
    userByPk: (pk) => bp.users.find((u) => u.pk === pk) ?? null,
    findUser: (identifier) =>
      bp.users.find((u) => (u.email !== '' && u.email.toLowerCase() === identifier.toLowerCase()) || u.username === identifier) ?? null,
    async startSession(req, res, existing) {
      if (existing) return existing;
      const s = sessions.create();
      appendSetCookie(res, sessionCookie(await sessions.cookieValue(s), isSecure(req)));
      return s;
    },
  };
}
