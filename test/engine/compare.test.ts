/**
 * Pre-upgrade comparison (DESIGN.md journey 2): two runs of the same set-up show no difference; a run after a
 * change that breaks the email-based subject shows the checks that regressed and the sub that changed, with the
 * URLs of the (random-port) embedded target normalised away.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRuns, flatten, formatComparison, loadResults } from '../../helpers/compare.ts';
import { classifyChange } from '../../helpers/compare-impact.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
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

  it('the same scopes in another order are no change (authentik joins a Python set, authentik.md §13)', async () => {
    const base = await saved({});
    const next = withObserved(base, (o) => (o.tokenResponse!.scope = 'profile email openid'));
    (base.observed!.tokenResponse!).scope = 'openid profile email';
    const c = compareRuns(base, next);
    expect(c.observedChanges).toEqual([]);
    expect(c.regressions).toBe(0);
  });

  it('every difference is classified with its reason: jti harmless, sub breaks other clients, the email breaks osTicket', async () => {
    // authentik adds jti to the ID token from 2026.2.0 (authentik.md §13): a baseline without it, a new run with it.
    const base = withObserved(await saved({}), (o) => (o.idToken!.claims = o.idToken!.claims.filter((c) => c !== 'jti')));
    const next = withObserved(base, (o) => {
      o.idToken!.claims = [...o.idToken!.claims, 'jti'];
      (o.userinfo as { values: Record<string, unknown> }).values.email = 'someone-else@example.com';
      (o.userinfo as { values: Record<string, unknown> }).values.sub = 'e3b0c442';
      o.tokenResponse!.scope = 'openid email';
    });
    const c = compareRuns(base, next);
    const by = Object.fromEntries(c.observedChanges.map((o) => [o.path, `${o.impact}${o.regression ? ' (regression)' : ''}`]));
    expect(by).toEqual({
      'idToken.claims': 'harmless',
      'userinfo.values.email': 'breaking-osticket (regression)',
      'userinfo.values.sub': 'breaking-other-clients (regression)',
      'tokenResponse.scope': 'breaking-osticket (regression)',
    });
    expect(c.observedChanges.find((o) => o.path === 'idToken.claims')?.reason).toMatch(/^new: jti; jti: .*osTicket ignores the ID token/);
    expect(c.regressions).toBe(3);
    const text = formatComparison(c);
    expect(text).toMatch(/breaks osTicket:\n\s+✗ tokenResponse\.scope: .* \(profile no longer granted: userinfo lacks the claims osTicket maps\)/);
    expect(text).toMatch(/harmless:\n\s+· idToken\.claims/);
  });

  it('every path a run records has a rule (nothing falls through to "review it")', async () => {
    const run = await saved({ embedded: { profile: '2025.10' } });
    const paths = Object.keys(flatten(run.observed ?? {})).filter((p) => p !== 'authentik');
    expect(paths.length).toBeGreaterThan(30);
    expect(paths.filter((p) => /no rule/.test(classifyChange(p, 'x', 'y').reason))).toEqual([]);
  });

  it('a file that is not a results.json is refused with one sentence', () => {
    expect(() => loadResults(resolve(import.meta.dirname, '../../package.json'))).toThrow(HarnessInputError);
    expect(() => loadResults('/nonexistent/results.json')).toThrow(/cannot read/);
  });
});

/** A copy of `run` whose observed record `edit` changed. */
function withObserved(run: RunResult, edit: (o: NonNullable<RunResult['observed']>) => void): RunResult {
  const copy = structuredClone(run);
  edit(copy.observed!);
  return copy;
}
