/**
 * Version profiles (issue 11 item 9): compose/embedded/profiles.ts is the single table of what each profile
 * switches, with the authentik source or pull request of each change; CONTRACT.md "Version profiles" repeats it
 * and must stay equal; two adjacent profiles differ in exactly the changes that the later one made.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROFILE_FEATURES, PROFILE_SWITCHES, PROFILES, profileChanges } from '../../compose/embedded/profiles.ts';
import { profileTable } from './profile-table.ts';

describe('version profiles', () => {
  it('CONTRACT.md "Version profiles" shows exactly the table in profiles.ts', () => {
    const contract = readFileSync(new URL('../../compose/embedded/CONTRACT.md', import.meta.url), 'utf8');
    const section = /## Version profiles\n[\s\S]*?\n(\| Behaviour[\s\S]*?)\n\n/.exec(contract)?.[1];
    expect(section, 'CONTRACT.md has a "## Version profiles" section with the table').toBeDefined();
    expect(section).toBe(profileTable());
  });

  it('adjacent profiles differ in exactly the changes the later one made, each with a source', () => {
    for (let i = 1; i < PROFILES.length; i++) {
      const [a, b] = [PROFILES[i - 1]!, PROFILES[i]!];
      const differing = Object.keys(PROFILE_FEATURES[a]).filter((k) => JSON.stringify(PROFILE_FEATURES[a][k as 'kidStyle']) !== JSON.stringify(PROFILE_FEATURES[b][k as 'kidStyle']));
      const changes = profileChanges(a, b);
      expect(changes.map((c) => c.feature).sort(), `${a} -> ${b}`).toEqual(differing.sort());
      for (const c of changes) {
        expect(c.since).toBe(b);
        expect(c.source.length).toBeGreaterThan(10);
        expect(c.after).toEqual(PROFILE_FEATURES[b][c.feature]);
        expect(c.before).toEqual(PROFILE_FEATURES[a][c.feature]);
      }
    }
  });

  it('profileChanges over several releases lists every step, in either direction', () => {
    const up = profileChanges('2025.8', '2026.8');
    expect(up.filter((c) => c.feature.startsWith('accessTokenScope')).map((c) => [c.feature, c.since])).toEqual([['accessTokenScopeClaim', '2025.10'], ['accessTokenScopeFromMapping', '2026.2']]);
    expect(profileChanges('2026.8', '2025.8')).toEqual(up);
    expect(profileChanges('2026.5', '2026.8')).toEqual([]);
  });

  it('each switch changes its value at every listed step (no empty changes)', () => {
    for (const s of PROFILE_SWITCHES) {
      let before: unknown = s.initial;
      for (const c of s.changes) {
        expect(c.value, `${s.feature} at ${c.since}`).not.toEqual(before);
        before = c.value;
      }
    }
  });
});
