/**
 * reports/report.html: ONE self-contained page for the operator (issue 4 §5): verdict, the four properties,
 * ranked causes, failures first with diagnosis and fix, then warnings, passes, skips, a sequence diagram of the
 * flow as it actually went, and the redacted transcript. Inline CSS and a few lines of inline JS; no network, no
 * external asset, no web font. A Content-Security-Policy meta forbids any fetch, so a stray asset would show up
 * as a console error in the Chromium self-test instead of silently phoning out.
 * Every interpolated value goes through escapeHtml (helpers/report/escape.ts).
 */
import { createHash } from 'node:crypto';
import { reportDir, writeFileAtomic } from './files.ts';
import { join } from 'node:path';
import type { CheckResult, Diagnosis, PropertyId, RunResult, Status } from '../checks/types.ts';
import { PROPERTIES } from '../checks/types.ts';
import type { Exchange } from '../http/types.ts';
import { DIAGNOSES, isDiagnosisId } from '../diagnosis/catalog.ts';
import { escapeHtml as h } from './escape.ts';
import { sanitizeRun, type ReportOptions } from './sanitize.ts';
import { renderSequenceSvg } from './sequence.ts';
import { causeTitle, propertyLine, verdictLabel, verdictSentence } from './verdict.ts';

export const HTML_FILE = 'report.html';

const STATUS_LABEL: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };
const SIDE_LABEL: Record<string, string> = { authentik: 'authentik', osticket: 'osTicket', harness: 'harness input', network: 'network / TLS' };

const badge = (s: Status) => `<span class="badge ${s}">${STATUS_LABEL[s]}</span>`;
const sideBadge = (side: string) => `<span class="side side-${h(side)}">fix in ${h(SIDE_LABEL[side] ?? side)}</span>`;
/** "2026-05-04 09:00:00 UTC" from an ISO string (falls back to the raw text). */
const fmtDate = (iso: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso);
const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const evidenceLinks = (ids: number[]) =>
  ids.length ? ids.map((id) => `<a href="#ex-${id}">#${id}</a>`).join(' ') : '<span class="muted">none recorded</span>';

/** Repeats of a diagnosis already explained on the page show only their own evidence and the fix. */
function compactDiagnosisBlock(d: Diagnosis, firstCheck: string): string {
  const i = d.cause.indexOf(' Seen: ');
  return `<div class="diag compact">
  <div class="diag-head"><strong>${h(causeTitle(d))}</strong> ${sideBadge(d.side)} <code class="diag-id">${h(d.id)}</code> <span class="muted small">explained at <a href="#check-${h(firstCheck)}">${h(firstCheck)}</a></span></div>
  <dl class="kv-grid">
    ${i >= 0 ? `<dt>Seen</dt><dd>${h(d.cause.slice(i + 7))}</dd>` : ''}
    <dt>Fix</dt><dd class="fix">${h(d.fix)}</dd>
  </dl>
</div>`;
}

function diagnosisBlock(d: Diagnosis): string {
  const entry = isDiagnosisId(d.id) ? DIAGNOSES[d.id] : undefined;
  return `<div class="diag">
  <div class="diag-head"><strong>${h(causeTitle(d))}</strong> ${sideBadge(d.side)} <code class="diag-id">${h(d.id)}</code></div>
  <dl class="kv-grid">
    <dt>What you see</dt><dd>${h(d.symptom)}</dd>
    <dt>Cause</dt><dd>${h(d.cause)}</dd>
    <dt>Fix</dt><dd class="fix">${h(d.fix)}</dd>
    ${entry?.distinguish ? `<dt>Tell apart</dt><dd class="muted">${h(entry.distinguish)}</dd>` : ''}
    ${entry?.refs.length ? `<dt>Source</dt><dd class="refs">${entry.refs.map((r) => `<code>${h(r)}</code>`).join(' ')}</dd>` : ''}
  </dl>
</div>`;
}

function expectedActual(r: CheckResult): string {
  if (r.expected === undefined && r.actual === undefined) return '';
  return `<div class="ea">
  <div><h4>Expected</h4><pre>${h(r.expected ?? '—')}</pre></div>
  <div><h4>Actual</h4><pre>${h(r.actual ?? '—')}</pre></div>
</div>`;
}

function checkCard(r: CheckResult, explainedAt: Map<string, string>): string {
  let diag = '';
  if (r.diagnosis) {
    const first = explainedAt.get(r.diagnosis.id);
    diag = first ? compactDiagnosisBlock(r.diagnosis, first) : diagnosisBlock(r.diagnosis);
    if (!first) explainedAt.set(r.diagnosis.id, r.id);
  }
  return `<article class="check ${r.status}" id="check-${h(r.id)}">
  <header>${badge(r.status)} <h3>${h(r.title)}</h3> <code>${h(r.id)}</code> <span class="meta">${h(r.area)} · ${h(r.severity)} · ${fmtMs(r.ms)}</span></header>
  ${r.reason ? `<p class="reason">${h(r.reason)}</p>` : ''}
  ${diag}
  ${expectedActual(r)}
  <p class="spec"><span class="k">Spec</span> ${h(r.spec)} <span class="k">Evidence</span> ${evidenceLinks(r.evidence)}</p>
</article>`;
}

function propertyCards(run: RunResult): string {
  const ids = Object.keys(PROPERTIES) as PropertyId[];
  return ids
    .map((id) => {
      const p = run.properties[id] ?? { title: PROPERTIES[id].title, status: 'skip' as Status, checks: [] };
      const failing = run.results.filter((r) => p.checks.includes(r.id) && r.status === 'fail');
      // The same counting words as the console and the banner (helpers/report/verdict.ts statusSummary).
      const line = `${h(propertyLine(run, p, PROPERTIES[id].areas))}${failing.length ? `: ${failing.map((r) => `<a href="#check-${h(r.id)}">${h(r.id)}</a>`).join(', ')}` : ''}`;
      return `<div class="prop ${p.status}"><div class="prop-title">${h(p.title)}</div><div class="prop-status">${STATUS_LABEL[p.status]}</div><div class="prop-line">${line}</div></div>`;
    })
    .join('\n');
}

function causesList(run: RunResult): string {
  if (run.causes.length === 0) return '';
  const withStatus = run.causes.map((c) => {
    const checks = run.results.filter((r) => r.diagnosis?.id === c.id && (r.status === 'fail' || r.status === 'warn'));
    const worst: Status = checks.some((r) => r.status === 'fail') ? 'fail' : 'warn';
    return { c, checks, worst };
  });
  const failing = withStatus.filter((x) => x.worst === 'fail');
  const warnings = withStatus.filter((x) => x.worst === 'warn');
  // The first cause is spelled out; the others show their fix and fold the rest, so the page stays scannable.
  const item = ({ c, checks, worst }: (typeof withStatus)[number], i: number, full: boolean) => {
    const entry = isDiagnosisId(c.id) ? DIAGNOSES[c.id] : undefined;
    const seen = `<dt>You see</dt><dd>${h(c.symptom)}</dd>
    <dt>Cause</dt><dd>${h(c.cause)}</dd>`;
    const rest = `${entry?.distinguish && run.causes.length > 1 ? `<dt>Tell apart</dt><dd class="muted">${h(entry.distinguish)}</dd>` : ''}
    <dt>Seen by</dt><dd class="muted">${checks.map((r) => `<a href="#check-${h(r.id)}">${h(r.id)}</a> (${r.status})`).join(', ') || '—'}</dd>`;
    const fix = `<dt>Fix</dt><dd class="fix">${h(c.fix)}</dd>`;
    return `<li class="cause ${worst}">
  <div class="cause-head"><span class="num">${i + 1}</span> <strong class="cause-title">${h(causeTitle(c))}</strong> ${sideBadge(c.side)} <code class="muted">${h(c.id)}</code></div>
  ${full ? `<dl class="kv-grid">${seen}${fix}${rest}</dl>` : `<dl class="kv-grid">${fix}</dl><details class="more"><summary>What you see, the cause, how to tell it apart</summary><dl class="kv-grid">${seen}${rest}</dl></details>`}
</li>`;
  };
  const failHtml = failing.length
    ? `<section id="causes"><h2>Most likely causes</h2><ol class="causes">${failing.map((x, i) => item(x, i, i === 0)).join('\n')}</ol></section>`
    : '';
  const warnHtml = warnings.length
    ? `<section id="noted"><h2>Also noted (warnings)</h2><ol class="causes">${warnings.map((x, i) => item(x, i, i === 0 && failing.length === 0)).join('\n')}</ol></section>`
    : '';
  return failHtml + warnHtml;
}

function section(id: string, title: string, results: CheckResult[], body: (rs: CheckResult[]) => string, open = true): string {
  if (results.length === 0) return '';
  return `<section id="${id}"><details${open ? ' open' : ''}><summary><h2>${h(title)} <span class="count">${results.length}</span></h2></summary>${body(results)}</details></section>`;
}

function passTable(rs: CheckResult[]): string {
  return `<table class="list"><thead><tr><th>Check</th><th>Area</th><th>Time</th><th>Note</th></tr></thead><tbody>${rs
    .map((r) => `<tr id="check-${h(r.id)}"><td><strong>${h(r.title)}</strong><br><code>${h(r.id)}</code></td><td>${h(r.area)}</td><td class="num">${fmtMs(r.ms)}</td><td>${h(r.reason ?? '')}${r.actual !== undefined ? `<div class="muted small">${h(r.actual)}</div>` : ''}</td></tr>`)
    .join('')}</tbody></table>`;
}

function skipTable(rs: CheckResult[]): string {
  return `<table class="list"><thead><tr><th>Check</th><th>Area</th><th>Why it was skipped</th></tr></thead><tbody>${rs
    .map((r) => `<tr id="check-${h(r.id)}"><td><strong>${h(r.title)}</strong><br><code>${h(r.id)}</code></td><td>${h(r.area)}</td><td>${h(r.reason ?? 'no reason recorded')}</td></tr>`)
    .join('')}</tbody></table>`;
}

function headersTable(headers: Record<string, string | string[]> | undefined): string {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return '<p class="muted small">none</p>';
  return `<table class="hdrs">${entries
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `<tr><th>${h(k)}</th><td>${h(one)}</td></tr>`))
    .join('')}</table>`;
}

/** JSON bodies are shown indented (they were sanitized as text already; re-indenting adds no new content). */
function bodyText(body: string): string {
  const t = body.trim();
  if (t.length > 20_000 || !(t.startsWith('{') || t.startsWith('['))) return body;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return body;
  }
}

function exchangeDetails(x: Exchange, flagged: ReadonlyMap<number, string[]>): string {
  const status = x.status !== undefined ? String(x.status) : `error${x.errorCode ? ` ${x.errorCode}` : ''}`;
  const cls = x.status === undefined ? 'st-err' : x.status >= 500 ? 'st-5xx' : x.status >= 400 ? 'st-4xx' : x.status >= 300 ? 'st-3xx' : 'st-2xx';
  const fail = flagged.get(x.id);
  return `<details class="ex${fail ? ' flagged' : ''}" id="ex-${x.id}">
<summary><span class="ex-id">#${x.id}</span> <span class="ex-actor">${h(x.actor)}</span> <span class="ex-method">${h(x.method)}</span> <span class="ex-url">${h(x.url)}</span> <span class="ex-status ${cls}">${h(status)}</span> <span class="muted">${fmtMs(x.ms)}${x.label ? ` · ${h(x.label)}` : ''}</span>${fail ? ` <span class="badge fail" title="evidence for failing checks">${h(fail.join(', '))}</span>` : ''}</summary>
<div class="ex-body">
  <p class="small muted">Started ${h(x.startedAt)}${x.connectedTo ? ` · connected to ${h(x.connectedTo)}` : ''}</p>
  ${x.error ? `<p class="ex-error">${h(x.error)}</p>` : ''}
  ${x.notes?.length ? `<ul class="notes">${x.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : ''}
  <div class="ex-cols">
    <div><h4>Request</h4>${headersTable(x.requestHeaders)}${x.requestBody ? `<pre>${h(bodyText(x.requestBody))}</pre>` : ''}</div>
    <div><h4>Response</h4>${x.status !== undefined ? headersTable(x.responseHeaders) : '<p class="muted small">no response</p>'}${x.responseBody ? `<pre>${h(bodyText(x.responseBody))}</pre>` : ''}${x.responseTruncated ? `<p class="small muted">Body cut at the recording limit${x.responseBytes !== undefined ? ` (${x.responseBytes} bytes received)` : ''}.</p>` : ''}</div>
  </div>
</div>
</details>`;
}

function measurements(run: RunResult): string {
  const rows: Array<[string, string]> = [
    ['Requests', `${run.requests.count}${run.requests.budget !== undefined ? ` of a budget of ${run.requests.budget}` : ''}`],
    ...Object.entries(run.measurements).map(([k, v]): [string, string] => [k, String(v)]),
  ];
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</table>`;
}

const CSS = `
:root{--pass:#1a7f37;--pass-bg:#e9f7ee;--fail:#c62828;--fail-bg:#fdecec;--warn:#9a6700;--warn-bg:#fff6dc;--skip:#6e7781;--skip-bg:#f3f4f6;--err:#8250df;--err-bg:#f3edff;--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--card:#fff;--page:#f6f8fa;--accent:#0969da}
*{box-sizing:border-box}
body{margin:0;background:var(--page);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:20px 24px 60px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:13px}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:4px 0;max-height:420px;overflow:auto}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
h1{font-size:20px;margin:0}h2{font-size:18px;margin:0;display:inline}h3{font-size:16px;margin:0;display:inline}h4{margin:6px 0 2px;font-size:13px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
section{margin-top:26px}
.topbar{display:flex;justify-content:space-between;align-items:baseline;gap:16px;flex-wrap:wrap;margin-bottom:12px}
.topbar .meta{color:var(--muted);font-size:13px}
.verdict{border-radius:10px;padding:18px 22px;display:flex;gap:20px;align-items:center;border:1px solid}
.verdict .word{font-size:34px;font-weight:800;letter-spacing:.03em;white-space:nowrap}
.verdict .sentence{font-size:17px}
.verdict.pass{background:var(--pass-bg);border-color:var(--pass);color:#0f3d1e}.verdict.pass .word{color:var(--pass)}
.verdict.fail{background:var(--fail-bg);border-color:var(--fail);color:#5c1010}.verdict.fail .word{color:var(--fail)}
.verdict.error{background:var(--err-bg);border-color:var(--err);color:#3b1d75}.verdict.error .word{color:var(--err)}
.target{color:var(--muted);font-size:13px;margin-top:8px}
.props{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin-top:16px}
@media (max-width:820px){.props{grid-template-columns:repeat(2,1fr)}}
.prop{background:var(--card);border:1px solid var(--line);border-top:5px solid var(--skip);border-radius:8px;padding:12px 14px}
.prop.pass{border-top-color:var(--pass)}.prop.fail{border-top-color:var(--fail);background:var(--fail-bg)}.prop.warn{border-top-color:var(--warn)}
.prop-title{font-weight:600}.prop-status{font-size:24px;font-weight:800;margin:2px 0}
.prop.pass .prop-status{color:var(--pass)}.prop.fail .prop-status{color:var(--fail)}.prop.warn .prop-status{color:var(--warn)}.prop.skip .prop-status{color:var(--skip)}
.prop-line{font-size:13px;color:var(--muted)}
.counts{margin-top:12px;display:flex;gap:8px;flex-wrap:wrap}
.badge{display:inline-block;font-size:12px;font-weight:700;padding:1px 8px;border-radius:10px;color:#fff;vertical-align:middle}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}.badge.warn{background:var(--warn)}.badge.skip{background:var(--skip)}
.side{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:10px;border:1px solid var(--line);background:#fff;color:var(--ink)}
.side-authentik{border-color:#fd4b2d;color:#b3260f}.side-osticket{border-color:#0969da;color:#0550ae}.side-harness{border-color:#8250df;color:#6639ba}.side-network{border-color:#6e7781;color:#424a53}
ol.causes{list-style:none;padding:0;margin:10px 0 0}
.cause{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--fail);border-radius:8px;padding:10px 14px;margin-bottom:10px}
.cause.warn{border-left-color:var(--warn)}.cause.warn dd.fix{background:none;font-weight:400}
.cause-head{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.cause .num{display:inline-flex;width:24px;height:24px;border-radius:12px;background:var(--ink);color:#fff;font-weight:700;font-size:13px;align-items:center;justify-content:center}
.k{display:inline-block;min-width:74px;font-size:12px;font-weight:700;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.fix{font-weight:600}
.check{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--skip);border-radius:8px;padding:12px 16px;margin:10px 0}
.check.fail{border-left-color:var(--fail)}.check.warn{border-left-color:var(--warn)}.check.pass{border-left-color:var(--pass)}
.check header{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.check .meta{color:var(--muted);font-size:13px;margin-left:auto}
.reason{margin:6px 0;color:var(--muted)}
.diag{background:#fafbfc;border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:8px 0}
dl.kv-grid{display:grid;grid-template-columns:112px 1fr;gap:4px 12px;margin:6px 0 0}
dl.kv-grid dt{font-size:12px;font-weight:700;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;padding-top:3px}
dl.kv-grid dd{margin:0}dl.kv-grid dd.fix{background:#fff8c5;border-radius:4px;padding:2px 6px;font-weight:600}
.cause-title{font-size:16px}
.cause details.more{margin:4px 0 0}.cause details.more>summary{font-size:13px;color:var(--muted)}
.diag-head{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.diag-id{color:var(--muted)}
.refs code{background:#eef1f4;border-radius:4px;padding:0 4px;margin-right:4px;font-size:12px}
.ea{display:grid;grid-template-columns:1fr 1fr;gap:12px}
@media (max-width:820px){.ea{grid-template-columns:1fr}}
.spec{font-size:13px;color:var(--muted);margin:6px 0 0}
details>summary{cursor:pointer;list-style:revert}
section>details>summary{padding:4px 0}
.count{display:inline-block;background:#e6e9ed;border-radius:10px;padding:0 8px;font-size:13px;margin-left:6px;vertical-align:middle}
table{border-collapse:collapse;width:100%}
table.list{background:var(--card);border:1px solid var(--line);border-radius:8px;margin-top:8px}
table.list th,table.list td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
table.list thead th{font-size:12px;text-transform:uppercase;color:var(--muted);letter-spacing:.04em;background:#f6f8fa}
td.num{white-space:nowrap;text-align:right}
table.kv{width:auto;background:var(--card);border:1px solid var(--line)}table.kv th,table.kv td{text-align:left;padding:4px 12px;border-bottom:1px solid var(--line)}table.kv th{color:var(--muted);font-weight:600}
.muted{color:var(--muted)}.small{font-size:12px}
.seq-wrap{overflow:auto;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px;margin-top:8px}
svg.seq{display:block;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
svg.seq .lane rect{fill:#f6f8fa;stroke:#8c959f}svg.seq .lane.server rect{fill:#eef5ff;stroke:#0969da}
svg.seq .lane-title{font:600 11.5px system-ui,sans-serif;text-anchor:middle;fill:var(--ink)}svg.seq .lane-sub{font-size:11px;text-anchor:middle;fill:var(--muted)}
svg.seq .lifeline{stroke:#c9d1d9;stroke-dasharray:4 4}
svg.seq .hit{fill:transparent}svg.seq a.row:hover .hit{fill:#f3f8ff}svg.seq a.flagged .hit{fill:#fff5f5}
svg.seq .flag{fill:var(--fail)}
svg.seq .gut{font-size:11px;fill:var(--muted)}svg.seq .gut-label{font-size:11px;fill:var(--ink)}
svg.seq .req{stroke:#24292f;stroke-width:1.5}svg.seq .req-text{font-size:11px;text-anchor:middle;fill:var(--ink);paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg.seq .resp{stroke-width:1.3;stroke-dasharray:5 3}svg.seq .resp-text{font-size:11px;text-anchor:middle;font-weight:600}
svg.seq marker.req path{fill:#24292f}
svg.seq .st-2xx{stroke:var(--pass);fill:var(--pass)}svg.seq .st-3xx{stroke:var(--accent);fill:var(--accent)}svg.seq .st-4xx{stroke:var(--warn);fill:var(--warn)}svg.seq .st-5xx,svg.seq .st-err{stroke:var(--fail);fill:var(--fail)}
svg.seq text.resp-text{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.legend{font-size:12px;color:var(--muted);margin:6px 0}.legend>span{margin-right:14px}.c-2xx{color:var(--pass)}.c-3xx{color:var(--accent)}.c-4xx{color:var(--warn)}.c-err{color:var(--fail)}
.ex{background:var(--card);border:1px solid var(--line);border-radius:6px;margin:4px 0}
.ex.flagged{border-left:4px solid var(--fail)}
.ex>summary{padding:6px 10px;font-size:13px;display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.ex-id{font-weight:700}.ex-actor{color:var(--muted)}.ex-method{font-weight:700;font-family:ui-monospace,monospace}.ex-url{font-family:ui-monospace,monospace;word-break:break-all;flex:1 1 300px}
.ex-status{font-weight:700;font-family:ui-monospace,monospace}.ex-status.st-2xx{color:var(--pass)}.ex-status.st-3xx{color:var(--accent)}.ex-status.st-4xx{color:var(--warn)}.ex-status.st-5xx,.ex-status.st-err{color:var(--fail)}
.ex-body{padding:0 12px 10px}.ex-cols{display:grid;grid-template-columns:1fr 1fr;gap:14px}
@media (max-width:820px){.ex-cols{grid-template-columns:1fr}}
table.hdrs{width:auto;font-size:12px;font-family:ui-monospace,monospace}table.hdrs th{text-align:left;color:var(--muted);font-weight:600;padding:1px 8px 1px 0;white-space:nowrap;vertical-align:top}table.hdrs td{word-break:break-all}
.ex-error{color:var(--fail);font-weight:600}
.toolbar{margin:8px 0}.toolbar button{font:inherit;font-size:13px;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer;margin-right:6px}
footer{margin-top:40px;color:var(--muted);font-size:12px}
:target{scroll-margin-top:12px}
.check:target,tr:target{outline:3px solid #ffd33d}
`;

/** Opens the transcript entry a link points at (#ex-N) and offers expand/collapse-all; nothing else. */
const JS = `
(function(){
  function openTarget(){
    var id = decodeURIComponent(location.hash.slice(1));
    if(!id) return;
    var el = document.getElementById(id);
    if(!el) return;
    for(var p = el; p; p = p.parentElement){ if(p.tagName === 'DETAILS') p.open = true; }
    el.scrollIntoView({block:'start'});
  }
  window.addEventListener('hashchange', openTarget);
  document.addEventListener('DOMContentLoaded', function(){
    openTarget();
    var all = document.querySelectorAll('details.ex');
    var ex = document.getElementById('expand-all'), co = document.getElementById('collapse-all');
    if(ex) ex.addEventListener('click', function(){ all.forEach(function(d){ d.open = true; }); });
    if(co) co.addEventListener('click', function(){ all.forEach(function(d){ d.open = false; }); });
  });
})();
`;

/**
 * CSP hashes of our own inline style and script: only these two run, so even a value that somehow escaped
 * escaping could not execute or restyle the page. (No style="" attributes anywhere: a hash does not cover them.)
 */
const cspHash = (text: string) => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
const CSS_HASH = cspHash(CSS);
const JS_HASH = cspHash(JS);

/** The report page for a run. The run is sanitized first (opts.redact and the built-in masks). */
export function renderHtmlReport(run: RunResult, opts: ReportOptions = {}): string {
  const r = sanitizeRun(run, opts);
  const label = verdictLabel(r);
  const flagged = new Map<number, string[]>();
  for (const c of r.results) {
    if (c.status !== 'fail') continue;
    for (const id of c.evidence) flagged.set(id, [...(flagged.get(id) ?? []), c.id]);
  }
  // Within a status, checks behind the most likely cause come first (stable: catalog order otherwise).
  const causeIndex = (c: CheckResult) => {
    const i = c.diagnosis ? r.causes.findIndex((x) => x.id === c.diagnosis!.id) : -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const by = (s: Status) => r.results.filter((c) => c.status === s).sort((a, b) => causeIndex(a) - causeIndex(b));
  const explainedAt = new Map<string, string>();
  const targetLine = [
    `Target: <strong>${h(r.target.kind)}</strong> — ${h(r.target.description)}`,
    r.target.issuer ? `issuer <code>${h(r.target.issuer)}</code>` : '',
    r.target.profile ? `profile ${h(r.target.profile)}` : '',
  ].filter(Boolean).join(' · ');
  const counts = (['fail', 'warn', 'pass', 'skip'] as Status[])
    .map((s) => `<a href="#${s === 'fail' ? 'failures' : s === 'warn' ? 'warnings' : s === 'pass' ? 'passes' : 'skips'}">${badge(s)} ${r.counts[s] ?? 0}</a>`)
    .join(' ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src '${CSS_HASH}'; script-src '${JS_HASH}'; img-src data:">
<link rel="icon" href="data:,">
<title>${h(label)} · oidc-harness · osTicket ← authentik</title>
<style>${CSS}</style>
<script>${JS}</script>
</head>
<body>
<main>
<div class="topbar"><h1>osTicket ← authentik sign-in report</h1><span class="meta">oidc-harness ${h(r.tool.version)} · ${h(fmtDate(r.startedAt))} · took ${fmtMs(r.ms)}</span></div>
<div class="verdict ${h(r.verdict)}" id="verdict"><div class="word">${h(label)}</div><div class="sentence">${h(verdictSentence(r))}</div></div>
<div class="target">${targetLine}</div>
${r.verdict === 'error' && r.results.length === 0
    ? '<p class="muted" id="properties">No check ran: the harness stopped before the first one. The exchanges it made are below.</p>'
    : `<div class="props" id="properties">${propertyCards(r)}</div>
<div class="counts">${counts} <span class="muted small">· ${r.results.length} checks · ${r.requests.count} request${r.requests.count === 1 ? '' : 's'}</span></div>`}
${causesList(r)}
${section('failures', 'Failures', by('fail'), (rs) => rs.map((c) => checkCard(c, explainedAt)).join('\n'))}
${section('warnings', 'Warnings', by('warn'), (rs) => rs.map((c) => checkCard(c, explainedAt)).join('\n'))}
${section('passes', 'Passed checks', by('pass'), passTable, by('pass').length <= 40)}
${section('skips', 'Skipped checks', by('skip'), skipTable)}
<section id="measurements"><h2>Measurements</h2>${measurements(r)}</section>
<section id="sequence"><details open><summary><h2>The flow as it went <span class="count">${r.transcript.length}</span></h2></summary>
<p class="legend"><span>solid: request</span><span>dashed: answer</span><span class="c-2xx">2xx</span><span class="c-3xx">3xx redirect</span><span class="c-4xx">4xx</span><span class="c-err">5xx / transport error</span><span><span class="c-err">●</span> evidence for a failing check</span><span>click a row for its exchange</span></p>
<div class="seq-wrap">${renderSequenceSvg(r, flagged)}</div></details></section>
<section id="transcript"><h2>Transcript <span class="count">${r.transcript.length}</span></h2>
<p class="muted small">Every HTTP exchange of the run, secrets redacted (client secret, passwords, codes, tokens' signatures, cookie values).</p>
<div class="toolbar"><button type="button" id="expand-all">Expand all</button><button type="button" id="collapse-all">Collapse all</button></div>
${r.transcript.map((x) => exchangeDetails(x, flagged)).join('\n')}
</section>
<footer>results.json is the source of truth for this page (schema ${h(String(r.schema))}). Generated by oidc-harness ${h(r.tool.version)}, finished ${h(r.finishedAt)}.</footer>
</main>
</body>
</html>
`;
}

export async function writeHtmlReport(run: RunResult, dir: string, opts: ReportOptions = {}): Promise<string> {
  reportDir(dir);
  const file = join(dir, HTML_FILE);
  await writeFileAtomic(file, renderHtmlReport(run, opts));
  return file;
}
