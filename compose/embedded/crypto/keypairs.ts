/**
 * Certificate-key pairs as authentik keeps them (authentik/crypto/models.py CertificateKeyPair): a private key in
 * PEM (`key_data`), a certificate (`certificate_data`) and the `kid` derived from the key. Generated pairs are built
 * the way authentik/crypto/builder.py CertificateBuilder builds them: RSA 4096 (public exponent 65537) by default,
 * EC on request, a self-signed certificate with CN=<name>, O=authentik, OU=Self-signed, issuer CN=authentik
 * <version>, valid from yesterday for 365 days, a uuid4 serial, signed with SHA-256; the private key is written in
 * the "TraditionalOpenSSL" PEM format (PKCS#1 for RSA, SEC1 for EC).
 *
 * The certificate is written with @peculiar/x509 (Node has no X.509 writer); it needs the reflect-metadata polyfill,
 * loaded here only, when the first certificate is built.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { ProfileFeatures } from '../profiles.ts';

/** What kind of key a pair holds: authentik signs with RSA (RS256) or EC P-256/384/521 (ES256/384/512). */
export type KeySpec = { kty: 'RSA'; bits: number } | { kty: 'EC'; crv: 'P-256' | 'P-384' | 'P-521' };

/** authentik/crypto/builder.py generate_private_key: RSA key_size=4096 unless ECDSA is asked for. */
export const DEFAULT_KEY_SPEC: KeySpec = { kty: 'RSA', bits: 4096 };

export type SigningAlg = 'RS256' | 'ES256' | 'ES384' | 'ES512';

export interface CertificateKeyPair {
  name: string;
  spec: KeySpec;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PEM of the private key as authentik stores it (`key_data`). */
  keyData: string;
  /** DER of the certificate (`certificate_data` is its PEM). */
  certificateDer: Buffer;
  kid: string;
  /** True when the key was generated here, not taken from the blueprint. */
  generated: boolean;
}

const generate = promisify(generateKeyPair);

/**
 * authentik/crypto/models.py: the kid is MD5 hex of `key_data` before 2026.2.0 and base64url (unpadded) of
 * SHA-512 of it since (generate_key_id, stored once in crypto/signals.py; authentik.md §4).
 */
export function keyId(keyData: string, style: ProfileFeatures['kidStyle']): string {
  return style === 'md5-hex' ? createHash('md5').update(keyData).digest('hex') : createHash('sha512').update(keyData).digest('base64url');
}

/** JWTAlgorithms.from_private_key (authentik/providers/oauth2/models.py). */
export function signingAlg(spec: KeySpec): SigningAlg {
  if (spec.kty === 'RSA') return 'RS256';
  return spec.crv === 'P-256' ? 'ES256' : spec.crv === 'P-384' ? 'ES384' : 'ES512';
}

/**
 * The key types `--key-type NAME=TYPE` names for a key pair an export carries by name only: what authentik can sign
 * with (RSA, EC P-256/384/521: JWTAlgorithms.from_private_key) in the sizes its builder and common imports use.
 */
export const KEY_TYPES: Readonly<Record<string, KeySpec>> = {
  'rsa-2048': { kty: 'RSA', bits: 2048 },
  'rsa-3072': { kty: 'RSA', bits: 3072 },
  'rsa-4096': { kty: 'RSA', bits: 4096 },
  'ec-p256': { kty: 'EC', crv: 'P-256' },
  'ec-p384': { kty: 'EC', crv: 'P-384' },
  'ec-p521': { kty: 'EC', crv: 'P-521' },
};
export const KEY_TYPE_NAMES = Object.keys(KEY_TYPES) as readonly string[];

/**
 * `["grafana-signing=ec-p256", ...]` (--key-type, embedded.keyTypes) as key specs by key pair name; the name is
 * everything before the last `=` (a key pair's name may hold one). Throws one sentence for a malformed item.
 */
export function parseKeyTypes(items: readonly string[]): Record<string, KeySpec> {
  const specs: Record<string, KeySpec> = {};
  for (const item of items) {
    const at = item.lastIndexOf('=');
    const spec = at > 0 ? KEY_TYPES[item.slice(at + 1)] : undefined;
    if (!spec) throw new Error(`--key-type "${item}" is not NAME=TYPE with TYPE one of ${KEY_TYPE_NAMES.join(', ')}`);
    specs[item.slice(0, at)] = spec;
  }
  return specs;
}

export function describeKeySpec(spec: KeySpec): string {
  return spec.kty === 'RSA' ? `RSA-${spec.bits}` : `EC ${spec.crv}`;
}

/** The spec of an existing key, or null for a key type authentik cannot sign with (DSA, Ed25519, Ed448, other curves). */
export function specOf(key: KeyObject): KeySpec | null {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return { kty: 'RSA', bits: d.modulusLength ?? 0 };
  if (key.asymmetricKeyType === 'ec') {
    const crv = ({ prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' } as const)[d.namedCurve as 'prime256v1'];
    return crv ? { kty: 'EC', crv } : null;
  }
  return null;
}

let x509Module: Promise<typeof import('@peculiar/x509')> | undefined;
function loadX509() {
  x509Module ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    return x509;
  })();
  return x509Module;
}

function webAlg(spec: KeySpec) {
  return spec.kty === 'RSA'
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: spec.crv, hash: 'SHA-256' };
}

/** CertificateBuilder.build: a self-signed certificate for the key, as authentik makes it. */
async function selfSignedCertificate(name: string, spec: KeySpec, privateKey: KeyObject, publicKey: KeyObject, version: string): Promise<Buffer> {
  const x509 = await loadX509();
  const alg = webAlg(spec);
  const subtle = webcrypto.subtle;
  const signingKey = await subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), alg, false, ['sign']);
  const verifyKey = await subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), alg, true, ['verify']);
  const day = 86_400_000;
  const escape = (s: string) => s.replace(/([,+"\\<>;=])/g, '\\$1');
  const cert = await x509.X509CertificateGenerator.create({
    // serial_number(int(uuid.uuid4())): 128 random bits
    serialNumber: `00${webcrypto.randomUUID().replaceAll('-', '')}`,
    subject: `CN=${escape(name.slice(0, 64))}, O=authentik, OU=Self-signed`,
    issuer: `CN=${escape(`authentik ${version}`)}`,
    notBefore: new Date(Date.now() - day),
    notAfter: new Date(Date.now() + 365 * day),
    signingAlgorithm: alg,
    publicKey: verifyKey,
    signingKey,
  });
  return Buffer.from(cert.rawData);
}

/** TraditionalOpenSSL PEM (builder.py private_key): PKCS#1 for RSA, SEC1 for EC. */
function traditionalPem(key: KeyObject, spec: KeySpec): string {
  return key.export({ type: spec.kty === 'RSA' ? 'pkcs1' : 'sec1', format: 'pem' }).toString();
}

/** A new private key of the spec (builder.py generate_private_key). */
export async function generatePrivateKey(spec: KeySpec): Promise<KeyObject> {
  const { privateKey } = spec.kty === 'RSA'
    ? await generate('rsa', { modulusLength: spec.bits, publicExponent: 65537 })
    : await generate('ec', { namedCurve: spec.crv });
  return privateKey;
}

/**
 * A key pair with a self-signed certificate, as authentik's CertificateBuilder makes it; the private key is new
 * unless one is given (a cached test key: the certificate is still made for this name and version).
 */
export async function buildKeyPair(name: string, spec: KeySpec, kidStyle: ProfileFeatures['kidStyle'], version: string, existing?: KeyObject): Promise<CertificateKeyPair> {
  const privateKey = existing ?? (await generatePrivateKey(spec));
  const certificateDer = await selfSignedCertificate(name, spec, privateKey, createPublicKey(privateKey), version);
  return generatedKeyPair(name, spec, kidStyle, privateKey, certificateDer);
}

/** A generated key pair from its private key and the certificate made for it (a kept test key's, key-cache.ts). */
export function generatedKeyPair(name: string, spec: KeySpec, kidStyle: ProfileFeatures['kidStyle'], privateKey: KeyObject, certificateDer: Buffer): CertificateKeyPair {
  const keyData = traditionalPem(privateKey, spec);
  return { name, spec, privateKey, publicKey: createPublicKey(privateKey), keyData, certificateDer, kid: keyId(keyData, kidStyle), generated: true };
}

/**
 * A key pair from a blueprint's `certificate_data` and `key_data` (PEM): used as given. Throws one sentence when
 * the material does not parse or is a key type authentik cannot sign with.
 */
export function loadKeyPair(name: string, certificatePem: string, keyPem: string, kidStyle: ProfileFeatures['kidStyle']): CertificateKeyPair {
  let cert: X509Certificate;
  let privateKey: KeyObject;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    throw new Error(`key pair "${name}": certificate_data is not a PEM certificate`);
  }
  try {
    // models.py private_key: each line stripped before load_pem_private_key
    privateKey = createPrivateKey(keyPem.split('\n').map((l) => l.trim()).join('\n'));
  } catch {
    throw new Error(`key pair "${name}": key_data is not an unencrypted PEM private key`);
  }
  const spec = specOf(privateKey);
  if (!spec) throw new Error(`key pair "${name}": a ${privateKey.asymmetricKeyType} key cannot sign tokens (authentik signs with RSA or EC P-256/384/521, JWTAlgorithms.from_private_key)`);
  const publicKey = createPublicKey(privateKey);
  return { name, spec, privateKey, publicKey, keyData: keyPem, certificateDer: Buffer.from(cert.raw), kid: keyId(keyPem, kidStyle), generated: false };
}

/**
 * views/jwks.py JWKSView.get_jwk_for_key: alg (sig: from the key; enc: RSA-OAEP-256 + A256CBC-HS512), kid, kty,
 * use, the public numbers (EC coordinates padded to the curve's length), then x5c, x5t, x5t#S256 of the certificate.
 */
export function jwkFor(kp: CertificateKeyPair, use: 'sig' | 'enc'): Record<string, unknown> {
  const jwk = kp.publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const out: Record<string, unknown> = use === 'sig' ? { alg: signingAlg(kp.spec) } : { alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512' };
  out.kid = kp.kid;
  out.kty = kp.spec.kty;
  out.use = use;
  // Node's JWK export writes n/e minimally and x/y padded to the field size, as to_base64url_uint does.
  if (kp.spec.kty === 'RSA') Object.assign(out, { n: jwk.n, e: jwk.e });
  else Object.assign(out, { x: jwk.x, y: jwk.y, crv: kp.spec.crv });
  out.x5c = [kp.certificateDer.toString('base64')];
  out.x5t = createHash('sha1').update(kp.certificateDer).digest('base64url');
  out['x5t#S256'] = createHash('sha256').update(kp.certificateDer).digest('base64url');
  return out;
}
