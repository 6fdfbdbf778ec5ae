/**
 * Waiting on a busy machine (issue 9): tests wait for events, and the only limits are backstops against a hang,
 * scaled by the machine's load. Nothing here measures how fast something was.
 */
import { availableParallelism, loadavg } from 'node:os';

/** How much busier than idle the machine is now: 1 when idle, 5 at a load of 10 on 2 cores. */
export function loadFactor(): number {
  return Math.max(1, (loadavg()[0] ?? 0) / availableParallelism());
}

/**
 * A limit for waiting on an event that an idle machine meets in `ms`: four times that, more under load (up to
 * twelve times). Only a backstop against a hang; tests never assert on how long something took.
 */
export function patience(ms: number): number {
  return Math.round(ms * Math.max(4, Math.min(12, 2 * loadFactor())));
}

/** A counting semaphore: at most `n` holders; the others wait in order. */
export class Slots {
  #free: number;
  readonly #queue: Array<() => void> = [];
  constructor(n: number) {
    this.#free = n;
  }
  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#queue.push(r));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

