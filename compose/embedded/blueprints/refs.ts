/**
 * References between entries, resolved as authentik's tags resolve them (authentik/blueprints/v1/common.py):
 * `!KeyOf id` is the instance an entry of the same file created earlier ("KeyOf: failed to find entry with `id` of
 * ... and a model instance" otherwise); `!Find [model, [field, value], ...]` is the first existing instance that
 * matches (None when there is none); a plain value is a primary key (what `ak export_blueprint` writes), which in
 * an export may name an entry further down (build.ts byPkOf applies it first).
 */
import { modelMatches, type BlueprintBuild, type StoredObject } from './build.ts';
import { FindRef, KeyOfRef } from './tags.ts';
import { describeQuery, fail, type Ctx } from './values.ts';

export interface RefSite {
  ctx: Ctx;
  /** Position of the entry being applied. */
  index: number;
  /** The attribute, for messages ("target", "stage", "property_mappings[0]"). */
  attr: string;
}

/** Resolves one reference to an instance of one of `models`; null when a !Find matches nothing (authentik: None). */
export function resolveRef(build: BlueprintBuild, ref: unknown, models: readonly string[], site: RefSite): StoredObject | null {
  const { ctx, attr } = site;
  const wanted = models.join(' or ');
  if (ref instanceof KeyOfRef) {
    const target = build.entryIds.get(ref.id);
    if (!target) fail(ctx, `${attr} is !KeyOf ${ref.id}, but no entry has the id "${ref.id}"`);
    if (target.index >= site.index) {
      fail(ctx, `${attr} is !KeyOf ${ref.id}, which entry ${target.index + 1} defines after this one; authentik applies entries top to bottom ("KeyOf: failed to find entry with \`id\` of \`${ref.id}\` and a model instance")`);
    }
    const obj = build.entryObjects.get(ref.id);
    if (!obj) fail(ctx, `${attr} is !KeyOf ${ref.id}, whose entry created no instance (KeyOf: failed to find entry with \`id\` of \`${ref.id}\` and a model instance)`);
    if (!models.some((m) => modelMatches(m, obj.model))) fail(ctx, `${attr} is !KeyOf ${ref.id}, which is a ${obj.model} entry, not a ${wanted}`);
    return obj;
  }
  if (ref instanceof FindRef) {
    if (!models.some((m) => modelMatches(m, ref.model) || modelMatches(ref.model, m))) fail(ctx, `${attr} refers to model ${ref.model}, expected ${wanted}`);
    return build.find(ref.model, ref.query)[0] ?? null;
  }
  if (typeof ref === 'string' || typeof ref === 'number') {
    // a primary key, as `ak export_blueprint` writes references (in export mode the entry is applied first if needed)
    const obj = build.byPkOf(String(ref), models);
    if (!obj) fail(ctx, `${attr} is the primary key ${String(ref)}, which no ${wanted}${build.exportMode ? ' entry of the export' : ''} has`);
    return obj;
  }
  fail(ctx, `${attr} must be !KeyOf <entry id>, !Find [${models[0]}, [field, value]] or a primary key`);
}

/** Like resolveRef, for a required field: a !Find that matches nothing is authentik's "This field may not be null.". */
export function requireRef(build: BlueprintBuild, ref: unknown, models: readonly string[], site: RefSite): StoredObject {
  const obj = resolveRef(build, ref, models, site);
  if (obj) return obj;
  const query = ref instanceof FindRef ? describeQuery(ref.query) : String(ref);
  fail(site.ctx, `${site.attr}: no ${(ref as FindRef).model} matches ${query}, so authentik's !Find gives None ("This field may not be null."); define it above this entry or fix the lookup`);
}
