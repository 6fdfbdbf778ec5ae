/**
 * The console summary the CLI prints at the end of a run: verdict, the four properties, failures with diagnosis
 * and fix, warnings, counts and timing. Colour through picocolors; the caller passes color=false when NO_COLOR is
 * set or stdout is not a TTY (this module never reads the environment itself, so it is deterministic to test).
 */
import pc from 'picocolors';
import type { PropertyId, RunResult, Status } from '../checks/types.ts';
import { PROPERTIES } from '../checks/types.ts';
import { sanitizeRun, type ReportOptions } from './sanitize.ts';
import { causeTitle, propertyLine, shortCause, verdictLabel, verdictSentence } from './verdict.ts';

export interface ConsoleOptions extends ReportOptions {
  color: boolean;
  /** Where the report files were written, to point the operator at them. */
  reportDir?: string;
  /** Also list every passing check (default false). */
  verbose?: boolean;
}

const SIDE: Record<string, string> = { authentik: 'authentik', osticket: 'osTicket', harness: 'harness input', network: 'network/TLS' };

/** Indents continuation lines so long fixes stay readable in an 80-column terminal. */
function wrap(text: string, indent: string, width = 100, firstUsed = indent.length): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  let room = width - firstUsed;
  for (const w of words) {
    if (line && line.length + 1 + w.length > room) {
      lines.push(line);
      line = w;
      room = width - indent.length;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

export function formatConsoleSummary(run: RunResult, opts: ConsoleOptions): string {
  // Every string of the run, network-derived or not, is redacted and stripped of control characters (issue 9 §6).
  const r = sanitizeRun(run, { ...opts, terminal: true });
  const c = pc.createColors(opts.color);
  const paint: Record<Status, (s: string) => string> = { pass: c.green, fail: c.red, warn: c.yellow, skip: c.dim };
  const mark: Record<Status, string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };
  const out: string[] = [];
  const label = verdictLabel(r);
  const vColor = r.verdict === 'pass' ? c.green : r.verdict === 'fail' ? c.red : c.magenta;
  out.push(c.dim(`oidc-harness ${r.tool.version} · ${r.target.kind}: ${r.target.description}${r.target.issuer ? ` · issuer ${r.target.issuer}` : ''}`));
  out.push(`${c.bold(vColor(label))}  ${wrap(verdictSentence(r), '      ')}`);

  if (r.verdict !== 'error' || r.results.length > 0) {
    out.push('');
    for (const id of Object.keys(PROPERTIES) as PropertyId[]) {
      const p = r.properties[id];
      if (!p) continue;
      out.push(`  ${p.title.padEnd(22)} ${paint[p.status](p.status.toUpperCase().padEnd(5))} ${c.dim(propertyLine(r, p, PROPERTIES[id].areas))}`);
    }
  }

  // checks behind the most likely cause first (stable: catalog order otherwise)
  const causeIndex = (x: (typeof r.results)[number]) => {
    const i = x.diagnosis ? r.causes.findIndex((cause) => cause.id === x.diagnosis!.id) : -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const fails = r.results.filter((x) => x.status === 'fail').sort((a, b) => causeIndex(a) - causeIndex(b));
  if (fails.length) {
    out.push('', c.bold(c.red(`Failures (${fails.length})`)));
    const explained = new Set<string>();
    for (const f of fails) {
      out.push(`  ${c.red(mark.fail)} ${c.bold(f.id)}  ${f.title}`);
      if (f.expected !== undefined) out.push(`      expected: ${wrap(f.expected, '                ')}`);
      if (f.actual !== undefined) out.push(`      actual:   ${wrap(f.actual, '                ')}`);
      if (f.diagnosis && explained.has(f.diagnosis.id)) {
        // same cause as a failure above: only the new evidence, not the whole explanation again
        const seen = f.diagnosis.cause.includes(' Seen: ') ? f.diagnosis.cause.slice(f.diagnosis.cause.indexOf(' Seen: ') + 7) : '';
        out.push(`      cause:    ${wrap(`${causeTitle(f.diagnosis)} [${f.diagnosis.id}], as above.${seen ? ` Seen: ${seen}` : ''}`, '                ')}`);
      } else if (f.diagnosis) {
        explained.add(f.diagnosis.id);
        out.push(`      cause:    ${wrap(`${causeTitle(f.diagnosis)} [${f.diagnosis.id}]. ${f.diagnosis.cause}`, '                ')}`);
        out.push(`      ${c.bold('fix:')}      ${c.bold(wrap(`[${SIDE[f.diagnosis.side] ?? f.diagnosis.side}] ${f.diagnosis.fix}`, '                '))}`);
      }
    }
  }
  const warns = r.results.filter((x) => x.status === 'warn');
  if (warns.length) {
    out.push('', c.bold(c.yellow(`Warnings (${warns.length})`)));
    for (const w of warns) {
      out.push(`  ${c.yellow(mark.warn)} ${c.bold(w.id)}  ${w.title}`);
      const why = w.diagnosis ? `${causeTitle(w.diagnosis)}: ${shortCause(w.diagnosis.cause)}` : w.reason;
      if (why) out.push(`      ${wrap(why, '      ')}`);
      if (w.diagnosis) out.push(`      fix:  ${wrap(`[${SIDE[w.diagnosis.side] ?? w.diagnosis.side}] ${w.diagnosis.fix}`, '            ')}`);
    }
  }
  const acked = r.results.filter((x) => x.acknowledged);
  if (acked.length) {
    const ids = [...new Set(acked.map((x) => x.acknowledged!))];
    out.push('', c.dim(`Acknowledged (${acked.length}): ${acked.length === 1 ? 'a known warning is' : 'known warnings are'} not shown (${ids.join(', ')}; config acknowledge / --acknowledge)`));
  }
  // A warning is never a cause of a failure (issue 9 §7): only causes behind failing checks are ranked here.
  const failCauses = r.causes.filter((cause) => cause.status === 'fail');
  if (failCauses.length > 1) {
    out.push('', c.bold('Most likely causes, in order'));
    failCauses.forEach((cause, i) => {
      const line = `${causeTitle(cause)} (fix in ${SIDE[cause.side] ?? cause.side}) [${cause.id}]`;
      out.push(`  ${i + 1}. ${wrap(line, '     ', 100, 5)}`);
    });
  }
  if (opts.verbose) {
    const passes = r.results.filter((x) => x.status === 'pass');
    if (passes.length) out.push('', c.bold(c.green(`Passed (${passes.length})`)), ...passes.map((p) => `  ${c.green(mark.pass)} ${p.id}  ${c.dim(p.title)}`));
  }
  const skips = r.results.filter((x) => x.status === 'skip');
  if (skips.length) {
    out.push('', c.dim(`Skipped (${skips.length})`));
    // One line per reason: a run stopped early, or one root cause, skips many checks for the same reason.
    const byReason = new Map<string, string[]>();
    for (const s of skips) byReason.set(s.reason ?? 'no reason recorded', [...(byReason.get(s.reason ?? 'no reason recorded') ?? []), s.id]);
    for (const [reason, ids] of byReason) {
      out.push(c.dim(ids.length > 3 ? `  ${mark.skip} ${ids.length} checks (${ids.slice(0, 2).join(', ')}, …): ${reason}` : ids.map((id) => `  ${mark.skip} ${id}: ${reason}`).join('\n')));
    }
  }
  out.push('');
  const n = r.counts;
  const secs = (r.ms / 1000).toFixed(2);
  out.push(
    `${r.results.length} checks: ${c.green(`${n.pass} passed${acked.length ? ` (${acked.length} acknowledged)` : ''}`)}, ${c.yellow(`${n.warn} warning${n.warn === 1 ? '' : 's'}`)}, ${c.red(`${n.fail} failed`)}, ${n.skip} skipped · ${secs} s · ${r.requests.count} request${r.requests.count === 1 ? '' : 's'}${r.requests.budget !== undefined ? ` (budget ${r.requests.budget})` : ''}`,
  );
  if (opts.reportDir) out.push(c.dim(`Reports: ${opts.reportDir}/report.html, results.json, junit.xml`));
  return out.join('\n');
}
