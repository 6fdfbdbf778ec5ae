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
}

/** A typed piece of build state owned by one family. */
export interface Slot<T> {
  readonly name: string;
  readonly init: () => T;
}

export function defineSlot<T>(name: string, init: () => T): Slot<T> {
  return { name, init };
}

/** What the loader knows while it applies one file. */
export class BlueprintBuild {
  /** Every entry `id` in the file, with its model and position (for !KeyOf and forward-reference errors). */
  readonly entryIds = new Map<string, { model: string; index: number }>();
  /** Models the file contains that an osTicket login never touches, with their entry count (listed once at start). */
  readonly ignored = new Map<string, number>();
  private readonly slots = new Map<Slot<unknown>, unknown>();

  constructor(readonly base: Omit<Ctx, 'entryLabel'>) {}

  get<T>(slot: Slot<T>): T {
    if (!this.slots.has(slot as Slot<unknown>)) this.slots.set(slot as Slot<unknown>, slot.init());
    return this.slots.get(slot as Slot<unknown>) as T;
  }
}

export interface ModelFamily {
  /** Blueprint model names (`app_label.model_name`) this family handles. */
  readonly models: readonly string[];
  /** First pass, every entry of these models in file order, before any entry is applied. Tags are not resolved. */
  declare?(entry: RawEntry, index: number, ctx: Ctx, build: BlueprintBuild): void;
  /** Second pass: applies one entry (state present, created or must_created), in file order. */
  apply(input: EntryInput, build: BlueprintBuild): void;
}
