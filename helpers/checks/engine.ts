/**
 * The check engine: runs the catalog against a resolved target and returns a RunResult (DESIGN.md "The check
 * engine"). Checks run one after another (one login at a time, live-safe); each is timed, and a transport failure
 * inside a check becomes a failed check with a network diagnosis, never an exception out of the run.
 */
import { diagnose, rankCauses, type DiagnosisId } from '../diagnosis/catalog.ts';
import { isHttpError, type Secrets } from '../http/index.ts';
import { criticalPath, runStrand } from '../http/causality.ts';
import type { HttpError } from '../http/types.ts';
import type { Target } from '../target-types.ts';
import { VERSION } from '../version.ts';
import { CheckContext } from './context.ts';
import { observe } from './observe.ts';
import { decideVerdict, prerequisitesOf } from './verdict.ts';
import {
  PROPERTIES,
  RESULTS_SCHEMA_VERSION,
  type Area,
  type CheckResult,
  type PropertyId,
  type RunResult,
  type Severity,
  type Status,
} from './types.ts';

export interface OutcomeFields {
  expected?: string;
  actual?: string;
  /** A one-line note (pass/warn) or the skip reason. */
  reason?: string;
  evidence?: number[];
}
export type Outcome =
  | ({ status: 'pass' } & OutcomeFields)
  | ({ status: 'warn' | 'fail'; diagnosis: DiagnosisId; detail?: string; fix?: string } & OutcomeFields)
  | ({ status: 'skip'; reason: string } & OutcomeFields);

export interface CheckDef {
  id: string;
  area: Area;
  title: string;
  /** The spec clause or product source the check enforces. */
  spec: string;
  severity: Severity;
  /** Needs a running osTicket (containers stack, or live with an osTicket URL). */
  needsOsticketServer?: boolean;
  /** Sends requests beyond the shared login (negative probes). */
  probe?: boolean;
  run(ctx: CheckContext): Promise<Outcome>;
}

export const pass = (f: OutcomeFields = {}): Outcome => ({ status: 'pass', ...f });
export const skip = (reason: string, f: OutcomeFields = {}): Outcome => ({ status: 'skip', reason, ...f });
/** `detail`: what was seen (appended to the cause); `fix`: the fix for this run's values (appended to the catalog's). */
export const fail = (diagnosis: DiagnosisId, f: OutcomeFields & { detail?: string; fix?: string } = {}): Outcome => ({ status: 'fail', diagnosis, ...f });
export const warn = (diagnosis: DiagnosisId, f: OutcomeFields & { detail?: string; fix?: string } = {}): Outcome => ({ status: 'warn', diagnosis, ...f });

export interface RunOptions {
  /** The run's secret registry, owned by the caller so reports written later can be redacted with it. */
  secrets?: Secrets;
  /** Only these areas (CLI --only). */
  only?: Area[];
  /** Warnings the operator acknowledged (diagnosis ids): such a warning is recorded as an acknowledged pass. */
  acknowledge?: readonly string[];
  /** Called before and after each check (CLI progress). */
  onProgress?: (e: { phase: 'start' | 'end'; check: CheckDef; index: number; total: number; result?: CheckResult }) => void;
}

/** The diagnosis for a transport failure, by HttpError code. */
export function networkDiagnosis(e: Pick<HttpError, 'code'>): DiagnosisId {
  if (e.code === 'BUDGET') return 'request-budget-exhausted';
  if (e.code === 'DEADLINE') return 'run-deadline-exceeded';
  if (e.code === 'TOO_LARGE') return 'response-too-large';
  if (e.code === 'TLS_HOSTNAME_MISMATCH') return 'tls-hostname-mismatch';
  if (e.code === 'TLS_EXPIRED' || e.code === 'TLS_NOT_YET_VALID') return 'tls-expired';
  if (e.code === 'TLS_PROTOCOL') return 'tls-plain-http';
  if (e.code.startsWith('TLS_')) return 'tls-untrusted';
  return 'authentik-unreachable';
}

export async function runChecks(target: Target, catalog: readonly CheckDef[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const ctx = new CheckContext(target, opts.secrets);
  const selected = catalog.filter((c) => !opts.only || opts.only.includes(c.area));
  const results: CheckResult[] = [];
  try {
    let stopped: string | undefined;
    for (const [index, check] of selected.entries()) {
      opts.onProgress?.({ phase: 'start', check, index, total: selected.length });
      const result = stopped ? skipped(check, stopped) : acknowledgeWarning(await runOne(ctx, check), opts.acknowledge);
      results.push(result);
      // An unreachable target (refused, DNS, TLS), the run deadline or the request budget ends the run: every
      // further check would only repeat the same failure (and, live, spend requests).
      const d = result.diagnosis;
      if (!stopped && result.status === 'fail' && d && (d.side === 'network' || d.id === 'run-deadline-exceeded' || d.id === 'request-budget-exhausted')) {
        stopped = `not run: ${d.id === 'request-budget-exhausted' ? 'the request budget is spent' : d.id === 'run-deadline-exceeded' ? 'the run deadline passed' : 'the target is unreachable'} (see ${result.id})`;
      }
      opts.onProgress?.({ phase: 'end', check, index, total: selected.length, result });
    }
    if (opts.only && !stopped) results.push(...(await runPrerequisites(ctx, catalog, results, opts)));
  } finally {
    await ctx.close();
  }
  const order = new Map(catalog.map((c, i) => [c.id, i]));
  results.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return { ...assemble(target, ctx, results, started, opts.only), observed: await observe(ctx) };
}

/**
 * A run filtered with --only must not hide the failure that made its checks skip (issue 9 §5: `--only signing`
 * on a broken login said PASS). The checks a skip reason points at ("see login.completes") run too: their facts
 * were fetched anyway, so this costs no request of its own in the usual case.
 */
async function runPrerequisites(ctx: CheckContext, catalog: readonly CheckDef[], results: CheckResult[], opts: RunOptions): Promise<CheckResult[]> {
  const extra: CheckResult[] = [];
  for (let round = 0; round < 3; round++) {
    const have = new Set([...results, ...extra].map((r) => r.id));
    const wanted = new Set(prerequisitesOf([...results, ...extra]));
    const next = catalog.filter((c) => wanted.has(c.id) && !have.has(c.id));
    if (next.length === 0) break;
    for (const check of next) {
      const index = results.length + extra.length;
      opts.onProgress?.({ phase: 'start', check, index, total: index + 1 });
      const result = acknowledgeWarning(await runOne(ctx, check), opts.acknowledge);
      result.reason ??= 'not selected: run because selected checks depend on it';
      extra.push(result);
      opts.onProgress?.({ phase: 'end', check, index, total: index + 1, result });
    }
  }
  return extra;
}

/** Whether a URL is on the osTicket server's host. */
export function onOsticket(ctx: CheckContext, url: string): boolean {
  const base = ctx.target.osticketServer?.baseUrl;
  if (!base) return false;
  try {
    return new URL(url).host === new URL(base).host;
  } catch {
    return false;
  }
}

/** A warning whose diagnosis the operator acknowledged becomes an acknowledged pass (the diagnosis stays on record). */
function acknowledgeWarning(r: CheckResult, ids: readonly string[] | undefined): CheckResult {
  if (r.status !== 'warn' || !r.diagnosis || !ids?.includes(r.diagnosis.id)) return r;
  return { ...r, status: 'pass', acknowledged: r.diagnosis.id, reason: `acknowledged warning [${r.diagnosis.id}]${r.reason ? `: ${r.reason}` : ''}` };
}

function skipped(check: CheckDef, reason: string): CheckResult {
  return { id: check.id, area: check.area, title: check.title, status: 'skip', severity: check.severity, spec: check.spec, reason, evidence: [], ms: 0 };
}

async function runOne(ctx: CheckContext, check: CheckDef): Promise<CheckResult> {
  const t0 = performance.now();
  const mark = ctx.mark();
  let outcome: Outcome;
  if (check.needsOsticketServer && !ctx.target.osticketServer) {
    outcome = skip(
      ctx.target.noOsticketReason ??
        (ctx.target.kind === 'embedded'
          ? 'the embedded target has no osTicket server (its osTicket side is the client profile); run --target containers or give --osticket'
          : 'no osTicket server configured for this target (give osticket.url / --osticket)'),
    );
  } else {
    try {
      // Each check is its own strand: its first request waits on nothing but the facts it awaits (causality.ts).
      outcome = await runStrand(() => check.run(ctx)).promise;
    } catch (e) {
      if (isHttpError(e) && check.needsOsticketServer && onOsticket(ctx, e.url)) {
        // An osTicket that does not answer fails the osTicket checks, not the run (issue 9 §3).
        outcome = fail('osticket-unreachable', { detail: e.message, actual: e.message, evidence: e.exchangeId ? [e.exchangeId] : [] });
      } else if (isHttpError(e)) {
        outcome = fail(networkDiagnosis(e), { detail: e.message, actual: e.message, evidence: e.exchangeId ? [e.exchangeId] : [] });
      } else {
        const msg = ctx.http.secrets.redact((e as Error)?.message ?? String(e));
        outcome = fail('harness-internal-error', { detail: msg, actual: msg });
      }
    }
  }
  const own = ctx.evidenceSince(mark);
  const evidence = [...new Set([...(outcome.evidence ?? []), ...own])].sort((a, b) => a - b);
  const redact = (s?: string) => (s === undefined ? undefined : ctx.http.secrets.redact(s));
  const result: CheckResult = {
    id: check.id,
    area: check.area,
    title: check.title,
    status: outcome.status,
    severity: check.severity,
    spec: check.spec,
    evidence,
    ms: Math.round(performance.now() - t0),
  };
  if (outcome.expected !== undefined) result.expected = redact(outcome.expected);
  if (outcome.actual !== undefined) result.actual = redact(outcome.actual);
  if (outcome.reason !== undefined) result.reason = redact(outcome.reason);
  if (outcome.status === 'fail' || outcome.status === 'warn') {
    result.diagnosis = diagnose(outcome.diagnosis, redact(outcome.detail), redact(outcome.fix));
  }
  return result;
}

function assemble(target: Target, ctx: CheckContext, results: CheckResult[], started: number, selection?: Area[]): RunResult {
  const md = ctx.measurements;
  const counts: Record<Status, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  const properties = {} as RunResult['properties'];
  for (const [id, p] of Object.entries(PROPERTIES) as Array<[PropertyId, (typeof PROPERTIES)[PropertyId]]>) {
    const mine = results.filter((r) => (p.areas as readonly Area[]).includes(r.area));
    properties[id] = { title: p.title, status: propertyStatus(mine.map((r) => r.status)), checks: mine.map((r) => r.id) };
  }
  const causes = rankCauses(results);
  const { verdict, error } = decideVerdict(results, causes);
  const finished = Date.now();
  md['run.requests'] = ctx.http.requestCount;
  const transcript = ctx.http.transcript.toJSON();
  return {
    schema: RESULTS_SCHEMA_VERSION,
    tool: { name: 'oidc-harness', version: VERSION },
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    ms: finished - started,
    target: {
      kind: target.kind,
      description: target.description,
      ...(typeof md['discovery.issuer'] === 'string' ? { issuer: md['discovery.issuer'] } : {}),
      ...(target.profile ? { profile: target.profile } : {}),
    },
    ...(selection ? { selection: [...selection] } : {}),
    verdict,
    ...(error ? { error } : {}),
    counts,
    properties,
    causes,
    results,
    measurements: md,
    requests: {
      count: ctx.http.requestCount,
      ...(target.requestBudget ? { budget: target.requestBudget } : {}),
      // The longest chain of requests that had to wait on each other, and the sum of every request's time: a run
      // that overlaps independent requests takes about its critical path; a strictly sequential one the sum.
      criticalPathMs: criticalPath(transcript).ms,
      requestMs: transcript.reduce((n, e) => n + e.ms, 0),
    },
    transcript,
  };
}

/**
 * A property is proven only when every one of its checks ran: it fails if any check fails, is `skip` (not proven)
 * if any check could not run, else `warn` if any warned, else `pass`.
 */
export function propertyStatus(statuses: Status[]): Status {
  if (statuses.length === 0) return 'skip';
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('skip')) return 'skip';
  return statuses.includes('warn') ? 'warn' : 'pass';
}
