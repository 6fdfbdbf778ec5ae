/**
 * The child-process helpers hold on a busy machine (issue 9): children are bounded by a semaphore, and the limits
 * are generous backstops scaled by the load, not the old hard-coded 15 s readiness budget.
 */
import { describe, expect, it } from 'vitest';
import { loadFactor, patience, Slots } from '../support/patience.ts';
import { CHILD_SLOTS } from './cli-process.ts';

describe('busy-machine helpers', () => {
  it('Slots never lets more than n holders in at once, and everyone gets a turn in order', async () => {
    const slots = new Slots(2);
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, async (_, i) => {
        const release = await slots.acquire();
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setImmediate(r));
        order.push(i);
        inside--;
        release();
        release(); // a second release is harmless
      }),
    );
    expect(most).toBe(2);
    expect(order.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a limit is at least four times what an idle machine needs, and grows with the load', () => {
    expect(patience(15_000)).toBeGreaterThanOrEqual(60_000);
    expect(patience(1_000)).toBeGreaterThanOrEqual(Math.min(12_000, Math.round(1_000 * 2 * loadFactor())));
  });

  it('children are bounded (one per core by default)', () => {
    expect(CHILD_SLOTS).toBeGreaterThanOrEqual(1);
    expect(CHILD_SLOTS).toBeLessThanOrEqual(16);
  });
});
