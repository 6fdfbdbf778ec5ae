/**
 * Reads an authentik blueprint (authentik.md §10: `version: 1`, `metadata`, `entries`, custom YAML tags) and resolves
 * it into the typed model the reference provider and the harness use. Real authentik reads the same file
 * (authentik/blueprints/v1/importer.py applies entries top to bottom; authentik/blueprints/v1/common.py has the tags).
 *
 * Each model is handled by its family (registry.ts); this module parses the YAML, walks the entries in authentik's
 * order and assembles the result. Errors are one sentence naming the file, the entry and the problem.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { BlueprintBuild, type EntryInput } from './build.ts';
import { DEFAULT_GROUPS } from './defaults.ts';
import { exportedStockObjects, isExportFile, withOmittedFields } from './export.ts';
import { BRAND } from './models/brands.ts';
import { linkApplications } from './applications.ts';
import { GROUPS, markSuperusers, USERS } from './models/core.ts';
import { KEYPAIRS, resolveKeyPairRef } from './models/crypto.ts';
import { FLOWS } from './models/flows.ts';
import { KEY_REFS } from './models/oauth2-provider.ts';
import { checkUnevaluatedPolicies } from './models/policies.ts';
import { familyFor } from './registry.ts';
import { evalTags, SUPPORTED_TAGS, TAGS } from './tags.ts';
import type { LoadBlueprintOptions, ResolvedBlueprint } from './types.ts';
import { fail, obj, type Ctx, type RawEntry } from './values.ts';

const STATES = ['present', 'created', 'must_created', 'absent'];

/** Parses the YAML with authentik's tags; returns the top-level mapping. */
function parseYaml(text: string, file: string): Record<string, unknown> {
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
      fail(label, `unsupported tag ${tag} at line ${w.linePos?.[0]?.line ?? '?'} (supported: ${SUPPORTED_TAGS})`);
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
  return top;
}

function entryCtx(base: Omit<Ctx, 'entryLabel'>, entry: RawEntry, index: number): Ctx {
  const model = typeof entry.model === 'string' ? entry.model : '';
  const pk = obj(entry.identifiers).pk;
  const name = typeof entry.id === 'string' ? ` "${entry.id}"` : typeof pk === 'string' || typeof pk === 'number' ? ` pk ${String(pk)}` : '';
  return { ...base, entryLabel: `entry ${index + 1}${model ? ` (${model}${name})` : ''}` };
}

/** Applies one entry through its model family (state present, created, must_created or absent). */
function applyEntry(entry: RawEntry, index: number, build: BlueprintBuild): void {
  const model = typeof entry.model === 'string' ? entry.model : '';
  const ctx = entryCtx(build.base, entry, index);
  if (!model) fail(ctx, '`model` is required');
  const state = entry.state ?? 'present';
  if (!STATES.includes(String(state))) fail(ctx, `state "${String(state)}" is invalid`);
  const family = familyFor(model);
  const identifiers = obj(evalTags(entry.identifiers, ctx));
  const evaluated = obj(evalTags(entry.attrs, ctx));
  const attrs = build.exportMode ? withOmittedFields(model, evaluated) : evaluated;
  if (entry.identifiers === undefined) fail(ctx, '`identifiers` is required');
  if (!family) fail(ctx, `model ${model} does not exist in authentik ("App or Model does not exist")`);
  const id = typeof entry.id === 'string' ? entry.id : null;
  const input: EntryInput = { entry, index, model, ctx, id, identifiers, attrs, all: { ...attrs, ...identifiers }, state: state as EntryInput['state'] };
  if (state === 'absent') family.remove?.(input, build);
  else family.apply(input, build);
}

/**
 * Applies every entry through its model family: a declare pass, then the entries in file order. In export mode an
 * entry another one refers to by primary key is applied when the reference reaches it (build.ts byPkOf), once.
 */
function applyEntries(entries: unknown[], build: BlueprintBuild): void {
  const raw = entries.map((e) => obj(e) as RawEntry);
  raw.forEach((entry, index) => {
    if (entry.state === 'absent') return;
    const model = typeof entry.model === 'string' ? entry.model : '';
    if (typeof entry.id === 'string' && !build.entryIds.has(entry.id)) build.entryIds.set(entry.id, { model, index });
    familyFor(model)?.declare?.(entry, index, entryCtx(build.base, entry, index), build);
  });
  const done = new Set<number>();
  const underWay: number[] = [];
  const applyAt = (index: number) => {
    if (done.has(index)) return;
    if (underWay.includes(index)) {
      const cycle = [...underWay.slice(underWay.indexOf(index)), index].map((i) => i + 1).join(' -> ');
      fail(entryCtx(build.base, raw[index]!, index), `its references lead back to it (entries ${cycle}), so no order applies them`);
    }
    underWay.push(index);
    applyEntry(raw[index]!, index, build);
    underWay.pop();
    done.add(index);
  };
  if (build.exportMode) {
    const keyed = raw.flatMap((entry, index) => {
      const pk = obj(entry.identifiers).pk;
      return (typeof pk === 'string' || typeof pk === 'number') && typeof entry.model === 'string' ? [{ index, model: entry.model, pk: String(pk) }] : [];
    });
    build.indexByPk(keyed, applyAt);
  }
  raw.forEach((_, index) => applyAt(index));
}

/** The file's applications, providers, users and policies, linked as the reference provider serves them. */
function assemble(build: BlueprintBuild, name: string, wanted: string | undefined): ResolvedBlueprint {
  const docCtx = { ...build.base, entryLabel: 'document' };
  const keypairs = build.get(KEYPAIRS);
  for (const [p, refs] of build.get(KEY_REFS)) {
    p.signing_key = resolveKeyPairRef(refs.signing_key, 'signing_key', keypairs, refs.ctx, build.notes);
    p.encryption_key = resolveKeyPairRef(refs.encryption_key, 'encryption_key', keypairs, refs.ctx, build.notes);
  }
  markSuperusers(build);
  const ignored = Object.fromEntries([...build.ignored].sort(([a], [b]) => a.localeCompare(b)));
  const { applications, otherApplications, selected } = linkApplications(build, docCtx, wanted);
  const brand = build.get(BRAND);
  const loginFlows = [selected.provider.authentication_flow ?? brand.flow_authentication, selected.provider.authorization_flow].filter((f): f is string => f !== null);
  checkUnevaluatedPolicies(build, { application: selected.application, flows: loginFlows }, build.get(FLOWS));
  if (otherApplications.length) build.notes.push(`applications without an OAuth2 provider are not served: ${otherApplications.join(', ')}`);
  return {
    path: null, name, exported: build.exportMode, provider: selected.provider, application: selected.application, applications, otherApplications,
    users: build.get(USERS), groups: build.get(GROUPS), flows: build.get(FLOWS), brand: { ...brand }, ignored, keypairs, notes: build.notes,
  };
}

/**
 * The stock defaults (defaults.ts), applied before the user's file as authentik applies blueprints/default/ first.
 * For an export, after it and only the stock flows (and the default brand) it does not carry: the export is the
 * install's own copy of them.
 */
function applyDefaults(build: BlueprintBuild, skip: { flowSlugs: Set<string>; defaultBrand: boolean } | null): void {
  build.startFile({ file: '<authentik defaults>', env: {}, context: {} }, true);
  const groups = DEFAULT_GROUPS.filter((g) => !skip || (g.flow === null ? !skip.defaultBrand : !skip.flowSlugs.has(g.flow)));
  applyEntries(groups.flatMap((g) => g.entries) as unknown[], build);
}

export function parseBlueprint(text: string, file: string, options: LoadBlueprintOptions = {}): ResolvedBlueprint {
  const top = parseYaml(text, file);
  const metadata = obj(top.metadata);
  const base = { file, env: options.env ?? process.env, context: obj(top.context) };
  const build = new BlueprintBuild(base);
  const entries = top.entries as unknown[];
  if (isExportFile(metadata)) {
    build.exportMode = true;
    build.startFile(base, false);
    applyEntries(entries, build);
    build.exportMode = false;
    applyDefaults(build, exportedStockObjects(entries));
    build.startFile(base, false);
    build.exportMode = true;
  } else {
    applyDefaults(build, null);
    build.startFile(base, false);
    applyEntries(entries, build);
  }
  return assemble(build, typeof metadata.name === 'string' ? metadata.name : basename(file), options.app);
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
