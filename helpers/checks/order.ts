/**
 * The transcript order of a run is the order a sequential run would have sent its requests in, whatever ran at the
 * same time (issue 12: deterministic transcripts). It is rebuilt from what each strand did (causality.ts): checks
 * in their order, each with its own requests and, where it asked for a fact no earlier check had asked for, that
 * fact's requests (and those of the facts it asked for first), exactly where a sequential run fetched them.
 * Exchange ids are then renumbered in that order, and each check's own evidence is what it or its first-asked
 * facts sent.
 */
import type { Strand } from '../http/causality.ts';

export interface SequentialOrder {
  /** Old exchange id -> its id in the sequential order (ids not seen keep their place after the others). */
  renumber: (id: number) => number;
  /** Per check (same index as given): the exchanges a sequential run would have attributed to it, new ids. */
  own: number[][];
}

export function sequentialOrder(checks: ReadonlyArray<Strand | undefined>, facts: ReadonlyMap<string, Strand>, allIds: readonly number[]): SequentialOrder {
  const asked = new Set<string>();
  const placed = new Set<number>();
  const order: number[] = [];
  const visit = (strand: Strand, into: number[]) => {
    for (const e of strand.events) {
      if (typeof e === 'number') {
        if (!placed.has(e)) {
          placed.add(e);
          into.push(e);
        }
      } else if (!asked.has(e)) {
        asked.add(e);
        const fact = facts.get(e);
        if (fact) visit(fact, into);
      }
    }
  };
  const slots = checks.map((strand) => {
    const slot: number[] = [];
    if (strand) visit(strand, slot);
    order.push(...slot);
    return slot;
  });
  // Requests no check led to (none in a run today): after the others, in the order they were sent.
  for (const id of [...allIds].sort((a, b) => a - b)) if (!placed.has(id)) order.push(id);
  const next = new Map(order.map((id, i) => [id, i + 1]));
  const renumber = (id: number) => next.get(id) ?? id;
  return { renumber, own: slots.map((slot) => slot.map(renumber)) };
}
