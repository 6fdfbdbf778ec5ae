/**
 * osTicket's secret storage for plugin config fields such as the auth-oauth2 `clientSecret` (osticket.md §6).
 *
 * osTicket: include/class.crypto.php, `Crypto::encrypt($secret, SECRET_SALT, 'plugin.<pid>.instance.<iid>')` with
 * CryptoOpenSSL (tag 2) and cipher id 1 = aes-128-cbc:
 *   stored = '$2$' + base64( '$1$' + iv[16] + AES-128-CBC(plaintext, PKCS#7) )
 *   key    = first 16 bytes of HMAC-SHA512(key = iv, message = SECRET_SALT + md5hex(namespace))
 *            (CryptoAlgo::getKeyHash; include/pear/Crypt/Hash.php uses hash_hmac when a key is set)
 * Decryption failure yields `false` in osTicket (then the plugin sends client_secret=0, silently: osticket.md §12);
 * here `undefined`.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

const ENGINE_TAG = '$2$'; // CryptoOpenSSL
const CIPHER_TAG = '$1$'; // aes-128-cbc
const IV_BYTES = 16;

function deriveKey(iv: Buffer, secretSalt: string, namespace: string): Buffer {
  const subkey = createHash('md5').update(namespace, 'utf8').digest('hex');
  return createHmac('sha512', iv).update(secretSalt + subkey, 'utf8').digest().subarray(0, 16);
}

/** The namespace osTicket uses for a plugin instance's config (PluginInstance::getNamespace). */
export function pluginInstanceNamespace(pluginId: number, instanceId: number): string {
  return `plugin.${pluginId}.instance.${instanceId}`;
}

/** Encrypts like osTicket's Crypto::encrypt (random IV each call). */
export function encryptOsticketSecret(plain: string, secretSalt: string, namespace: string, iv: Buffer = randomBytes(IV_BYTES)): string {
  if (iv.length !== IV_BYTES) throw new RangeError('iv must be 16 bytes');
  const cipher = createCipheriv('aes-128-cbc', deriveKey(iv, secretSalt, namespace), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ENGINE_TAG + Buffer.concat([Buffer.from(CIPHER_TAG, 'latin1'), iv, body]).toString('base64');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decrypts a stored value; `undefined` when it is not in osTicket's format or does not decrypt with this salt and
 * namespace (bad padding, or bytes that are not UTF-8 text: a wrong key almost always gives one of the two).
 */
export function decryptOsticketSecret(stored: string, secretSalt: string, namespace: string): string | undefined {
  if (typeof stored !== 'string' || !stored.startsWith(ENGINE_TAG)) return undefined;
  const b64 = stored.slice(ENGINE_TAG.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const raw = Buffer.from(b64, 'base64');
  if (raw.subarray(0, CIPHER_TAG.length).toString('latin1') !== CIPHER_TAG) return undefined;
  const iv = raw.subarray(CIPHER_TAG.length, CIPHER_TAG.length + IV_BYTES);
  const body = raw.subarray(CIPHER_TAG.length + IV_BYTES);
  if (iv.length !== IV_BYTES || body.length === 0 || body.length % 16 !== 0) return undefined;
  try {
    const decipher = createDecipheriv('aes-128-cbc', deriveKey(iv, secretSalt, namespace), iv);
    return strictUtf8.decode(Buffer.concat([decipher.update(body), decipher.final()]));
  } catch {
    return undefined;
  }
}

/** True when the value looks like osTicket ciphertext (so a plaintext secret typed into the DB can be told apart). */
export function looksEncrypted(stored: string): boolean {
  return stored.startsWith(ENGINE_TAG + Buffer.from(CIPHER_TAG, 'latin1').toString('base64')); // '$2$JDEk'
}
