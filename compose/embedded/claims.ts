/**
 * authentik's claim logic: `sub` per sub_mode (authentik/providers/oauth2/id_token.py IDToken.new), the default
 * scope mappings' claims (blueprints/system/providers-oauth2.yaml), scope granting at authorize (views/authorize.py
 * check_scope) and the custom mappings' values. Discovery and JWKS are in oauth2/provider-info.ts.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  MANAGED_SCOPE_MAPPINGS,
  type MappingExpression,
  type MappingValue,
  type ResolvedBlueprint,
  type ResolvedProvider,
  type ResolvedScopeMapping,
  type ResolvedUser,
} from './blueprints/index.ts';
import type { ProfileFeatures } from './profiles.ts';

/** user.uid = sha256 hex of "<pk>-<install_id>" (authentik/core/models.py User.uid). */
export function userUid(user: ResolvedUser, installId: string): string {
  return createHash('sha256').update(`${user.pk}-${installId}`).digest('hex');
}

export function subjectFor(provider: ResolvedProvider, user: ResolvedUser, installId: string): string {
  switch (provider.sub_mode) {
    case 'hashed_user_id':
      return userUid(user, installId);
    case 'user_id':
      return String(user.pk);
    case 'user_uuid':
      return user.uuid;
    case 'user_username':
      return user.username;
    case 'user_email':
      return user.email;
    case 'user_upn': {
      const upn = user.attributes.upn;
      return typeof upn === 'string' && upn ? upn : userUid(user, installId);
    }
  }
}

/** Claims of a managed default mapping (blueprints/system/providers-oauth2.yaml); null user = anonymous. */
export function managedMappingClaims(managed: string, user: ResolvedUser | null, features: ProfileFeatures): Record<string, unknown> {
  switch (managed) {
    case 'goauthentik.io/providers/oauth2/scope-email':
      return { email: user?.email ?? '', email_verified: features.emailVerified };
    case 'goauthentik.io/providers/oauth2/scope-profile':
      // given_name is the full name, not split; there is no family_name (authentik.md §5).
      return {
        name: user?.name ?? '',
        given_name: user?.name ?? '',
        preferred_username: user?.username ?? '',
        nickname: user?.username ?? '',
        groups: user ? [...user.groups] : [],
      };
    case 'goauthentik.io/providers/oauth2/scope-entitlements':
      return { entitlements: [], roles: [] };
    default:
      return {};
  }
}

/** Claims of the managed default mapping of a scope (null user = anonymous). */
export function scopeClaims(scope: string, user: ResolvedUser | null, features: ProfileFeatures): Record<string, unknown> {
  const managed = Object.keys(MANAGED_SCOPE_MAPPINGS).find((m) => MANAGED_SCOPE_MAPPINGS[m] === scope);
  return managed ? managedMappingClaims(managed, user, features) : {};
}

/** What one attached mapping returns for a user. */
export function mappingClaims(mapping: ResolvedScopeMapping, user: ResolvedUser, features: ProfileFeatures, installId: string): Record<string, unknown> {
  if (mapping.expression) return evaluateMappingExpression(mapping.expression, user, installId);
  return managedMappingClaims(mapping.managed ?? '', user, features);
}

/** Keys a mapping returns for the anonymous user (discovery claims_supported). */
export function mappingClaimKeys(mapping: ResolvedScopeMapping, features: ProfileFeatures): string[] {
  if (mapping.expression) return mapping.expression.entries.map(([k]) => k);
  return Object.keys(managedMappingClaims(mapping.managed ?? '', null, features));
}

/**
 * deepmerge's always_merger (toumorokoshi/deepmerge): dicts merge recursively, lists are appended, anything else
 * is overridden by the newer value. Own properties only, so a "__proto__" claim stays a plain key.
 */
export function alwaysMerge(base: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const isDict = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  for (const [k, v] of Object.entries(next)) {
    const cur = Object.hasOwn(base, k) ? base[k] : undefined;
    let merged: unknown = v;
    if (Array.isArray(cur) && Array.isArray(v)) merged = [...cur, ...v];
    else if (isDict(cur) && isDict(v)) merged = alwaysMerge(cur, v);
    Object.defineProperty(base, k, { value: merged, writable: true, enumerable: true, configurable: true });
  }
  return base;
}

/**
 * The scope claims of a token (views/userinfo.py UserInfoView.get_claims): every mapping attached to the provider
 * whose scope_name is among the token's scopes, in `order_by("scope_name")` order, each result merged into one dict
 * with deepmerge's always_merger. Mappings with the same scope_name have no defined order in authentik (the query
 * orders by scope_name only); here they keep the provider's property_mappings order.
 * Used for userinfo and, with include_claims_in_id_token, the id_token (id_token.py IDToken.new / to_dict).
 */
export function claimsForScopes(
  provider: ResolvedProvider,
  scopes: readonly string[],
  user: ResolvedUser,
  features: ProfileFeatures,
  installId: string,
): Record<string, unknown> {
  const granted = new Set(scopes);
  const ordered = provider.scope_mappings
    .filter((m) => granted.has(m.scope_name))
    .sort((a, b) => (a.scope_name < b.scope_name ? -1 : a.scope_name > b.scope_name ? 1 : 0)); // stable: ties keep attachment order
  const claims: Record<string, unknown> = {};
  for (const m of ordered) alwaysMerge(claims, mappingClaims(m, user, features, installId));
  return claims;
}

/**
 * Consent permissions (views/userinfo.py get_scope_descriptions): {id: scope_name, name: description} of each
 * attached mapping whose scope is requested, ordered by scope_name; a mapping without a description is listed with
 * an empty name (openid: observed on authentik 2025.12.4, authentik.md §13).
 */
export function scopePermissions(provider: ResolvedProvider, scopes: readonly string[]): Array<{ id: string; name: string }> {
  const granted = new Set(scopes);
  return provider.scope_mappings
    .filter((m) => granted.has(m.scope_name))
    .sort((a, b) => (a.scope_name < b.scope_name ? -1 : a.scope_name > b.scope_name ? 1 : 0))
    .map((m) => ({ id: m.scope_name, name: m.description }));
}

/**
 * Scope handling at authorize: split on whitespace only, intersect with the mapped scopes (authentik.md §5). authentik
 * keeps the result in a Python set and stores `" ".join(set)` on the code, so the granted scopes (the token
 * response's `scope`, the access token's claim) come in the set's iteration order, which depends on the process's
 * hash seed (authentik.md §13: three orders in six fresh interpreters). pythonSetOrder stands in for it.
 */
export function grantScopes(provider: ResolvedProvider, rawScope: string | null, responseType: string): string[] {
  const mapped = new Set(provider.scopes);
  let granted = rawScope === null ? [...mapped] : [...new Set(rawScope.split(/\s+/).filter(Boolean))].filter((s) => mapped.has(s));
  if (!responseType.split(' ').includes('code')) granted = granted.filter((s) => s !== 'offline_access');
  return pythonSetOrder(granted);
}

/** A random seed per process start, as PYTHONHASHSEED is random for each authentik worker process. */
const HASH_SEED = randomBytes(16);

/**
 * The iteration order of a Python set of these strings: arbitrary, fixed for the life of the process, different
 * after a restart (string hashes are salted per process). Nothing downstream may depend on it.
 */
export function pythonSetOrder(items: readonly string[]): string[] {
  const h = (s: string) => createHmac('sha256', HASH_SEED).update(s).digest().readUInt32BE(0);
  return [...items].sort((a, b) => h(a) - h(b) || (a < b ? -1 : 1));
}

/** Descriptions of the managed defaults by scope (kept for callers; consent uses scopePermissions). */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  email: 'Email address',
  profile: 'General Profile Information',
  offline_access: 'Access to request new tokens without interaction',
  entitlements: 'Application entitlements',
  'goauthentik.io/api': 'authentik API Access on behalf of your user',
};

export function issuerFor(base: string, blueprint: ResolvedBlueprint): string {
  return blueprint.provider.issuer_mode === 'global' ? `${base}/` : `${base}/application/o/${blueprint.application.slug}/`;
}

// ---------- custom scope mapping expressions (parsed at load in blueprints/expression.ts) ----------

function evaluateValue(v: MappingValue, user: ResolvedUser, installId: string): unknown {
  switch (v.kind) {
    case 'literal':
      return v.value;
    case 'list':
      return [...v.items];
    case 'user':
      switch (v.field) {
        case 'pk':
          return user.pk;
        case 'uid':
          return userUid(user, installId);
        case 'uuid':
          // a UUID object, serialized as its string form by authentik's JSON encoder
          return user.uuid;
        default:
          return user[v.field];
      }
    case 'attribute':
      // Python dict.get: the stored value when the key exists (even None), else the default.
      return Object.hasOwn(user.attributes, v.key) ? structuredClone(user.attributes[v.key]) : v.fallback;
    case 'groups':
      return [...user.groups];
  }
}

/** The dict a custom mapping returns for a user. */
export function evaluateMappingExpression(expr: MappingExpression, user: ResolvedUser, installId: string): Record<string, unknown> {
  return Object.fromEntries(expr.entries.map(([k, v]) => [k, evaluateValue(v, user, installId)]));
}
