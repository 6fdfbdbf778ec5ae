/**
 * Reads an authentik blueprint (authentik.md §10: `version: 1`, `metadata`, `entries`, custom YAML tags) and resolves
 * it into the typed model the reference provider and the harness use. Real authentik reads the same file
 * (authentik/blueprints/v1/importer.py, authentik/blueprints/v1/common.py for the tags).
 *
 * Tags understood: !Find, !KeyOf, !Env NAME, !Env [NAME, default], !Context, !Format. Any other tag is an error
 * naming the tag and its line. Defaults follow authentik's models (authentik/providers/oauth2/models.py).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LineCounter, parseDocument, type CollectionTag, type ScalarTag, type YAMLSeq } from 'yaml';

export type SubMode = 'hashed_user_id' | 'user_id' | 'user_uuid' | 'user_username' | 'user_email' | 'user_upn';
export const SUB_MODES: readonly SubMode[] = ['hashed_user_id', 'user_id', 'user_uuid', 'user_username', 'user_email', 'user_upn'];
export type IssuerMode = 'per_provider' | 'global';
export type MatchingMode = 'strict' | 'regex';

export interface RedirectUri {
  matching_mode: MatchingMode;
  url: string;
  /** 2026.5+: 'authorization' (default) or 'logout'; only 'authorization' entries are used for login. */
  redirect_uri_type: 'authorization' | 'logout';
}

/** managed name -> scope name (authentik blueprints/system/providers-oauth2.yaml, authentik.md §5). */
export const MANAGED_SCOPE_MAPPINGS: Readonly<Record<string, string>> = {
  'goauthentik.io/providers/oauth2/scope-openid': 'openid',
  'goauthentik.io/providers/oauth2/scope-email': 'email',
  'goauthentik.io/providers/oauth2/scope-profile': 'profile',
  'goauthentik.io/providers/oauth2/scope-entitlements': 'entitlements',
  'goauthentik.io/providers/oauth2/scope-offline_access': 'offline_access',
  'goauthentik.io/providers/oauth2/scope-authentik_api': 'goauthentik.io/api',
};

export interface ResolvedProvider {
  /** The entry's `id` (for !KeyOf). */
  id: string | null;
  name: string;
  client_id: string;
  client_secret: string;
  client_type: 'confidential' | 'public';
  /** Mutable: an empty list gets the first redirect URI seen at authorize (authentik.md §3). */
  redirect_uris: RedirectUri[];
  sub_mode: SubMode;
  issuer_mode: IssuerMode;
  /** Name of the certificate-key pair from !Find, or null when `signing_key` is omitted (HS256). */
  signing_key: string | null;
  encryption_key: string | null;
  /** The `managed` names of the attached scope mappings, in blueprint order. */
  property_mappings: string[];
  /** Scope names of those mappings (authentik.md §5 table). */
  scopes: string[];
  /** null when the attribute is absent (model default), [] when set empty (authentik.md §6, 2026.5+). */
  grant_types: string[] | null;
  include_claims_in_id_token: boolean;
  access_code_validity_s: number;
  access_token_validity_s: number;
  refresh_token_validity_s: number;
  authorization_flow: string;
  invalidation_flow: string | null;
  authentication_flow: string | null;
}

export interface ResolvedPolicy {
  id: string | null;
  name: string;
  model: string;
  /** For expression policies: the Python source. */
  expression: string | null;
}

export interface ResolvedPolicyBinding {
  policy: ResolvedPolicy | null;
  user: string | null;
  group: string | null;
  order: number;
  enabled: boolean;
  negate: boolean;
}

export interface ResolvedApplication {
  id: string | null;
  slug: string;
  name: string;
  /** 'any' (authentik default) or 'all'. */
  policy_engine_mode: 'any' | 'all';
  bindings: ResolvedPolicyBinding[];
}

export interface ResolvedUser {
  id: string | null;
  /** Primary key assigned in blueprint order starting at 2 (1 is akadmin in a fresh authentik). */
  pk: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  /** Absent password: the user cannot log in with a password. */
  password: string | null;
  is_active: boolean;
  attributes: Record<string, unknown>;
  groups: string[];
}

export interface ResolvedBlueprint {
  path: string | null;
  name: string;
  provider: ResolvedProvider;
  application: ResolvedApplication;
  users: ResolvedUser[];
  groups: string[];
  /** Flow slugs referenced by !Find [authentik_flows.flow, [slug, ...]]. */
  flows: string[];
}

export interface LoadBlueprintOptions {
  /** Values for !Env; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

// ---------- tag markers ----------

class FindRef {
  constructor(readonly model: string, readonly query: Array<[string, unknown]>) {}
}
class KeyOfRef {
  constructor(readonly id: string) {}
}
class EnvRef {
  constructor(readonly name: string, readonly fallback: unknown) {}
}
class ContextRef {
  constructor(readonly key: string, readonly fallback: unknown) {}
}
class FormatRef {
  constructor(readonly format: string, readonly args: unknown[]) {}
}

function seqItems(seq: YAMLSeq): unknown[] {
  return seq.items.map((item) => (item && typeof item === 'object' && 'toJSON' in item ? (item as { toJSON(): unknown }).toJSON() : item));
}

function asPair(value: unknown): [string, unknown] {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string') return [value[0], value[1]];
  throw new Error('!Find expects [model, [field, value], ...]');
}

const TAGS: Array<ScalarTag | CollectionTag> = [
  {
    tag: '!Find',
    collection: 'seq',
    resolve(seq: YAMLSeq) {
      const [model, ...pairs] = seqItems(seq);
      if (typeof model !== 'string') throw new Error('!Find expects the model name first');
      return new FindRef(model, pairs.map(asPair));
    },
  } as CollectionTag,
  { tag: '!KeyOf', resolve: (value: string) => new KeyOfRef(value) } as ScalarTag,
  { tag: '!Env', resolve: (value: string) => new EnvRef(value, null) } as ScalarTag,
  {
    tag: '!Env',
    collection: 'seq',
    resolve(seq: YAMLSeq) {
      const [name, fallback] = seqItems(seq);
      return new EnvRef(String(name), fallback ?? null);
    },
  } as CollectionTag,
  { tag: '!Context', resolve: (value: string) => new ContextRef(value, null) } as ScalarTag,
  {
    tag: '!Context',
    collection: 'seq',
    resolve(seq: YAMLSeq) {
      const [key, fallback] = seqItems(seq);
      return new ContextRef(String(key), fallback ?? null);
    },
  } as CollectionTag,
  {
    tag: '!Format',
    collection: 'seq',
    resolve(seq: YAMLSeq) {
      const [format, ...args] = seqItems(seq);
      return new FormatRef(String(format), args);
    },
  } as CollectionTag,
];

// ---------- resolution ----------

interface RawEntry {
  model?: unknown;
  id?: unknown;
  identifiers?: unknown;
  attrs?: unknown;
  state?: unknown;
}

interface Ctx {
  file: string;
  env: Record<string, string | undefined>;
  context: Record<string, unknown>;
  entryLabel: string;
}

function fail(ctx: Pick<Ctx, 'file' | 'entryLabel'>, problem: string): never {
  throw new Error(`Blueprint ${ctx.file}, ${ctx.entryLabel}: ${problem}.`);
}

/** Resolves !Env/!Context/!Format to plain values; leaves !Find/!KeyOf references for the entry resolvers. */
function evalTags(value: unknown, ctx: Ctx): unknown {
  if (value instanceof EnvRef) {
    const fromEnv = ctx.env[value.name];
    return fromEnv !== undefined ? fromEnv : value.fallback;
  }
  if (value instanceof ContextRef) {
    return value.key in ctx.context ? ctx.context[value.key] : value.fallback;
  }
  if (value instanceof FormatRef) {
    const args = value.args.map((a) => evalTags(a, ctx));
    let i = 0;
    // Python %-format with %s/%d only (authentik's !Format uses `format % args`).
    return value.format.replace(/%[sd%]/g, (m) => (m === '%%' ? '%' : String(args[i++])));
  }
  if (value instanceof FindRef) {
    return new FindRef(value.model, value.query.map(([k, v]) => [k, evalTags(v, ctx)]));
  }
  if (Array.isArray(value)) return value.map((v) => evalTags(v, ctx));
  if (value && typeof value === 'object' && !(value instanceof KeyOfRef)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evalTags(v, ctx)]));
  }
  return value;
}

function findValue(ref: unknown, model: string, field: string, ctx: Ctx, attr: string): string {
  if (!(ref instanceof FindRef)) fail(ctx, `${attr} must be !Find [${model}, [${field}, ...]]`);
  if (ref.model !== model) fail(ctx, `${attr} refers to model ${ref.model}, expected ${model}`);
  const hit = ref.query.find(([k]) => k === field);
  if (!hit || typeof hit[1] !== 'string') fail(ctx, `${attr} must look up ${model} by ${field}`);
  return hit[1];
}

/** authentik durations are "hours=1;minutes=2" strings (authentik/lib/utils/time.py, timedelta_string_validator). */
export function parseDuration(value: unknown, fallbackS: number, ctx: Ctx, attr: string): number {
  if (value === undefined || value === null) return fallbackS;
  if (typeof value !== 'string') fail(ctx, `${attr} must be a duration string like "minutes=1"`);
  const units: Record<string, number> = { weeks: 604800, days: 86400, hours: 3600, minutes: 60, seconds: 1, microseconds: 1e-6, milliseconds: 1e-3 };
  let total = 0;
  for (const part of value.split(';').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\w+)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m || !(m[1]! in units)) fail(ctx, `${attr} has an invalid duration "${value}"`);
    total += Number(m[2]) * units[m[1]!]!;
  }
  return total;
}

function str(value: unknown, ctx: Ctx, attr: string, fallback?: string): string {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    fail(ctx, `${attr} is required`);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  fail(ctx, `${attr} must be a string`);
}

function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return !['false', '0', 'no', ''].includes(value.toLowerCase());
  return Boolean(value);
}

function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function resolveProvider(entry: RawEntry, attrs: Record<string, unknown>, ids: Record<string, unknown>, ctx: Ctx, flows: Set<string>): ResolvedProvider {
  const all = { ...attrs, ...ids };
  const flowSlug = (key: string, required: boolean): string | null => {
    const v = all[key];
    if (v === undefined || v === null) {
      if (required) fail(ctx, `${key} is required`);
      return null;
    }
    const slug = findValue(v, 'authentik_flows.flow', 'slug', ctx, key);
    flows.add(slug);
    return slug;
  };
  const keypair = (key: string): string | null => {
    const v = all[key];
    if (v === undefined || v === null) return null;
    return findValue(v, 'authentik_crypto.certificatekeypair', 'name', ctx, key);
  };

  const rawRedirects = all.redirect_uris ?? [];
  if (!Array.isArray(rawRedirects)) fail(ctx, 'redirect_uris must be a list of {matching_mode, url}');
  const redirect_uris = rawRedirects.map((r, i): RedirectUri => {
    const o = obj(r);
    const mode = o.matching_mode ?? 'strict';
    if (mode !== 'strict' && mode !== 'regex') fail(ctx, `redirect_uris[${i}].matching_mode must be strict or regex`);
    const type = o.redirect_uri_type ?? 'authorization';
    if (type !== 'authorization' && type !== 'logout') fail(ctx, `redirect_uris[${i}].redirect_uri_type must be authorization or logout`);
    return { matching_mode: mode, url: str(o.url, ctx, `redirect_uris[${i}].url`), redirect_uri_type: type };
  });

  const rawMappings = all.property_mappings ?? [];
  if (!Array.isArray(rawMappings)) fail(ctx, 'property_mappings must be a list');
  const property_mappings = rawMappings.map((m, i) => {
    const managed = findValue(m, 'authentik_providers_oauth2.scopemapping', 'managed', ctx, `property_mappings[${i}]`);
    if (!(managed in MANAGED_SCOPE_MAPPINGS)) fail(ctx, `property_mappings[${i}] refers to unknown managed scope mapping "${managed}"`);
    return managed;
  });

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
    signing_key: keypair('signing_key'),
    encryption_key: keypair('encryption_key'),
    property_mappings,
    scopes: [...new Set(property_mappings.map((m) => MANAGED_SCOPE_MAPPINGS[m]!))],
    grant_types,
    include_claims_in_id_token: bool(all.include_claims_in_id_token, true),
    access_code_validity_s: parseDuration(all.access_code_validity, 60, ctx, 'access_code_validity'),
    access_token_validity_s: parseDuration(all.access_token_validity, 3600, ctx, 'access_token_validity'),
    refresh_token_validity_s: parseDuration(all.refresh_token_validity, 30 * 86400, ctx, 'refresh_token_validity'),
    authorization_flow: flowSlug('authorization_flow', true)!,
    invalidation_flow: flowSlug('invalidation_flow', false),
    authentication_flow: flowSlug('authentication_flow', false),
  };
}

function uuidFrom(seed: string): string {
  // Stable per blueprint user, formatted like a UUIDv4 (authentik's user.uuid is random; stable is friendlier for tests).
  let h = 0x811c9dc5;
  const bytes: number[] = [];
  for (let round = 0; round < 16; round++) {
    for (const ch of `${seed}:${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    bytes.push(h & 0xff);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const IGNORED_MODELS = new Set([
  'authentik_blueprints.metaapplyblueprint',
  'authentik_crypto.certificatekeypair',
  'authentik_flows.flow',
  'authentik_providers_oauth2.scopemapping',
  'authentik_core.token',
]);

export function parseBlueprint(text: string, file: string, options: LoadBlueprintOptions = {}): ResolvedBlueprint {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { customTags: TAGS, lineCounter, prettyErrors: true });
  const label = { file, entryLabel: 'document' };
  for (const err of doc.errors) {
    const line = err.linePos?.[0]?.line;
    fail(label, `YAML syntax error${line ? ` at line ${line}` : ''}: ${err.message.split('\n')[0]}`);
  }
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED') {
      const tag = /Unresolved tag: (\S+)/.exec(w.message)?.[1] ?? 'unknown';
      fail(label, `unsupported tag ${tag} at line ${w.linePos?.[0]?.line ?? '?'} (supported: !Find, !KeyOf, !Env, !Context, !Format)`);
    }
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    fail(label, (e as Error).message);
  }
  const top = obj(root);
  if (top.version !== 1) fail(label, '`version: 1` is required');
  if (!Array.isArray(top.entries)) fail(label, '`entries` must be a list');
  const metadata = obj(top.metadata);
  const ctxBase = { file, env: options.env ?? process.env, context: obj(top.context) };

  const flows = new Set<string>();
  const providers: ResolvedProvider[] = [];
  const apps: Array<{ app: ResolvedApplication; providerRef: unknown; ctx: Ctx }> = [];
  const users: ResolvedUser[] = [];
  const groups: string[] = [];
  const policies = new Map<string, ResolvedPolicy>();
  const bindings: Array<{ target: unknown; binding: Omit<ResolvedPolicyBinding, 'policy'> & { policyRef: unknown }; ctx: Ctx }> = [];

  top.entries.forEach((rawEntry: unknown, index: number) => {
    const entry = obj(rawEntry) as RawEntry;
    const model = typeof entry.model === 'string' ? entry.model : '';
    const ctx: Ctx = { ...ctxBase, entryLabel: `entry ${index + 1}${model ? ` (${model}${typeof entry.id === 'string' ? ` "${entry.id}"` : ''})` : ''}` };
    if (!model) fail(ctx, '`model` is required');
    const state = entry.state ?? 'present';
    if (!['present', 'created', 'must_created', 'absent'].includes(String(state))) fail(ctx, `state "${String(state)}" is invalid`);
    if (state === 'absent') return;
    const ids = obj(evalTags(entry.identifiers, ctx));
    const attrs = obj(evalTags(entry.attrs, ctx));
    if (entry.identifiers === undefined) fail(ctx, '`identifiers` is required');
    const all = { ...attrs, ...ids };
    switch (model) {
      case 'authentik_providers_oauth2.oauth2provider':
        providers.push(resolveProvider(entry, attrs, ids, ctx, flows));
        break;
      case 'authentik_core.application': {
        const engine = all.policy_engine_mode ?? 'any';
        if (engine !== 'any' && engine !== 'all') fail(ctx, 'policy_engine_mode must be any or all');
        apps.push({
          app: { id: typeof entry.id === 'string' ? entry.id : null, slug: str(all.slug, ctx, 'slug'), name: str(all.name, ctx, 'name'), policy_engine_mode: engine, bindings: [] },
          providerRef: all.provider,
          ctx,
        });
        break;
      }
      case 'authentik_core.user': {
        const username = str(all.username, ctx, 'username');
        const userGroups = Array.isArray(all.groups) ? all.groups.map((g) => (g instanceof FindRef ? String(g.query[0]?.[1] ?? '') : String(g))) : [];
        users.push({
          id: typeof entry.id === 'string' ? entry.id : null,
          pk: users.length + 2,
          uuid: uuidFrom(username),
          username,
          name: str(all.name, ctx, 'name', ''),
          email: str(all.email, ctx, 'email', ''),
          password: all.password === undefined || all.password === null ? null : str(all.password, ctx, 'password'),
          is_active: bool(all.is_active, true),
          attributes: obj(all.attributes),
          groups: userGroups,
        });
        break;
      }
      case 'authentik_core.group':
        groups.push(str(all.name, ctx, 'name'));
        break;
      case 'authentik_policies_expression.expressionpolicy':
      case 'authentik_policies_dummy.dummypolicy': {
        const id = typeof entry.id === 'string' ? entry.id : `#${index}`;
        policies.set(id, {
          id: typeof entry.id === 'string' ? entry.id : null,
          name: str(all.name, ctx, 'name'),
          model,
          expression: model.endsWith('expressionpolicy') ? str(all.expression, ctx, 'expression') : null,
        });
        break;
      }
      case 'authentik_policies.policybinding':
        bindings.push({
          target: all.target,
          binding: {
            policyRef: all.policy ?? null,
            user: all.user === undefined || all.user === null ? null : String(all.user instanceof FindRef ? all.user.query[0]?.[1] : all.user),
            group: all.group === undefined || all.group === null ? null : String(all.group instanceof FindRef ? all.group.query[0]?.[1] : all.group),
            order: Number(all.order ?? 0),
            enabled: bool(all.enabled, true),
            negate: bool(all.negate, false),
          },
          ctx,
        });
        break;
      default:
        if (!IGNORED_MODELS.has(model)) fail(ctx, `model ${model} is not supported by the reference provider`);
    }
  });

  const docCtx = { ...ctxBase, entryLabel: 'document' };
  if (providers.length !== 1) fail(docCtx, `expected exactly one authentik_providers_oauth2.oauth2provider entry, found ${providers.length}`);
  if (apps.length !== 1) fail(docCtx, `expected exactly one authentik_core.application entry, found ${apps.length}`);
  const provider = providers[0]!;
  const { app, providerRef, ctx: appCtx } = apps[0]!;
  if (!(providerRef instanceof KeyOfRef) || providerRef.id !== provider.id) {
    fail(appCtx, `provider must be !KeyOf ${provider.id ?? '<the provider entry id>'}`);
  }
  if (['authorize', 'token', 'device', 'userinfo', 'introspect', 'revoke'].includes(app.slug)) {
    fail(appCtx, `slug "${app.slug}" is reserved (authentik/core/models.py Application.reserved_slugs)`);
  }
  for (const { target, binding, ctx } of bindings) {
    if (!(target instanceof KeyOfRef) || target.id !== app.id) fail(ctx, `target must be !KeyOf ${app.id ?? '<the application entry id>'}`);
    let policy: ResolvedPolicy | null = null;
    if (binding.policyRef !== null) {
      if (!(binding.policyRef instanceof KeyOfRef) || !policies.has(binding.policyRef.id)) fail(ctx, 'policy must be !KeyOf <a policy entry id>');
      policy = policies.get(binding.policyRef.id)!;
    }
    const { policyRef: _unused, ...rest } = binding;
    app.bindings.push({ ...rest, policy });
  }
  app.bindings.sort((a, b) => a.order - b.order);

  return {
    path: null,
    name: typeof metadata.name === 'string' ? metadata.name : basename(file),
    provider,
    application: app,
    users,
    groups,
    flows: [...flows],
  };
}

/** Loads and resolves a blueprint file. Throws an Error with one sentence (file, entry, problem) on bad input. */
export function loadBlueprint(path: string, options: LoadBlueprintOptions = {}): ResolvedBlueprint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`Blueprint ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  return { ...parseBlueprint(text, path, options), path };
}
