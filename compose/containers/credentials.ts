/**
 * Credentials for the stacks. The OAuth2 client's id and secret are generated the way authentik generates a
 * provider's defaults: letters and digits only, 40 characters for the id and 128 for the secret
 * (authentik/lib/generators.py `generate_id(length=40)`: `string.ascii_letters + string.digits`;
 * authentik/providers/oauth2/models.py `client_id default=generate_id`, `generate_client_secret() = generate_id(128)`;
 * authentik.md §6). Such values need no encoding in HTTP Basic credentials, so no check is lost to a client library
 * that percent-encodes them (RFC 6749 §2.3.1) against an authentik before 2026.2.2, which does not decode them
 * (authentik.md §13).
 * Internal passwords (databases, bootstrap token) only need to be random.
 */
import { randomBytes, randomInt } from 'node:crypto';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** authentik's generate_id: `length` characters from [A-Za-z0-9], uniformly (crypto.randomInt). */
export function generateId(length = 40): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** authentik's OAuth2 provider default secret: generate_id(128). */
export function generateClientSecret(): string {
  return generateId(128);
}

/** A random password for an internal account (base64url, `bytes` random bytes). */
export function randomPassword(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
