/**
 * The diagnosis catalog: every cause the checks can detect, as data (issue 4 §3). A check that fails attaches
 * `diagnose(id, detail)`; the engine ranks the distinct causes of a run with `rankCauses`.
 *
 * Wording rules: the SYMPTOM is what an operator sees in a browser or a log; the FIX names the setting in the
 * product's own words (helpers/diagnosis/fields.ts), with the menu path, so it can be done at 9 a.m. without
 * reading code. `rank`: lower = more fundamental. A root cause that makes other checks fail ranks before the
 * generic symptoms it produces (e.g. comma-separated Scopes before "userinfo error", clock skew before "ID token
 * claims invalid"), so the top cause of a run is the setting to change, not its echo.
 */
import type { CheckResult, Diagnosis } from '../checks/types.ts';
import { AUTHENTIK_LOGIN_CAUSES } from './authentik-login-causes.ts';
import { AUTHENTIK_TOKEN_CAUSES } from './authentik-token-causes.ts';
import { DIAGNOSIS_ID_ORDER, type CatalogText, type DiagnosisEntry, type DiagnosisId } from './diagnosis-ids.ts';
import { HARNESS_AND_NETWORK_CAUSES } from './harness-and-network-causes.ts';
import { OSTICKET_SETTING_CAUSES } from './osticket-setting-causes.ts';

export type { DiagnosisEntry, DiagnosisId } from './diagnosis-ids.ts';

/** Every entry, by side: the compiler checks that each id has exactly one. */
const ENTRIES: Record<DiagnosisId, CatalogText> = { ...HARNESS_AND_NETWORK_CAUSES, ...AUTHENTIK_LOGIN_CAUSES, ...AUTHENTIK_TOKEN_CAUSES, ...OSTICKET_SETTING_CAUSES };
/** The catalog, each entry carrying its own id. */
export const DIAGNOSES: Readonly<Record<DiagnosisId, DiagnosisEntry>> = Object.freeze(
  Object.fromEntries(
    DIAGNOSIS_ID_ORDER.map((id) => {
      const { title, ...e } = ENTRIES[id];
      return [id, Object.freeze({ id, title, ...e })];
    }),
  ) as Record<DiagnosisId, DiagnosisEntry>,
);

export const DIAGNOSIS_IDS = Object.keys(DIAGNOSES) as DiagnosisId[];

export function isDiagnosisId(id: string): id is DiagnosisId {
  return Object.prototype.hasOwnProperty.call(DIAGNOSES, id);
}

/**
 * The Diagnosis a failing check attaches. `detail` is the concrete evidence (what the harness saw), appended to
 * the cause, e.g. "sub was 'a3f9…' (64 hex chars: hashed_user_id)". `fixHere` is the fix with this run's values
 * (the observed ones, e.g. the redirect_uri osTicket really sent), appended to the catalog's fix. Never put a
 * secret in either.
 */
export function diagnose(id: DiagnosisId, detail?: string, fixHere?: string): Diagnosis {
  const e = DIAGNOSES[id];
  if (!e) throw new TypeError(`unknown diagnosis id: ${String(id)}`);
  const d = detail?.trim();
  const f = fixHere?.trim();
  return {
    id: e.id,
    side: e.side,
    symptom: e.symptom,
    cause: d ? `${e.cause} Seen: ${d}` : e.cause,
    fix: f ? `${e.fix} Here: ${f}` : e.fix,
    rank: e.rank,
  };
}

/** A ranked cause of a run: the Diagnosis plus what points at it and how to tell it apart. */
export interface RankedCause extends Diagnosis {
  /** 'fail' if any failing check points at this cause, else 'warn'. */
  status: 'fail' | 'warn';
  /** Ids of the checks that point at this cause, in result order. */
  checks: string[];
  /** The catalog headline (absent for ids the catalog does not know). */
  title?: string;
  distinguish?: string;
}

/**
 * Distinct diagnosis ids among fail/warn results, most likely first: causes behind a failure before causes behind
 * only warnings, then by catalog rank (root causes before their echoes), then by how many checks point at it,
 * then by id (stable). The concrete cause text is the first failing (else warning) check's. An id not in the
 * catalog keeps its own `rank` (or sorts last).
 */
export function rankCauses(results: readonly CheckResult[]): RankedCause[] {
  const byId = new Map<string, { diag: Diagnosis; status: 'fail' | 'warn'; checks: string[]; first: number }>();
  results.forEach((r, index) => {
    if ((r.status !== 'fail' && r.status !== 'warn') || !r.diagnosis) return;
    const seen = byId.get(r.diagnosis.id);
    if (!seen) {
      byId.set(r.diagnosis.id, { diag: r.diagnosis, status: r.status, checks: [r.id], first: index });
      return;
    }
    if (!seen.checks.includes(r.id)) seen.checks.push(r.id);
    if (r.status === 'fail' && seen.status === 'warn') {
      seen.status = 'fail';
      seen.diag = r.diagnosis; // prefer the evidence of a failure
    }
  });
  const rankOf = (id: string, d: Diagnosis): number =>
    isDiagnosisId(id) ? DIAGNOSES[id].rank : (d.rank ?? Number.MAX_SAFE_INTEGER);
  return [...byId.entries()]
    .sort(([idA, a], [idB, b]) => {
      if (a.status !== b.status) return a.status === 'fail' ? -1 : 1;
      const byRank = rankOf(idA, a.diag) - rankOf(idB, b.diag);
      if (byRank !== 0) return byRank;
      if (a.checks.length !== b.checks.length) return b.checks.length - a.checks.length;
      return idA < idB ? -1 : idA > idB ? 1 : 0;
    })
    .map(([id, v]) => {
      const entry = isDiagnosisId(id) ? DIAGNOSES[id] : undefined;
      const out: RankedCause = {
        id,
        side: v.diag.side,
        symptom: v.diag.symptom,
        cause: v.diag.cause,
        fix: v.diag.fix,
        rank: rankOf(id, v.diag),
        status: v.status,
        checks: v.checks,
      };
      if (entry) out.title = entry.title;
      if (entry?.distinguish) out.distinguish = entry.distinguish;
      return out;
    });
}
