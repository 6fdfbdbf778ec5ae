/**
 * Headless logins: one after another (median/p95/min after a warm-up), and many at once (logins per second at a
 * given number of concurrent flows, with the errors at each). Every login gets its own Http (own jar, transcript
 * and secrets, as a run has) over one shared keep-alive connection pool.
 */
import { createAgent, createHttp } from '../helpers/http/index.ts';
import type { Target } from '../helpers/target-types.ts';
import { headlessLogin, loginSetup, type LoginSetup } from './login.ts';
import { round, stats, timeEach, type Stats } from './stats.ts';

async function withSetup<T>(target: Target, fn: (s: LoginSetup, agent: ReturnType<typeof createAgent>) => Promise<T>): Promise<T> {
  const agent = createAgent({ resolve: target.resolve, ca: target.ca });
  const http = createHttp({ agent });
  try {
    return await fn(await loginSetup(target, http), agent);
  } finally {
    await http.close();
    await agent.close();
  }
}

/**
 * `n` logins one after another after `warmup` untimed ones; with the CPU time this process spent per login (the
 * harness and, in-process, the provider): less sensitive than wall time to other work on a shared machine.
 * `onTimedStart` is called as the timed logins begin (bench/split.ts reads the provider's CPU time there).
 */
export function sequentialLogins(target: Target, n: number, warmup: number, onTimedStart?: () => void): Promise<Stats & { cpuMsPerLogin: number }> {
  return withSetup(target, async (s, agent) => {
    let cpu = process.cpuUsage();
    const ms = await timeEach(n, warmup, async (i) => {
      if (i === 0) {
        onTimedStart?.();
        cpu = process.cpuUsage();
      }
      const http = createHttp({ agent });
      try {
        await headlessLogin(http, s);
      } finally {
        await http.close();
      }
    });
    const used = process.cpuUsage(cpu);
    return { ...stats(ms), cpuMsPerLogin: round((used.user + used.system) / 1000 / n, 2) };
  });
}

export interface ConcurrencyLevel {
  flows: number;
  logins: number;
  errors: number;
  /** The first error's message, if any (one line). */
  firstError?: string;
  wallMs: number;
  loginsPerSec: number;
  latency: Stats;
}

/** `flows` concurrent flows, each logging in again and again until `total` logins were started. */
export function concurrentLogins(target: Target, flows: number, total: number): Promise<ConcurrencyLevel> {
  return withSetup(target, async (s, agent) => {
    let started = 0;
    let errors = 0;
    let firstError: string | undefined;
    const latencies: number[] = [];
    const flow = async (f: number) => {
      while (started < total) {
        started++;
        const http = createHttp({ agent });
        const t0 = performance.now();
        try {
          await headlessLogin(http, s, `browser-${f}`);
          latencies.push(performance.now() - t0);
        } catch (e) {
          errors++;
          firstError ??= (e as Error).message.split('\n')[0];
        } finally {
          await http.close();
        }
      }
    };
    // A short warm-up at this level (connections opened, code paths hot), then the timed batch.
    await Promise.all(
      Array.from({ length: flows }, async (_, f) => {
        const http = createHttp({ agent });
        await headlessLogin(http, s, `warm-${f}`).catch(() => undefined);
        await http.close();
      }),
    );
    const t0 = performance.now();
    await Promise.all(Array.from({ length: flows }, (_, f) => flow(f)));
    const wallMs = performance.now() - t0;
    return { flows, logins: started, errors, ...(firstError ? { firstError } : {}), wallMs: round(wallMs), loginsPerSec: round(((started - errors) * 1000) / wallMs), latency: stats(latencies) };
  });
}
