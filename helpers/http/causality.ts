/**
 * What each request waited on, so a run can tell its wall time from its critical path (issue 12: "the longest
 * chain of requests that must be sequential, computed by the engine from its own request graph").
 *
 * A strand is one sequential piece of work (a check, a shared fact such as the login). Within a strand every
 * request waits on the answers the strand has received so far: `send()` records the strand's frontier as the
 * exchange's `after` and, once answered, makes that exchange the frontier. A strand that awaits a fact of another
 * strand joins that strand's end frontier (CheckContext.once). Logins kept one at a time on a live target are a
 * dependency too, recorded the same way (the later login awaits the earlier one).
 *
 * Node's AsyncLocalStorage carries the current strand through awaits, timers and library code (openid-client's
 * customFetch), so no call site passes it by hand.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Exchange } from './types.ts';

interface Strand {
  /** The exchanges this strand has waited on last (its frontier): later requests of the strand come after them. */
  frontier: Set<number>;
}

const current = new AsyncLocalStorage<Strand>();

/** The exchange ids a request sent now would come after (sorted; empty outside any strand). */
export function frontier(): number[] {
  const s = current.getStore();
  return s ? [...s.frontier].sort((a, b) => a - b) : [];
}

/** The strand has the answer to exchange `id` (or its failure): later requests of the strand come after it. */
export function answered(id: number): void {
  const s = current.getStore();
  if (s) s.frontier = new Set([id]);
}

/** The strand has also waited on these exchanges (the end of another strand it awaited). */
export function joinStrand(ids: Iterable<number>): void {
  const s = current.getStore();
  if (s) for (const id of ids) s.frontier.add(id);
}

/**
 * Runs `fn` as a new strand that starts after `start` (default: nothing) and returns its promise; `end()` is the
 * strand's frontier when it settled (what a strand awaiting it has waited on).
 */
export function runStrand<T>(fn: () => Promise<T>, start: Iterable<number> = []): { promise: Promise<T>; end: () => number[] } {
  const strand: Strand = { frontier: new Set(start) };
  const promise = current.run(strand, fn);
  return { promise, end: () => [...strand.frontier] };
}

/**
 * The critical path of a set of exchanges: the largest sum of durations along a chain where each exchange came
 * after the previous one (`after`). Exchanges never sent (refused by budget or deadline, ms 0) add nothing.
 */
export function criticalPath(exchanges: readonly Pick<Exchange, 'id' | 'ms' | 'after'>[]): { ms: number; chain: number[] } {
  const byId = new Map(exchanges.map((e) => [e.id, e]));
  const best = new Map<number, { ms: number; prev?: number }>();
  // Ids are reserved when a request starts, so everything an exchange came after has a smaller id.
  for (const e of [...exchanges].sort((a, b) => a.id - b.id)) {
    let prev: number | undefined;
    let base = 0;
    for (const p of e.after ?? []) {
      const b = byId.has(p) ? best.get(p) : undefined;
      if (b && b.ms > base) {
        base = b.ms;
        prev = p;
      }
    }
    best.set(e.id, { ms: base + e.ms, prev });
  }
  let endId: number | undefined;
  let ms = 0;
  for (const [id, b] of best) if (b.ms > ms || endId === undefined) [endId, ms] = [id, b.ms];
  const chain: number[] = [];
  for (let id = endId; id !== undefined; id = best.get(id)?.prev) chain.unshift(id);
  return { ms, chain };
}
