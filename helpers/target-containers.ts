/** The containers target (DESIGN.md "Targets"): wired to compose/containers once its stack API lands. */
import { HarnessInputError, type HarnessConfig } from './config.ts';
import type { Target } from './target-types.ts';

export async function containersTarget(_cfg: HarnessConfig): Promise<Target> {
  throw new HarnessInputError('the containers target is not wired yet');
}
