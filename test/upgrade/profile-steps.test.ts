/**
 * Issue 13 item 4, against the reference provider over real HTTP (the whole catalog, as upgrade-check runs it):
 * between each pair of adjacent profiles the comparison names exactly the known changes of that step that a run of
 * the guide can show, and nothing else; two runs of the same profile differ in nothing but what is random by nature
 * (a hashed sub between fresh installs, the order of the granted scopes), which is reported as such; a change that
 * applies only to some set-ups shows with such a set-up; a difference no entry explains says "investigate".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROFILES } from '../../compose/embedded/profiles.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
import { compareRuns, flatten, type Comparison } from '../../helpers/compare.ts';
import { changesBetween, INVESTIGATE } from '../../helpers/upgrade/explain.ts';
import { KNOWN_CHANGES } from '../../helpers/upgrade/known-changes.ts';
import { parseRelease } from '../../helpers/upgrade/versions.ts';
import { harnessRun } from '../../helpers/run.ts';
import { releaseOfImage } from '../../helpers/target-containers.ts';

const variant = (n: string) => resolve(import.meta.dirname, '../../compose/blueprints/variants', `${n}.yaml`);
const keyCacheDir = mkdtempSync(join(tmpdir(), 'oidc-harness-steps-'));
const runAt = async (profile: string, blueprint?: string): Promise<RunResult> =>
  (await harnessRun({ embedded: { profile: profile as '2026.8', ...(blueprint ? { blueprint } : {}) } }, { keyCacheDir })).run;

const differences = (c: Comparison) => [...c.statusChanges, ...c.observedChanges];
const namedKnown = (c: Comparison) => new Set(differences(c).flatMap((d) => (d.explanation.kind === 'known' ? [d.explanation.change.id] : [])));
const describeDiff = (d: ReturnType<typeof differences>[number]) => ('id' in d ? `${d.id} ${d.from}->${d.to}` : `${d.path}`);

const runs = new Map<string, RunResult>();
beforeAll(async () => {
  for (const p of PROFILES) runs.set(p, await runAt(p));
});

describe('adjacent profiles: the diff names exactly the table changes of the step', () => {
  it.each(PROFILES.slice(1).map((to, i) => [PROFILES[i]!, to] as const))('%s -> %s', (from, to) => {
    const c = compareRuns(runs.get(from)!, runs.get(to)!);
    // What the guide can show: reproduced by a profile switch, visible to the checks, and not limited to other set-ups.
    const expected = changesBetween(parseRelease(from)!, parseRelease(to)!).filter((k) => k.profileFeature && k.seenAs.length && !k.when);
    expect(namedKnown(c)).toEqual(new Set(expected.map((k) => k.id)));
    expect(differences(c).filter((d) => d.explanation.kind !== 'known').map(describeDiff)).toEqual([]);
    expect(c.natural).toEqual([]);
  });

  it('the steps together cover every change the guide can show (none is listed in no step)', () => {
    const shown = KNOWN_CHANGES.filter((k) => k.profileFeature && k.seenAs.length && !k.when).map((k) => k.id);
    const named = new Set(PROFILES.slice(1).flatMap((to, i) => [...namedKnown(compareRuns(runs.get(PROFILES[i]!)!, runs.get(to)!))]));
    expect(new Set(shown)).toEqual(named);
  });

  it("every observed path an entry looks for is one a run records (no entry waits for a path that never comes)", () => {
    const paths = [...new Set([...runs.values()].flatMap((r) => Object.keys(flatten(r.observed ?? {}))))];
    for (const k of KNOWN_CHANGES) {
      for (const s of k.seenAs) if ('path' in s) expect(paths.some((p) => s.path.test(p)), `${k.id}: ${s.path}`).toBe(true);
    }
  });
});

describe('the same profile twice: only what is random by nature, reported as such', () => {
  it('the guide: no difference at all', async () => {
    const c = compareRuns(runs.get('2026.8')!, await runAt('2026.8'));
    expect(differences(c)).toEqual([]);
    expect(c.natural).toEqual([]);
  });

  it('a hashed_user_id sub differs between two fresh installs: reported as random by nature, not as a change', async () => {
    const bp = variant('sub-mode-hashed');
    const c = compareRuns(await runAt('2026.8', bp), await runAt('2026.8', bp));
    expect(differences(c)).toEqual([]);
    expect(c.regressions).toBe(0);
    expect(c.natural.map((n) => n.path).sort()).toEqual(['idToken.values.sub', 'userinfo.values.sub']);
    expect(c.natural[0]!.reason).toMatch(/install ID.*authentik\.md §2/);
  });

  it('the granted scopes in another order: reported as random by nature (authentik joins a Python set)', () => {
    const base = runs.get('2026.8')!;
    const next = structuredClone(base);
    base.observed!.tokenResponse!.scope = 'openid email profile';
    next.observed!.tokenResponse!.scope = 'profile openid email';
    const c = compareRuns(base, next);
    expect(differences(c)).toEqual([]);
    expect(c.natural).toEqual([expect.objectContaining({ path: 'tokenResponse.scope', from: 'openid email profile', to: 'profile openid email' })]);
    expect(c.natural[0]!.reason).toMatch(/Python set/);
  });
});

describe('changes that only some set-ups notice, and differences no change explains', () => {
  it('a provider without grant_types (2025.10 -> 2026.5): the failed login is grant-types-enforced, the rest follows from it', async () => {
    const bp = variant('grant-types-empty');
    const c = compareRuns(await runAt('2025.10', bp), await runAt('2026.5', bp));
    const login = c.statusChanges.find((s) => s.id === 'login.completes');
    expect(login).toMatchObject({ from: 'pass', to: 'fail', diagnosis: 'grant-types-empty', explanation: { kind: 'known', change: { id: 'grant-types-enforced', notices: 'osticket' } } });
    expect(differences(c).filter((d) => d.explanation.kind === 'unknown').map(describeDiff)).toEqual([]);
    expect(differences(c).filter((d) => d.explanation.kind === 'follows').length).toBeGreaterThan(20);
  });

  it('a change of set-up, not of version (Subject mode user_uuid), is not a known upgrade change: investigate', async () => {
    const c = compareRuns(runs.get('2026.8')!, await runAt('2026.8', variant('sub-mode-uuid')));
    const sub = c.observedChanges.find((o) => o.path === 'userinfo.values.sub');
    expect(sub?.explanation).toEqual({ kind: 'unknown', note: INVESTIGATE });
    expect(c.statusChanges.find((s) => s.id === 'subject.userinfo-sub-is-email')?.explanation.kind).toBe('unknown');
  });

  it('containers runs of real images name their tag, and only the changes between the two tags are candidates', () => {
    expect(releaseOfImage('ghcr.io/goauthentik/server:2026.8.7')).toBe('2026.8.7');
    for (const image of ['oidc-harness/reference-authentik:latest', 'localhost:5000/authentik', 'ghcr.io/goauthentik/server@sha256:0123abcd']) expect(releaseOfImage(image), image).toBeUndefined();
    const at = (r: RunResult, tag: string): RunResult => ({ ...r, target: { ...r.target, kind: 'containers', profile: tag } });
    const across = compareRuns(at(runs.get('2025.8')!, '2025.8.6'), at(runs.get('2025.10')!, '2025.10.0'));
    expect(namedKnown(across)).toEqual(new Set(['email-verified-false']));
    // The same difference between two patches of one line is no known upgrade change.
    const within = compareRuns(at(runs.get('2025.8')!, '2025.10.0'), at(runs.get('2025.10')!, '2025.10.3'));
    expect(within.observedChanges.map((o) => o.explanation.kind)).toEqual(['unknown', 'unknown']);
  });

  it('runs that name no version (a live baseline) are matched against the whole table', () => {
    const strip = (r: RunResult): RunResult => ({ ...r, target: { ...r.target, kind: 'live', profile: undefined } });
    const c = compareRuns(strip(runs.get('2025.8')!), strip(runs.get('2025.10')!));
    expect(namedKnown(c)).toEqual(new Set(['email-verified-false']));
  });
});
