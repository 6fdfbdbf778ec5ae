/**
 * Issue 9 §4, fix texts that point somewhere: every configuration key or flag a fix mentions exists (in the config
 * schema, the guide's field list helpers/diagnosis/fields.ts, or the CLI); a fix that is done in osTicket is
 * tagged osTicket; each authentik field is reached by one menu path.
 */
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../helpers/cli/main.ts';
import { configKeyPaths } from '../../helpers/config-schema.ts';
import { DIAGNOSES, DIAGNOSIS_IDS } from '../../helpers/diagnosis/catalog.ts';
import { AUTHENTIK_FIELDS, HARNESS_FIELDS, OSTICKET_FIELDS } from '../../helpers/diagnosis/fields.ts';

async function cliFlags(): Promise<Set<string>> {
  const flags = new Set<string>();
  for (const cmd of [[], ['run'], ['diagnose'], ['serve-reference'], ['compare']]) {
    let out = '';
    const io: CliIo = { out: (t) => void (out += t), err: () => undefined, isTTY: false, env: {} };
    await main([...cmd, '--help'], io);
    for (const m of out.matchAll(/--[a-z][a-z-]*/g)) flags.add(m[0]);
  }
  return flags;
}

const KEYS = configKeyPaths();
const LEAVES = new Set(KEYS.map((k) => k.split('.').at(-1)!));
const TOP = new Set(KEYS.map((k) => k.split('.')[0]!));
const FIELDS = new Set<string>([...AUTHENTIK_FIELDS, ...OSTICKET_FIELDS, ...HARNESS_FIELDS]);
/** Product and standard names that are camelCase words but not settings. */
const PROSE = new Set(['osTicket', 'subjectAltName', 'authentik']);

/** The configuration keys a text names: camelCase words and dotted paths that start with a top-level key. */
function keysIn(text: string): string[] {
  const camel = [...text.matchAll(/(?<![\w./-])([a-z]+[A-Z][A-Za-z]*)\b/g)].map((m) => m[1]!);
  const dotted = [...text.matchAll(/(?<![\w/-])([a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)+)\b/g)].map((m) => m[1]!).filter((p) => TOP.has(p.split('.')[0]!));
  return [...camel, ...dotted].filter((k) => !PROSE.has(k));
}

describe('every fix names settings that exist', () => {
  it('each configuration key a fix mentions is in the config schema or the field list', () => {
    const missing: string[] = [];
    for (const id of DIAGNOSIS_IDS) {
      for (const key of keysIn(DIAGNOSES[id].fix)) {
        const known = key.includes('.') ? KEYS.includes(key) : LEAVES.has(key) || TOP.has(key) || FIELDS.has(key);
        if (!known) missing.push(`${id}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('each flag a fix or the field list mentions is an option of the CLI', async () => {
    const flags = await cliFlags();
    const missing: string[] = [];
    for (const id of DIAGNOSIS_IDS) for (const m of DIAGNOSES[id].fix.matchAll(/--[a-z][a-z-]*/g)) if (!flags.has(m[0])) missing.push(`${id}: ${m[0]}`);
    for (const f of HARNESS_FIELDS) if (f.startsWith('--') && !flags.has(f)) missing.push(`fields.ts: ${f}`);
    for (const f of HARNESS_FIELDS) if (!f.startsWith('--') && !KEYS.includes(f) && !LEAVES.has(f)) missing.push(`fields.ts: ${f}`);
    expect(missing).toEqual([]);
  });

  it('a fix that copies a value into osTicket is tagged osTicket', () => {
    for (const id of ['client-id-unknown', 'osticket-client-id-mismatch'] as const) expect(DIAGNOSES[id].side, id).toBe('osticket');
    const wrong = DIAGNOSIS_IDS.filter((id) => /^(Copy|copy) .* into osTicket's/.test(DIAGNOSES[id].fix) && DIAGNOSES[id].side !== 'osticket');
    expect(wrong).toEqual([]);
  });

  it('each authentik field is reached by one menu path', () => {
    const paths = new Map<string, Set<string>>();
    for (const id of DIAGNOSIS_IDS) {
      for (const m of DIAGNOSES[id].fix.matchAll(/authentik Admin interface -> ([^:.;]*?) -> ([A-Z][A-Za-z ]+?)(?=[:.;,]| \(|$)/g)) {
        const field = m[2]!.trim();
        if (!(AUTHENTIK_FIELDS as readonly string[]).includes(field)) continue;
        const set = paths.get(field) ?? new Set<string>();
        set.add(m[1]!.trim());
        paths.set(field, set);
      }
    }
    const several = [...paths].filter(([, s]) => s.size > 1).map(([f, s]) => `${f}: ${[...s].join(' | ')}`);
    expect(several).toEqual([]);
  });
});
