/**
 * The result model shared by the engine, the suites, the CLI and the reports (DESIGN.md "The check engine").
 * `results.json` serialises `RunResult`; bump RESULTS_SCHEMA_VERSION on any breaking change.
 */
export const RESULTS_SCHEMA_VERSION = 1;

/** The four properties of the guide, plus the supporting areas. */
export type Area =
  | 'discovery'
  | 'login'
  | 'redirect-uri'
  | 'scopes'
  | 'subject'
  | 'signing'
  | 'token-endpoint'
  | 'osticket';

export const AREAS: readonly Area[] = [
  'discovery',
  'login',
  'redirect-uri',
  'scopes',
  'subject',
  'signing',
  'token-endpoint',
  'osticket',
];

/** The guide's four named properties and the areas whose checks prove each. */
export const PROPERTIES = {
  'redirect-uri': { title: 'Redirect URI', areas: ['redirect-uri'] },
  scopes: { title: 'Scopes', areas: ['scopes'] },
  subject: { title: 'Email-based subject', areas: ['subject'] },
  signing: { title: 'Signing', areas: ['signing'] },
} as const satisfies Record<string, { title: string; areas: readonly Area[] }>;
export type PropertyId = keyof typeof PROPERTIES;

export type Status = 'pass' | 'warn' | 'fail' | 'skip';
export type Severity = 'critical' | 'major' | 'minor' | 'info';
/** Which side a fix belongs to. `harness` = the harness's own input (wrong test password, bad config). */
export type Side = 'authentik' | 'osticket' | 'harness' | 'network';

export interface Diagnosis {
  /** Stable id from the diagnosis catalog (helpers/diagnosis), e.g. `sub-mode-not-email`. */
  id: string;
  side: Side;
  /** What an operator sees, e.g. "osTicket silently returns to its login page". */
  symptom: string;
  cause: string;
  /** Worded in the guide's field names. */
  fix: string;
  /** Lower = more likely; the engine ranks causes across the run by this and by evidence. */
  rank?: number;
}

/** A distinct cause of a run, ranked (helpers/diagnosis rankCauses). */
export interface Cause extends Diagnosis {
  /** 'fail' if any failing check points at it, else 'warn'. */
  status: 'fail' | 'warn';
  /** The checks that point at it. */
  checks: string[];
  distinguish?: string;
  title?: string;
}

export interface CheckResult {
  id: string;
  area: Area;
  title: string;
  status: Status;
  severity: Severity;
  /** Spec clause or product source path the check enforces. */
  spec: string;
  expected?: string;
  actual?: string;
  /** Why a check was skipped, or a one-line note on a pass/warn. */
  reason?: string;
  diagnosis?: Diagnosis;
  /** Transcript exchange ids that back this result. */
  evidence: number[];
  ms: number;
  /**
   * A warning the operator acknowledged (config `acknowledge`, --acknowledge): its diagnosis id. The result is then
   * `pass` with the diagnosis kept, so it no longer appears as a warning but stays on record.
   */
  acknowledged?: string;
}

export interface RunResult {
  schema: number;
  tool: { name: 'oidc-harness'; version: string };
  startedAt: string;
  finishedAt: string;
  ms: number;
  target: { kind: string; description: string; issuer?: string; profile?: string };
  /** The areas a run was limited to (CLI --only); absent for a full run. */
  selection?: Area[];
  verdict: 'pass' | 'fail' | 'error';
  /** Set when the harness could not run at all (verdict `error`). */
  error?: string;
  counts: Record<Status, number>;
  properties: Record<PropertyId, { title: string; status: Status; checks: string[] }>;
  /** Ranked distinct causes across all failures, most likely first. */
  causes: Cause[];
  results: CheckResult[];
  measurements: Record<string, number | string>;
  /** What the integration saw (claims, sub, algorithms, discovery), for `oidc-harness compare` (no secrets). */
  observed?: import('./observe.ts').Observed;
  /**
   * Requests sent, the live budget, the run's critical path (the longest chain of requests that waited on each
   * other, helpers/http/causality.ts) and the sum of all request times, in ms.
   */
  requests: { count: number; budget?: number; criticalPathMs?: number; requestMs?: number };
  transcript: import('../http/types.ts').Exchange[];
}
