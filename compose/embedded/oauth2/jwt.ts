/**
 * OAuth2Provider.encode / encrypt (authentik/providers/oauth2/models.py): PyJWT's encode with the provider's key
 * (jwt_key: the signing key pair with the algorithm its key type gives, JWTAlgorithms.from_private_key; HS256 keyed
 * with the client secret when there is none), header {"alg", "kid" (with a key), "typ": "JWT"} serialised with
 * sorted keys as PyJWT does; then, with an encryption key, a compact JWE (jwcrypto) with the header {"alg":
 * "RSA-OAEP-256", "enc": "A256CBC-HS512", "typ": "JWE", "kid"} for the encryption certificate's public key.
 * jose writes both; the header shapes are authentik's, which oidc-provider's IdToken cannot produce.
 */
import { CompactEncrypt, CompactSign } from 'jose';
import { signingAlg } from '../crypto/keypairs.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { ResolvedProvider } from '../blueprints/index.ts';

/** The algorithm a provider signs with (discovery's id_token_signing_alg_values_supported). */
export function providerAlg(provider: ResolvedProvider, keys: KeyRing): string {
  return provider.signing_key && keys.has(provider.signing_key) ? signingAlg(keys.spec(provider.signing_key)) : 'HS256';
}

function sortedHeader(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(h).sort().map((k) => [k, h[k]!]));
}

export async function encodeJwt(provider: ResolvedProvider, keys: KeyRing, payload: Record<string, unknown>): Promise<string> {
  const body = new TextEncoder().encode(JSON.stringify(payload));
  let jws: string;
  if (provider.signing_key && keys.has(provider.signing_key)) {
    const kp = await keys.get(provider.signing_key);
    jws = await new CompactSign(body).setProtectedHeader(sortedHeader({ alg: signingAlg(kp.spec), kid: kp.kid, typ: 'JWT' }) as { alg: string }).sign(kp.privateKey);
  } else {
    jws = await new CompactSign(body).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(provider.client_secret));
  }
  if (!provider.encryption_key || !keys.has(provider.encryption_key)) return jws;
  const enc = await keys.get(provider.encryption_key);
  return new CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512', typ: 'JWE', kid: enc.kid })
    .encrypt(enc.publicKey);
}
