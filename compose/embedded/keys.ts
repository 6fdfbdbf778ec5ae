/**
 * Keys for the reference provider: the "authentik Self-signed Certificate" stand-in (RSA 2048 here for start-up
 * speed; real authentik generates RSA 4096, authentik/crypto/builder.py), an optional encryption key, and a
 * throwaway CA + server certificate for --tls (made with the openssl CLI; Node has no X.509 writer).
 */
import { createHash, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ProfileFeatures } from './profiles.ts';

export interface RsaKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privatePem: string;
  kid: string;
  /** Private JWK (for oidc-provider's keystore). */
  privateJwk: Record<string, unknown>;
  /** Public JWK without alg/use. */
  publicJwk: Record<string, unknown>;
}

const gen = promisify(generateKeyPair);

/** authentik/crypto/models.py generate_key_id: MD5 hex before 2026.2.0, unpadded base64url SHA-512 since. */
export function keyId(privatePem: string, style: ProfileFeatures['kidStyle']): string {
  return style === 'md5-hex'
    ? createHash('md5').update(privatePem).digest('hex')
    : createHash('sha512').update(privatePem).digest('base64url');
}

export async function generateRsaKey(style: ProfileFeatures['kidStyle']): Promise<RsaKey> {
  const { privateKey } = await gen('rsa', { modulusLength: 2048 });
  return rsaKeyFrom(privateKey, style);
}

/** The key as the provider uses it, from a private key (new, or read back from the test-key cache). */
export function rsaKeyFrom(privateKey: KeyObject, style: ProfileFeatures['kidStyle']): RsaKey {
  const publicKey = createPublicKey(privateKey);
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const kid = keyId(privatePem, style);
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid };
  const { kty, n, e } = publicKey.export({ format: 'jwk' });
  return { privateKey, publicKey, privatePem, kid, privateJwk, publicJwk: { kty, n, e, kid } };
}

export interface TlsMaterial {
  cert: string;
  key: string;
  caPem: string;
  caPath: string;
}

/**
 * A throwaway CA and a server certificate for localhost, 127.0.0.1, authentik, authentik.company (the guide's host),
 * so the harness can use https://authentik.company/... with a resolution map to loopback. The CA is written to
 * `dir/reference-ca.pem`; its private key never leaves a temporary folder that is removed afterwards.
 */
export function makeThrowawayTls(dir: string): TlsMaterial {
  const work = mkdtempSync(join(tmpdir(), 'ref-tls-'));
  const run = (args: string[]) => {
    try {
      execFileSync('openssl', args, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT') throw new Error('TLS needs the openssl command, which is not installed.');
      throw new Error(`openssl failed while making the throwaway CA: ${String(err.stderr ?? err.message).split('\n')[0]}.`);
    }
  };
  try {
    writeFileSync(join(work, 'san.ext'), 'subjectAltName=DNS:localhost,DNS:authentik,DNS:authentik.company,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=oidc-harness throwaway reference CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=authentik.company']);
    run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
    const caPem = readFileSync(join(work, 'ca.pem'), 'utf8');
    mkdirSync(dir, { recursive: true });
    const caPath = resolve(dir, 'reference-ca.pem');
    writeFileSync(caPath, caPem);
    return { cert: readFileSync(join(work, 'server.pem'), 'utf8'), key: readFileSync(join(work, 'server.key'), 'utf8'), caPem, caPath };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
