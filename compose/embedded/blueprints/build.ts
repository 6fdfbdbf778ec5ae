/**
 * What a model family is and what it sees while a blueprint is applied (registry.ts lists the families).
 *
 * A family sees each of its entries twice at most: `declare` in a first pass over the whole file (for what a later
 * entry may refer to), then `apply` in file order (authentik applies entries top to bottom in one transaction,
 * authentik/blueprints/v1/importer.py). What a family resolves it keeps in its own slot of the build (defineSlot),
 * which the loader assembles at the end.
 */
import type { Ctx, RawEntry } from './values.ts';

/** One entry as a family sees it: tags resolved except the references (!Find, !KeyOf). */
export interface EntryInput {
  entry: RawEntry;
  /** Position in the file (0-based). */
  index: number;
  model: string;
  ctx: Ctx;
  /** Entry `id` (for !KeyOf), or null. */
  id: string | null;
  identifiers: Record<string, unknown>;
  attrs: Record<string, unknown>;
  /** attrs with identifiers merged over them (importer.py merges identifiers into the serializer data). */
  all: Record<string, unknown>;
  state: 'present' | 'created' | 'must_created' | 'absent';
}

/** A typed piece of build state owned by one family. */
export interface Slot<T> {
  readonly name: string;
  readonly init: () => T;
}

export function defineSlot<T>(name: string, init: () => T): Slot<T> {
  return { name, init };
}

/** One model instance as authentik's database would hold it, for !Find, !KeyOf and updates by identifiers. */
export interface StoredObject<T = unknown> {
  model: string;
  /** Primary key (a UUID for flows, stages and bindings; the number as a string for users). */
  pk: string;
  /** The fields a !Find or an identifier may query (plain values; references as the referenced pk). */
  fields: Record<string, unknown>;
  value: T;
}

/** Base models a !Find may name for any of their subclasses (Stage, Policy). */
const BASE_MODELS: Readonly<Record<string, (model: string) => boolean>> = {
  'authentik_flows.stage': (m) => m.startsWith('authentik_stages_') && m.endsWith('stage'),
  'authentik_policies.policy': (m) => m.startsWith('authentik_policies_') && m.endsWith('policy'),
};

export function modelMatches(query: string, model: string): boolean {
  return query === model || (BASE_MODELS[query]?.(model) ?? false);
}

/** What the loader knows while it applies the stock blueprints and then the user's file. */
export class BlueprintBuild {
  /** Every entry `id` in the current file, with its model and position (for !KeyOf and forward-reference errors). */
  readonly entryIds = new Map<string, { model: string; index: number }>();
  /** The object each applied entry of the current file created or updated, by entry id (!KeyOf). */
  readonly entryObjects = new Map<string, StoredObject>();
  /** Models the user's file contains that an osTicket login never touches, with their entry count. */
  readonly ignored = new Map<string, number>();
  /** True while the stock default blueprints are applied. */
  builtIn = false;
  /** The file is an `ak export_blueprint` (export.ts): a database snapshot whose references resolve in any order. */
  exportMode = false;
  base: Omit<Ctx, 'entryLabel'>;
  private readonly objects: StoredObject[] = [];
  /** Sentences for the start-up output: what the file asks for that the reference serves differently or not at all. */
  readonly notes: string[] = [];
  private readonly slots = new Map<Slot<unknown>, unknown>();
  /** Export mode: the file's entries identified by a primary key, and how to apply one of them (the loader). */
  private readonly pending = new Map<string, Array<{ index: number; model: string }>>();
  private applyAt: ((index: number) => void) | null = null;
  private exported = new Map<string, Array<{ index: number; model: string }>>();

  constructor(base: Omit<Ctx, 'entryLabel'>) {
    this.base = base;
  }

  /** Starts the next file: entry ids are per file (authentik resolves !KeyOf within one blueprint). */
  startFile(base: Omit<Ctx, 'entryLabel'>, builtIn: boolean): void {
    this.base = base;
    this.builtIn = builtIn;
    this.entryIds.clear();
    this.entryObjects.clear();
    this.pending.clear();
    this.applyAt = null;
  }

  /**
   * Export mode: knows every entry by its primary key, so that a reference to an entry further down applies that
   * entry first (`applyAt`, which applies each entry once): the export is the database it came from, where the
   * referenced object exists whatever the order of the file (export.ts).
   */
  indexByPk(entries: ReadonlyArray<{ index: number; model: string; pk: string }>, applyAt: (index: number) => void): void {
    for (const e of entries) this.pending.set(e.pk, [...(this.pending.get(e.pk) ?? []), { index: e.index, model: e.model }]);
    this.exported = new Map(this.pending);
    this.applyAt = applyAt;
  }

  /** The models of the export's entries with this primary key (kept after the file is applied, for linking). */
  exportedModels(pk: string): string[] {
    return (this.exported.get(pk) ?? []).map((e) => e.model);
  }

  get<T>(slot: Slot<T>): T {
    if (!this.slots.has(slot as Slot<unknown>)) this.slots.set(slot as Slot<unknown>, slot.init());
    return this.slots.get(slot as Slot<unknown>) as T;
  }

  /** Stores a new instance; `entryId` makes it the target of !KeyOf in the current file. */
  store<T>(model: string, pk: string, fields: Record<string, unknown>, value: T, entryId: string | null): StoredObject<T> {
    const obj: StoredObject<T> = { model, pk, fields, value };
    this.objects.push(obj as StoredObject);
    if (entryId) this.entryObjects.set(entryId, obj as StoredObject);
    return obj;
  }

  /** Marks an existing instance as the one an entry applied (an update by identifiers). */
  applied(obj: StoredObject, entryId: string | null, fields: Record<string, unknown>): void {
    Object.assign(obj.fields, fields);
    if (entryId) this.entryObjects.set(entryId, obj);
  }

  remove(obj: StoredObject): void {
    const i = this.objects.indexOf(obj);
    if (i >= 0) this.objects.splice(i, 1);
  }

  /** Instances of `model` (or of its subclasses for Stage/Policy) whose fields equal every query value, oldest first. */
  find(model: string, query: Array<[string, unknown]>): StoredObject[] {
    return this.objects.filter((o) => modelMatches(model, o.model) && query.every(([k, v]) => (k === 'pk' ? o.pk === String(v) : sameValue(o.fields[k], v))));
  }

  /**
   * The instance of one of `models` with this primary key; in export mode an entry of the file with that key that
   * is not applied yet is applied first (dependency order).
   */
  byPkOf(pk: string, models: readonly string[]): StoredObject | undefined {
    const stored = () => this.objects.find((o) => o.pk === pk && models.some((m) => modelMatches(m, o.model)));
    const hit = stored();
    if (hit || !this.applyAt) return hit;
    const entry = (this.pending.get(pk) ?? []).find((e) => models.some((m) => modelMatches(m, e.model)));
    if (!entry) return undefined;
    this.applyAt(entry.index);
    return stored();
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number') return String(a) === String(b);
  return false;
}

export interface ModelFamily {
  /** Blueprint model names (`app_label.model_name`) this family handles. */
  readonly models: readonly string[];
  /** First pass, every entry of these models in file order, before any entry is applied. Tags are not resolved. */
  declare?(entry: RawEntry, index: number, ctx: Ctx, build: BlueprintBuild): void;
  /** Second pass: applies one entry (state present, created or must_created), in file order. */
  apply(input: EntryInput, build: BlueprintBuild): void;
  /** state: absent (importer.py deletes the instance the identifiers find); ignored when missing. */
  remove?(input: EntryInput, build: BlueprintBuild): void;
}

/**
 * The instance an entry's identifiers find (importer.py __query_from_identifier: `pk`, or else every other
 * identifier together), among instances of `model`.
 */
export function existingInstance(build: BlueprintBuild, model: string, identifiers: Array<[string, unknown]>): StoredObject | undefined {
  const pk = identifiers.find(([k]) => k === 'pk');
  const rest = identifiers.filter(([k]) => k !== 'pk');
  return (pk ? build.find(model, [pk])[0] : undefined) ?? (rest.length ? build.find(model, rest)[0] : undefined);
}

/**
 * Applies an entry's desired state to the instance its identifiers find (importer.py _apply_models): `present`
 * updates it, `created` leaves it alone, `must_created` refuses; without one, `create` makes a new instance.
 * Returns the instance and whether the entry's attributes were applied to it.
 */
export function upsert<T>(
  build: BlueprintBuild,
  input: EntryInput,
  identifiers: Array<[string, unknown]>,
  create: () => { pk: string; value: T; fields: Record<string, unknown> },
  update: (value: T) => Record<string, unknown>,
): { obj: StoredObject<T>; updated: boolean } {
  const existing = existingInstance(build, input.model, identifiers) as StoredObject<T> | undefined;
  if (existing) {
    if (input.state === 'must_created') throw new Error(`Blueprint ${input.ctx.file}, ${input.ctx.entryLabel}: State is set to must_created and object exists already.`);
    if (input.state === 'created') {
      build.applied(existing as StoredObject, input.id, {});
      return { obj: existing, updated: false };
    }
    build.applied(existing as StoredObject, input.id, update(existing.value));
    return { obj: existing, updated: true };
  }
  const made = create();
  return { obj: build.store(input.model, made.pk, made.fields, made.value, input.id), updated: true };
}
