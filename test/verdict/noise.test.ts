/**
 * Issue 9 §7, noise that hides the signal: a warning is never listed among the causes of a failure; a known
 * warning can be acknowledged (config and flag) and the output says how many were; the email_verified heading does
 * not claim what the finding contradicts; the issuer-mode-global text says who breaks and why; property cards count
 * the same way as the banner; compare does not call a repair a regression. Real engine on the reference provider.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { PROPERTIES, type PropertyId } from '../../helpers/checks/types.ts';
import { main, type CliIo } from '../../helpers/cli/main.ts';
import { DIAGNOSES } from '../../helpers/diagnosis/catalog.ts';
import { formatConsoleSummary, renderHtmlReport } from '../../helpers/report/index.ts';
import { statusSummary } from '../../helpers/report/verdict.ts';
import { harnessRun } from '../../helpers/run.ts';

const variant = (name: string) => resolve(import.meta.dirname, '../../compose/blueprints/variants', `${name}.yaml`);

function capture(): { io: CliIo; out: () => string } {
  let out = '';
  return { io: { out: (t) => void (out += t), err: () => undefined, isTTY: false, env: { CI: 'true' } }, out: () => out };
}

describe('warnings are not causes of a failure, and can be acknowledged', () => {
  it('a failing run with the email_verified warning ranks only the failure causes', async () => {
    // Two failure causes (sub mode, clock skew) plus the 2026.8 email_verified warning.
    const { run } = await harnessRun({ embedded: { blueprint: variant('sub-mode-hashed'), clockOffsetSec: 600 } });
    expect(run.causes.filter((c) => c.status === 'fail').length).toBeGreaterThan(1);
    expect(run.causes.some((c) => c.status === 'warn')).toBe(true);
    const text = formatConsoleSummary(run, { color: false });
    const ranked = text.split('Most likely causes, in order')[1]?.split('\n\n')[0] ?? '';
    expect(ranked).not.toBe('');
    expect(ranked).not.toContain('email-verified-false');
    expect(ranked).not.toContain(DIAGNOSES['email-verified-false'].title);
  });

  it('acknowledge (config): the warning is recorded as an acknowledged pass and the output says how many', async () => {
    const { run } = await harnessRun({ acknowledge: ['email-verified-false'] });
    const r = run.results.find((x) => x.id === 'scopes.email-verified')!;
    expect(r).toMatchObject({ status: 'pass', acknowledged: 'email-verified-false' });
    expect(r.diagnosis?.id).toBe('email-verified-false');
    expect(run.counts.warn).toBe(0);
    expect(run.properties.scopes.status).toBe('pass');
    const text = formatConsoleSummary(run, { color: false });
    expect(text).not.toMatch(/^Warnings/m);
    expect(text).toMatch(/^Acknowledged \(1\): a known warning is not shown \(email-verified-false;/m);
    expect(text).toMatch(/37 passed \(1 acknowledged\), 0 warnings/);
  });

  it('--acknowledge (flag) does the same; a misspelt id is refused with a suggestion', async () => {
    const ok = capture();
    expect(await main(['run', '--acknowledge', 'email-verified-false'], ok.io)).toBe(0);
    expect(ok.out()).toMatch(/Acknowledged \(1\)/);
    let err = '';
    const bad: CliIo = { out: () => undefined, err: (t) => void (err += t), isTTY: false, env: {} };
    expect(await main(['run', '--acknowledge', 'email-verfied-false'], bad)).toBe(2);
    expect(err).toMatch(/acknowledge\.0 \(--acknowledge\) must be a diagnosis id .*not "email-verfied-false" \(did you mean email-verified-false\?\)/);
  });

  it('a failure with an acknowledged id still fails: acknowledging concerns warnings only', async () => {
    const { run } = await harnessRun({ embedded: { blueprint: variant('no-signing-key') }, acknowledge: ['no-signing-key'] });
    expect(run.verdict).toBe('fail');
    expect(run.causes[0]?.id).toBe('no-signing-key');
  });
});

describe('texts that say what they mean', () => {
  it('the email_verified check heading does not claim the value the finding contradicts', () => {
    const title = CATALOG.find((c) => c.id === 'scopes.email-verified')!.title;
    expect(title).not.toMatch(/email_verified is (true|false)/);
  });

  it('issuer-mode-global says who breaks (every conformant client, not osTicket) and why (Discovery §4.3)', () => {
    const d = DIAGNOSES['issuer-mode-global'];
    const text = `${d.symptom} ${d.cause}`;
    expect(text).toMatch(/OpenID Connect Discovery 1\.0 §4\.3/);
    expect(text).toMatch(/osTicket's own logins keep working/);
    expect(text).toMatch(/every conformant client breaks/);
    expect(text).not.toMatch(/unaffected/);
  });
});

describe('property cards count as the banner does', () => {
  it('each card lists its checks by status with the same words, in the console and in the HTML', async () => {
    const { run } = await harnessRun({ embedded: { blueprint: variant('no-signing-key') } });
    const text = formatConsoleSummary(run, { color: false });
    const html = renderHtmlReport(run);
    let failingInCards = 0;
    for (const id of Object.keys(PROPERTIES) as PropertyId[]) {
      const p = run.properties[id];
      const mine = run.results.filter((r) => p.checks.includes(r.id));
      failingInCards += mine.filter((r) => r.status === 'fail').length;
      const line = `${mine.length} checks: ${statusSummary(mine)}`;
      expect(text).toMatch(new RegExp(`${p.title}\\s+${p.status.toUpperCase()}\\s+${line}`));
      expect(html).toContain(line);
      // A card that says WARN (or FAIL) never says everything passed.
      if (p.status !== 'pass') expect(line).not.toMatch(new RegExp(`^${mine.length} checks: ${mine.length} passed$`));
    }
    const outside = run.results.filter((r) => r.status === 'fail' && !Object.values(run.properties).some((p) => p.checks.includes(r.id))).length;
    expect(failingInCards + outside).toBe(run.counts.fail);
    expect(text).toMatch(new RegExp(`^FAIL\\s+${run.counts.fail} of ${run.results.length} checks failed`, 'm'));
  });
});

describe('compare', () => {
  it('exits 0 after a repair (HS256 -> RS256) and 1 for the reverse', async () => {
    const before = mkdtempSync(join(tmpdir(), 'oidc-harness-cmp-a-'));
    const after = mkdtempSync(join(tmpdir(), 'oidc-harness-cmp-b-'));
    await harnessRun({ embedded: { blueprint: variant('no-signing-key') } }, { reportDir: before });
    await harnessRun({}, { reportDir: after });
    const repair = capture();
    expect(await main(['compare', join(before, 'results.json'), join(after, 'results.json')], repair.io)).toBe(0);
    expect(repair.out()).toMatch(/No regression/);
    const breakage = capture();
    expect(await main(['compare', join(after, 'results.json'), join(before, 'results.json')], breakage.io)).toBe(1);
    expect(breakage.out()).toMatch(/REGRESSIONS: \d+/);
  });
});
