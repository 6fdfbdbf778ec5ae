/**
 * Pre-upgrade comparison (DESIGN.md journey 2): two runs of the same set-up show no difference; a run after a
 * change that breaks the email-based subject shows the checks that regressed and the sub that changed, with the
 * URLs of the (random-port) embedded target normalised away.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRuns, loadResults } from '../../helpers/compare.ts';
import { harnessRun } from '../../helpers/run.ts';
import { HarnessInputError } from '../../helpers/config.ts';

const variant = (n: string) => resolve(import.meta.dirname, '../../compose/blueprints/variants', `${n}.yaml`);

async function saved(cfg: Parameters<typeof harnessRun>[0]) {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-harness-compare-'));
  await harnessRun(cfg, { reportDir: dir });
  return loadResults(join(dir, 'results.json'));
}

describe('compare', () => {
  it('two runs of the guide: nothing changed (ports and key ids are not differences)', async () => {
    const c = compareRuns(await saved({}), await saved({}));
    expect(c.regressions).toBe(0);
    expect(c.statusChanges).toEqual([]);
    expect(c.observedChanges).toEqual([]);
  });

  it('an upgrade that switches the Subject mode: the subject checks and the sub regress', async () => {
    const c = compareRuns(await saved({}), await saved({ embedded: { blueprint: variant('sub-mode-uuid') } }));
    expect(c.statusChanges.filter((s) => s.regression).map((s) => `${s.id}:${s.to}:${s.diagnosis}`)).toEqual([
      'subject.id-token-sub-is-email:fail:sub-mode-not-email',
      'subject.userinfo-sub-is-email:fail:sub-mode-not-email',
    ]);
    const sub = c.observedChanges.find((o) => o.path === 'userinfo.values.sub');
    expect(sub?.regression).toBe(true);
    expect(sub?.from).toBe('osticket-test@example.com');
  });

  it('a claim that disappears is a regression (profile mapping removed)', async () => {
    const c = compareRuns(await saved({}), await saved({ embedded: { blueprint: variant('no-profile-mapping') } }));
    expect(c.observedChanges.find((o) => o.path === 'userinfo.claims')?.regression).toBe(true);
    expect(c.regressions).toBeGreaterThan(0);
  });

  it('a file that is not a results.json is refused with one sentence', () => {
    expect(() => loadResults(resolve(import.meta.dirname, '../../package.json'))).toThrow(HarnessInputError);
    expect(() => loadResults('/nonexistent/results.json')).toThrow(/cannot read/);
  });
});
