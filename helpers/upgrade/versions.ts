/**
 * authentik versions as the known-changes table and the reference provider's profiles name them. A release is
 * `YYYY.M.P` (authentik.md §9: tags like 2026.2.2); a profile names a release line (`2026.2`) and behaves as the
 * newest patch of that line the references read (compose/embedded/profiles.ts header): where that patch is known it
 * is pinned below, otherwise the profile stands for the whole line. So a change first shipped in 2026.2.3 is not in
 * the 2026.2 profile (2026.2.2) but is in 2026.5.
 */
export type Release = readonly [year: number, minor: number, patch: number];

/** Profiles that stand for one patch release (authentik.md "Sources and versions", §13, §13.1). */
const PINNED_PATCH: Readonly<Record<string, number>> = { '2025.12': 4, '2026.2': 2 };

/** `2026.2` (a line: its newest patch) or `2026.2.2`; undefined for anything else (an -rc tag, `latest`). */
export function parseRelease(label: string): Release | undefined {
  const m = /^(\d{4})\.(\d{1,2})(?:\.(\d{1,3}))?$/.exec(label.trim());
  if (!m) return undefined;
  const line = `${m[1]}.${m[2]}`;
  const patch = m[3] !== undefined ? Number(m[3]) : (PINNED_PATCH[line] ?? Number.POSITIVE_INFINITY);
  return [Number(m[1]), Number(m[2]), patch];
}

export function compareReleases(a: Release, b: Release): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] === b[2] ? 0 : a[2] < b[2] ? -1 : 1);
}

const sameLine = (a: Release, b: Release) => a[0] === b[0] && a[1] === b[1];

/**
 * Whether `at` already has a change first released in `since` and backported to `backports` (e.g. the structured
 * redirect URIs: 2024.12.0, backported to 2024.8.5 and 2024.10.3): a later release than `since`, or a release of a
 * backport's line at or after that backport.
 */
export function hasChange(at: Release, since: Release, backports: readonly Release[] = []): boolean {
  if (compareReleases(at, since) >= 0) return true;
  return backports.some((b) => sameLine(at, b) && compareReleases(at, b) >= 0);
}

export function releaseLabel(r: Release): string {
  return Number.isFinite(r[2]) ? `${r[0]}.${r[1]}.${r[2]}` : `${r[0]}.${r[1]}`;
}
