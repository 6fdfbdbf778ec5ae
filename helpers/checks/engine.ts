/**
 * The check engine: runs the catalog against a resolved target and returns a RunResult (DESIGN.md "The check
 * engine"). Checks run together, independent requests in flight at once up to `--concurrency` (default 4), logins
 * one at a time (live-safe); with `--concurrency 1` one after another. Results and the transcript keep the order a
 * sequential run has. Each check is timed, and a transport failure inside a check becomes a failed check with a
 * network diagnosis, never an exception out of the run.
 */
import { diagnose, rankCauses, type DiagnosisId } from '../diagnosis/catalog.ts';
import { isHttpError, type Secrets } from '../http/index.ts';
import { criticalPath, runStrand, type Strand } from '../http/causality.ts';
import { DEFAULT_MAX_IN_FLIGHT } from '../http/index.ts';
import type { HttpError } from '../http/types.ts';
import type { Target } from '../target-types.ts';
import { VERSION } from '../version.ts';
import { CheckContext } from './context.ts';
import { observe } from './observe.ts';
import { sequentialOrder } from './order.ts';
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

/** A check that ran (or was skipped): its result (evidence: what the outcome named) and the strand it ran as. */
interface Ran {
  result: CheckResult;
  strand?: Strand;
}

/** Requests in flight at once unless the target says otherwise (`--concurrency`, DESIGN.md "Speed"). */
export const DEFAULT_CONCURRENCY = DEFAULT_MAX_IN_FLIGHT;

export async function runChecks(target: Target, catalog: readonly CheckDef[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const ctx = new CheckContext(target, opts.secrets);
  const selected = catalog.filter((c) => !opts.only || opts.only.includes(c.area));
  const concurrent = (target.concurrency ?? DEFAULT_CONCURRENCY) > 1;
  const ran: Ran[] = [];
  try {
    const batch = await (concurrent ? runTogether : runInOrder)(ctx, selected, opts);
    ran.push(...batch.ran);
    if (opts.only && !batch.stopped) ran.push(...(await runPrerequisites(ctx, catalog, ran, opts)));
  } finally {
    await ctx.close();
  }
  // The transcript in the order a sequential run sends it, ids renumbered, each check's own requests as evidence.
  const seq = sequentialOrder(
    ran.map((r) => r.strand),
    ctx.factStrands(),
    ctx.http.transcript.exchanges.map((e) => e.id),
  );
  const results = ran.map((r, i) => ({ ...r.result, evidence: [...new Set([...r.result.evidence.map(seq.renumber), ...seq.own[i]!])].sort((a, b) => a - b) }));
  const order = new Map(catalog.map((c, i) => [c.id, i]));
  results.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return { ...assemble(target, ctx, results, started, seq.renumber, opts.only), observed: await observe(ctx) };
}

/**
 * An unreachable target (refused, DNS, TLS), the run deadline or the request budget ends the run: every further
 * check would only repeat the same failure (and, live, spend requests). The reason later checks are skipped with.
 */
function stopReason(result: CheckResult, already: boolean): string | undefined {
  const d = result.diagnosis;
  if (result.status !== 'fail' || !d || !(d.side === 'network' || d.id === 'run-deadline-exceeded' || d.id === 'request-budget-exhausted')) return undefined;
  const why = d.id === 'request-budget-exhausted' ? 'the request budget is spent' : d.id === 'run-deadline-exceeded' ? 'the run deadline passed' : 'the target is unreachable';
  return `${already ? 'not judged' : 'not run'}: ${why} (see ${result.id})`;
}

/** `--concurrency 1`: one check after another, one request at a time. */
async function runInOrder(ctx: CheckContext, checks: readonly CheckDef[], opts: RunOptions): Promise<{ ran: Ran[]; stopped?: string }> {
  const out: Ran[] = [];
  let stopped: string | undefined;
  for (const [index, check] of checks.entries()) {
    opts.onProgress?.({ phase: 'start', check, index, total: checks.length });
    const r: Ran = stopped ? { result: skipped(check, stopped) } : await runOne(ctx, check, opts);
    out.push(r);
    stopped ??= stopReason(r.result, false);
    opts.onProgress?.({ phase: 'end', check, index, total: checks.length, result: r.result });
  }
  return { ran: out, stopped };
}

/**
 * Every check at once, each its own strand (DESIGN.md "Speed"): independent requests (discovery, JWKS, the
 * anonymous near-miss probes, the negative token probes) overlap, bounded by the HTTP layer's requests in flight;
 * logins still go one at a time (every authentik login takes the HTTP layer's loginTurn). Checks that need an
 * osTicket server judge what earlier checks saw (peek), so they run one after another once every check before them
 * is done. Results, progress and the transcript keep the catalog's order.
 */
async function runTogether(ctx: CheckContext, checks: readonly CheckDef[], opts: RunOptions): Promise<{ ran: Ran[]; stopped?: string }> {
  const early = new Map(checks.map((check, index) => [index, check.needsOsticketServer ? undefined : runOne(ctx, check, opts)]));
  const out: Ran[] = [];
  let stopped: string | undefined;
  for (const [index, check] of checks.entries()) {
    opts.onProgress?.({ phase: 'start', check, index, total: checks.length });
    const running = early.get(index);
    let r: Ran;
    if (running) {
      r = await running;
      // Already running when an earlier check found the target gone: its requests went, its judgement does not.
      if (stopped) r = { result: skipped(check, stopped.replace(/^not run: /, 'not judged: ')), strand: r.strand };
    } else r = stopped ? { result: skipped(check, stopped) } : await runOne(ctx, check, opts);
    out.push(r);
    stopped ??= stopReason(r.result, false);
    opts.onProgress?.({ phase: 'end', check, index, total: checks.length, result: r.result });
  }
  return { ran: out, stopped };
}

/**
 * A run filtered with --only must not hide the failure that made its checks skip (issue 9 §5: `--only signing`
 * on a broken login said PASS). The checks a skip reason points at ("see login.completes") run too: their facts
 * were fetched anyway, so this costs no request of its own in the usual case.
 */
async function runPrerequisites(ctx: CheckContext, catalog: readonly CheckDef[], done: Ran[], opts: RunOptions): Promise<Ran[]> {
  const extra: Ran[] = [];
  for (let round = 0; round < 3; round++) {
    const all = [...done, ...extra].map((r) => r.result);
    const have = new Set(all.map((r) => r.id));
    const wanted = new Set(prerequisitesOf(all));
    const next = catalog.filter((c) => wanted.has(c.id) && !have.has(c.id));
    if (next.length === 0) break;
    for (const check of next) {
      const index = done.length + extra.length;
      opts.onProgress?.({ phase: 'start', check, index, total: index + 1 });
      const r = await runOne(ctx, check, opts);
      r.result.reason ??= 'not selected: run because selected checks depend on it';
      extra.push(r);
      opts.onProgress?.({ phase: 'end', check, index, total: index + 1, result: r.result });
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

async function runOne(ctx: CheckContext, check: CheckDef, opts: RunOptions): Promise<Ran> {
  const t0 = performance.now();
  let strand: Strand | undefined;
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
      const run = runStrand(() => check.run(ctx));
      strand = run.strand;
      outcome = await run.promise;
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
  // What the check and the facts it asked for first sent is added once the run is over (order.ts).
  const evidence = [...(outcome.evidence ?? [])];
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
  return { result: acknowledgeWarning(result, opts.acknowledge), strand };
}

function assemble(target: Target, ctx: CheckContext, results: CheckResult[], started: number, renumber: (id: number) => number, selection?: Area[]): RunResult {
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
  const transcript = ctx.http.transcript
    .toJSON()
    .map((e) => ({ ...e, id: renumber(e.id), ...(e.after ? { after: e.after.map(renumber).sort((a, b) => a - b) } : {}) }))
    .sort((a, b) => a.id - b.id);
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
