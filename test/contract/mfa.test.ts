/**
 * Contract: the stock MFA validation stage with a TOTP device from the blueprint (variants/mfa-totp.yaml).
 * authentik sources: stages/authenticator_validate/stage.py (AuthenticatorValidateStageView: device challenges,
 * not_configured_action skip/deny), stages/authenticator_validate/challenge.py (validate_challenge_code: "Invalid
 * Token"), stages/authenticator_totp/models.py (TOTPDevice after django-otp: hex key, 30 s, tolerance 1, last_t),
 * providers/oauth2/id_token.py (amr: pwd, then mfa). The codes are computed here independently (RFC 4226/6238).
 */
import { createHmac } from 'node:crypto';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { FlowWalk, GUIDE, guideWithBefore, passwordLogin } from './flow-steps.ts';
import { Client, exchange, start, variant } from './support.ts';

/** RFC 4226 HOTP, written for this test. */
function hotp(keyHex: string, counter: number, digits = 6): string {
  const msg = Buffer.alloc(8);
  msg.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  msg.writeUInt32BE(counter % 2 ** 32, 4);
  const h = createHmac('sha1', Buffer.from(keyHex, 'hex')).update(msg).digest();
  const o = h[19]! & 0xf;
  const bin = ((h[o]! & 0x7f) << 24) | (h[o + 1]! << 16) | (h[o + 2]! << 8) | h[o + 3]!;
  return String(bin % 10 ** digits).padStart(digits, '0');
}
const KEY = '3132333435363738393031323334353637383930'; // variants/mfa-totp.yaml
const totpNow = () => hotp(KEY, Math.floor(Date.now() / 30_000));

let mfa: RunningReferenceProvider;
let deny: RunningReferenceProvider;
beforeAll(async () => {
  const denyWithoutDevice = guideWithBefore('  - model: authentik_stages_authenticator_validate.authenticatorvalidatestage\n    identifiers: {name: default-authentication-mfa-validation}\n    attrs: {not_configured_action: deny}\n');
  [mfa, deny] = await Promise.all([start({ blueprintPath: variant('mfa-totp') }), start({ blueprintText: denyWithoutDevice })]);
});
afterAll(async () => {
  await Promise.all([mfa, deny].map((p) => p?.close()));
});

describe('authenticator validation with a TOTP device (stages/authenticator_validate/stage.py)', () => {
  it('the test\'s HOTP matches RFC 4226 appendix D (so the codes below are independent of the provider)', () => {
    expect([0, 1, 9].map((c) => hotp(KEY, c))).toEqual(['755224', '287082', '520489']);
  });

  it('after the password: ak-stage-authenticator-validate with a totp device challenge; a wrong code is "Invalid Token"', async () => {
    const w = new FlowWalk(new Client(mfa.url));
    await w.authorize();
    expect((await passwordLogin(w)).status).toBe(302);
    const ch = await w.next();
    expect(ch.body).toMatchObject({
      component: 'ak-stage-authenticator-validate', pending_user: 'osticket-test', configuration_stages: [],
      device_challenges: [{ device_class: 'totp', device_uid: expect.any(String), challenge: {}, last_used: null }],
    });
    const wrong = await w.post({ component: 'ak-stage-authenticator-validate', code: totpNow() === '000000' ? '111111' : '000000' });
    expect(wrong.body!.response_errors).toEqual({ code: [{ string: 'Invalid Token', code: 'invalid' }] });
    const empty = await w.post({ component: 'ak-stage-authenticator-validate' });
    expect(empty.body!.response_errors).toEqual({ non_field_errors: [{ string: 'Empty response', code: 'invalid' }] });
  });

  it('the right code passes; the login ends at the callback; amr is [pwd, mfa]; the same code is not accepted twice', async () => {
    const c = new Client(mfa.url);
    const w = new FlowWalk(c);
    await w.authorize();
    await passwordLogin(w);
    await w.next();
    const code = totpNow();
    expect((await w.post({ component: 'ak-stage-authenticator-validate', code })).status).toBe(302);
    const done = await w.next();
    expect(done.body!.component).toBe('xak-flow-redirect');
    const cb = new URL((await c.req(done.body!.to)).headers.get('location')!);
    const { body } = await exchange(mfa.url, cb.searchParams.get('code')!);
    expect(jose.decodeJwt(body.id_token).amr).toEqual(['pwd', 'mfa']);

    const again = new FlowWalk(new Client(mfa.url));
    await again.authorize();
    await passwordLogin(again);
    await again.next();
    const replay = await again.post({ component: 'ak-stage-authenticator-validate', code });
    expect(replay.body!.response_errors).toEqual({ code: [{ string: 'Invalid Token', code: 'invalid' }] });
  });

  it('not_configured_action deny: a user without devices is denied after the password; skip (the stock setting) passes', async () => {
    const w = new FlowWalk(new Client(deny.url));
    await w.authorize();
    await passwordLogin(w);
    const denied = await w.next();
    expect(denied.body).toMatchObject({ component: 'ak-stage-access-denied', error_message: 'Unknown error' });
    const guide = await start({ blueprintText: GUIDE });
    try {
      const ok = new FlowWalk(new Client(guide.url));
      await ok.authorize();
      await passwordLogin(ok);
      expect((await ok.next()).body!.component).toBe('xak-flow-redirect');
    } finally {
      await guide.close();
    }
  });
});
