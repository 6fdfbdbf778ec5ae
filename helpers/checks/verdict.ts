/**
 * The verdict of a run, claiming only what ran (issue 9 §5):
 * - a failure whose top cause is the harness input or the network is `error` (the harness could not run);
 * - any other failure is `fail`;
 * - no failure but nothing that ran (every selected check skipped) is `error`, never a pass: "0 of 5 passed" with
 *   0 requests proves nothing;
 * - otherwise `pass`. What a pass may claim is decided by the sentence (helpers/report/verdict.ts), which reads
 *   the selection: a run filtered with --only proves only its areas.
 */
import type { RankedCause } from '../diagnosis/catalog.ts';
import type { CheckResult, RunResult } from './types.ts';

export function decideVerdict(results: readonly CheckResult[], causes: readonly RankedCause[]): Pick<RunResult, 'verdict' | 'error'> {
  const failed = results.some((r) => r.status === 'fail');
  const top = causes.find((c) => c.status === 'fail');
  if (failed) {
    if (top && (top.side === 'harness' || top.side === 'network')) return { verdict: 'error', error: top.cause };
    return { verdict: 'fail' };
  }
  if (!results.some((r) => r.status === 'pass' || r.status === 'warn')) {
    const reasons = [...new Set(results.map((r) => r.reason).filter((r): r is string => !!r))];
    const why = reasons.length ? `: ${reasons[0]}${reasons.length > 1 ? ` (and ${reasons.length - 1} other reason${reasons.length > 2 ? 's' : ''})` : ''}` : '';
    return {
      verdict: 'error',
      error: results.length === 0 ? 'no check was selected, so nothing was checked.' : `none of the ${results.length} selected checks could run, so nothing was checked${why}`,
    };
  }
  return { verdict: 'pass' };
}

/** Check ids a skip reason points at ("… (see login.completes)"): the checks it depends on. */
export function prerequisitesOf(results: readonly CheckResult[]): string[] {
  const ids = results
    .filter((r) => r.status === 'skip')
    .flatMap((r) => [...(r.reason ?? '').matchAll(/\(see ([a-z0-9][a-z0-9.-]*[a-z0-9])\)/g)].map((m) => m[1]!));
  return [...new Set(ids)];
}
