/**
 * Names the known upgrade change behind each difference `compare` reports (issue 13 item 1), from the table in
 * known-changes.ts: a difference that matches an entry carries it; one that follows from another (a check skipped
 * because the login no longer completes, a value no longer seen for the same reason) says what it follows from; any
 * other says "not a known upgrade change: investigate". When both runs name their authentik version (embedded runs
 * record their profile), only the changes between the two versions are candidates.
 *
 * Some differences are random by nature and are not changes at all (issue 13 item 4): the order of the granted scope
 * string (authentik joins a Python set, authentik.md §13) and a hashed_user_id `sub` between two fresh installs
 * (sha256 of the user's pk and the install ID, new at every install, authentik.md §2). They are reported apart.
 */
import type { RunResult, Status } from '../checks/types.ts';
import { SET_STRINGS } from '../compare-impact.ts';
import { KNOWN_CHANGES, type KnownChange, type Notices, type Seen } from './known-changes.ts';
import { hasChange, parseRelease, type Release } from './versions.ts';

export const INVESTIGATE = 'not a known upgrade change: investigate';

export interface KnownRef {
  id: string;
  version: string;
  what: string;
  notices: Notices;
  source: string;
}
export type Explanation =
  | { kind: 'known'; change: KnownRef }
  | { kind: 'follows'; from: string }
  | { kind: 'unknown'; note: typeof INVESTIGATE };

export interface NaturalVariation {
  path: string;
  from: unknown;
  to: unknown;
  reason: string;
}

interface StatusDiff {
  id: string;
  from: Status | 'absent';
  to: Status | 'absent';
  diagnosis?: string;
  reason?: string;
}
interface ObservedDiff {
  path: string;
  from: unknown;
  to: unknown;
}

const release = (run: RunResult): Release | undefined => (run.target.profile ? parseRelease(run.target.profile) : undefined);
const since = (c: KnownChange) => parseRelease(c.version)!;
const backports = (c: KnownChange) => (c.backports ?? []).map((b) => parseRelease(b)!);

/** The known changes an upgrade (or a downgrade) from one release to another crosses. */
export function changesBetween(from: Release, to: Release, table: readonly KnownChange[] = KNOWN_CHANGES): KnownChange[] {
  return table.filter((c) => hasChange(from, since(c), backports(c)) !== hasChange(to, since(c), backports(c)));
}

export const knownRef = (c: KnownChange): KnownRef => ({ id: c.id, version: c.version, what: c.what, notices: c.notices, source: c.source });

function matchesStatus(s: Seen, d: StatusDiff): boolean {
  if (!('check' in s) || s.check !== d.id) return false;
  if (s.from && !(s.from as readonly string[]).includes(d.from)) return false;
  if (s.to && !(s.to as readonly string[]).includes(d.to)) return false;
  if (s.diagnosis === undefined) return true;
  return typeof s.diagnosis === 'string' ? d.diagnosis === s.diagnosis : s.diagnosis.test(d.diagnosis ?? '');
}

function matchesObserved(s: Seen, d: ObservedDiff): boolean {
  if (!('path' in s) || !s.path.test(d.path)) return false;
  return (!s.from || s.from(d.from)) && (!s.to || s.to(d.to));
}

/** What the new run lost (or gained) as a whole, so that the values under it follow from that. */
function loginChange(base: RunResult, next: RunResult): string | undefined {
  const a = Boolean(base.observed?.tokenResponse);
  const b = Boolean(next.observed?.tokenResponse);
  if (a && !b) return 'the login no longer completes';
  if (!a && b) return 'the login completes now';
  return undefined;
}

export interface Explainer {
  status(d: StatusDiff): Explanation;
  observed(d: ObservedDiff): Explanation;
  /** The known changes the comparison considers (those between the two versions, or the whole table). */
  candidates: readonly KnownChange[];
}

export function explainer(base: RunResult, next: RunResult, table: readonly KnownChange[] = KNOWN_CHANGES): Explainer {
  const a = release(base);
  const b = release(next);
  const candidates = a && b ? changesBetween(a, b, table) : table;
  const login = loginChange(base, next);
  const find = (test: (s: Seen) => boolean): Explanation | undefined => {
    const c = candidates.find((k) => k.seenAs.some(test));
    return c ? { kind: 'known', change: knownRef(c) } : undefined;
  };
  const unknown: Explanation = { kind: 'unknown', note: INVESTIGATE };
  return {
    candidates,
    status: (d) => find((s) => matchesStatus(s, d)) ?? (d.to === 'skip' || d.from === 'skip' ? { kind: 'follows', from: d.reason ?? 'a check it depends on' } : unknown),
    observed: (d) =>
      find((s) => matchesObserved(s, d)) ??
      (login && (d.to === undefined || d.from === undefined) && !/^(discovery|jwks)/.test(d.path) ? { kind: 'follows', from: login } : unknown),
  };
}

const HASHED_SUB = /^[0-9a-f]{64}$/;
/** Targets that start a fresh authentik install for every run (a new install ID each time). */
const FRESH_INSTALL = new Set(['embedded', 'containers']);

/**
 * Splits the observed differences into real ones and those random by nature: a hashed_user_id `sub` between two
 * fresh installs. (On a live authentik a changed hashed `sub` is real: a restored database or a second install ID,
 * prior-art.md §4.2, #9361, #10070.)
 */
export function separateNatural<T extends ObservedDiff>(base: RunResult, next: RunResult, diffs: T[]): { real: T[]; natural: NaturalVariation[] } {
  const fresh = FRESH_INSTALL.has(base.target.kind) && FRESH_INSTALL.has(next.target.kind);
  const real: T[] = [];
  const natural: NaturalVariation[] = scopeOrder(base, next);
  for (const d of diffs) {
    const hashed = /^(userinfo|idToken)\.values\.sub$/.test(d.path) && HASHED_SUB.test(String(d.from)) && HASHED_SUB.test(String(d.to));
    if (fresh && hashed) {
      natural.push({ ...d, reason: 'a hashed_user_id sub is sha256 of the user and the install ID, new at every fresh install (authentik.md §2); an in-place upgrade keeps the install ID and the sub' });
    } else real.push(d);
  }
  return { real, natural };
}

/** Set strings whose words are the same in another order (compare sees no change; this says it saw one). */
function scopeOrder(base: RunResult, next: RunResult): NaturalVariation[] {
  const out: NaturalVariation[] = [];
  for (const re of SET_STRINGS) {
    const path = re.source.replace(/^\^|\$$/g, '').replace(/\\\./g, '.');
    const from = dig(base.observed, path);
    const to = dig(next.observed, path);
    if (typeof from !== 'string' || typeof to !== 'string' || from === to) continue;
    if (words(from) !== words(to)) continue;
    out.push({ path, from, to, reason: 'the same set in another order: authentik joins a Python set, whose order changes from process to process (authentik.md §13)' });
  }
  return out;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).sort().join(' ');

function dig(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}
