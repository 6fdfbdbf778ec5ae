/**
 * Pre-upgrade regression (DESIGN.md, user journey 2): compare a saved baseline results.json with a new run's. A
 * regression is a check that got worse (pass/warn -> fail, or pass -> warn) or a change in what the integration sees
 * that breaks osTicket or other OIDC clients; each such change is classified with its reason by compare-impact.ts.
 * Sets compare as sets: arrays of values, and the scope string authentik joins from a Python set (authentik.md §13).
 */
import { readFileSync } from 'node:fs';
import type { RunResult, Status } from './checks/types.ts';
import { classifyChange, SET_STRINGS, type Impact } from './compare-impact.ts';
import { HarnessInputError } from './config.ts';
import { validateResultsJson } from './report/index.ts';

export interface StatusChange {
  id: string;
  title: string;
  from: Status | 'absent';
  to: Status | 'absent';
  regression: boolean;
  /** The new diagnosis, when the check now fails or warns. */
  diagnosis?: string;
}
export interface ObservedChange {
  path: string;
  from: unknown;
  to: unknown;
  /** Breaking for osTicket, breaking for other OIDC clients, or harmless (compare-impact.ts). */
  impact: Impact;
  /** Why, in one sentence. */
  reason: string;
  /** impact is not harmless. */
  regression: boolean;
}
export interface Comparison {
  base: { verdict: string; target: string; startedAt: string };
  next: { verdict: string; target: string; startedAt: string };
  statusChanges: StatusChange[];
  observedChanges: ObservedChange[];
  regressions: number;
}

const RANK: Record<Status | 'absent', number> = { pass: 0, warn: 1, skip: 1, fail: 2, absent: 1 };

export function loadResults(path: string): RunResult {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HarnessInputError(code ? `cannot read ${path}: ${code}` : `${path} is not JSON`);
  }
  const problems = validateResultsJson(doc);
  if (problems.length) throw new HarnessInputError(`${path} is not an oidc-harness results.json: ${problems[0]}`);
  return doc as RunResult;
}

/**
 * Flattens plain JSON into path -> leaf. Arrays of scalars stay whole and sorted, and space-separated set strings
 * (SET_STRINGS) become sorted word lists, so sets compare as sets whatever their order.
 */
export function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) out[prefix] = [...value].map(String).sort();
    else value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (typeof value === 'string' && SET_STRINGS.some((re) => re.test(prefix))) {
    out[prefix] = value.split(/\s+/).filter(Boolean).sort();
  } else out[prefix] = value;
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** RS/ES/PS algorithms (what the guide's Signing Key gives); HS* and none are what a missing key gives. */
const asymmetric = (v: unknown) => (Array.isArray(v) ? v.length > 0 && v.every(asymmetric) : typeof v === 'string' && /^(RS|ES|PS)\d{3}$/.test(v));

/**
 * A change for the better is not a regression (issue 9 §7): the signing algorithm moving from HS256/none to an
 * asymmetric one, or any change that comes with a run that now passes where the baseline did not (a repair).
 */
function forTheBetter(path: string, from: unknown, to: unknown, base: RunResult, next: RunResult): boolean {
  if (base.verdict !== 'pass' && next.verdict === 'pass') return true;
  return /(^|\.)(alg|id_token_signing_alg_values_supported)$/.test(path) && !asymmetric(from) && asymmetric(to);
}

export function compareRuns(base: RunResult, next: RunResult): Comparison {
  const statusChanges: StatusChange[] = [];
  const ids = [...new Set([...base.results.map((r) => r.id), ...next.results.map((r) => r.id)])];
  for (const id of ids) {
    const a = base.results.find((r) => r.id === id);
    const b = next.results.find((r) => r.id === id);
    const from = a?.status ?? 'absent';
    const to = b?.status ?? 'absent';
    if (from === to) continue;
    statusChanges.push({
      id,
      title: (b ?? a)!.title,
      from,
      to,
      regression: RANK[to] > RANK[from] && !(from === 'skip' && to === 'warn'),
      ...(b?.diagnosis ? { diagnosis: b.diagnosis.id } : {}),
    });
  }
  const fa = flatten(base.observed ?? {});
  const fb = flatten(next.observed ?? {});
  const observedChanges: ObservedChange[] = [];
  for (const path of [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort()) {
    if (path === 'authentik') continue; // where it ran, not what it saw
    if (same(fa[path], fb[path])) continue;
    const classified = classifyChange(path, fa[path], fb[path]);
    // A change for the better is listed, not counted (issue 9 §7): e.g. HS256 -> RS256 after selecting a Signing Key.
    const better = classified.impact !== 'harmless' && forTheBetter(path, fa[path], fb[path], base, next);
    const { impact, reason } = better ? { impact: 'harmless' as const, reason: `a change for the better, not a regression (${classified.reason})` } : classified;
    observedChanges.push({ path, from: fa[path], to: fb[path], impact, reason, regression: impact !== 'harmless' });
  }
  const summary = (r: RunResult) => ({ verdict: r.verdict, target: r.target.description, startedAt: r.startedAt });
  return {
    base: summary(base),
    next: summary(next),
    statusChanges,
    observedChanges,
    regressions: statusChanges.filter((c) => c.regression).length + observedChanges.filter((c) => c.regression).length,
  };
}

const IMPACT_HEADINGS: Record<Impact, string> = {
  'breaking-osticket': 'breaks osTicket',
  'breaking-other-clients': 'breaks other OIDC clients (not osTicket)',
  harmless: 'harmless',
};

export function formatComparison(c: Comparison): string {
  const lines: string[] = [];
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  lines.push(`baseline: ${c.base.verdict.toUpperCase()}  ${c.base.target} (${c.base.startedAt})`);
  lines.push(`new:      ${c.next.verdict.toUpperCase()}  ${c.next.target} (${c.next.startedAt})`);
  lines.push('');
  if (c.regressions === 0 && c.statusChanges.length === 0 && c.observedChanges.length === 0) {
    lines.push('No difference in check results or in what the integration sees.');
    return lines.join('\n');
  }
  lines.push(c.regressions ? `REGRESSIONS: ${c.regressions}` : 'No regression; differences below.');
  if (c.statusChanges.length) {
    lines.push('', 'Check results that changed:');
    for (const s of c.statusChanges) lines.push(`  ${s.regression ? '✗' : '·'} ${s.id}: ${s.from} -> ${s.to}${s.diagnosis ? ` [${s.diagnosis}]` : ''}`);
  }
  if (c.observedChanges.length) {
    lines.push('', 'What the integration sees that changed:');
    for (const impact of ['breaking-osticket', 'breaking-other-clients', 'harmless'] as const) {
      const these = c.observedChanges.filter((o) => o.impact === impact);
      if (!these.length) continue;
      lines.push(`  ${IMPACT_HEADINGS[impact]}:`);
      for (const o of these) lines.push(`    ${o.regression ? '✗' : '·'} ${o.path}: ${show(o.from)} -> ${show(o.to)} (${o.reason})`);
    }
  }
  return lines.join('\n');
}
