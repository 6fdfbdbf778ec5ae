/**
 * authentik_providers_oauth2.oauth2provider: the provider's attributes with authentik's defaults
 * (authentik/providers/oauth2/models.py OAuth2Provider; authentik.md §10 "Provider attributes").
 */
import { randomUUID } from 'node:crypto';
import { defineSlot, type BlueprintBuild, type ModelFamily } from '../build.ts';
import { compilePythonRegex, UnsupportedPattern } from '../../python-re.ts';
import { requireRef, resolveRef } from '../refs.ts';
import { SUB_MODES, type RedirectUri, type ResolvedFlow, type ResolvedProvider, type SubMode } from '../types.ts';
import { bool, fail, findValue, obj, parseDuration, str, type Ctx, type RawEntry } from '../values.ts';
import { FLOW_MODEL } from './flows.ts';
import { resolveMappingRef } from './scope-mappings.ts';

export const OAUTH2_PROVIDER_MODEL = 'authentik_providers_oauth2.oauth2provider';
/** The providers of the file, in file order. */
export const PROVIDERS = defineSlot('oauth2 providers', (): ResolvedProvider[] => []);
/**
 * The providers' key pair references as written (!Find by name, !KeyOf, or an export's primary key), resolved to
 * key pair names when the file is assembled (models/crypto.ts holds the pairs).
 */
export const KEY_REFS = defineSlot('oauth2 provider key references', () => new Map<ResolvedProvider, { signing_key: unknown; encryption_key: unknown; ctx: Ctx }>());

function resolveProvider(
  entry: RawEntry,
  attrs: Record<string, unknown>,
  ids: Record<string, unknown>,
  ctx: Ctx,
  index: number,
  build: BlueprintBuild,
): ResolvedProvider {
  const all = { ...attrs, ...ids };
  const flowSlug = (key: string, required: boolean): string | null => {
    const v = all[key];
    if (v === undefined || v === null) {
      if (required) fail(ctx, `${key} is required`);
      return null;
    }
    const site = { ctx, index, attr: key };
    const flow = required ? requireRef(build, v, [FLOW_MODEL], site) : resolveRef(build, v, [FLOW_MODEL], site);
    return flow ? (flow.value as ResolvedFlow).slug : null;
  };

  const rawRedirects = all.redirect_uris ?? [];
  if (!Array.isArray(rawRedirects)) fail(ctx, 'redirect_uris must be a list of {matching_mode, url}');
  const redirect_uris = rawRedirects.map((r, i): RedirectUri => {
    const o = obj(r);
    const mode = o.matching_mode ?? 'strict';
    if (mode !== 'strict' && mode !== 'regex') fail(ctx, `redirect_uris[${i}].matching_mode must be strict or regex`);
    const type = o.redirect_uri_type ?? 'authorization';
    if (type !== 'authorization' && type !== 'logout') fail(ctx, `redirect_uris[${i}].redirect_uri_type must be authorization or logout`);
    const url = str(o.url, ctx, `redirect_uris[${i}].url`);
    if (mode === 'regex') {
      // providers/oauth2/api/providers.py RedirectURISerializer.validate: re.compile, else "Invalid Regex Pattern: <url>"
      try {
        compilePythonRegex(url);
      } catch (e) {
        if (e instanceof UnsupportedPattern) fail(ctx, `redirect_uris[${i}]: the regex ${url} compiles in Python but the reference provider cannot match it (${e.message})`);
        fail(ctx, `redirect_uris[${i}]: Invalid Regex Pattern: ${url}`);
      }
    }
    return { matching_mode: mode, url, redirect_uri_type: type };
  });

  const rawMappings = all.property_mappings ?? [];
  if (!Array.isArray(rawMappings)) fail(ctx, 'property_mappings must be a list');
  // A many-to-many field: the same mapping attached twice counts once.
  const scope_mappings = [...new Set(rawMappings.map((m, i) => resolveMappingRef(m, `property_mappings[${i}]`, index, build, ctx)))];
  const property_mappings = scope_mappings.map((m) => m.managed ?? m.name);

  const subMode = all.sub_mode ?? 'hashed_user_id';
  if (!SUB_MODES.includes(subMode as SubMode)) fail(ctx, `sub_mode "${String(subMode)}" is not one of ${SUB_MODES.join(', ')}`);
  const issuerMode = all.issuer_mode ?? 'per_provider';
  if (issuerMode !== 'per_provider' && issuerMode !== 'global') fail(ctx, 'issuer_mode must be per_provider or global');
  const clientType = all.client_type ?? 'confidential';
  if (clientType !== 'confidential' && clientType !== 'public') fail(ctx, 'client_type must be confidential or public');
  let grant_types: string[] | null = null;
  if (all.grant_types !== undefined && all.grant_types !== null) {
    if (!Array.isArray(all.grant_types)) fail(ctx, 'grant_types must be a list');
    grant_types = all.grant_types.map((g) => str(g, ctx, 'grant_types[]'));
  }

  // client_id / client_secret: real authentik generates them when omitted; the reference needs them fixed.
  return {
    id: typeof entry.id === 'string' ? entry.id : null,
    name: str(all.name, ctx, 'name'),
    client_id: str(all.client_id, ctx, 'client_id (the reference provider needs a fixed client_id)'),
    client_secret: str(all.client_secret, ctx, 'client_secret', ''),
    client_type: clientType,
    redirect_uris,
    sub_mode: subMode as SubMode,
    issuer_mode: issuerMode,
    signing_key: null,
    encryption_key: null,
    property_mappings,
    scope_mappings,
    scopes: [...new Set(scope_mappings.map((m) => m.scope_name))],
    grant_types,
    include_claims_in_id_token: bool(all.include_claims_in_id_token, true),
    access_code_validity_s: parseDuration(all.access_code_validity, 60, ctx, 'access_code_validity'),
    access_token_validity_s: parseDuration(all.access_token_validity, 3600, ctx, 'access_token_validity'),
    refresh_token_validity_s: parseDuration(all.refresh_token_validity, 30 * 86400, ctx, 'refresh_token_validity'),
    refresh_token_threshold_s: parseDuration(all.refresh_token_threshold, 0, ctx, 'refresh_token_threshold'),
    authorization_flow: flowSlug('authorization_flow', true)!,
    // required since 2024.10 (providers' invalidation_flow, authentik.md §10): "This field is required."
    invalidation_flow: flowSlug('invalidation_flow', true),
    authentication_flow: flowSlug('authentication_flow', false),
  };
}


export const oauth2ProviderFamily: ModelFamily = {
  models: [OAUTH2_PROVIDER_MODEL],
  apply({ entry, index, ctx, identifiers, attrs }, build) {
    const provider = resolveProvider(entry, attrs, identifiers, ctx, index, build);
    build.get(PROVIDERS).push(provider);
    // stored for the application's `provider` (!KeyOf, !Find or an export's primary key, applications.ts)
    build.store(OAUTH2_PROVIDER_MODEL, identifiers.pk === undefined || identifiers.pk === null ? randomUUID() : String(identifiers.pk), { name: provider.name, client_id: provider.client_id }, provider, provider.id);
    const all = { ...attrs, ...identifiers };
    build.get(KEY_REFS).set(provider, { signing_key: all.signing_key ?? null, encryption_key: all.encryption_key ?? null, ctx });
  },
};
