/**
 * The second, independent login of a run, by a conformant OIDC client (openid-client: nonce, PKCE S256), in its own
 * browser (its own authentik session). It authenticates with client_secret_basic first, as RFC 6749 §2.3.1 clients
 * do (credentials form-encoded, so "-" goes as %2D). authentik before 2026.2.2 does not percent-decode Basic
 * credentials (authentik.md §6, §13), so such a client is refused with invalid_client there; the login is then
 * completed with client_secret_post, the other method authentik advertises, on a fresh code, so what the second
 * login proves (a stable sub, PKCE S256, the nonce) is checked on every version. The Basic attempt is kept for
 * token.client-secret-basic to judge.
 */
import { loginThroughAuthentik, type LoginOutcome } from '../authentik/index.ts';
import { createConformantRp, type AuthorizationRequest, type ConformantRp, type RpError, type TokenSet } from '../oidc/index.ts';
import type { CheckContext } from './context.ts';

/** A token response as the server sent it (independent of openid-client's validation; token values redacted). */
export interface RawToken {
  status: number;
  json?: unknown;
  exchangeId: number;
}

export interface ConformantLoginFact {
  rp?: ConformantRp;
  rpError?: RpError;
  nonce?: string;
  state?: string;
  outcome?: LoginOutcome;
  /** The client authentication of `exchange` / `rawToken`: client_secret_basic, or client_secret_post after Basic was refused. */
  authMethod?: 'client_secret_basic' | 'client_secret_post';
  exchange?: { ok: true; tokens: TokenSet; claims?: Record<string, unknown> } | RpError;
  /** The token response of `exchange`. */
  rawToken?: RawToken;
  /** The client_secret_basic attempt (the same as rawToken unless Basic was refused and post was used). */
  basic?: RawToken;
  userinfo?: { ok: true; claims: Record<string, unknown> } | RpError;
  evidence: number[];
}

const errorOf = (raw?: RawToken) => (raw?.json && typeof raw.json === 'object' ? (raw.json as { error?: unknown }).error : undefined);

function tryJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function runConformantLogin(ctx: CheckContext): Promise<ConformantLoginFact> {
  await ctx.osticketLogin(); // one login at a time, the shared one first
  const mark = ctx.mark();
  const fact: ConformantLoginFact = { evidence: [] };
  const browser = ctx.http.actor('browser-2');
  const redirectUri = ctx.target.osticket.redirectUri;
  const created = await createConformantRp({
    actor: ctx.http.actor('conformant-rp'),
    discoveryUrl: ctx.target.discoveryUrl,
    clientId: ctx.target.osticket.clientId,
    clientSecret: ctx.target.osticket.clientSecret,
    redirectUri,
    authMethod: 'client_secret_basic',
    scope: 'openid email profile',
    // The RP's job is to obtain tokens; the signing checks judge the claims themselves with their own bounds.
    clockToleranceSec: 24 * 3600,
    // The run's one discovery document (issue 12), validated by openid-client as if it had fetched it.
    discovered: async () => {
      const d = await ctx.discovery();
      return d.httpError ? { error: d.httpError } : { status: d.status ?? 0, contentType: d.contentType, body: d.text ?? '' };
    },
  });
  if (!created.ok) {
    fact.rpError = created;
    fact.evidence = ctx.evidenceSince(mark);
    return fact;
  }
  const rp = (fact.rp = created.rp);

  /** Authorize (the browser's session after the first time) and exchange the code with `method`. */
  const login = async (method: 'client_secret_basic' | 'client_secret_post', label: string): Promise<boolean> => {
    const req: AuthorizationRequest = await rp.authorizationRequest();
    fact.nonce = req.nonce;
    fact.state = req.state;
    fact.outcome = await loginThroughAuthentik(browser, req.url, ctx.target.user, { redirectUri, label });
    if (fact.outcome.kind !== 'callback' || !fact.outcome.url.searchParams.get('code')) return false;
    const before = ctx.mark();
    fact.exchange = await rp.exchangeCode(fact.outcome.url, req, { authMethod: method });
    fact.authMethod = method;
    const tokenEx = ctx.http.transcript.ownSince(before).find((e) => e.method === 'POST');
    // The transcript body is redacted (token values replaced) but keeps its JSON shape and error fields.
    fact.rawToken = tokenEx ? { status: tokenEx.status ?? 0, exchangeId: tokenEx.id, json: tryJson(tokenEx.responseBody) } : undefined;
    return true;
  };

  if (await login('client_secret_basic', 'rp login')) {
    fact.basic = fact.rawToken;
    if (fact.rawToken?.status === 400 && errorOf(fact.rawToken) === 'invalid_client') await login('client_secret_post', 'rp login (client_secret_post)');
    const access = fact.exchange?.ok ? fact.exchange.tokens.access_token : undefined;
    if (access) fact.userinfo = await rp.userinfo(access);
  }
  fact.evidence = ctx.evidenceSince(mark);
  return fact;
}
