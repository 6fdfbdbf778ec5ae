/**
 * authentik_providers_oauth2.scopemapping: the managed defaults under authentik's names
 * (blueprints/system/providers-oauth2.yaml) and the blueprint's own mappings, whose expressions are parsed in the
 * supported subset (expression.ts). Mappings are declared in the first pass so that a provider's property_mappings
 * can name one that a later entry defines (and be told that authentik applies entries top to bottom).
 */
import { defineSlot, type BlueprintBuild, type ModelFamily } from '../build.ts';
import { ExpressionError, parseMappingExpression, SUPPORTED_EXPRESSION_SUBSET, type MappingExpression } from '../expression.ts';
import { evalTags, FindRef, KeyOfRef } from '../tags.ts';
import { MANAGED_SCOPE_MAPPING_DEFAULTS, MANAGED_SCOPE_MAPPINGS, type ResolvedScopeMapping } from '../types.ts';
import { describeQuery, fail, obj, str, type Ctx, type RawEntry } from '../values.ts';

export const SCOPE_MAPPING_MODEL = 'authentik_providers_oauth2.scopemapping';
const MAPPING_LOOKUP_FIELDS = ['managed', 'name', 'scope_name'] as const;

/** A scope mapping entry of the blueprint, parsed before the provider is resolved. */
interface MappingDef {
  mapping: ResolvedScopeMapping;
  index: number;
  ctx: Ctx;
  /** Set when the expression is outside the supported subset; reported only if the mapping is attached. */
  problem: ExpressionError | null;
  /** The primary key an export identifies it by. */
  pk?: string;
}

/** The blueprint's own scope mappings (what the provider's property_mappings can refer to, besides the defaults). */
const MAPPINGS = defineSlot('scope mappings', (): MappingDef[] => []);

const MANAGED_DEFAULTS: ResolvedScopeMapping[] = Object.entries(MANAGED_SCOPE_MAPPING_DEFAULTS).map(([managed, d]) => ({
  name: d.name, managed, scope_name: MANAGED_SCOPE_MAPPINGS[managed]!, description: d.description, expression: null, id: null,
}));

function parseScopeMappingEntry(entry: RawEntry, index: number, ctx: Ctx, existing: MappingDef[], exported: boolean): MappingDef {
  const ids = obj(evalTags(entry.identifiers, ctx));
  const attrs = obj(evalTags(entry.attrs, ctx));
  if (entry.identifiers === undefined) fail(ctx, '`identifiers` is required');
  const all = { ...attrs, ...ids };
  const managed = all.managed === undefined || all.managed === null ? null : str(all.managed, ctx, 'managed');
  const name = str(all.name, ctx, 'name');
  const clash = MANAGED_DEFAULTS.find((d) => d.managed === managed || d.name === name);
  // `ak export_blueprint` writes the managed defaults too, identified by their primary key (exporter.py, common.py
  // get_attrs) and without `managed`, which is read-only (ManagedSerializer in authentik/blueprints/api.py): the
  // mapping with a default's unique name is that default (the system blueprint keeps it as shipped), known by its pk.
  const isDefault = clash && (managed === clash.managed || (exported && managed === null && name === clash.name));
  if (clash && isDefault && ids.pk !== undefined && ids.pk !== null) {
    return { mapping: clash, index, ctx, problem: null, pk: String(ids.pk) };
  }
  if (clash) {
    fail(ctx, `it redefines authentik's managed default mapping "${clash.name}", which the reference provider keeps as authentik ships it (the system blueprint re-applies it): give your mapping its own name and attach that instead`);
  }
  const twin = existing.find((d) => d.mapping.name === name || (managed !== null && d.mapping.managed === managed));
  if (twin) fail(ctx, `scope mapping "${name}" is already defined by ${twin.ctx.entryLabel}`);
  const source = str(all.expression, ctx, 'expression');
  let expression: MappingExpression | null = null;
  let problem: ExpressionError | null = null;
  try {
    expression = parseMappingExpression(source);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    problem = e;
  }
  return {
    mapping: {
      name, managed, scope_name: str(all.scope_name, ctx, 'scope_name'), description: str(all.description, ctx, 'description', ''),
      expression, id: typeof entry.id === 'string' ? entry.id : null,
    },
    index, ctx, problem, ...(ids.pk !== undefined && ids.pk !== null ? { pk: String(ids.pk) } : {}),
  };
}

/**
 * Resolves one property_mappings item the way authentik's tags do (authentik/blueprints/v1/common.py): !KeyOf takes
 * an entry applied earlier in the same file (entries are applied top to bottom, "KeyOf: failed to find entry with
 * `id` ... and a model instance" otherwise); !Find queries the existing mappings (the managed defaults, and the
 * file's mappings applied before the provider) and takes the first hit, which is ambiguous when several match.
 */
export function resolveMappingRef(ref: unknown, attr: string, providerIndex: number, build: BlueprintBuild, ctx: Ctx): ResolvedScopeMapping {
  const custom = build.get(MAPPINGS);
  const usable = (d: MappingDef): ResolvedScopeMapping => {
    if (d.problem) {
      fail(d.ctx, `the expression of scope mapping "${d.mapping.name}" is not supported by the reference provider (${d.problem.problem} at line ${d.problem.line} of the expression); supported: ${SUPPORTED_EXPRESSION_SUBSET}`);
    }
    return d.mapping;
  };
  const later = (what: string, d: MappingDef): never =>
    fail(ctx, `${attr} refers to ${what}, which ${d.ctx.entryLabel} defines after the provider; authentik applies entries top to bottom, so move the scope mapping above the provider`);

  if (ref instanceof KeyOfRef) {
    const target = build.entryIds.get(ref.id);
    if (!target) fail(ctx, `${attr} is !KeyOf ${ref.id}, but no entry has the id "${ref.id}"`);
    if (target.model !== SCOPE_MAPPING_MODEL) fail(ctx, `${attr} is !KeyOf ${ref.id}, which is a ${target.model || 'model-less'} entry, not a ${SCOPE_MAPPING_MODEL}`);
    const def = custom.find((d) => d.index === target.index)!;
    if (def.index > providerIndex) later(`!KeyOf ${ref.id}`, def);
    return usable(def);
  }
  if (typeof ref === 'string' || typeof ref === 'number') {
    // a primary key, as `ak export_blueprint` writes references
    const def = custom.find((d) => d.pk === String(ref));
    if (!def) fail(ctx, `${attr} is the primary key ${String(ref)}, which no ${SCOPE_MAPPING_MODEL} entry has`);
    return usable(def);
  }
  if (!(ref instanceof FindRef)) {
    fail(ctx, `${attr} must be !KeyOf <scope mapping entry id> or !Find [${SCOPE_MAPPING_MODEL}, [managed|name|scope_name, ...]]`);
  }
  if (ref.model !== SCOPE_MAPPING_MODEL) fail(ctx, `${attr} refers to model ${ref.model}, expected ${SCOPE_MAPPING_MODEL}`);
  if (ref.query.length === 0) fail(ctx, `${attr} must look up ${SCOPE_MAPPING_MODEL} by managed, name or scope_name`);
  for (const [field, value] of ref.query) {
    if (!(MAPPING_LOOKUP_FIELDS as readonly string[]).includes(field)) {
      fail(ctx, `${attr} looks up ${SCOPE_MAPPING_MODEL} by ${field}; the reference provider supports managed, name and scope_name`);
    }
    if (typeof value !== 'string') fail(ctx, `${attr} must look up ${field} by a string value`);
  }
  const matches = (m: ResolvedScopeMapping) => ref.query.every(([f, v]) => m[f as (typeof MAPPING_LOOKUP_FIELDS)[number]] === v);
  const earlier = custom.filter((d) => d.index < providerIndex && matches(d.mapping));
  const hits: Array<ResolvedScopeMapping | MappingDef> = [...MANAGED_DEFAULTS.filter(matches), ...earlier];
  if (hits.length > 1) {
    const names = hits.map((h) => `"${'mapping' in h ? h.mapping.name : h.name}"`).join(', ');
    fail(ctx, `${attr} (!Find ${describeQuery(ref.query)}) matches ${hits.length} scope mappings (${names}) and authentik would take whichever comes first: look it up by name or use !KeyOf`);
  }
  if (hits.length === 0) {
    const afterwards = custom.find((d) => d.index > providerIndex && matches(d.mapping));
    if (afterwards) later(`!Find ${describeQuery(ref.query)}`, afterwards);
    const managed = ref.query.find(([f]) => f === 'managed');
    if (managed && ref.query.length === 1) fail(ctx, `${attr} refers to unknown managed scope mapping "${String(managed[1])}"`);
    fail(ctx, `${attr} refers to unknown scope mapping ${describeQuery(ref.query)} (known: the managed defaults and the scope mappings defined above the provider)`);
  }
  const hit = hits[0]!;
  return 'mapping' in hit ? usable(hit) : hit;
}


export const scopeMappingFamily: ModelFamily = {
  models: [SCOPE_MAPPING_MODEL],
  declare(entry, index, ctx, build) {
    const custom = build.get(MAPPINGS);
    custom.push(parseScopeMappingEntry(entry, index, ctx, custom, build.exportMode));
  },
  apply() {
    // parsed in the first pass
  },
};
