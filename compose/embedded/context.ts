/**
 * What every endpoint and stage of the front layer shares: the resolved blueprint, the version profile, the OIDC
 * core, the in-memory stores authentik keeps in its database (sessions, codes, tokens, consents), and small request
 * helpers (issuer base URL from the Host header, authentik.md §1).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OAuthApplication, ResolvedApplication, ResolvedBlueprint, ResolvedFlow, ResolvedProvider, ResolvedUser } from './blueprints/index.ts';
import { appendSetCookie } from './http-util.ts';
import type { KeyRing } from './crypto/keyring.ts';
import type { OidcCore } from './oidc-core.ts';
import type { CodeRecord, TokenRecord } from './oauth2/tokens.ts';
import type { Profile, ProfileFeatures } from './profiles.ts';
import { sessionCookie, SessionStore, type AkSession } from './sessions.ts';

export interface FrontLayerOptions {
  blueprint: ResolvedBlueprint;
  profile: Profile;
  features: ProfileFeatures;
  core: OidcCore;
  /** The install's key pairs (generated lazily). */
  keys: KeyRing;
  installId: string;
  tls: boolean;
  clockOffsetSec: number;
  codes: Map<string, CodeRecord>;
  tokens: Map<string, TokenRecord>;
  log?: (line: string) => void;
}

/** A stored consent (authentik/stages/consent/models.py UserConsent), per user and application. */
export interface StoredConsent {
  /** The permission ids consented to (UserConsent.permissions, space-joined in authentik). */
  permissions: string[];
  /** null: permanent (expiring False). */
  expiresAtMs: number | null;
}

export const DEFAULT_AUTHENTICATION_FLOW = 'default-authentication-flow';

/**
 * What endpoints and stages share. `provider`, `app` and `bp.provider`/`bp.application` are one application's:
 * the request's (forApp), or the application under test by default. Stores are the install's, shared by all
 * applications (one authentik session signs in to every application).
 */
export interface FrontContext {
  readonly o: FrontLayerOptions;
  readonly bp: ResolvedBlueprint;
  readonly provider: ResolvedProvider;
  readonly app: ResolvedApplication;
  /** Every OAuth2 application of the install. */
  readonly applications: readonly OAuthApplication[];
  /** The same context for another application (its provider, issuer, keys and flows). */
  forApp(a: OAuthApplication): FrontContext;
  /** The application whose provider has this client_id (authorize, token: OAuth2Provider.objects.filter(client_id=...)). */
  appByClientId(clientId: string): OAuthApplication | undefined;
  /** The application with this slug (discovery, JWKS, end-session: Application.objects.filter(slug=...)). */
  appBySlug(slug: string): OAuthApplication | undefined;
  readonly features: ProfileFeatures;
  readonly core: OidcCore;
  readonly sessions: SessionStore;
  readonly codes: Map<string, CodeRecord>;
  readonly tokens: Map<string, TokenRecord>;
  readonly consents: Map<string, StoredConsent>;
  /** The provider's authentication_flow, or the default brand's (authentik.md §8). */
  readonly authenticationFlow: string;
  /** Every flow by slug (the stock defaults and the blueprint's). */
  flowBySlug(slug: string): ResolvedFlow | null;
  log(line: string): void;
  /** Seconds since the epoch, shifted by the clock offset. */
  nowSec(): number;
  /** `http(s)://<Host>` as Django's build_absolute_uri sees it (X-Forwarded-Proto honoured). */
  baseUrl(req: IncomingMessage): string;
  isSecure(req: IncomingMessage): boolean;
  userByPk(pk: number): ResolvedUser | null;
  /** Application.get_launch_url: the provider's first redirect URI without its path (OAuth2Provider.launch_url). */
  launchUrl(app: ResolvedApplication): string | null;
  /**
   * Django logout(): the session is flushed and its access tokens deleted (providers/oauth2/signals.py, on the
   * AuthenticatedSession's deletion; refresh tokens stay, as in authentik).
   */
  endSession(session: AkSession): void;
  /** The request's session, or a new one whose cookie is set on the response. */
  startSession(req: IncomingMessage, res: ServerResponse, existing: AkSession | null): Promise<AkSession>;
}

/** flows/views/executor.py ToDefaultFlow: without a brand flow, the first authentication flow by slug. */
function firstAuthenticationFlow(bp: ResolvedBlueprint): string {
  return bp.flows.filter((f) => f.designation === 'authentication').map((f) => f.slug).sort()[0] ?? DEFAULT_AUTHENTICATION_FLOW;
}

export function createFrontContext(o: FrontLayerOptions): FrontContext {
  const base = createBaseContext(o);
  const views = new Map<OAuthApplication, FrontContext>();
  const forApp = (a: OAuthApplication): FrontContext => {
    let view = views.get(a);
    if (!view) {
      view = {
        ...base,
        bp: { ...o.blueprint, provider: a.provider, application: a.application },
        provider: a.provider,
        app: a.application,
        authenticationFlow: a.provider.authentication_flow ?? o.blueprint.brand.flow_authentication ?? firstAuthenticationFlow(o.blueprint),
        forApp,
      };
      views.set(a, view);
    }
    return view;
  };
  const selected = o.blueprint.applications.find((a) => a.provider === o.blueprint.provider) ?? { application: o.blueprint.application, provider: o.blueprint.provider };
  return forApp(selected);
}

function createBaseContext(o: FrontLayerOptions): Omit<FrontContext, 'forApp'> {
  const bp = o.blueprint;
  const sessions = new SessionStore();
  const baseUrl = (req: IncomingMessage) => {
    const https = o.tls || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim().toLowerCase() === 'https';
    return `${https ? 'https' : 'http'}://${req.headers.host ?? '127.0.0.1'}`;
  };
  const isSecure = (req: IncomingMessage) => baseUrl(req).startsWith('https:');
  const flows = new Map(bp.flows.map((f) => [f.slug, f]));
  const tokens = o.tokens;
  return {
    o,
    bp,
    provider: bp.provider,
    app: bp.application,
    applications: bp.applications,
    appByClientId: (clientId) => bp.applications.find((a) => a.provider.client_id === clientId),
    appBySlug: (slug) => bp.applications.find((a) => a.application.slug === slug),
    features: o.features,
    core: o.core,
    sessions,
    codes: o.codes,
    tokens,
    consents: new Map(),
    authenticationFlow: bp.provider.authentication_flow ?? bp.brand.flow_authentication ?? firstAuthenticationFlow(bp),
    flowBySlug: (slug) => flows.get(slug) ?? null,
    log: (line) => o.log?.(line),
    nowSec: () => Math.floor((Date.now() + o.clockOffsetSec * 1000) / 1000),
    baseUrl,
    isSecure,
    userByPk: (pk) => bp.users.find((u) => u.pk === pk) ?? null,
    launchUrl(app) {
      if (app.slug !== bp.application.slug) return null;
      const first = bp.provider.redirect_uris.find((r) => r.redirect_uri_type === 'authorization');
      const m = first ? /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*)[^?#]*(.*)$/.exec(first.url) : null;
      return m ? `${m[1]}${m[2]}` : null;
    },
    endSession(session) {
      const sid = createHash('sha256').update(session.key).digest('hex');
      for (const [token, record] of tokens) if (record.kind === 'access' && record.sid === sid) tokens.delete(token);
      sessions.flush(session);
    },
    async startSession(req, res, existing) {
      if (existing) return existing;
      const s = sessions.create();
      appendSetCookie(res, sessionCookie(await sessions.cookieValue(s), isSecure(req)));
      return s;
    },
  };
}
