/** The one-line verdict every view of a run starts with (HTML banner, console, JUnit property). */
import type { CheckResult, Diagnosis, RunResult } from '../checks/types.ts';
import { DIAGNOSES, isDiagnosisId } from '../diagnosis/catalog.ts';

export type VerdictLabel = 'PASS' | 'FAIL' | 'COULD NOT RUN';

export function verdictLabel(run: Pick<RunResult, 'verdict'>): VerdictLabel {
  return run.verdict === 'pass' ? 'PASS' : run.verdict === 'fail' ? 'FAIL' : 'COULD NOT RUN';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The catalog cause without the appended evidence ("… Seen: …"), for one-line summaries. */
export function shortCause(cause: string): string {
  const i = cause.indexOf(' Seen: ');
  return i < 0 ? cause : cause.slice(0, i);
}

export const SIDE_NAMES: Record<string, string> = {
  authentik: 'authentik',
  osticket: 'osTicket',
  harness: 'the harness input',
  network: 'the network / TLS setup',
};

/** The catalog headline of a cause, or its cause text when the catalog does not know the id. */
export function causeTitle(d: Pick<Diagnosis, 'id' | 'cause'>): string {
  return isDiagnosisId(d.id) ? DIAGNOSES[d.id].title : shortCause(d.cause);
}

/**
 * What a pass proves, and no more (issue 9 §5): only a full run whose shared login completed may say that osTicket
 * can sign in; a run filtered with --only proves its areas.
 */
function passClaim(run: RunResult): string {
  if (run.selection?.length) {
    const extra = run.results.filter((r) => !run.selection!.includes(r.area)).map((r) => r.id);
    return `only ${run.selection.join(', ')} ${run.selection.length === 1 ? 'was' : 'were'} checked${extra.length ? ` (and what they depend on: ${extra.join(', ')})` : ''}; run without --only to check the whole login.`;
  }
  const login = run.results.find((r) => r.id === 'login.completes');
  if (login?.status !== 'pass') return 'no failure was found, but the login itself was not checked.';
  // Neutral about where the configuration came from: the guide's blueprint, a replayed export or a live install.
  return 'osTicket can sign in through authentik as it is configured.';
}

/** One sentence saying what the run found, worded for the operator. */
export function verdictSentence(run: RunResult): string {
  const total = run.results.length;
  const { pass = 0, warn = 0, fail = 0, skip = 0 } = run.counts;
  if (run.verdict === 'error') {
    return `The harness could not run: ${run.error ?? 'no reason was recorded'}`;
  }
  if (run.verdict === 'pass') {
    const acked = run.results.filter((r) => r.acknowledged).length;
    const extras = [warn ? plural(warn, 'warning') : '', acked ? `${acked} acknowledged` : '', skip ? `${skip} skipped` : ''].filter(Boolean).join(', ');
    return `${pass} of ${total} checks passed${extras ? ` (${extras})` : ''}: ${passClaim(run)}`;
  }
  const top = run.causes[0];
  const failed = `${fail} of ${total} checks failed`;
  if (!top) return `${failed}; no diagnosis was attached to the failures.`;
  return `${failed}. Most likely cause: ${causeTitle(top).replace(/\.$/, '')}; fix in ${SIDE_NAMES[top.side] ?? top.side}.`;
}

/** "4 passed, 1 warning, 1 skipped": the statuses of some checks, worst first, the same words everywhere. */
export function statusSummary(results: ReadonlyArray<Pick<CheckResult, 'status'>>): string {
  const n = (st: string) => results.filter((r) => r.status === st).length;
  const parts = [
    n('fail') ? `${n('fail')} failed` : '',
    n('warn') ? plural(n('warn'), 'warning') : '',
    n('pass') ? `${n('pass')} passed` : '',
    n('skip') ? `${n('skip')} skipped` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'no check';
}

/** One line for a property card (console and HTML): its checks by status, or why none ran. */
export function propertyLine(run: Pick<RunResult, 'results' | 'selection'>, p: { checks: readonly string[] }, areas: readonly string[]): string {
  if (run.selection && !areas.some((a) => run.selection!.includes(a as CheckResult['area']))) return 'not selected (--only)';
  const checks = run.results.filter((r) => p.checks.includes(r.id));
  if (checks.length === 0) return 'no check ran';
  return `${checks.length} check${checks.length === 1 ? '' : 's'}: ${statusSummary(checks)}`;
}
