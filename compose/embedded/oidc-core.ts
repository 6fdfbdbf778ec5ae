/**
 * The OIDC core: oidc-provider 9 (OpenID Certified) does the authorization endpoint (code issuance bound to the
 * session's account, scope and PKCE challenge), single-use codes with their lifetime, client authentication, PKCE
 * verification and the token endpoint (code and refresh grants, refresh rotation). The JWTs the front layer hands
 * out are authentik's, signed by oauth2/jwt.ts; the core signs its own id_token (discarded) with a throwaway
 * internal P-256 key, so it never waits for the install's keys (RSA 4096 takes seconds).
 *
 * It runs on an internal loopback server that only the front layer (server.ts and the endpoint modules) talks to. The issuer is fixed per
 * Provider instance while authentik builds `iss` from the request's Host (authentik.md §1), so there is one
 * Provider per issuer, created lazily and cached.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type ProviderType from 'oidc-provider';
import type { ResolvedBlueprint, ResolvedProvider } from './blueprints/index.ts';

type ProviderCtor = typeof ProviderType;
type OidcProvider = InstanceType<ProviderCtor>;

let providerClass: Promise<ProviderCtor> | undefined;

/** oidc-provider prints a runtime warning on import (Node 20 is "unsupported" but works, npm-stack.md §7). */
function loadProviderClass(log?: (line: string) => void): Promise<ProviderCtor> {
  providerClass ??= (async () => {
    const { warn, info } = console;
    const sink = (...args: unknown[]) => log?.(args.map(String).join(' '));
    console.warn = sink;
    console.info = sink;
    try {
      return (await import('oidc-provider')).default;
    } finally {
      console.warn = warn;
      console.info = info;
    }
  })();
  return providerClass;
}

/** In-memory adapter scoped to one reference-provider instance (oidc-provider's own is process-global and warns). */
function makeAdapter() {
  interface Entry { payload: Record<string, unknown>; expiresAt: number }
  const store = new Map<string, Entry>();
  const byGrant = new Map<string, Set<string>>();
  const live = (key: string) => {
    const e = store.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return e;
  };
  return class InstanceAdapter {
    constructor(readonly name: string) {}
    private key(id: string) {
      return `${this.name}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      const key = this.key(id);
      store.set(key, { payload: { ...payload }, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY });
      if (typeof payload.grantId === 'string') {
        const set = byGrant.get(payload.grantId) ?? new Set<string>();
        set.add(key);
        byGrant.set(payload.grantId, set);
      }
      if (this.name === 'Session' && typeof payload.uid === 'string') store.set(`SessionUid:${payload.uid}`, { payload: { id }, expiresAt: Number.POSITIVE_INFINITY });
      if (typeof payload.userCode === 'string') store.set(`UserCode:${payload.userCode}`, { payload: { id }, expiresAt: Number.POSITIVE_INFINITY });
    }
    async find(id: string) {
      const e = live(this.key(id));
      return e ? { ...e.payload } : undefined;
    }
    async findByUid(uid: string) {
      const ref = store.get(`SessionUid:${uid}`);
      return ref ? this.find(String(ref.payload.id)) : undefined;
    }
    async findByUserCode(userCode: string) {
      const ref = store.get(`UserCode:${userCode}`);
      return ref ? this.find(String(ref.payload.id)) : undefined;
    }
    async consume(id: string) {
      const e = live(this.key(id));
      if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const key of byGrant.get(grantId) ?? []) store.delete(key);
      byGrant.delete(grantId);
    }
  };
}

export interface InternalResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface OidcCore {
  /** The Provider for this issuer (created on first use). */
  providerFor(issuer: string): Promise<OidcProvider>;
  /** Sends a request to the oidc-provider instance for `issuer` over the internal loopback server. */
  send(issuer: string, req: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<InternalResponse>;
  /** Creates an oidc-provider Session for a logged-in authentik session; returns its id (the `_session` cookie value). */
  createSession(issuer: string, s: { accountId: string; loginTs: number; amr: string[]; acr: string }): Promise<string>;
  close(): Promise<void>;
}

export const INTERNAL_ISSUER_HEADER = 'x-reference-issuer';
/**
 * authentik happily issues a code when every requested scope was dropped (authentik.md §5); oidc-provider denies a
 * grant with neither scope nor resource. The front layer sends this placeholder scope to the core in that case;
 * it never leaves the core (authentik's scope list lives in the front layer's records).
 */
export const CORE_EMPTY_SCOPE = 'reference-provider:no-scope-granted';

export async function startOidcCore(opts: {
  blueprint: ResolvedBlueprint;
  /**
   * Whether the code (by value) was granted offline_access. oidc-provider drops offline_access from the request
   * unless prompt=consent is sent (OIDC Core 11), while authentik grants it whenever it is mapped; the front layer
   * knows the authentik answer, so the core asks it.
   */
  refreshTokenWanted: (code: string) => boolean;
  /** Whether a refresh grant rotates this refresh token (views/token.py refresh_token_threshold); default always. */
  rotateRefreshToken?: (refreshToken: string) => boolean;
  log?: (line: string) => void;
}): Promise<OidcCore> {
  const Provider = await loadProviderClass(opts.log);
  const providers_ = opts.blueprint.applications.map((a) => a.provider);
  const byClient = (clientId: unknown) => providers_.find((p) => p.client_id === clientId) ?? opts.blueprint.provider;
  const Adapter = makeAdapter();
  const providers = new Map<string, Promise<OidcProvider>>();

  const clientMetadata = (bp: ResolvedProvider): Record<string, unknown> => ({
    client_id: bp.client_id,
    // A public client still has a secret in authentik (authentik.md §7); oidc-provider only gets it for confidential ones.
    ...(bp.client_type === 'confidential' ? { client_secret: bp.client_secret } : {}),
    // authentik's grant_types are enforced by the front layer per profile; the core allows both code and refresh.
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // Placeholder: redirect matching is authentik's (strict / regex fullmatch), see redirectUriAllowed below.
    redirect_uris: ['https://reference.invalid/redirect-uris-are-matched-by-the-front-layer'],
    token_endpoint_auth_method: bp.client_type === 'confidential' ? 'client_secret_post' : 'none',
    id_token_signed_response_alg: 'ES256',
  });
  const internalKey = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'reference-core' };

  const build = async (issuer: string): Promise<OidcProvider> => {
    const { warn, info } = console;
    const sink = (...args: unknown[]) => opts.log?.(args.map(String).join(' '));
    console.warn = sink;
    console.info = sink;
    let provider: OidcProvider;
    try {
      provider = new Provider(issuer, {
        adapter: Adapter as never,
        clients: providers_.map((p) => clientMetadata(p) as never),
        jwks: { keys: [internalKey as never] },
        enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
        features: {
          devInteractions: { enabled: false },
          rpInitiatedLogout: { enabled: false },
          userinfo: { enabled: false },
          claimsParameter: { enabled: false },
        },
        responseTypes: ['code'],
        pkce: { required: () => false },
        routes: {
          authorization: '/application/o/authorize/',
          token: '/application/o/token/',
          jwks: '/__core/jwks',
          userinfo: '/__core/userinfo',
          revocation: '/__core/revoke',
          introspection: '/__core/introspect',
          end_session: '/__core/end-session',
        },
        scopes: ['openid', 'offline_access', 'email', 'profile', 'entitlements', 'goauthentik.io/api', CORE_EMPTY_SCOPE],
        claims: { openid: ['sub'] },
        conformIdTokenClaims: false,
        // The front layer creates the session (flow executor login) and has already enforced consent.
        interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/__core/interaction/${interaction.uid}` },
        async findAccount(_ctx: unknown, accountId: string) {
          return { accountId, claims: async () => ({ sub: accountId }) };
        },
        async loadExistingGrant(ctx: any) {
          const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
          const scope = String(ctx.oidc.params.scope ?? '');
          if (scope) grant.addOIDCScope(scope);
          await grant.save();
          return grant;
        },
        issueRefreshToken: async (_ctx: unknown, _client: unknown, source: { kind: string; jti: string }) =>
          source.kind === 'RefreshToken' || opts.refreshTokenWanted(source.jti),
        rotateRefreshToken: (ctx: any) => opts.rotateRefreshToken?.(String(ctx.oidc.params.refresh_token ?? '')) ?? true,
        expiresWithSession: async () => false,
        clientBasedCORS: () => false,
        renderError: async (ctx: any, out: Record<string, unknown>) => {
          ctx.type = 'json';
          ctx.body = out;
        },
        ttl: {
          // per provider (each application has its own validities)
          AccessToken: (_ctx: unknown, _t: unknown, client: { clientId: string }) => byClient(client?.clientId).access_token_validity_s,
          AuthorizationCode: (_ctx: unknown, _t: unknown, client: { clientId: string }) => byClient(client?.clientId).access_code_validity_s,
          IdToken: (_ctx: unknown, _t: unknown, client: { clientId: string }) => byClient(client?.clientId).access_token_validity_s,
          RefreshToken: (_ctx: unknown, _t: unknown, client: { clientId: string }) => byClient(client?.clientId).refresh_token_validity_s,
          Grant: (_ctx: unknown, _t: unknown, client: { clientId: string }) => byClient(client?.clientId).refresh_token_validity_s,
          Session: 14 * 86400,
          Interaction: 3600,
          ClientCredentials: 600,
          DeviceCode: 600,
          BackchannelAuthenticationRequest: 600,
          PreAuthorizedCode: 600,
        } as never,
      } as never);
    } finally {
      console.warn = warn;
      console.info = info;
    }
    provider.proxy = true;
    // authentik codes are uuid4 hex (authentik.md §6); keep that shape.
    (provider.AuthorizationCode.prototype as unknown as { generateTokenId(): string }).generateTokenId = () => crypto.randomUUID().replaceAll('-', '');
    // Redirect URIs: authentik's list semantics (strict equality / regex fullmatch) were checked by the front layer
    // before the request got here; the core accepts what the front layer let through.
    provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed() {
      return true;
    };
    provider.on('server_error', (_ctx: unknown, err: Error) => opts.log?.(`oidc-provider server_error: ${err.message}`));
    return provider;
  };

  const providerFor = (issuer: string) => {
    let p = providers.get(issuer);
    if (!p) {
      p = build(issuer);
      providers.set(issuer, p);
    }
    return p;
  };

  const callbacks = new Map<string, ReturnType<OidcProvider['callback']>>();
  const server: Server = createServer(async (req, res) => {
    const issuer = String(req.headers[INTERNAL_ISSUER_HEADER] ?? '');
    if (!issuer || !providers.has(issuer)) {
      res.writeHead(404).end();
      return;
    }
    let cb = callbacks.get(issuer);
    if (!cb) {
      cb = (await providerFor(issuer)).callback();
      callbacks.set(issuer, cb);
    }
    cb(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const send: OidcCore['send'] = async (issuer, r) => {
    await providerFor(issuer);
    const proto = new URL(issuer).protocol.replace(':', '');
    return new Promise<InternalResponse>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: r.method,
          path: r.path,
          headers: { ...r.headers, [INTERNAL_ISSUER_HEADER]: issuer, 'x-forwarded-proto': proto, host: new URL(issuer).host },
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('internal oidc-provider request timed out')));
      req.on('error', reject);
      req.end(r.body);
    });
  };

  return {
    providerFor,
    send,
    async createSession(issuer, s) {
      const provider = await providerFor(issuer);
      const SessionModel = provider.Session as unknown as new (p: Record<string, unknown>) => { jti: string; save(ttl: number): Promise<unknown> };
      const session = new SessionModel({ accountId: s.accountId, loginTs: s.loginTs, amr: s.amr, acr: s.acr });
      await session.save(14 * 86400);
      return session.jti;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
    },
  };
}
