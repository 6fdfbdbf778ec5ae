/**
 * The ordered record of every HTTP exchange of a run (ids from 1). Entries are redacted before they are added
 * (see client.ts / redact.ts); the transcript never holds a raw secret.
 */
import { currentStrand, noteEvent } from './causality.ts';
import type { Exchange } from './types.ts';

export class Transcript {
  readonly exchanges: Exchange[] = [];
  #nextId = 1;
  /** Exchange id -> the strand that sent it (causality.ts); 0 outside any strand. */
  readonly #strandOf = new Map<number, number>();

  /**
   * Reserves the id of the next exchange (ids are handed out when a request starts, so they follow send order)
   * and notes it in the calling strand.
   */
  reserveId(): number {
    const id = this.#nextId++;
    this.#strandOf.set(id, currentStrand()?.id ?? 0);
    noteEvent(id);
    return id;
  }

  /**
   * Exchanges after `afterId` sent by the calling strand itself (everything after it outside any strand): what a
   * step did, even while other strands send requests at the same time.
   */
  ownSince(afterId: number): Exchange[] {
    const mine = currentStrand()?.id;
    const all = this.since(afterId);
    return mine === undefined ? all : all.filter((e) => this.#strandOf.get(e.id) === mine);
  }

  /** Inserts in id order (concurrent requests may finish out of order). */
  add(exchange: Exchange): void {
    let i = this.exchanges.length;
    while (i > 0 && this.exchanges[i - 1]!.id > exchange.id) i--;
    this.exchanges.splice(i, 0, exchange);
  }

  get(id: number): Exchange | undefined {
    return this.exchanges.find((e) => e.id === id);
  }

  /** Exchanges with an id greater than `afterId`, in id order (e.g. everything a check did). */
  since(afterId: number): Exchange[] {
    return this.exchanges.filter((e) => e.id > afterId).sort((a, b) => a.id - b.id);
  }

  /** The id of the last reserved exchange (0 when none): remember it before a step, then call since(). */
  get lastId(): number {
    return this.#nextId - 1;
  }

  get length(): number {
    return this.exchanges.length;
  }

  toJSON(): Exchange[] {
    return [...this.exchanges].sort((a, b) => a.id - b.id);
  }
}
