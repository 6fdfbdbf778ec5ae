/** The hostile corpus's server side for one test file: the reference provider behind a front that misbehaves. */
import { afterAll, beforeAll } from 'vitest';
import { startReferenceProvider, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { startFront, type Front } from './front.ts';

export interface HostileSetup {
  provider: RunningReferenceProvider;
  front: Front;
}

/** Starts both before the file's tests and closes them after; read the fields inside a test, not at load time. */
export function useHostileFront(): HostileSetup {
  const setup = {} as HostileSetup;
  beforeAll(async () => {
    setup.provider = await startReferenceProvider();
    // keys made before the first row: the first token request must not wait for RSA-4096 generation
    await setup.provider.ready();
    setup.front = await startFront(setup.provider.port);
  });
  afterAll(async () => {
    await setup.front?.close();
    await setup.provider?.close();
  });
  return setup;
}
