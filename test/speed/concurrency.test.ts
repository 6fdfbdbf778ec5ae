/**
 * Checks run together (issue 12: independent requests in flight at once, bounded by --concurrency, default 4),
 * yet a run says exactly what the one-at-a-time run (--concurrency 1) says: the same results with the same
 * evidence, the same requests in the same transcript order, the same request count; logins one at a time; and
 * one discovery and one JWKS fetch per run, shared by every client and check.
 */
import { describe, expect, it } from 'vitest';
import { VARIANTS_DIR } from '../../compose/embedded/index.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
import type { HarnessConfig } from '../../helpers/config.ts';
import { harnessRun } from '../../helpers/run.ts';

const variant = (name: string) => `${VARIANTS_DIR}/${name}.yaml`;

/** What must not depend on how many requests were in flight (values that are random per run left out). */
function said(run: RunResult) {
  return {
    verdict: run.verdict,
    results: run.results.map((r) => [r.id, r.status, r.diagnosis?.id ?? null, r.evidence.join(',')].join(' ')),
    transcript: run.transcript.map((e) => `${e.id} ${e.actor} ${e.method} ${new URL(e.url).pathname} ${e.label ?? ''} ${e.status ?? e.errorCode}`),
    requests: run.requests.count,
  };
}

async function both(cfg: HarnessConfig) {
  const one = (await harnessRun({ ...cfg, concurrency: 1 })).run;
  const four = (await harnessRun({ ...cfg })).run;
  return { one, four };
}

describe('checks together vs one at a time', () => {
  it.each([
    ['the guide blueprint', undefined],
    ['no-signing-key', variant('no-signing-key')],
    ['redirect-trailing-slash', variant('redirect-trailing-slash')],
  ])('%s: same results, evidence, transcript order and request count', async (_name, blueprint) => {
    const { one, four } = await both(blueprint ? { embedded: { blueprint } } : {});
    expect(said(four)).toEqual(said(one));
  });

  it('one discovery and one JWKS request per run; logins never overlap', async () => {
    const { run } = await harnessRun({});
    const t = run.transcript;
    expect(t.filter((e) => new URL(e.url).pathname.endsWith('/.well-known/openid-configuration'))).toHaveLength(1);
    expect(t.filter((e) => e.label === 'jwks')).toHaveLength(1);
    // A login is a run of requests of one browser actor through authorize and the flow executor; no two overlap.
    const flows = new Map<string, { from: number; to: number }>();
    for (const e of t) {
      if (!/authorize|executor/.test(e.label ?? '') || e.actor.startsWith('probe')) continue;
      const key = `${e.actor} ${(e.label ?? '').replace(/:[^:]*$/, '')}`; // e.g. "browser probe: fresh code (PKCE)"
      const start = Date.parse(e.startedAt);
      const f = flows.get(key);
      flows.set(key, { from: Math.min(f?.from ?? start, start), to: Math.max(f?.to ?? 0, start + e.ms) });
    }
    const spans = [...flows.values()].sort((a, b) => a.from - b.from);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.from).toBeGreaterThanOrEqual(spans[i - 1]!.to - 1);
  });

  it('--concurrency outside 1-16 is refused before anything runs', async () => {
    await expect(harnessRun({ concurrency: 0 })).rejects.toThrow(/concurrency/);
  });
});
