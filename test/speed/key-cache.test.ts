/**
 * The reference provider's generated RSA keys kept between runs (compose/embedded/key-cache.ts): one file per
 * blueprint in the given folder, mode 0600, marked as test keys; a second start serves the same key and the same
 * certificate (per authentik version); a broken file or a certificate that is not the key's is replaced; the kid
 * still follows the profile's rule; without a folder every start makes new keys. A start from kept keys never
 * loads the X.509 writer (@peculiar/x509 with reflect-metadata, hundreds of milliseconds of a cold start).
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildKeyPair, DEFAULT_PROFILE, startReferenceProvider, VARIANTS_DIR, type ReferenceProviderOptions } from '../../compose/embedded/index.ts';
import { cachedCertificate, TEST_KEYS_WARNING } from '../../compose/embedded/key-cache.ts';
import { harnessRun } from '../../helpers/run.ts';
import { BIN, runProcess } from '../cli/cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'oidc-key-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The signing key's kid, modulus and certificate as the JWKS serves them. */
async function servedKeys(opts: ReferenceProviderOptions): Promise<Array<{ kid: string; n: string; x5c: string[] }>> {
  const p = await startReferenceProvider({ env: {}, ...opts });
  try {
    const res = await fetch(`${p.url}/application/o/${p.blueprint.application.slug}/jwks/`);
    return ((await res.json()) as { keys: Array<{ kid: string; n: string; x5c: string[] }> }).keys.map(({ kid, n, x5c }) => ({ kid, n, x5c }));
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
    const body = JSON.parse(readFileSync(file, 'utf8')) as { warning: string; keys: Record<string, string>; certificates: Record<string, string> };
    expect(body.warning).toBe(TEST_KEYS_WARNING);
    expect(body.warning).toMatch(/^TEST KEYS ONLY/);
    expect(Object.keys(body.keys)).toEqual(['authentik Self-signed Certificate (RSA-4096)']);
    expect(Object.values(body.keys)[0]).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(Object.keys(body.certificates)).toEqual([`authentik Self-signed Certificate (RSA-4096) for authentik ${DEFAULT_PROFILE}`]);
    // The same key and the same certificate (a new one would have a new serial): x5c is compared too.
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
    // The certificate names the version that made it (builder.py issuer CN=authentik <version>): one per version.
    const issuer = (k: { x5c: string[] }) => new X509Certificate(Buffer.from(k.x5c[0]!, 'base64')).issuer;
    expect([issuer(older[0]!), issuer(newer[0]!)]).toEqual(['CN=authentik 2025.10', 'CN=authentik 2026.5']);
    expect((await servedKeys({ keyCacheDir: d, profile: '2025.10' }))[0]!.x5c).toEqual(older[0]!.x5c);
  });

  it("a kept certificate that is not the key's is replaced by one that is", async () => {
    const d = mkdtempSync(join(dir, 'other-cert-'));
    const first = await servedKeys({ keyCacheDir: d });
    const file = join(d, cacheFiles(d)[0]!);
    const body = JSON.parse(readFileSync(file, 'utf8')) as { certificates: Record<string, string> };
    const other = await buildKeyPair('other', { kty: 'EC', crv: 'P-256' }, 'md5-hex', DEFAULT_PROFILE);
    for (const label of Object.keys(body.certificates)) body.certificates[label] = new X509Certificate(other.certificateDer).toString();
    writeFileSync(file, JSON.stringify(body));
    const next = await servedKeys({ keyCacheDir: d });
    expect(next[0]!.n).toBe(first[0]!.n);
    const served = new X509Certificate(Buffer.from(next[0]!.x5c[0]!, 'base64'));
    expect((served.publicKey.export({ format: 'jwk' }) as { n?: string }).n).toBe(first[0]!.n);
  });

  it('a kept certificate is used only while it is valid for more than a day', async () => {
    const kp = await buildKeyPair('validity', { kty: 'EC', crv: 'P-256' }, 'md5-hex', DEFAULT_PROFILE);
    const cert = new X509Certificate(kp.certificateDer);
    const pem = cert.toString();
    const validTo = Date.parse(cert.validTo);
    expect(cachedCertificate(pem, kp.privateKey, validTo - 2 * 86_400_000)).toEqual(kp.certificateDer);
    expect(cachedCertificate(pem, kp.privateKey, validTo - 3_600_000)).toBeUndefined();
    expect(cachedCertificate(pem, kp.privateKey, Date.parse(cert.validFrom) - 1000)).toBeUndefined();
    expect(cachedCertificate('not a certificate', kp.privateKey)).toBeUndefined();
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

/** `node --import <this> bin/oidc-harness …` refuses to resolve the X.509 writer's modules: loading them fails the run. */
const WITHOUT_X509_WRITER = (() => {
  const hooks = `export async function resolve(specifier, context, next) {
    if (specifier === '@peculiar/x509' || specifier === 'reflect-metadata') throw new Error('the X.509 writer was loaded: ' + specifier);
    return next(specifier, context);
  }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  return `data:text/javascript,${encodeURIComponent(register)}`;
})();

describe('a start from kept keys', () => {
  it('never loads the X.509 writer; a first start needs it', async () => {
    const reports = mkdtempSync(join(dir, 'no-x509-'));
    const run = (args: string[]) => runProcess(process.execPath, [...args, BIN, 'run', '--target', 'embedded', '--report', reports], { timeoutMs: 60_000 });
    const first = await run(['--import', WITHOUT_X509_WRITER]);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toMatch(/the X\.509 writer was loaded/);
    expect((await run([])).code).toBe(0);
    const cached = await run(['--import', WITHOUT_X509_WRITER]);
    expect(cached.stderr).not.toMatch(/X\.509 writer/);
    expect(cached.code).toBe(0);
  });
});
