/** JWT inspection and verification against a fetched JWKS JSON (never throws on bad input). */
import * as jose from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectJwt, verifyJwt } from '../../helpers/oidc/index.ts';

const ISS = 'http://authentik.company/application/o/osticket/';
const AUD = 'osticket-harness-client';
const SECRET = 'osticket-harness-secret-0123456789abcdef0123456789abcdef';
let rsa: { privateKey: CryptoKey; jwk: jose.JWK };
let other: { privateKey: CryptoKey; jwk: jose.JWK };
const now = Math.floor(Date.now() / 1000);
const claims = { iss: ISS, aud: AUD, sub: 'osticket-test@example.com', iat: now, exp: now + 600, nonce: 'n1' };

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}
const sign = (c: Record<string, unknown>, key: CryptoKey | Uint8Array, header: jose.JWTHeaderParameters) =>
  new jose.SignJWT(c).setProtectedHeader(header).sign(key);

beforeAll(async () => {
  rsa = await keyPair('kid-1');
  other = await keyPair('kid-2');
});

describe('verifyJwt', () => {
  it('RS256 with its kid in the JWKS: valid, no claim errors', async () => {
    const t = await sign(claims, rsa.privateKey, { alg: 'RS256', kid: 'kid-1', typ: 'JWT' });
    const r = await verifyJwt(t, { jwks: { keys: [rsa.jwk] }, issuer: ISS, audience: AUD, nonce: 'n1' });
    expect(r).toMatchObject({ format: 'jws', alg: 'RS256', kid: 'kid-1', kidInJwks: true, jwksHasKeys: true, signature: 'valid', keySource: 'jwks', claimsErrors: [] });
    expect(r.payload?.sub).toBe('osticket-test@example.com');
  });

  it('a signature by another key with the same kid is invalid; an unknown kid is unverifiable', async () => {
    const forged = await sign(claims, other.privateKey, { alg: 'RS256', kid: 'kid-1' });
    expect((await verifyJwt(forged, { jwks: { keys: [rsa.jwk] }, issuer: ISS, audience: AUD })).signature).toBe('invalid');
    const unknown = await sign(claims, other.privateKey, { alg: 'RS256', kid: 'kid-2' });
    const r = await verifyJwt(unknown, { jwks: { keys: [rsa.jwk] }, issuer: ISS, audience: AUD });
    expect(r).toMatchObject({ signature: 'unverifiable', kidInJwks: false });
    expect(r.signatureDetail).toMatch(/no key in the JWKS matches kid kid-2/);
  });

  it("HS256 without kid and authentik's empty JWKS {}: verified with the client secret, JWKS flagged", async () => {
    const t = await sign(claims, new TextEncoder().encode(SECRET), { alg: 'HS256', typ: 'JWT' });
    const r = await verifyJwt(t, { jwks: {}, clientSecret: SECRET, issuer: ISS, audience: AUD });
    expect(r).toMatchObject({ alg: 'HS256', kid: undefined, kidInJwks: false, jwksHasKeys: false, jwksProblem: 'JWKS has no "keys" member', signature: 'valid', keySource: 'client-secret' });
    expect((await verifyJwt(t, { jwks: {}, clientSecret: 'wrong', issuer: ISS, audience: AUD })).signature).toBe('invalid');
    expect((await verifyJwt(t, { jwks: {}, issuer: ISS, audience: AUD })).signature).toBe('unverifiable');
  });

  it('alg none, JWE, malformed input and garbage JWKS never throw', async () => {
    const none = new jose.UnsecuredJWT(claims).encode();
    expect(await verifyJwt(none, { jwks: { keys: [rsa.jwk] }, issuer: ISS, audience: AUD })).toMatchObject({ signature: 'none', alg: 'none' });
    const jwe = await new jose.CompactEncrypt(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512', kid: 'enc-1' })
      .encrypt((await jose.generateKeyPair('RSA-OAEP-256')).publicKey);
    expect(inspectJwt(jwe)).toMatchObject({ format: 'jwe', parts: 5, alg: 'RSA-OAEP-256', kid: 'enc-1' });
    expect(await verifyJwt(jwe, { jwks: {}, issuer: ISS, audience: AUD })).toMatchObject({ format: 'jwe', signature: 'unverifiable' });
    for (const bad of [undefined, 42, '', 'abc', 'a.b.c', 'eyJhbGciOiJSUzI1NiJ9.!!.x']) {
      const r = await verifyJwt(bad, { jwks: 'nope', issuer: ISS, audience: AUD });
      expect(r.format).toBe('malformed');
      expect(r.signature).toBe('unverifiable');
    }
    const t = await sign(claims, rsa.privateKey, { alg: 'RS256', kid: 'kid-1' });
    const r = await verifyJwt(t, { jwks: { keys: [{ kty: 'RSA', kid: 'kid-1', n: 'AQAB' }] }, issuer: ISS, audience: AUD });
    expect(r.signature).not.toBe('valid');
  });

  it('reports every claim problem at once', async () => {
    const t = await sign(
      { iss: 'http://localhost:9000/application/o/osticket/', aud: ['other', AUD], iat: now + 3600, exp: now - 3600, nonce: 'x' },
      rsa.privateKey,
      { alg: 'RS256', kid: 'kid-1' },
    );
    const r = await verifyJwt(t, { jwks: { keys: [rsa.jwk] }, issuer: ISS, audience: AUD, nonce: 'n1', clockToleranceSec: 5 });
    expect(r.signature).toBe('valid');
    expect(r.claimsErrors.map((e) => e.claim).sort()).toEqual(['azp', 'exp', 'iat', 'iss', 'nonce', 'sub']);
  });
});
