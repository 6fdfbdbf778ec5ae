/**
 * Issue 9 §5, no false PASS: the verdict sentence claims only what ran. A selection in which nothing ran is not a
 * pass; a selection whose checks skipped because a check outside it failed shows that failure; only a full run
 * whose login completed says that osTicket can sign in. Real engine, embedded reference provider.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../helpers/cli/main.ts';
import { verdictSentence } from '../../helpers/report/index.ts';
import { harnessRun } from '../../helpers/run.ts';

const variant = (name: string) => resolve(import.meta.dirname, '../../compose/blueprints/variants', `${name}.yaml`);

describe('the verdict claims only what ran', () => {
  it('--only osticket on a target without osTicket: nothing ran, so it is not a pass (exit 2)', async () => {
    const { run } = await harnessRun({}, { only: ['osticket'] });
    expect(run.counts.pass + run.counts.warn).toBe(0);
    expect(run.verdict).toBe('error');
    expect(exitCodeFor(run)).toBe(2);
    expect(verdictSentence(run)).toMatch(/^The harness could not run: none of the 5 selected checks could run, so nothing was checked: the embedded target has no osTicket server/);
  });

  it('--only signing on a provider whose login is broken: the login failure is shown, exit 1', async () => {
    const { run } = await harnessRun({ embedded: { blueprint: variant('policy-denies-user') } }, { only: ['signing'] });
    expect(run.verdict).toBe('fail');
    expect(exitCodeFor(run)).toBe(1);
    expect(run.causes[0]?.id).toBe('policy-denies-user');
    const login = run.results.find((r) => r.id === 'login.completes');
    expect(login?.status).toBe('fail');
    expect(verdictSentence(run)).not.toMatch(/can sign in/);
  });

  it('--only signing on a healthy provider passes, saying what was checked and nothing more', async () => {
    const { run } = await harnessRun({}, { only: ['signing'] });
    expect(run.verdict).toBe('pass');
    expect(run.selection).toEqual(['signing']);
    expect(run.results.every((r) => r.area === 'signing')).toBe(true);
    const sentence = verdictSentence(run);
    expect(sentence).toMatch(/only signing was checked; run without --only to check the whole login\.$/);
    expect(sentence).not.toMatch(/can sign in/);
  });

  it('a full run on the guide says osTicket can sign in', async () => {
    const { run } = await harnessRun({});
    expect(run.verdict).toBe('pass');
    expect(verdictSentence(run)).toMatch(/osTicket can sign in through authentik as it is configured\.$/);
  });
});
