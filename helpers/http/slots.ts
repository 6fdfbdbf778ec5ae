/** A counting semaphore: at most `n` holders at once, the others wait in arrival order (requests in flight). */
export class Slots {
  #free: number;
  readonly #queue: Array<() => void> = [];

  constructor(n: number) {
    this.#free = Math.max(1, n);
  }

  /** Waits for a slot; the returned function gives it back (once). */
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
