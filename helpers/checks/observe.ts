/**
 * What the integration saw in a run, recorded for pre-upgrade comparisons (DESIGN.md "Pre-upgrade regression":
 * a diff of claims, sub, algorithms and discovery between a saved baseline and the new version). Built only from
 * facts the checks already gathered (no extra requests), and free of secrets: claim NAMES and the few claim values
 * the integration depends on (sub, email, email_verified, name), never tokens, codes or signatures.
 */
import { inspectJwt } from '../oidc/index.ts';
import { isObject, type CheckContext, type FetchedDoc, type OsticketLoginFact } from './context.ts';

export interface Observed {
  discovery?: Record<string, unknown>;
  /** Every member the discovery document has (a version that adds or drops one shows here). */
  discoveryMembers?: string[];
  jwks?: { keys: Array<{ kty?: unknown; alg?: unknown; use?: unknown; kidLength?: number }> } | { problem: string };
  tokenResponse?: { token_type?: unknown; scope?: unknown; expires_in?: unknown; id_token: boolean; refresh_token: boolean };
  idToken?: { format: string; alg?: string; kid: boolean; claims: string[]; values: Record<string, unknown> };
  accessToken?: { format: string; alg?: string };
  userinfo?: { claims: string[]; values: Record<string, unknown> } | { status?: number; error?: string };
  /** The scope parameter osTicket's plugin sends. */
  scopeSent?: string;
}

/** Discovery members the integration (or its diagnosis) depends on. */
const DISCOVERY_KEYS = [
  'issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'response_types_supported',
  'id_token_signing_alg_values_supported', 'token_endpoint_auth_methods_supported', 'scopes_supported',
  'claims_supported', 'code_challenge_methods_supported', 'grant_types_supported', 'subject_types_supported',
];
/** Claim values worth comparing (what osTicket and the subject check read); everything else by name only. */
const VALUE_CLAIMS = ['sub', 'email', 'email_verified', 'name', 'given_name', 'preferred_username', 'iss', 'aud', 'acr', 'amr'];

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));

/**
 * URLs are recorded relative to authentik's base URL (`<authentik>/application/o/...`), so a baseline compares
 * with a run on another host or port (the embedded target listens on a random port); the base itself is kept once.
 */
function relative(value: unknown, base: string): unknown {
  if (typeof value === 'string') return value.split(base).join('<authentik>');
  if (Array.isArray(value)) return value.map((v) => relative(v, base));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relative(v, base)]));
  return value;
}

export async function observe(ctx: CheckContext): Promise<Observed & { authentik: string }> {
  return { authentik: ctx.target.authentikUrl, ...(relative(await observeRaw(ctx), ctx.target.authentikUrl) as Observed) };
}

async function observeRaw(ctx: CheckContext): Promise<Observed> {
  const out: Observed = {};
  const disc = await ctx.peek<FetchedDoc>('discovery');
  if (disc?.ok && isObject(disc.json)) {
    out.discovery = pick(disc.json, DISCOVERY_KEYS);
    out.discoveryMembers = Object.keys(disc.json).sort();
  }
  const jwks = await ctx.peek<FetchedDoc>('jwks');
  if (jwks) {
    const keys = isObject(jwks.json) && Array.isArray(jwks.json.keys) ? jwks.json.keys : undefined;
    out.jwks = keys
      ? { keys: keys.filter(isObject).map((k) => ({ kty: k.kty, alg: k.alg, use: k.use, kidLength: typeof k.kid === 'string' ? k.kid.length : undefined })) }
      : { problem: jwks.ok ? `no keys member: ${JSON.stringify(jwks.json)?.slice(0, 40)}` : (jwks.problem ?? 'unreachable') };
  }
  const login = await ctx.peek<OsticketLoginFact>('osticketLogin');
  if (login) {
    out.scopeSent = login.scope;
    if (login.token?.ok) {
      const t = login.token.token;
      out.tokenResponse = { token_type: t.token_type, scope: t.scope, expires_in: t.expires_in, id_token: Boolean(t.id_token), refresh_token: Boolean(t.refresh_token) };
      if (t.id_token) {
        const j = inspectJwt(t.id_token);
        out.idToken = { format: j.format, alg: j.alg, kid: Boolean(j.kid), claims: Object.keys(j.payload ?? {}).sort(), values: pick(j.payload ?? {}, VALUE_CLAIMS) };
      }
      const a = inspectJwt(t.access_token);
      out.accessToken = { format: a.format === 'malformed' ? 'opaque' : a.format, ...(a.alg ? { alg: a.alg } : {}) };
    }
    const u = login.userinfo;
    if (u) out.userinfo = u.ok ? { claims: Object.keys(u.claims).sort(), values: pick(u.claims, VALUE_CLAIMS) } : { status: u.status, error: u.error };
  }
  return out;
}
