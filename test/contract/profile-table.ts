/** The table CONTRACT.md "Version profiles" shows, built from profiles.ts (test/contract/profiles.test.ts checks it). */
import { PROFILE_FEATURES, PROFILE_SWITCHES, PROFILES } from '../../compose/embedded/profiles.ts';

const fmt = (v: unknown) => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));

export function profileTable(): string {
  const head = `| Behaviour | ${PROFILES.join(' | ')} | Changes and sources |`;
  const rule = `|---|${PROFILES.map(() => '---').join('|')}|---|`;
  const rows = PROFILE_SWITCHES.map((s) => {
    const values = PROFILES.map((p) => fmt(PROFILE_FEATURES[p][s.feature]));
    const sources = s.changes.map((c) => `${c.since}: ${c.source}`).join('; ');
    return `| ${s.what} (\`${s.feature}\`) | ${values.join(' | ')} | ${sources} |`;
  });
  return [head, rule, ...rows].join('\n');
}
