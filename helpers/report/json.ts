/**
 * reports/results.json: the machine-readable truth of a run (prior-art.md §5: one record per check with id, spec
 * reference, severity, expected, actual, transcript reference, remediation). Stable: versioned by `schema`
 * (RESULTS_SCHEMA_VERSION in helpers/checks/types.ts) and written with keys in a fixed order, so two runs diff
 * cleanly and a baseline can be compared line by line.
 */
import { reportDir, writeFileAtomic } from './files.ts';
import { join } from 'node:path';
import type { CheckResult, Diagnosis, RunResult } from '../checks/types.ts';
import { RESULTS_SCHEMA_VERSION, AREAS } from '../checks/types.ts';
import type { Exchange } from '../http/types.ts';
import { sanitizeRun, type ReportOptions } from './sanitize.ts';

export const RESULTS_FILE = 'results.json';

/** Copies `keys` of `src` in that order (skipping undefined), then any other keys sorted, so nothing is lost. */
function ordered(src: object, keys: readonly string[], map: Record<string, (v: unknown) => unknown> = {}): Record<string, unknown> {
  const rec = src as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const put = (k: string) => {
    if (rec[k] === undefined) return;
    out[k] = map[k] ? map[k]!(rec[k]) : rec[k];
  };
  for (const k of keys) put(k);
  for (const k of Object.keys(rec).filter((k) => !keys.includes(k)).sort()) put(k);
  return out;
}

const sortedObject = (v: unknown): unknown =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v;

const DIAGNOSIS_KEYS = ['id', 'title', 'side', 'symptom', 'cause', 'fix', 'rank', 'status', 'checks', 'distinguish'];
const diagnosisJson = (d: unknown) => ordered(d as Diagnosis, DIAGNOSIS_KEYS);

const RESULT_KEYS = ['id', 'area', 'title', 'status', 'severity', 'spec', 'expected', 'actual', 'reason', 'acknowledged', 'diagnosis', 'evidence', 'ms'];
const resultJson = (r: CheckResult) => ordered(r, RESULT_KEYS, { diagnosis: diagnosisJson });

const EXCHANGE_KEYS = [
  'id', 'actor', 'label', 'method', 'url', 'connectedTo', 'requestHeaders', 'requestBody', 'status', 'responseHeaders',
  'responseBody', 'responseBytes', 'responseTruncated', 'error', 'errorCode', 'notes', 'startedAt', 'ms', 'after',
];
const exchangeJson = (e: Exchange) =>
  ordered(e, EXCHANGE_KEYS, { requestHeaders: sortedObject, responseHeaders: sortedObject });

/** The results.json object (already sanitized), keys in their fixed order. */
export function toResultsObject(run: RunResult, opts: ReportOptions = {}): Record<string, unknown> {
  const r = sanitizeRun(run, opts);
  return ordered(
    { ...r, schema: RESULTS_SCHEMA_VERSION },
    ['schema', 'tool', 'startedAt', 'finishedAt', 'ms', 'target', 'selection', 'verdict', 'error', 'counts', 'properties', 'causes',
      'results', 'measurements', 'observed', 'requests', 'transcript'],
    {
      tool: (v) => ordered(v as object, ['name', 'version']),
      target: (v) => ordered(v as object, ['kind', 'description', 'issuer', 'profile']),
      counts: (v) => ordered(v as object, ['pass', 'warn', 'fail', 'skip']),
      properties: (v) =>
        ordered(v as object, ['redirect-uri', 'scopes', 'subject', 'signing'], {
          'redirect-uri': (p) => ordered(p as object, ['title', 'status', 'checks']),
          scopes: (p) => ordered(p as object, ['title', 'status', 'checks']),
          subject: (p) => ordered(p as object, ['title', 'status', 'checks']),
          signing: (p) => ordered(p as object, ['title', 'status', 'checks']),
        }),
      causes: (v) => (v as Diagnosis[]).map(diagnosisJson),
      results: (v) => (v as CheckResult[]).map(resultJson),
      measurements: sortedObject,
      requests: (v) => ordered(v as object, ['count', 'budget', 'criticalPathMs', 'requestMs']),
      transcript: (v) => (v as Exchange[]).map(exchangeJson),
    },
  );
}

export function toResultsJson(run: RunResult, opts: ReportOptions = {}): string {
  return `${JSON.stringify(toResultsObject(run, opts), null, 2)}\n`;
}

export async function writeResultsJson(run: RunResult, dir: string, opts: ReportOptions = {}): Promise<string> {
  reportDir(dir);
  const file = join(dir, RESULTS_FILE);
  await writeFileAtomic(file, toResultsJson(run, opts));
  return file;
}

/**
 * Shape check of a parsed results.json (for readers such as a baseline diff, and for the self-tests).
 * Returns the problems found; an empty list means the document has the shape of schema RESULTS_SCHEMA_VERSION.
 */
export function validateResultsJson(doc: unknown): string[] {
  const problems: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  const need = (cond: boolean, what: string) => {
    if (!cond) problems.push(what);
  };
  if (!isObj(doc)) return ['not a JSON object'];
  need(doc.schema === RESULTS_SCHEMA_VERSION, `schema must be ${RESULTS_SCHEMA_VERSION}`);
  need(isObj(doc.tool) && doc.tool.name === 'oidc-harness' && typeof doc.tool.version === 'string', 'tool {name, version}');
  for (const k of ['startedAt', 'finishedAt'] as const) need(typeof doc[k] === 'string' && !Number.isNaN(Date.parse(doc[k] as string)), `${k} ISO date`);
  need(typeof doc.ms === 'number', 'ms number');
  need(isObj(doc.target) && typeof doc.target.kind === 'string' && typeof doc.target.description === 'string', 'target {kind, description}');
  need(doc.verdict === 'pass' || doc.verdict === 'fail' || doc.verdict === 'error', 'verdict pass|fail|error');
  need(doc.verdict !== 'error' || typeof doc.error === 'string', 'error sentence when verdict is error');
  need(isObj(doc.counts) && ['pass', 'warn', 'fail', 'skip'].every((s) => typeof (doc.counts as Record<string, unknown>)[s] === 'number'), 'counts {pass, warn, fail, skip}');
  need(isObj(doc.properties) && ['redirect-uri', 'scopes', 'subject', 'signing'].every((p) => {
    const prop = (doc.properties as Record<string, unknown>)[p];
    return isObj(prop) && typeof prop.title === 'string' && typeof prop.status === 'string' && Array.isArray(prop.checks);
  }), 'properties: the four properties {title, status, checks}');
  need(Array.isArray(doc.causes), 'causes array');
  if (Array.isArray(doc.causes)) doc.causes.forEach((c, i) => need(isObj(c) && ['id', 'side', 'symptom', 'cause', 'fix'].every((k) => typeof c[k] === 'string'), `causes[${i}] {id, side, symptom, cause, fix}`));
  need(Array.isArray(doc.results), 'results array');
  if (Array.isArray(doc.results)) {
    doc.results.forEach((r, i) => {
      const ok = isObj(r) && typeof r.id === 'string' && (AREAS as readonly string[]).includes(r.area as string) && typeof r.title === 'string' &&
        ['pass', 'warn', 'fail', 'skip'].includes(r.status as string) && typeof r.spec === 'string' && Array.isArray(r.evidence) && typeof r.ms === 'number';
      need(ok, `results[${i}] {id, area, title, status, spec, evidence, ms}`);
      if (ok && r.status === 'fail') need(isObj(r.diagnosis), `results[${i}] (fail) has a diagnosis`);
      if (ok && r.status === 'skip') need(typeof r.reason === 'string', `results[${i}] (skip) has a reason`);
    });
    if (isObj(doc.counts)) {
      for (const s of ['pass', 'warn', 'fail', 'skip']) {
        const n = doc.results.filter((r) => isObj(r) && r.status === s).length;
        need((doc.counts as Record<string, unknown>)[s] === n, `counts.${s} equals the number of ${s} results`);
      }
    }
  }
  need(isObj(doc.measurements), 'measurements object');
  need(isObj(doc.requests) && typeof doc.requests.count === 'number', 'requests {count}');
  need(Array.isArray(doc.transcript), 'transcript array');
  if (Array.isArray(doc.transcript)) doc.transcript.forEach((e, i) => need(isObj(e) && typeof e.id === 'number' && typeof e.actor === 'string' && typeof e.method === 'string' && typeof e.url === 'string', `transcript[${i}] {id, actor, method, url}`));
  return problems;
}
