/**
 * Start/stop bookkeeping for a container stack: progress lines, each container's recent log lines (for the error
 * when one fails to start), and teardown of every container and the network on success, failure and Ctrl-C.
 * Ryuk (testcontainers' reaper) may be unavailable (no registry: its image cannot be pulled), so nothing is left
 * for it to clean: every container and network started here is stopped here.
 */
import type { Readable } from 'node:stream';
import { GenericContainer, Network, getContainerRuntimeClient, type StartedNetwork, type StartedTestContainer } from 'testcontainers';

/** Label put on every container of a stack (`docker ps -a --filter label=oidc-harness.stack` finds leftovers). */
export const STACK_LABEL = 'oidc-harness.stack';

export type ProgressSink = (line: string) => void;

export const stderrProgress: ProgressSink = (line) => process.stderr.write(`${line}\n`);

/** An error that names the container that failed and carries its last log lines (never env values). */
export class ContainerStartError extends Error {
  constructor(
    readonly container: string,
    readonly image: string,
    readonly reason: unknown,
    readonly lastLogLines: string[],
  ) {
    const why = reason instanceof Error ? reason.message : String(reason);
    super(
      `container "${container}" (${image}) failed to start: ${why}` +
        (lastLogLines.length ? `\n--- last ${lastLogLines.length} log lines of ${container} ---\n${lastLogLines.join('\n')}` : `\n(${container} printed no log lines)`),
    );
    this.name = 'ContainerStartError';
  }
}

/** Keeps the last `max` lines a container printed. */
export class LogTail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max = 40) {}
  consume = (stream: Readable): void => {
    stream.on('data', (chunk: Buffer | string) => this.push(chunk.toString()));
    stream.on('error', () => undefined);
  };
  push(text: string): void {
    const parts = (this.partial + text).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) this.lines.push(p);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  get(): string[] {
    return this.partial.trim() ? [...this.lines, this.partial] : [...this.lines];
  }
}

export interface StackRun {
  readonly id: string;
  readonly network: StartedNetwork;
  readonly containers: Map<string, StartedTestContainer>;
  /** Elapsed seconds since the stack run began, one decimal. */
  elapsed(): string;
  progress(line: string): void;
  /** Starts one container with progress lines; on failure throws ContainerStartError with its last log lines. */
  start(name: string, container: GenericContainer, image: string): Promise<StartedTestContainer>;
  /** The last log lines a container printed (for errors raised after it started). */
  logTail(name: string): string[];
  /** Stops every container (reverse start order) and the network; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Testcontainers settings this harness relies on, applied when the user set nothing:
 * - TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1: mapped ports are reached on loopback only (house rule), and
 *   testcontainers does not try to run alpine to find a gateway (npm-stack.md §5);
 * - TESTCONTAINERS_RYUK_DISABLED=true: the reaper image must be pulled, which fails without a registry and makes
 *   every start fail; this module tears everything down itself instead.
 */
export function applyTestcontainersDefaults(env: NodeJS.ProcessEnv = process.env): void {
  env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
}

/**
 * testcontainers' client for the Docker engine, with this harness's defaults applied first: the client is created
 * once, and without TESTCONTAINERS_HOST_OVERRIDE its host lookup may try to run (and so pull) an alpine image.
 */
export function runtimeClient(): ReturnType<typeof getContainerRuntimeClient> {
  applyTestcontainersDefaults();
  return getContainerRuntimeClient();
}

/** Starts a network and returns the bookkeeping object; installs SIGINT/SIGTERM handlers until stop(). */
export async function beginStack(opts: { progress?: ProgressSink; name?: string } = {}): Promise<StackRun> {
  applyTestcontainersDefaults();
  const t0 = Date.now();
  const sink = opts.progress ?? stderrProgress;
  const id = `${opts.name ?? 'stack'}-${t0.toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1);
  const progress = (line: string) => sink(`[oidc-harness stack ${elapsed()}s] ${line}`);
  const network = await new Network().start();
  const containers = new Map<string, StartedTestContainer>();
  const tails = new Map<string, LogTail>();
  let stopping: Promise<void> | undefined;

  const onSignal = (signal: NodeJS.Signals) => {
    // If whoever reads our output is gone (a closed pipe), writing must not crash us before the teardown.
    process.stderr.on('error', () => undefined);
    process.stdout.on('error', () => undefined);
    progress(`${signal}: tearing the stack down`);
    void run.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const run: StackRun = {
    id,
    network,
    containers,
    elapsed,
    progress,
    logTail: (name) => tails.get(name)?.get() ?? [],
    async start(name, container, image) {
      const tail = new LogTail();
      tails.set(name, tail);
      progress(`${name}: starting (${image})`);
      const began = Date.now();
      try {
        const started = await container.withLabels({ [STACK_LABEL]: id, 'oidc-harness.container': name }).withLogConsumer(tail.consume).start();
        containers.set(name, started);
        progress(`${name}: ready after ${((Date.now() - began) / 1000).toFixed(1)}s`);
        return started;
      } catch (err) {
        // testcontainers removes a container whose wait strategy failed; give the log stream a moment to drain.
        await new Promise((r) => setTimeout(r, 200));
        progress(`${name}: FAILED after ${((Date.now() - began) / 1000).toFixed(1)}s`);
        throw new ContainerStartError(name, image, err, tail.get());
      }
    },
    stop() {
      stopping ??= (async () => {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        const began = Date.now();
        for (const [name, c] of [...containers].reverse()) {
          try {
            await c.stop({ timeout: 5_000, remove: true, removeVolumes: true });
          } catch (err) {
            progress(`${name}: stop failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        containers.clear();
        await sweepLabelled(id, progress);
        try {
          await network.stop();
        } catch (err) {
          progress(`network: stop failed: ${err instanceof Error ? err.message : String(err)}`);
        }
        progress(`stopped in ${((Date.now() - began) / 1000).toFixed(1)}s`);
      })();
      return stopping;
    },
  };
  progress(`stack ${id}: network ${network.getName()} created (containers labelled ${STACK_LABEL}=${id})`);
  return run;
}

type Listing = { Id: string; Names?: string[]; State?: string; Labels?: Record<string, string> };
type DockerodeLike = {
  listContainers(o: object): Promise<Listing[]>;
  listNetworks(o: object): Promise<Array<{ Name: string }>>;
};

/** testcontainers' own dockerode handle (same engine as the containers), which can list exited containers too. */
async function engine(): Promise<{ dockerode?: DockerodeLike; client: Awaited<ReturnType<typeof getContainerRuntimeClient>> }> {
  const client = await runtimeClient();
  return { client, dockerode: (client.container as unknown as { dockerode?: DockerodeLike }).dockerode };
}

/** Containers (running or exited) with this harness's stack label, optionally of one stack: "name state" lines. */
export async function listStackContainers(stackId?: string): Promise<string[]> {
  const { dockerode, client } = await engine();
  const label = stackId ? `${STACK_LABEL}=${stackId}` : STACK_LABEL;
  const all: Listing[] = dockerode ? await dockerode.listContainers({ all: true, filters: { label: [label] } }) : await client.container.list();
  return all
    .filter((c) => (stackId ? c.Labels?.[STACK_LABEL] === stackId : c.Labels?.[STACK_LABEL] !== undefined))
    .map((c) => `${(c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '')} ${c.State ?? ''}`.trim());
}

/** True when a network of that exact name exists in the engine. */
export async function stackNetworkExists(name: string): Promise<boolean> {
  const { dockerode } = await engine();
  if (!dockerode) throw new Error('cannot list networks: no dockerode handle in this testcontainers version');
  return (await dockerode.listNetworks({ filters: { name: [name] } })).some((n) => n.Name === name);
}

/**
 * Removes every container still carrying this stack's label: one whose start failed half-way (created, then its
 * wait strategy failed) may be left by testcontainers, and without Ryuk nobody else would remove it.
 */
async function sweepLabelled(stackId: string, progress: (line: string) => void): Promise<void> {
  try {
    const { client, dockerode } = await engine();
    const all: Listing[] = dockerode
      ? await dockerode.listContainers({ all: true, filters: { label: [`${STACK_LABEL}=${stackId}`] } })
      : await client.container.list();
    const left = all.filter((c) => c.Labels?.[STACK_LABEL] === stackId);
    for (const c of left) {
      progress(`${c.Labels?.['oidc-harness.container'] ?? c.Id.slice(0, 12)}: removing leftover container`);
      await client.container.getById(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
  } catch (err) {
    progress(`sweep of leftover containers failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Runs `body`; on any error stops the stack first, then rethrows. */
export async function tearDownOnError<T>(run: StackRun, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    run.progress(`start failed, tearing down: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    await run.stop();
    throw err;
  }
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes; then throws with `what`. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, opts: { timeoutMs: number; intervalMs?: number }): Promise<T> {
  const end = Date.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      throw new Error(`${what}: not ready after ${Math.round(opts.timeoutMs / 1000)}s${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1_000));
  }
}
