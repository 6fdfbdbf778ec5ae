/**
 * reports/junit.xml for CI gating (prior-art.md §5). One <testsuite> per area, one <testcase> per check:
 * classname = area, name = "<id>: <title>", time in seconds. fail -> <failure message="cause"> with expected /
 * actual / fix in the body; skip -> <skipped message="reason"/>; warn -> a pass with a <system-out> note (CI must
 * not go red on a warning). A run that could not start gets one <testcase> with an <error>.
 * Escaping: helpers/report/escape.ts (our own few lines; no XML library is a dependency).
 */
import { reportDir, writeFileAtomic } from './files.ts';
import { join } from 'node:path';
import type { Area, CheckResult, RunResult } from '../checks/types.ts';
import { AREAS } from '../checks/types.ts';
import { escapeXml as x } from './escape.ts';
import { sanitizeRun, type ReportOptions } from './sanitize.ts';
import { verdictSentence } from './verdict.ts';

export const JUNIT_FILE = 'junit.xml';

const secs = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

function failureBody(r: CheckResult): string {
  const d = r.diagnosis;
  const lines = [
    `check:    ${r.id} (${r.area}, ${r.severity})`,
    `spec:     ${r.spec}`,
    r.expected !== undefined ? `expected: ${r.expected}` : undefined,
    r.actual !== undefined ? `actual:   ${r.actual}` : undefined,
    d ? `symptom:  ${d.symptom}` : undefined,
    d ? `cause:    ${d.cause}` : undefined,
    d ? `fix (${d.side}): ${d.fix}` : undefined,
    d ? `diagnosis id: ${d.id}` : undefined,
    r.evidence.length ? `evidence: transcript exchanges ${r.evidence.map((n) => `#${n}`).join(', ')}` : undefined,
  ];
  return lines.filter((l): l is string => l !== undefined).join('\n');
}

function testcase(r: CheckResult): string {
  const open = `    <testcase classname="${x(r.area)}" name="${x(`${r.id}: ${r.title}`)}" time="${secs(r.ms)}"`;
  switch (r.status) {
    case 'pass':
      return r.reason ? `${open}>\n      <system-out>${x(r.reason)}</system-out>\n    </testcase>` : `${open}/>`;
    case 'skip':
      return `${open}>\n      <skipped message="${x(r.reason ?? 'skipped')}"/>\n    </testcase>`;
    case 'warn': {
      const note = [`WARNING: ${r.reason ?? r.diagnosis?.cause ?? r.title}`,
        r.expected !== undefined ? `expected: ${r.expected}` : '', r.actual !== undefined ? `actual:   ${r.actual}` : '',
        r.diagnosis ? `fix (${r.diagnosis.side}): ${r.diagnosis.fix}` : ''].filter(Boolean).join('\n');
      return `${open}>\n      <system-out>${x(note)}</system-out>\n    </testcase>`;
    }
    case 'fail': {
      const message = r.diagnosis?.cause ?? r.reason ?? `${r.title} failed`;
      const type = r.diagnosis?.id ?? 'check-failed';
      return `${open}>\n      <failure message="${x(message)}" type="${x(type)}">${x(failureBody(r))}</failure>\n    </testcase>`;
    }
  }
}

/** The JUnit XML document for a run (sanitized through `opts.redact` and the built-in masks). */
export function toJUnitXml(run: RunResult, opts: ReportOptions = {}): string {
  const r = sanitizeRun(run, opts);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = r.results.length;
  const failures = r.results.filter((c) => c.status === 'fail').length;
  const skipped = r.results.filter((c) => c.status === 'skip').length;
  const errors = r.verdict === 'error' ? 1 : 0;
  out.push(
    `<testsuites name="oidc-harness" tests="${total + errors}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${secs(r.ms)}" timestamp="${x(r.startedAt)}">`,
  );
  const props = [
    ['verdict', r.verdict],
    ['verdict.sentence', verdictSentence(r)],
    ['target.kind', r.target.kind],
    ['target.description', r.target.description],
    ['target.issuer', r.target.issuer],
    ['target.profile', r.target.profile],
    ['tool.version', r.tool.version],
    ['requests.count', String(r.requests.count)],
    ['requests.budget', r.requests.budget === undefined ? undefined : String(r.requests.budget)],
    ...r.causes.slice(0, 5).map((c, i) => [`cause.${i + 1}`, `${c.id} (${c.side}): ${c.fix}`]),
  ].filter((p): p is [string, string] => p[1] !== undefined);
  const propsXml = [
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${x(k)}" value="${x(v)}"/>`),
    '    </properties>',
  ];

  if (r.verdict === 'error') {
    out.push(`  <testsuite name="harness" tests="1" failures="0" errors="1" skipped="0" time="${secs(r.ms)}" timestamp="${x(r.startedAt)}">`);
    out.push(...propsXml);
    out.push(`    <testcase classname="harness" name="${x('run: the harness could run against the target')}" time="${secs(r.ms)}">`);
    out.push(`      <error message="${x(r.error ?? 'the harness could not run')}" type="could-not-run">${x(verdictSentence(r))}</error>`);
    out.push('    </testcase>', '  </testsuite>');
  }
  const areas: Area[] = [...AREAS, ...new Set(r.results.map((c) => c.area).filter((a) => !AREAS.includes(a)))];
  let first = r.verdict !== 'error';
  for (const area of areas) {
    const checks = r.results.filter((c) => c.area === area);
    if (checks.length === 0) continue;
    const ms = checks.reduce((n, c) => n + c.ms, 0);
    out.push(
      `  <testsuite name="${x(area)}" tests="${checks.length}" failures="${checks.filter((c) => c.status === 'fail').length}" errors="0" skipped="${checks.filter((c) => c.status === 'skip').length}" time="${secs(ms)}" timestamp="${x(r.startedAt)}">`,
    );
    if (first) {
      out.push(...propsXml); // the run's properties once, on the first suite
      first = false;
    }
    for (const c of checks) out.push(testcase(c));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

export async function writeJUnit(run: RunResult, dir: string, opts: ReportOptions = {}): Promise<string> {
  reportDir(dir);
  const file = join(dir, JUNIT_FILE);
  await writeFileAtomic(file, toJUnitXml(run, opts));
  return file;
}
