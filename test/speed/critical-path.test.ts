/**
 * What each request waited on (helpers/http/causality.ts) and the critical path computed from it, and
 * `serve-reference --latency`: the pieces the bench's "live run wall ÷ critical path" stands on. No timing upper
 * bounds: a delay is checked only as a lower bound, which load cannot break.
 */
import { describe, expect, it } from 'vitest';
import { startReferenceProvider } from '../../compose/embedded/index.ts';
import type { Exchange } from '../../helpers/http/types.ts';
import { criticalPath, runStrand } from '../../helpers/http/causality.ts';
import { createHttp } from '../../helpers/http/index.ts';
import { harnessRun } from '../../helpers/run.ts';
import { runCli, STACK_LINE } from '../cli/cli-process.ts';
import { startHttp } from '../http/servers.ts';

const ex = (id: number, ms: number, after: number[] = []) => ({ id, ms, after });

describe('criticalPath', () => {
  it('is the heaviest chain, not the longest one nor the sum', () => {
    // 1 -> 2 -> 4 (10+10+1) vs 3 -> 4 (50+1); 5 alone (30)
    const r = criticalPath([ex(1, 10), ex(2, 10, [1]), ex(3, 50), ex(4, 1, [2, 3]), ex(5, 30)]);
    expect(r).toEqual({ ms: 51, chain: [3, 4] });
  });
  it('ids need not follow time (a renumbered transcript points forward too)', () => {
    expect(criticalPath([ex(1, 5, [3]), ex(2, 1), ex(3, 7, [2])])).toEqual({ ms: 13, chain: [2, 3, 1] });
  });
  it('a strictly sequential run: the sum; nothing sent: 0', () => {
    expect(criticalPath([ex(1, 5), ex(2, 7, [1]), ex(3, 9, [2])]).ms).toBe(21);
    expect(criticalPath([])).toEqual({ ms: 0, chain: [] });
  });
});

describe('what each request waited on', () => {
  it('within a strand each request comes after the previous answer; parallel strands only after their own', async () => {
    const server = await startHttp((_req, res) => res.end('ok'));
    const http = createHttp();
    try {
      const a = http.actor('a');
      await runStrand(async () => {
        await a.request(server.url); // 1
        const branch = (name: string) => runStrand(async () => {
          const r1 = await http.actor(name).request(server.url);
          await http.actor(name).request(server.url);
          return r1.exchangeId;
        }, [1]).promise;
        const [b1, c1] = await Promise.all([branch('b'), branch('c')]);
        const t = http.transcript.toJSON();
        const get = (id: number) => t.find((e) => e.id === id)!;
        expect(get(1).after).toEqual([]);
        expect(get(b1).after).toEqual([1]);
        expect(get(c1).after).toEqual([1]);
        const b2 = t.find((e) => e.actor === 'b' && e.id !== b1)!;
        const c2 = t.find((e) => e.actor === 'c' && e.id !== c1)!;
        expect(b2.after).toEqual([b1]);
        expect(c2.after).toEqual([c1]);
      }).promise;
    } finally {
      await http.close();
      await server.close();
    }
  });

  it('a full run: each exchange waited only on earlier ones, the login is one chain, the second login waits on the first', async () => {
    const { run } = await harnessRun({});
    expect(run.verdict).toBe('pass');
    const t = run.transcript as Exchange[];
    // The transcript is in sequential order; what an exchange waited on had started before it, in time.
    const at = new Map(t.map((e) => [e.id, Date.parse(e.startedAt)]));
    for (const e of t) for (const p of e.after ?? []) expect(at.get(p)).toBeLessThanOrEqual(at.get(e.id)!);
    const login = t.filter((e) => e.actor === 'browser' && e.label?.startsWith('login'));
    for (let i = 1; i < login.length; i++) expect(login[i]!.after).toEqual([login[i - 1]!.id]);
    const userinfo = t.find((e) => e.label === 'osticket: userinfo')!;
    // One login at a time: the conformant client's login starts after the first login's last answer.
    const rpFirst = t.find((e) => e.actor === 'browser-2')!;
    expect(rpFirst.after).toContain(userinfo.id);
    const { criticalPathMs, requestMs } = run.requests;
    expect(criticalPathMs).toBe(criticalPath(t).ms);
    expect(criticalPathMs).toBeGreaterThanOrEqual(login.reduce((n, e) => n + e.ms, 0));
    expect(criticalPathMs).toBeLessThanOrEqual(requestMs!);
  });
});

describe('serve-reference --latency', () => {
  it('delays every response by at least that much', async () => {
    const p = await startReferenceProvider({ latencyMs: 150 });
    try {
      for (const path of ['/-/health/ready/', '/application/o/osticket/.well-known/openid-configuration']) {
        const t0 = performance.now();
        const res = await fetch(`${p.url}${path}`);
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        expect(performance.now() - t0).toBeGreaterThanOrEqual(149);
      }
    } finally {
      await p.close();
    }
  });

  it.each([['-5'], ['1.5'], ['soon']])('--latency %s: exit 2 with one sentence', async (value) => {
    const r = await runCli(['serve-reference', '--port', '0', '--latency', value]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^oidc-harness: --latency must be 0-60000 milliseconds/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
