import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decryptOsticketSecret, encryptOsticketSecret, looksEncrypted, pluginInstanceNamespace } from '../../helpers/osticket/secret-crypto.ts';

interface Vectors {
  secret_salt: string;
  namespace: string;
  cases: { plaintext: string; ciphertexts: string[]; iv_hex_of_first: string }[];
}
// Copy of shared/data/osticket-secret-vectors.json, made with osTicket 1.18.1's own include/class.crypto.php.
const vectors = JSON.parse(readFileSync(new URL('./fixtures/osticket-secret-vectors.json', import.meta.url), 'utf8')) as Vectors;

describe('osTicket secret crypto (include/class.crypto.php, CryptoOpenSSL)', () => {
  it('decrypts every vector made by osTicket', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(3);
    for (const c of vectors.cases) {
      for (const ct of c.ciphertexts) expect(decryptOsticketSecret(ct, vectors.secret_salt, vectors.namespace)).toBe(c.plaintext);
    }
  });

  it('re-encrypting with the vector IV reproduces osTicket\'s bytes exactly', () => {
    for (const c of vectors.cases) {
      const iv = Buffer.from(c.iv_hex_of_first, 'hex');
      expect(encryptOsticketSecret(c.plaintext, vectors.secret_salt, vectors.namespace, iv)).toBe(c.ciphertexts[0]);
    }
  });

  it('fails with the wrong namespace, the wrong salt, or a non-osTicket value', () => {
    for (const c of vectors.cases) {
      for (const ct of c.ciphertexts) {
        expect(decryptOsticketSecret(ct, vectors.secret_salt, 'plugin.1.instance.2')).toBeUndefined();
        expect(decryptOsticketSecret(ct, vectors.secret_salt.toLowerCase(), vectors.namespace)).toBeUndefined();
      }
    }
    expect(decryptOsticketSecret('s3cret-osticket', vectors.secret_salt, vectors.namespace)).toBeUndefined();
    expect(decryptOsticketSecret('$2$not base64!', vectors.secret_salt, vectors.namespace)).toBeUndefined();
    expect(decryptOsticketSecret('$2$' + Buffer.from('$1$short').toString('base64'), vectors.secret_salt, vectors.namespace)).toBeUndefined();
  });

  it('round-trips its own ciphertexts, randomised per call', () => {
    const ns = pluginInstanceNamespace(7, 3);
    expect(ns).toBe('plugin.7.instance.3');
    for (const plain of ['x', 'a'.repeat(16), 'with spaces and ünïcode ✓', 'p'.repeat(200)]) {
      const a = encryptOsticketSecret(plain, 'SaltSaltSaltSaltSaltSaltSaltSalt', ns);
      const b = encryptOsticketSecret(plain, 'SaltSaltSaltSaltSaltSaltSaltSalt', ns);
      expect(a).not.toBe(b);
      expect(looksEncrypted(a)).toBe(true);
      expect(decryptOsticketSecret(a, 'SaltSaltSaltSaltSaltSaltSaltSalt', ns)).toBe(plain);
      expect(decryptOsticketSecret(b, 'SaltSaltSaltSaltSaltSaltSaltSalt', ns)).toBe(plain);
      expect(decryptOsticketSecret(a, 'SaltSaltSaltSaltSaltSaltSaltSalt', pluginInstanceNamespace(7, 4))).toBeUndefined();
    }
    expect(looksEncrypted('plain-secret')).toBe(false);
  });
});
