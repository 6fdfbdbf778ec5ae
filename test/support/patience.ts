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

/** The harness's own counting semaphore (helpers/http/slots.ts) bounds test children too. */
export { Slots } from '../../helpers/http/slots.ts';

