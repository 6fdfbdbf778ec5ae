import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RESULTS_SCHEMA_VERSION, type RunResult } from '../../helpers/checks/types.ts';
import {
  formatConsoleSummary,
  maskSecretShapes,
  renderHtmlReport,
  toJUnitXml,
  toResultsJson,
  toResultsObject,
  validateResultsJson,
  writeReports,
} from '../../helpers/report/index.ts';
import { escapeMarkup } from '../../helpers/report/escape.ts';
import { errorRun, failingRun, LEAKED_SIG, passingRun, RAW_SECRET, XSS } from './fixtures.ts';
import { all, parseXml } from './xml.ts';

const redact = (t: string) => t.split(RAW_SECRET).join('[redacted:client_secret]');
const ANSI = /\u001b\[/;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('results.json', () => {
  it('has the versioned schema shape, keys in the fixed order', () => {
    const doc = toResultsObject(failingRun());
    expect(validateResultsJson(doc)).toEqual([]);
    expect(doc.schema).toBe(RESULTS_SCHEMA_VERSION);
    expect(Object.keys(doc)).toEqual([
      'schema', 'tool', 'startedAt', 'finishedAt', 'ms', 'target', 'verdict', 'counts', 'properties', 'causes',
      'results', 'measurements', 'requests', 'transcript',
    ]);
    const results = doc.results as Array<Record<string, unknown>>;
    expect(Object.keys(results[0]!)).toEqual(['id', 'area', 'title', 'status', 'severity', 'spec', 'expected', 'actual', 'diagnosis', 'evidence', 'ms']);
    expect(Object.keys(results[0]!.diagnosis as object)).toEqual(['id', 'side', 'symptom', 'cause', 'fix', 'rank']);
    expect(Object.keys((doc.causes as object[])[0]!).slice(0, 3)).toEqual(['id', 'title', 'side']);
    expect(Object.keys(doc.properties as object)).toEqual(['redirect-uri', 'scopes', 'subject', 'signing']);
  });

  it('is byte-stable: the same run serialises identically whatever the key order of the input', () => {
    const a = failingRun();
    // the same content with reversed key order at the top level and in each result
    const b: RunResult = Object.fromEntries(Object.entries(a).reverse()) as unknown as RunResult;
    b.results = a.results.map((r) => Object.fromEntries(Object.entries(r).reverse()) as typeof r);
    expect(Object.keys(b)[0]).not.toBe(Object.keys(a)[0]);
    expect(toResultsJson(b)).toBe(toResultsJson(a));
  });

  it('the error verdict carries its sentence; the validator catches broken documents', () => {
    const doc = toResultsObject(errorRun());
    expect(validateResultsJson(doc)).toEqual([]);
    expect(doc.verdict).toBe('error');
    expect(doc.error).toMatch(/--ca FILE/);

    const broken = JSON.parse(toResultsJson(failingRun())) as Record<string, unknown>;
    delete (broken.results as Array<Record<string, unknown>>)[0]!.diagnosis;
    (broken.counts as Record<string, number>).pass = 99;
    broken.schema = 0;
    const problems = validateResultsJson(broken);
    expect(problems).toContain('results[0] (fail) has a diagnosis');
    expect(problems).toContain('counts.pass equals the number of pass results');
    expect(problems).toContain(`schema must be ${RESULTS_SCHEMA_VERSION}`);
    expect(validateResultsJson([])).toEqual(['not a JSON object']);
  });
});

describe('junit.xml', () => {
  it('is well-formed and has one testcase per check with failure / skipped / system-out', () => {
    const run = failingRun();
    const root = parseXml(toJUnitXml(run));
    expect(root.name).toBe('testsuites');
    expect(root.attrs.tests).toBe(String(run.results.length));
    expect(root.attrs.failures).toBe('3');
    expect(root.attrs.skipped).toBe('2');
    const cases = all(root, 'testcase');
    expect(cases).toHaveLength(run.results.length);
    for (const r of run.results) {
      const tc = cases.find((c) => c.attrs.name === `${r.id}: ${r.title}`);
      expect(tc, r.id).toBeTruthy();
      expect(tc!.attrs.classname).toBe(r.area);
      expect(Number(tc!.attrs.time)).toBeCloseTo(r.ms / 1000, 3);
      const kinds = tc!.children.map((c) => c.name);
      if (r.status === 'fail') {
        expect(kinds).toEqual(['failure']);
        const f = tc!.children[0]!;
        expect(f.attrs.message).toBe(r.diagnosis!.cause);
        expect(f.attrs.type).toBe(r.diagnosis!.id);
        expect(f.text).toContain(`expected: ${r.expected}`);
        expect(f.text).toContain(`actual:   ${r.actual}`);
        expect(f.text).toContain(r.diagnosis!.fix);
      } else if (r.status === 'skip') {
        expect(kinds).toEqual(['skipped']);
        expect(tc!.children[0]!.attrs.message).toBe(r.reason);
      } else if (r.status === 'warn') {
        expect(kinds).toEqual(['system-out']);
        expect(tc!.children[0]!.text).toMatch(/^WARNING: /);
      } else {
        expect(kinds.filter((k) => k === 'failure' || k === 'skipped' || k === 'error')).toEqual([]);
      }
    }
    // one suite per area that has checks, classname = area
    expect(all(root, 'testsuite').map((s) => s.attrs.name)).toEqual(['discovery', 'redirect-uri', 'scopes', 'subject', 'signing', 'token-endpoint', 'osticket']);
  });

  it('escapes markup: the <script> claim comes back as text, never as an element', () => {
    const xml = toJUnitXml(failingRun());
    expect(xml).not.toContain(XSS);
    const root = parseXml(xml);
    expect(all(root, 'script')).toHaveLength(0);
    const sub = all(root, 'testcase').find((c) => c.attrs.name?.startsWith('subject.sub-is-email'))!;
    expect(sub.children[0]!.text).toContain(`actual:   sub=${XSS}`);
  });

  it('a run that could not start is one errored testcase with the sentence', () => {
    const root = parseXml(toJUnitXml(errorRun()));
    expect(root.attrs.errors).toBe('1');
    const errs = all(root, 'error');
    expect(errs).toHaveLength(1);
    expect(errs[0]!.attrs.message).toMatch(/not trusted/);
  });

  it('strips characters XML forbids (bodies can contain anything)', () => {
    const run = failingRun();
    run.results[0]!.actual = 'bell\u0007 nul\u0000 ok';
    const root = parseXml(toJUnitXml(run));
    expect(all(root, 'failure')[0]!.text).toContain('bell\uFFFD nul\uFFFD ok');
  });
});

describe('report.html (static)', () => {
  const html = renderHtmlReport(failingRun(), { redact });

  it('renders the XSS claim inert: escaped text, our own single script, nothing external', () => {
    expect(html).not.toContain(XSS);
    expect(html).toContain(escapeMarkup(XSS));
    expect(html.match(/<script\b/gi)).toHaveLength(1);
    const refs = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(ref, ref).toMatch(/^(#|data:,$)/);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    expect(html).toMatch(/http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[\w+/=]+'; script-src 'sha256-[\w+/=]+'; img-src data:"/);
    expect(html).not.toMatch(/\sstyle="/);
  });

  it('has the verdict first, the four properties, then failures, warnings, passes, skips, diagram, transcript', () => {
    const at = (needle: string) => {
      const i = html.indexOf(needle);
      expect(i, needle).toBeGreaterThan(-1);
      return i;
    };
    const order = ['id="verdict"', 'id="properties"', 'id="causes"', 'id="noted"', 'id="failures"', 'id="warnings"', 'id="passes"', 'id="skips"', 'id="sequence"', 'id="transcript"'].map(at);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toMatch(/<div class="word">FAIL<\/div>/);
    for (const title of ['Redirect URI', 'Scopes', 'Email-based subject', 'Signing']) expect(html).toContain(`<div class="prop-title">${title}</div>`);
    expect(html).toContain('most likely'.replace('most', 'Most'));
    // the top cause is the root cause, not its echo
    expect(html.indexOf('scopes-comma-separated')).toBeLessThan(html.indexOf('userinfo-error'));
    // failures are ordered by their cause's rank: sub-mode-not-email (cause 2) before userinfo-error (cause 3)
    const failures = html.slice(html.indexOf('id="failures"'), html.indexOf('id="warnings"'));
    const failOrder = [...failures.matchAll(/<article class="check fail" id="check-([^"]+)"/g)].map((m) => m[1]);
    expect(failOrder).toEqual(['scopes.sent-as-osticket-sends', 'subject.sub-is-email', 'scopes.userinfo-email']);
  });

  it('draws a lane per actor and host and one arrow pair per exchange, and a details per exchange', () => {
    const run = failingRun();
    for (const lane of ['harness as browser', 'harness as osTicket', 'harness probe', '>osTicket<', '>authentik<']) expect(html).toContain(lane);
    expect(html.match(/<a href="#ex-\d+" class="row/g)).toHaveLength(run.transcript.length);
    expect(html.match(/<details class="ex/g)).toHaveLength(run.transcript.length);
    expect(html).toContain('403 · ');
    expect(html).toContain('✗ ECONNREFUSED');
  });

  it('says COULD NOT RUN with the sentence for an error run, PASS for a passing one', () => {
    expect(renderHtmlReport(errorRun())).toMatch(/<div class="word">COULD NOT RUN<\/div><div class="sentence">The harness could not run: TLS/);
    const pass = renderHtmlReport(passingRun());
    expect(pass).toMatch(/<div class="word">PASS<\/div>/);
    expect(pass).not.toContain('id="failures"');
    expect(pass).toContain('embedded target: no osTicket server');
  });
});

describe('secrets never reach a report', () => {
  it('the redact hook removes a registered value from every output; built-in masks remove token signatures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oidc-report-'));
    dirs.push(dir);
    const run = failingRun();
    const files = await writeReports(run, dir, { redact });
    const outputs = [
      await readFile(files.json, 'utf8'),
      await readFile(files.junit, 'utf8'),
      await readFile(files.html, 'utf8'),
      formatConsoleSummary(run, { color: false, redact, verbose: true }),
    ];
    for (const out of outputs) {
      expect(out).not.toContain(RAW_SECRET);
      expect(out).not.toContain(LEAKED_SIG);
    }
    // without the hook the unregistered value would have gone through: the hook is what protects it
    expect(toResultsJson(run)).toContain(RAW_SECRET);
    expect(toResultsJson(run)).not.toContain(LEAKED_SIG);
    // the input run is not modified
    expect(JSON.stringify(run)).toContain(LEAKED_SIG);
  });

  it('masks secret-shaped values nobody registered', () => {
    expect(maskSecretShapes('GET /cb?code=abc123&state=xyz')).toBe('GET /cb?code=[redacted]&state=xyz');
    expect(maskSecretShapes('response_type=code&scope=openid')).toBe('response_type=code&scope=openid');
    expect(maskSecretShapes('client_id=a&client_secret=s3cr3t&code_verifier=v')).toBe('client_id=a&client_secret=[redacted]&code_verifier=[redacted]');
    expect(maskSecretShapes('code=[redacted:code]')).toBe('code=[redacted:code]');
    expect(maskSecretShapes('{"password":"hunter2","uid_field":"u"}')).toBe('{"password":"[redacted]","uid_field":"u"}');
    expect(maskSecretShapes('{"access_token": "opaque-token-value"}')).toBe('{"access_token": "[redacted]"}');
    expect(maskSecretShapes('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl.')).toBe('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.[redacted].');
    expect(maskSecretShapes('eyJhbGciOiJSU0EtT0FFUCJ9.ZW5ja2V5.aXY.Y2lwaGVy.dGFn')).toBe('eyJhbGciOiJSU0EtT0FFUCJ9.[redacted]');
  });

  it('masks credential headers the HTTP layer left readable', () => {
    const run = passingRun();
    run.transcript[0]!.requestHeaders = { Authorization: 'Basic b3N0aWNrZXQ6c2VjcmV0', Cookie: 'authentik_session=sessvalue1; authentik_csrf=csrfvalue2' };
    run.transcript[0]!.responseHeaders = { 'set-cookie': ['authentik_session=newvalue; Path=/; HttpOnly'] };
    const json = toResultsJson(run);
    expect(json).not.toMatch(/b3N0aWNrZXQ6c2VjcmV0|sessvalue1|csrfvalue2|newvalue/);
    expect(json).toContain('"Authorization": "Basic [redacted]"');
    expect(json).toContain('authentik_session=[redacted]; Path=/; HttpOnly');
  });
});

describe('console summary', () => {
  it('prints verdict, properties, failures with cause and fix, counts and timing; colour only when asked', () => {
    const run = failingRun();
    const plain = formatConsoleSummary(run, { color: false, redact, reportDir: 'reports' });
    expect(plain).not.toMatch(ANSI);
    const lines = plain.split('\n');
    expect(lines[1]).toMatch(/^FAIL {2}3 of 11 checks failed\. Most likely cause: osTicket Scopes typed with commas; fix in osTicket\./);
    expect(plain).toMatch(/ {2}Redirect URI +PASS/);
    expect(plain).toMatch(/ {2}Scopes +FAIL/);
    expect(plain).toMatch(/ {2}Email-based subject +FAIL/);
    expect(plain).toMatch(/ {2}Signing +PASS/);
    expect(plain).toContain('✗ scopes.sent-as-osticket-sends');
    expect(plain).toContain('set Scopes to "email openid profile"');
    expect(plain).toContain('11 checks: 5 passed, 1 warning, 3 failed, 2 skipped · 1.23 s · 13 requests (budget 200)');
    expect(plain).toContain('Reports: reports/report.html');
    expect(formatConsoleSummary(run, { color: true })).toMatch(ANSI);
  });

  it('explains a cause once: later failures with the same diagnosis show only their own evidence', () => {
    const run = failingRun();
    run.results.push({ ...run.results[0]!, id: 'scopes.again', diagnosis: { ...run.results[0]!.diagnosis!, cause: `${run.results[0]!.diagnosis!.cause.split(' Seen: ')[0]} Seen: second evidence` } });
    run.counts.fail++;
    const out = formatConsoleSummary(run, { color: false }).replace(/\n\s+/g, ' '); // undo the wrapping
    expect(out.split("osTicket's Scopes field is typed with commas").length - 1).toBe(1);
    expect(out).toMatch(/as above\. Seen: second evidence/);
    const html = renderHtmlReport(run);
    expect(html).toContain('explained at <a href="#check-scopes.sent-as-osticket-sends">');
    expect(html).toContain('second evidence');
  });

  it('a run that could not start says so in one sentence and lists no properties', () => {
    const out = formatConsoleSummary(errorRun(), { color: false });
    expect(out).toMatch(/COULD NOT RUN {2}The harness could not run: TLS/);
    expect(out).not.toMatch(/Redirect URI +(PASS|FAIL|SKIP)/);
  });
});
