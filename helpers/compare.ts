/**
 * Pre-upgrade regression (DESIGN.md, user journey 2): compare a saved baseline results.json with a new run's. A
 * regression is a check that got worse (pass/warn -> fail, or pass -> warn) or a change in what the integration sees
 * that breaks osTicket or other OIDC clients; each such change is classified with its reason by compare-impact.ts.
 * Sets compare as sets: arrays of values, and the scope string authentik joins from a Python set (authentik.md §13).
 * Every difference carries the known upgrade change behind it, or says it is none (helpers/upgrade/explain.ts);
 * differences random by nature (scope order, a hashed sub between fresh installs) are listed apart, not counted.
 */
import { readFileSync } from 'node:fs';
import type { RunResult, Status } from './checks/types.ts';
import { classifyChange, SET_STRINGS, type Impact } from './compare-impact.ts';
import { HarnessInputError } from './config.ts';
import { validateResultsJson } from './report/index.ts';
import { NOTICES_LABEL } from './upgrade/known-changes.ts';
import { explainer, separateNatural, type Explanation, type KnownRef, type NaturalVariation } from './upgrade/explain.ts';

export interface StatusChange {
  id: string;
  title: string;
  from: Status | 'absent';
  to: Status | 'absent';
  regression: boolean;
  /** The new diagnosis, when the check now fails or warns. */
  diagnosis?: string;
  /** Why it is skipped now, when it is. */
  reason?: string;
  /** The known upgrade change behind it, what it follows from, or "investigate". */
  explanation: Explanation;
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
  explanation: Explanation;
}
export interface Comparison {
  base: { verdict: string; target: string; startedAt: string };
  next: { verdict: string; target: string; startedAt: string };
  statusChanges: StatusChange[];
  observedChanges: ObservedChange[];
  /** Differences random by nature: not changes, not counted. */
  natural: NaturalVariation[];
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
  const explain = explainer(base, next);
  const statusChanges: StatusChange[] = [];
  const ids = [...new Set([...base.results.map((r) => r.id), ...next.results.map((r) => r.id)])];
  for (const id of ids) {
    const a = base.results.find((r) => r.id === id);
    const b = next.results.find((r) => r.id === id);
    const from: Status | 'absent' = a?.status ?? 'absent';
    const to: Status | 'absent' = b?.status ?? 'absent';
    if (from === to) continue;
    const change = {
      id,
      title: (b ?? a)!.title,
      from,
      to,
      regression: RANK[to] > RANK[from] && !(from === 'skip' && to === 'warn'),
      ...(b?.diagnosis ? { diagnosis: b.diagnosis.id } : {}),
      ...(to === 'skip' && b?.reason ? { reason: b.reason } : {}),
    };
    statusChanges.push({ ...change, explanation: explain.status(change) });
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
    const diff = { path, from: fa[path], to: fb[path] };
    observedChanges.push({ ...diff, impact, reason, regression: impact !== 'harmless', explanation: explain.observed(diff) });
  }
  const { real, natural } = separateNatural(base, next, observedChanges);
  const summary = (r: RunResult) => ({ verdict: r.verdict, target: r.target.description, startedAt: r.startedAt });
  return {
    base: summary(base),
    next: summary(next),
    statusChanges,
    observedChanges: real,
    natural,
    regressions: statusChanges.filter((c) => c.regression).length + real.filter((c) => c.regression).length,
  };
}

/**
 * What breaks osTicket's login: a check that now fails, or a change in what osTicket reads (compare-impact.ts
 * "breaking-osticket"); values that only follow from a failed login are counted under the failure, not again.
 */
export function breaksOsticket(c: Comparison): Array<StatusChange | ObservedChange> {
  const roots = [
    ...c.statusChanges.filter((s) => s.to === 'fail' && s.from !== 'fail'),
    ...c.observedChanges.filter((o) => o.impact === 'breaking-osticket' && o.explanation.kind !== 'follows'),
  ];
  return roots.length ? roots : c.observedChanges.filter((o) => o.impact === 'breaking-osticket');
}

const IMPACT_HEADINGS: Record<Impact, string> = {
  'breaking-osticket': 'breaks osTicket',
  'breaking-other-clients': 'breaks other OIDC clients (not osTicket)',
  harmless: 'harmless',
};

/** The tag after each difference: the known change behind it, what it follows from, or "investigate". */
export function explanationTag(e: Explanation): string {
  if (e.kind === 'known') return `[known: ${e.change.id}, ${e.change.version}]`;
  if (e.kind === 'follows') return `[follows: ${e.from}]`;
  return `[${e.note}]`;
}

/** The known changes a comparison names, once each, with who notices and the source. */
export function knownChangesNamed(c: Comparison): KnownRef[] {
  const byId = new Map<string, KnownRef>();
  for (const x of [...c.statusChanges, ...c.observedChanges]) if (x.explanation.kind === 'known') byId.set(x.explanation.change.id, x.explanation.change);
  return [...byId.values()];
}

export function formatComparison(c: Comparison): string {
  const lines: string[] = [];
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  lines.push(`baseline: ${c.base.verdict.toUpperCase()}  ${c.base.target} (${c.base.startedAt})`);
  lines.push(`new:      ${c.next.verdict.toUpperCase()}  ${c.next.target} (${c.next.startedAt})`);
  lines.push('');
  if (c.regressions === 0 && c.statusChanges.length === 0 && c.observedChanges.length === 0) {
    lines.push('No difference in check results or in what the integration sees.');
  } else {
    lines.push(c.regressions ? `REGRESSIONS: ${c.regressions}` : 'No regression; differences below.');
    lines.push(...formatDifferences(c));
  }
  if (c.natural.length) {
    lines.push('', 'Random by nature (not a change, not counted):');
    for (const n of c.natural) lines.push(`    · ${n.path}: ${show(n.from)} -> ${show(n.to)} (${n.reason})`);
  }
  return lines.join('\n');
}

/** A value's change; for two lists only what was added and removed (a discovery document has two dozen members). */
function showChange(from: unknown, to: unknown): string {
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  if (!Array.isArray(from) || !Array.isArray(to)) return `${show(from)} -> ${show(to)}`;
  const added = to.filter((x) => !from.includes(x));
  const removed = from.filter((x) => !to.includes(x));
  return [added.length ? `+${show(added)}` : '', removed.length ? `-${show(removed)}` : ''].filter(Boolean).join(' ') || `${show(from)} -> ${show(to)}`;
}

/** Check results and observed values that changed, each with its tag, then the known changes they name. */
export function formatDifferences(c: Comparison, opts: { namedChanges?: boolean; collapseFollows?: boolean } = {}): string[] {
  const lines: string[] = [];
  const shown = <T extends { explanation: Explanation }>(xs: T[]) => (opts.collapseFollows ? xs.filter((x) => x.explanation.kind !== 'follows') : xs);
  const statuses = shown(c.statusChanges);
  const observed = shown(c.observedChanges);
  if (statuses.length) {
    lines.push('', 'Check results that changed:');
    for (const s of statuses) {
      lines.push(`  ${s.regression ? '✗' : '·'} ${s.id}: ${s.from} -> ${s.to}${s.diagnosis ? ` [${s.diagnosis}]` : ''} ${explanationTag(s.explanation)}`);
    }
  }
  if (observed.length) {
    lines.push('', 'What the integration sees that changed:');
    for (const impact of ['breaking-osticket', 'breaking-other-clients', 'harmless'] as const) {
      const these = observed.filter((o) => o.impact === impact);
      if (!these.length) continue;
      lines.push(`  ${IMPACT_HEADINGS[impact]}:`);
      for (const o of these) lines.push(`    ${o.regression ? '✗' : '·'} ${o.path}: ${showChange(o.from, o.to)} (${o.reason}) ${explanationTag(o.explanation)}`);
    }
  }
  const hidden = c.statusChanges.length - statuses.length + c.observedChanges.length - observed.length;
  if (hidden) lines.push('', `and ${hidden} more that follow from those (checks skipped, values no longer seen): see compare for each`);
  const named = opts.namedChanges === false ? [] : knownChangesNamed(c);
  if (named.length) {
    lines.push('', 'Known upgrade changes behind these differences:');
    for (const k of named) lines.push(`  ${k.id} (authentik ${k.version}; who notices: ${NOTICES_LABEL[k.notices]}): ${k.what}. Source: ${k.source}`);
  }
  return lines;
}
