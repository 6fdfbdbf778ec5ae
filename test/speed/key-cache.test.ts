/**
 * The reference provider's generated RSA keys kept between runs (compose/embedded/key-cache.ts): one file per
 * blueprint in the given folder, mode 0600, marked as test keys; a second start serves the same key; a broken file
 * is replaced; the kid still follows the profile's rule; without a folder every start makes new keys.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceProvider, VARIANTS_DIR, type ReferenceProviderOptions } from '../../compose/embedded/index.ts';
import { TEST_KEYS_WARNING } from '../../compose/embedded/key-cache.ts';
import { harnessRun } from '../../helpers/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'oidc-key-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The signing key's kid and modulus as the JWKS serves them. */
async function servedKeys(opts: ReferenceProviderOptions): Promise<Array<{ kid: string; n: string }>> {
  const p = await startReferenceProvider({ env: {}, ...opts });
  try {
    const res = await fetch(`${p.url}/application/o/${p.blueprint.application.slug}/jwks/`);
    return ((await res.json()) as { keys: Array<{ kid: string; n: string }> }).keys.map(({ kid, n }) => ({ kid, n }));
  } finally {
    await p.close();
  }
}

const cacheFiles = (d: string) => readdirSync(d).filter((f) => f.startsWith('reference-provider-test-keys.'));

describe('test keys kept between starts', () => {
  it('first start writes one 0600 file marked as test keys; the next start serves the same key', async () => {
    const first = await servedKeys({ keyCacheDir: dir });
    const files = cacheFiles(dir);
    expect(files).toHaveLength(1);
    const file = join(dir, files[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const body = JSON.parse(readFileSync(file, 'utf8')) as { warning: string; keys: Record<string, string> };
    expect(body.warning).toBe(TEST_KEYS_WARNING);
    expect(body.warning).toMatch(/^TEST KEYS ONLY/);
    expect(Object.keys(body.keys)).toEqual(['authentik Self-signed Certificate (RSA-4096)']);
    expect(Object.values(body.keys)[0]).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(await servedKeys({ keyCacheDir: dir })).toEqual(first);
    // Without the folder a start makes a new key, as before.
    expect((await servedKeys({}))[0]!.n).not.toBe(first[0]!.n);
  });

  it('another blueprint gets its own file and key; the encryption key is kept too', async () => {
    const guide = await servedKeys({ keyCacheDir: dir });
    const enc = join(VARIANTS_DIR, 'encryption-key.yaml');
    const a = await servedKeys({ keyCacheDir: dir, blueprintPath: enc });
    expect(a.map((k) => k.n)).not.toContain(guide[0]!.n);
    expect(await servedKeys({ keyCacheDir: dir, blueprintPath: enc })).toEqual(a);
    const files = cacheFiles(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { keys: Record<string, string> });
    expect(files.every((c) => Object.values(c.keys).every((pem) => pem.startsWith('-----BEGIN PRIVATE KEY-----')))).toBe(true);
  });

  it("the kid follows the profile's rule from the same kept key", async () => {
    const d = mkdtempSync(join(dir, 'profiles-'));
    const older = await servedKeys({ keyCacheDir: d, profile: '2025.10' });
    const newer = await servedKeys({ keyCacheDir: d, profile: '2026.5' });
    expect(newer[0]!.n).toBe(older[0]!.n);
    expect(older[0]!.kid).toMatch(/^[0-9a-f]{32}$/); // MD5 hex before 2026.2 (crypto/keypairs.ts keyId)
    expect(newer[0]!.kid).not.toBe(older[0]!.kid);
  });

  it('a broken file is replaced by new keys', async () => {
    const d = mkdtempSync(join(dir, 'broken-'));
    await servedKeys({ keyCacheDir: d });
    const file = join(d, cacheFiles(d)[0]!);
    writeFileSync(file, '{"keys": {"authentik Self-signed Certificate (RSA-4096)": "not a key"}}');
    const fresh = await servedKeys({ keyCacheDir: d });
    expect(JSON.parse(readFileSync(file, 'utf8')).warning).toBe(TEST_KEYS_WARNING);
    expect(await servedKeys({ keyCacheDir: d })).toEqual(fresh);
  });

  it('a run with a report folder keeps the keys there', async () => {
    const reports = mkdtempSync(join(dir, 'reports-'));
    const { run } = await harnessRun({}, { reportDir: reports });
    expect(run.verdict).toBe('pass');
    expect(cacheFiles(reports)).toHaveLength(1);
  });
});
