/**
 * TOTP verification as authentik's TOTPDevice does it (authentik/stages/authenticator_totp/models.py, after
 * django-otp's TOTPDevice.verify_token): HOTP (RFC 4226, HMAC-SHA1) of the 30 s time step over the hex key, `digits`
 * digits, a tolerance of one step either side, and a code never accepted twice (last_t). Written here because it is
 * twenty lines over node:crypto; no TOTP package is a dependency of the project.
 */
import { createHmac } from 'node:crypto';
import type { ResolvedDevice } from '../blueprints/index.ts';

export function hotp(keyHex: string, counter: number, digits: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', Buffer.from(keyHex, 'hex')).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, '0');
}

/** Last accepted time step per device (TOTPDevice.last_t), kept for this process. */
const lastT = new Map<ResolvedDevice, number>();

export function verifyTotp(device: ResolvedDevice, token: string, nowMs: number): boolean {
  if (!/^\d+$/.test(token)) return false;
  const t = Math.floor(nowMs / 1000 / device.step);
  for (const step of [t - 1, t, t + 1]) {
    if (step <= (lastT.get(device) ?? -1)) continue;
    if (hotp(device.key, step, device.digits) === token.padStart(device.digits, '0')) {
      lastT.set(device, step);
      return true;
    }
  }
  return false;
}
