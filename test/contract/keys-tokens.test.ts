/**
 * Contract: key pairs, JWKS and the JWTs' shape (issue 11 item 3; authentik.md §4, §13, §13.1).
 * authentik sources: authentik/crypto/builder.py (CertificateBuilder: RSA 4096, self-signed certificate),
 * authentik/crypto/apps.py (the managed "authentik Self-signed Certificate"), authentik/crypto/models.py (kid),
 * providers/oauth2/views/jwks.py (get_jwk_for_key: EC coordinates padded, x5c/x5t/x5t#S256),
 * providers/oauth2/models.py (JWTAlgorithms.from_private_key, OAuth2Provider.encode: PyJWT header alg/kid/typ),
 * providers/oauth2/id_token.py (jti from 2026.2.0; to_access_token azp/uid/scope, PR #16454, PR #19226),
 * providers/oauth2/views/token.py (create_refresh_response refresh_token_threshold, PR #16905, PR #21537).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKeyPair, DEFAULT_BLUEPRINT_PATH, startReferenceProvider, type KeySpec, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { authorizePath, Client, exchange, loginForCallback, start } from './support.ts';

const guide = readFileSync(DEFAULT_BLUEPRINT_PATH, 'utf8');
const SELF_SIGNED = '!Find [authentik_crypto.certificatekeypair, [name, authentik Self-signed Certificate]]';

// Node writes the PEM (a hand-made one left an empty line before END whenever the DER was a multiple of 48 bytes,
// which a P-521 signature's variable length hit at random).
function pem(der: Buffer): string {
  return new X509Certificate(der).toString();
}

/** The guide with a key pair entry (PEM material) signing instead of the self-signed certificate. */
async function withKeyPair(name: string, spec: KeySpec): Promise<string> {
  const kp = await buildKeyPair(name, spec, 'md5-hex', 'test');
  const indent = (s: string) => s.trim().split('\n').map((l) => `        ${l}`).join('\n');
  const entry = `  - model: authentik_crypto.certificatekeypair\n    id: ${name}\n    identifiers:\n      name: ${name}\n    attrs:\n      certificate_data: |\n${indent(pem(kp.certificateDer))}\n      key_data: |\n${indent(kp.keyData)}\n`;
  return guide.replace('entries:\n', `entries:\n${entry}`).replace(`signing_key: ${SELF_SIGNED}`, `signing_key: !KeyOf ${name}`);
}

async function tokensFrom(ref: RunningReferenceProvider, scope = 'email openid profile') {
  const c = new Client(ref.url);
  const cb = await loginForCallback(c, authorizePath({ scope }));
  const { res, body } = await exchange(ref.url, cb.searchParams.get('code')!);
  expect(res.status).toBe(200);
  return body;
}

async function jwks(ref: RunningReferenceProvider) {
  const r = await fetch(`${ref.url}/application/o/osticket/jwks/`);
  return ((await r.json()) as { keys: Array<Record<string, any>> }).keys;
}

async function verifies(token: string, jwk: Record<string, any>): Promise<boolean> {
  try {
    await compactVerify(token, await importJWK(jwk, jwk.alg));
    return true;
  } catch {
    return false;
  }
}

describe('the default "authentik Self-signed Certificate" (crypto/builder.py, views/jwks.py)', () => {
  let ref: RunningReferenceProvider;
  beforeAll(async () => {
    ref = await start({ profile: '2025.12' });
  });
  afterAll(() => ref?.close());

  it('is RSA 4096 with a self-signed certificate: the JWKS entry has alg, kid, kty, use, n, e, x5c, x5t, x5t#S256 in that order', async () => {
    const [key] = await jwks(ref);
    expect(Object.keys(key!)).toEqual(['alg', 'kid', 'kty', 'use', 'n', 'e', 'x5c', 'x5t', 'x5t#S256']);
    expect(key).toMatchObject({ alg: 'RS256', kty: 'RSA', use: 'sig', e: 'AQAB' });
    expect(Buffer.from(key!.n, 'base64url').length * 8).toBe(4096);
    expect(key!.kid).toMatch(/^[0-9a-f]{32}$/); // MD5 hex before 2026.2.0
    const der = Buffer.from(key!.x5c[0], 'base64');
    const cert = new X509Certificate(der);
    expect(cert.subject.split('\n')).toEqual(['CN=authentik Self-signed Certificate', 'O=authentik', 'OU=Self-signed']);
    expect(cert.issuer).toBe('CN=authentik 2025.12');
    expect(cert.verify(cert.publicKey)).toBe(true); // self-signed; the issuer name is not the subject's
    expect(cert.publicKey.export({ format: 'jwk' }).n).toBe(key!.n);
    expect(key!.x5t).toBe(createHash('sha1').update(der).digest('base64url'));
    expect(key!['x5t#S256']).toBe(createHash('sha256').update(der).digest('base64url'));
  });

  it('signs both JWTs RS256 with the header {"alg","kid","typ":"JWT"} (PyJWT, sorted keys); they verify against the JWKS', async () => {
    const [key] = await jwks(ref);
    const body = await tokensFrom(ref);
    for (const token of [body.id_token, body.access_token] as string[]) {
      const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
      expect(Object.keys(header)).toEqual(['alg', 'kid', 'typ']);
      expect(header).toEqual({ alg: 'RS256', kid: key!.kid, typ: 'JWT' });
      expect(await verifies(token, key!)).toBe(true);
    }
  });
});

describe('EC key pairs are signed and published as authentik does (JWTAlgorithms.from_private_key, jwks.py min_length_map)', () => {
  const cases = [
    { crv: 'P-256', alg: 'ES256', bytes: 32 },
    { crv: 'P-384', alg: 'ES384', bytes: 48 },
    { crv: 'P-521', alg: 'ES512', bytes: 66 },
  ] as const;
  const refs: RunningReferenceProvider[] = [];
  beforeAll(async () => {
    for (const c of cases) refs.push(await start({ blueprintText: await withKeyPair(`ec-${c.crv}`, { kty: 'EC', crv: c.crv }) }));
  });
  afterAll(() => Promise.all(refs.map((r) => r.close())));

  it.each(cases.map((c, i) => [c.crv, c, i] as const))('%s: JWKS kty EC with padded coordinates, discovery and the JWT header name the EC algorithm, tokens verify', async (_n, c, i) => {
    const ref = refs[i]!;
    const [key] = await jwks(ref);
    expect(Object.keys(key!)).toEqual(['alg', 'kid', 'kty', 'use', 'x', 'y', 'crv', 'x5c', 'x5t', 'x5t#S256']);
    expect(key).toMatchObject({ alg: c.alg, kty: 'EC', use: 'sig', crv: c.crv });
    expect(Buffer.from(key!.x, 'base64url').length).toBe(c.bytes);
    expect(Buffer.from(key!.y, 'base64url').length).toBe(c.bytes);
    expect(key!.kid).toMatch(/^[A-Za-z0-9_-]{86}$/); // 2026.2+ style on the default 2026.8 profile
    const disco = (await (await fetch(`${ref.url}/application/o/osticket/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(disco.id_token_signing_alg_values_supported).toEqual([c.alg]);
    const body = await tokensFrom(ref);
    expect(decodeProtectedHeader(body.id_token)).toEqual({ alg: c.alg, kid: key!.kid, typ: 'JWT' });
    expect(await verifies(body.id_token, key!)).toBe(true);
    expect(await verifies(body.access_token, key!)).toBe(true);
  });
});

describe('jti and the access token scope claim by version (id_token.py)', () => {
  const scopeMapping = (text: string) => text
    .replace('entries:\n', 'entries:\n  - model: authentik_providers_oauth2.scopemapping\n    id: scope-claim\n    identifiers:\n      name: scope claim\n    attrs:\n      scope_name: profile\n      expression: \'return {"scope": "from-mapping"}\'\n')
    .replace('      grant_types:', '        - !KeyOf scope-claim\n      grant_types:');
  const refs: Record<string, RunningReferenceProvider> = {};
  beforeAll(async () => {
    for (const profile of ['2025.8', '2025.12', '2026.2'] as const) refs[profile] = await start({ profile, blueprintText: scopeMapping(guide) });
  });
  afterAll(() => Promise.all(Object.values(refs).map((r) => r.close())));

  it('2025.12 has no jti; 2026.2 has one jti of 40 letters and digits, the same in the ID and the access token', async () => {
    const old = await tokensFrom(refs['2025.12']!);
    expect(decodeJwt(old.id_token).jti).toBeUndefined();
    expect(decodeJwt(old.access_token).jti).toBeUndefined();
    const now = await tokensFrom(refs['2026.2']!);
    const jti = decodeJwt(now.id_token).jti;
    expect(jti).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(decodeJwt(now.access_token).jti).toBe(jti);
    expect(decodeJwt(now.access_token).uid).toMatch(/^[A-Za-z0-9]{40}$/);
  });

  it('a mapping returning `scope`: 2025.8 has no scope claim of its own, 2025.12 overwrites the mapping\'s, 2026.2 keeps it (PR #19226)', async () => {
    const at = async (p: string) => decodeJwt((await tokensFrom(refs[p]!)).access_token);
    expect((await at('2025.8')).scope).toBe('from-mapping');
    expect(new Set(String((await at('2025.12')).scope).split(' '))).toEqual(new Set(['email', 'openid', 'profile']));
    expect((await at('2026.2')).scope).toBe('from-mapping');
    // the ID token carries the mapping's claim in every version (include_claims_in_id_token)
    expect(decodeJwt((await tokensFrom(refs['2025.12']!)).id_token).scope).toBe('from-mapping');
  });

  it('without a mapping, 2025.8 access tokens have no scope claim and later ones have the granted scopes', async () => {
    const [old, newer] = await Promise.all([start({ profile: '2025.8' }), start({ profile: '2025.10' })]);
    try {
      expect(decodeJwt((await tokensFrom(old)).access_token).scope).toBeUndefined();
      expect(new Set(String(decodeJwt((await tokensFrom(newer)).access_token).scope).split(' '))).toEqual(new Set(['email', 'openid', 'profile']));
    } finally {
      await Promise.all([old.close(), newer.close()]);
    }
  });
});

describe('refresh_token_threshold (views/token.py create_refresh_response)', () => {
  const offline = (threshold: string | null) => guide.replace(
    '      grant_types:',
    `        - !Find [authentik_providers_oauth2.scopemapping, [managed, goauthentik.io/providers/oauth2/scope-offline_access]]\n${threshold ? `      refresh_token_threshold: ${threshold}\n` : ''}      grant_types:`,
  );
  async function refresh(ref: RunningReferenceProvider, token: string) {
    const res = await fetch(`${ref.url}/application/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('osticket-harness-client:osticket-harness-secret-0123456789abcdef0123456789abcdef').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }
  /** Refreshes twice with the first refresh token: rotated answers carry a new one and revoke the old one. */
  async function twice(profile: '2025.8' | '2025.12' | '2026.5', threshold: string | null) {
    const ref = await start({ profile, blueprintText: offline(threshold) });
    try {
      const first = (await tokensFrom(ref, 'openid email offline_access')).refresh_token as string;
      const a = await refresh(ref, first);
      const b = await refresh(ref, first);
      return { rotated: typeof a.body.refresh_token === 'string', secondStatus: b.status, a };
    } finally {
      await ref.close();
    }
  }

  it('threshold 0 (the default) rotates on every refresh and revokes the old token, in every version', async () => {
    for (const p of ['2025.12', '2026.5'] as const) expect(await twice(p, null)).toMatchObject({ rotated: true, secondStatus: 400 });
  });

  it('2025.10-2026.2: a threshold above 0 never rotates (the comparison `(now - expires) > threshold` is inverted); 2025.8 has no threshold field', async () => {
    const r = await twice('2025.12', 'days=31');
    expect(r).toMatchObject({ rotated: false, secondStatus: 200 });
    expect(r.a.body.access_token).toBeTypeOf('string');
    expect(await twice('2025.8', 'days=31')).toMatchObject({ rotated: true, secondStatus: 400 });
  });

  it('2026.5+: rotates only when the token expires within the threshold (PR #21537)', async () => {
    expect(await twice('2026.5', 'days=31')).toMatchObject({ rotated: true, secondStatus: 400 }); // 30 days left < 31
    expect(await twice('2026.5', 'days=1')).toMatchObject({ rotated: false, secondStatus: 200 }); // 30 days left >= 1
  });
});

describe('start-up does not wait for keys (RSA 4096 takes seconds)', () => {
  it('the provider answers discovery before the key exists; JWKS waits for it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // startReferenceProvider itself: support.start waits for the keys, which is what this test must not do
    const ref = await startReferenceProvider({
      env: {},
      async buildKeyPair(name, spec, kidStyle, version) {
        await gate;
        return buildKeyPair(name, spec, kidStyle, version);
      },
    });
    try {
      const disco = await fetch(`${ref.url}/application/o/osticket/.well-known/openid-configuration`);
      expect(disco.status).toBe(200);
      let jwksAnswered = false;
      const pending = fetch(`${ref.url}/application/o/osticket/jwks/`).then((r) => ((jwksAnswered = true), r.json()));
      await new Promise((r) => setTimeout(r, 200));
      expect(jwksAnswered).toBe(false);
      release();
      expect(((await pending) as { keys: unknown[] }).keys).toHaveLength(1);
    } finally {
      release();
      await ref.close();
    }
  });
});
