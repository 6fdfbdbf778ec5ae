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

export interface Strand {
  /** Unique within the process (0 is "no strand"). */
  readonly id: number;
  /** The exchanges this strand has waited on last (its frontier): later requests of the strand come after them. */
  frontier: Set<number>;
  /**
   * What the strand did, in its own program order: a number is an exchange it sent, a string a fact it asked for.
   * The engine rebuilds a sequential run's transcript order from these (checks/order.ts).
   */
  readonly events: Array<number | string>;
}

const current = new AsyncLocalStorage<Strand>();
let lastStrandId = 0;

/** The strand the calling code runs in, if any. */
export function currentStrand(): Strand | undefined {
  return current.getStore();
}

/** Records, in the current strand, that it sent exchange `id` / asked for fact `key`. */
export function noteEvent(event: number | string): void {
  current.getStore()?.events.push(event);
}

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
export function runStrand<T>(fn: () => Promise<T>, start: Iterable<number> = []): { promise: Promise<T>; end: () => number[]; strand: Strand } {
  const strand: Strand = { id: ++lastStrandId, frontier: new Set(start), events: [] };
  const promise = current.run(strand, fn);
  return { promise, end: () => [...strand.frontier], strand };
}

/**
 * The critical path of a set of exchanges: the largest sum of durations along a chain where each exchange came
 * after the previous one (`after`). Exchanges never sent (refused by budget or deadline, ms 0) add nothing. Ids need
 * not follow time (a transcript renumbered into sequential order points forward too); `after` never has a cycle,
 * since an exchange only waits on answers that came before it was sent.
 */
export function criticalPath(exchanges: readonly Pick<Exchange, 'id' | 'ms' | 'after'>[]): { ms: number; chain: number[] } {
  const byId = new Map(exchanges.map((e) => [e.id, e]));
  const best = new Map<number, { ms: number; prev?: number }>();
  const longest = (id: number): { ms: number; prev?: number } => {
    const known = best.get(id);
    if (known) return known;
    // Iterative depth-first: resolve every predecessor before the exchange itself.
    const stack = [id];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const pending = (byId.get(top)?.after ?? []).filter((p) => byId.has(p) && !best.has(p));
      if (pending.length) {
        stack.push(...pending);
        continue;
      }
      stack.pop();
      if (best.has(top)) continue;
      let base = 0;
      let prev: number | undefined;
      for (const p of byId.get(top)?.after ?? []) {
        const b = best.get(p);
        if (b && b.ms > base) [base, prev] = [b.ms, p];
      }
      best.set(top, { ms: base + (byId.get(top)?.ms ?? 0), prev });
    }
    return best.get(id)!;
  };
  let endId: number | undefined;
  let ms = 0;
  for (const e of exchanges) {
    const b = longest(e.id);
    if (endId === undefined || b.ms > ms) [endId, ms] = [e.id, b.ms];
  }
  const chain: number[] = [];
  for (let id = endId; id !== undefined; id = best.get(id)?.prev) chain.unshift(id);
  return { ms, chain };
}
