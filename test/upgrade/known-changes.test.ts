/**
 * The known-changes table (helpers/upgrade/known-changes.ts) and the reference provider's profile table
 * (compose/embedded/profiles.ts) describe the same history and are kept in step here, not by hand: every switch that
 * flips between two adjacent profiles has a table entry in that step, and every entry that names a switch flips it
 * in its step. Each entry is well formed (a release, a source, who notices, how a run shows it or why it cannot), and
 * what it points at exists (checks in the catalog, diagnoses in the diagnosis catalog).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILE_FEATURES, PROFILES, type ProfileFeatures } from '../../compose/embedded/profiles.ts';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { DIAGNOSES } from '../../helpers/diagnosis/catalog.ts';
import { changesBetween } from '../../helpers/upgrade/explain.ts';
import { KNOWN_CHANGES } from '../../helpers/upgrade/known-changes.ts';
import { compareReleases, hasChange, parseRelease } from '../../helpers/upgrade/versions.ts';

const release = (v: string) => parseRelease(v)!;
const adjacent = PROFILES.slice(1).map((to, i) => [PROFILES[i]!, to] as const);

describe('known upgrade changes', () => {
  it('every entry is well formed: a release, a source, who notices and why, how a run shows it or why it cannot', () => {
    const ids = KNOWN_CHANGES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of KNOWN_CHANGES) {
      expect(c.version, c.id).toMatch(/^\d{4}\.\d{1,2}\.\d+$/);
      for (const b of c.backports ?? []) expect(compareReleases(release(b), release(c.version)), `${c.id} backport ${b}`).toBeLessThan(0);
      expect(c.source.length, c.id).toBeGreaterThan(20);
      expect(['osticket', 'other-clients', 'nobody']).toContain(c.notices);
      expect(c.why.length, c.id).toBeGreaterThan(10);
      if (c.seenAs.length === 0) expect(c.unseen, `${c.id} says why the checks cannot see it`).toBeTruthy();
    }
  });

  it('what an entry points at exists: checks in the catalog, diagnoses in the diagnosis catalog, switches in the profiles', () => {
    const checks = new Set(CATALOG.map((c) => c.id));
    const diagnoses = Object.keys(DIAGNOSES);
    for (const c of KNOWN_CHANGES) {
      if (c.profileFeature) expect(Object.keys(PROFILE_FEATURES['2026.8']), c.id).toContain(c.profileFeature);
      for (const s of c.seenAs) {
        if (!('check' in s)) continue;
        expect(checks.has(s.check), `${c.id}: check ${s.check}`).toBe(true);
        if (typeof s.diagnosis === 'string') expect(diagnoses, `${c.id}: diagnosis ${s.diagnosis}`).toContain(s.diagnosis);
        else if (s.diagnosis) expect(diagnoses.filter((d) => (s.diagnosis as RegExp).test(d)), `${c.id}: ${s.diagnosis}`).not.toEqual([]);
      }
    }
  });

  it.each(adjacent)('%s -> %s: the switches the profiles flip are exactly the table entries of that step', (from, to) => {
    const flipped = (Object.keys(PROFILE_FEATURES[from]) as Array<keyof ProfileFeatures>).filter((f) => PROFILE_FEATURES[from][f] !== PROFILE_FEATURES[to][f]);
    const entries = changesBetween(release(from), release(to)).filter((c) => c.profileFeature);
    expect(new Set(entries.map((c) => c.profileFeature))).toEqual(new Set(flipped));
  });

  it('each profile switch flips in one step only, the step of its entry', () => {
    for (const c of KNOWN_CHANGES.filter((k) => k.profileFeature)) {
      const steps = adjacent.filter(([a, b]) => PROFILE_FEATURES[a][c.profileFeature!] !== PROFILE_FEATURES[b][c.profileFeature!]);
      const entrySteps = adjacent.filter(([a, b]) => changesBetween(release(a), release(b)).includes(c));
      expect(steps, c.id).toEqual(entrySteps);
    }
  });
});

describe('versions', () => {
  it('a profile stands for its line, or the patch the references read; releases order numerically', () => {
    expect(compareReleases(release('2025.10.0'), release('2025.8'))).toBeGreaterThan(0);
    expect(compareReleases(release('2026.8.7'), release('2026.8'))).toBeLessThan(0); // the line: every patch
    expect(hasChange(release('2026.2'), release('2026.2.2'))).toBe(true); // profile 2026.2 = 2026.2.2
    expect(hasChange(release('2026.2'), release('2026.2.3'))).toBe(false);
    expect(parseRelease('2026.2.0-rc1')).toBeUndefined();
    expect(parseRelease('latest')).toBeUndefined();
  });

  it("the patch a profile stands for is the one profiles.ts names (its header: '2026.2 = 2026.2.2'), every other profile its whole line", () => {
    const header = readFileSync(resolve(import.meta.dirname, '../../compose/embedded/profiles.ts'), 'utf8').split('*/')[0]!;
    const pinned = Object.fromEntries([...header.matchAll(/(\d{4}\.\d{1,2}) = (\d{4}\.\d{1,2}\.\d+)/g)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(pinned).length).toBeGreaterThan(0);
    for (const p of PROFILES) {
      const r = release(p);
      if (pinned[p]) expect(compareReleases(r, release(pinned[p]!)), p).toBe(0);
      else expect(r[2], p).toBe(Number.POSITIVE_INFINITY);
    }
  });

  it('a backport counts on its own line only (structured redirect URIs: 2024.12.0, 2024.8.5, 2024.10.3)', () => {
    const since = release('2024.12.0');
    const backports = [release('2024.8.5'), release('2024.10.3')];
    expect(hasChange(release('2024.8.4'), since, backports)).toBe(false);
    expect(hasChange(release('2024.8.5'), since, backports)).toBe(true);
    expect(hasChange(release('2024.10.2'), since, backports)).toBe(false);
    expect(hasChange(release('2024.10.4'), since, backports)).toBe(true);
    expect(hasChange(release('2025.8'), since, backports)).toBe(true);
    const redirects = KNOWN_CHANGES.find((c) => c.id === 'redirect-uris-structured')!;
    expect(changesBetween(release('2024.8.4'), release('2024.8.5'))).toContain(redirects);
    expect(changesBetween(release('2024.8.5'), release('2025.8'))).not.toContain(redirects);
  });
});
