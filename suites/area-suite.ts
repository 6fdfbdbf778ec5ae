/**
 * One vitest `it` per catalog check of an area, reading the RunResult the global setup produced: a failing check
 * fails its test with the diagnosis as the message, a skipped check is skipped with its reason, a warning passes
 * with an annotation. The suites hold no logic of their own (one engine, three views).
 */
import { describe, inject, it } from 'vitest';
import { CATALOG } from '../helpers/checks/catalog/index.ts';
import type { Area, CheckResult } from '../helpers/checks/types.ts';

export function failureMessage(r: CheckResult): string {
  const d = r.diagnosis;
  const lines = [`${r.id}: ${r.title}`];
  if (r.expected !== undefined) lines.push(`  expected: ${r.expected}`);
  if (r.actual !== undefined) lines.push(`  actual:   ${r.actual}`);
  if (d) lines.push(`  cause (${d.side}): ${d.cause}`, `  fix: ${d.fix}`, `  diagnosis: ${d.id}`);
  lines.push(`  spec: ${r.spec}`);
  return lines.join('\n');
}

export function defineAreaSuite(area: Area, title: string): void {
  const run = inject('harnessRun');
  describe(`${title} (${run.target.description})`, () => {
    for (const check of CATALOG.filter((c) => c.area === area)) {
      it(`${check.id}: ${check.title}`, async (ctx) => {
        const r = run.results.find((x) => x.id === check.id);
        if (!r) return ctx.skip('not run in this harness run (filtered with --only, or the run stopped early)');
        if (r.status === 'skip') return ctx.skip(r.reason ?? 'skipped');
        if (r.status === 'warn') await ctx.annotate(`warning: ${r.diagnosis?.cause ?? r.reason ?? ''} Fix: ${r.diagnosis?.fix ?? ''}`, 'warning');
        if (r.status === 'fail') throw new Error(failureMessage(r));
      });
    }
  });
}
