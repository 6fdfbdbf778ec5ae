/**
 * Teardown without Ryuk: whatever happens mid-stack, every container and the network are gone afterwards
 * (`docker ps -a` shows none of ours). Two failures on purpose: a step that throws after both containers started,
 * and a container that dies during start (its error names it and carries its last log lines).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ContainerStartError, type StackRun } from '../../compose/containers/lifecycle.ts';
import { startLocalStack } from '../../compose/containers/stack.ts';
import { leftoverContainers, mysql as mysqlImage, networkExists, reference, stackEnv } from './docker-env.ts';

const reason = mysqlImage.reason ?? reference.reason;

if (reason) {
  describe('container teardown', () => {
    it.skip(`needs Docker, ${mysqlImage.image} and ${reference.image}: ${reason}`, () => undefined);
  });
} else describe('container teardown', () => {
  const env = stackEnv({ MYSQL_IMAGE: mysqlImage.image, AUTHENTIK_IMAGE: reference.image });

  it('a step that throws mid-stack (both containers up) leaves nothing behind', async () => {
    let run: StackRun | undefined;
    const started: string[] = [];
    const lines: string[] = [];
    await expect(
      startLocalStack({
        env,
        progress: (l) => lines.push(l),
        afterContainerStarted: (name, r) => {
          run = r;
          started.push(name);
          if (name === 'authentik') throw new Error('failure on purpose after authentik started');
        },
      }),
    ).rejects.toThrow('failure on purpose after authentik started');
    expect(started.sort()).toEqual(['authentik', 'mysql']); // started in parallel: either may come first
    expect(run).toBeDefined();
    expect(lines.some((l) => /start failed, tearing down/.test(l))).toBe(true);
    expect(await leftoverContainers(run!.id)).toEqual([]);
    expect(await networkExists(run!.network.getName())).toBe(false);
  }, 120_000);

  it('a container that dies while starting is named in the error with its last log lines, and nothing is left', async () => {
    let run: StackRun | undefined;
    const t = Date.now();
    const err = await startLocalStack({
      env: { ...env, OIDC_HARNESS_REFERENCE_BLUEPRINT: '/nonexistent/blueprint.yaml' },
      progress: () => undefined,
      afterContainerStarted: (_name, r) => { run = r; },
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ContainerStartError);
    const e = err as ContainerStartError;
    expect(e.container).toBe('authentik');
    expect(e.image).toBe(reference.image);
    expect(e.message).toMatch(/container "authentik" \(.*\) failed to start/);
    expect(e.lastLogLines.join('\n')).toContain('reference-entry: blueprint not found at /nonexistent/blueprint.yaml');
    expect(Date.now() - t).toBeLessThan(60_000); // fails fast: the log stream ends, no full startup timeout
    expect(await leftoverContainers(run!.id)).toEqual([]);
    expect(await networkExists(run!.network.getName())).toBe(false);
  }, 120_000);

  it('Ctrl-C (SIGINT) while the stack runs tears it down and exits 130', async () => {
    const script = fileURLToPath(new URL('./fixtures/start-local-stack-and-wait.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errOut = '';
    child.stderr.on('data', (d: Buffer) => { errOut += d.toString(); });
    const up = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not report UP within 90 s:\n${errOut}`)), 90_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^UP (\S+) (\S+)$/m.exec(out);
        if (m) { clearTimeout(timer); resolve([m[1]!, m[2]!]); }
      });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`child exited ${code} before UP:\n${errOut}`)); });
    });
    const [stackId, network] = up as [string, string];
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let code: number | null | 'timeout' = 'timeout';
    try {
      expect((await leftoverContainers(stackId)).length).toBe(2);
    } finally {
      // Always interrupt the child, even when an assertion above failed: it must never outlive the test.
      child.kill('SIGINT');
      code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
      if (code === 'timeout') child.kill('SIGKILL');
    }
    expect(code).toBe(130);
    expect(errOut).toMatch(/SIGINT: tearing the stack down/);
    expect(await leftoverContainers(stackId)).toEqual([]);
    expect(await networkExists(network)).toBe(false);
  }, 150_000);
});
