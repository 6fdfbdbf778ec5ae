/**
 * authentik_stages_authenticator_totp.totpdevice (authentik/stages/authenticator_totp/models.py TOTPDevice, after
 * django-otp: a hex `key`, 30 s steps, `digits` 6 or 8, tolerance 1). A blueprint may give the test user a TOTP
 * device so that an authenticator_validate stage challenges it, as authentik does. An export's devices have no owner
 * and no secret: they load, are counted and are said once at start.
 */
import { defineSlot, type ModelFamily } from '../build.ts';
import { requireRef } from '../refs.ts';
import type { ResolvedUser } from '../types.ts';
import { bool, fail, str } from '../values.ts';

const EXPORTED_DEVICE_NOTE =
  "the export's TOTP devices carry neither their owner nor their secret (stages/authenticator_totp/api.py TOTPDeviceSerializer: name and pk), so no user has an MFA device here; if the test user has one in the install, authentik asks it for a code there, which a headless login cannot give";

export const TOTP_DEVICE_MODEL = 'authentik_stages_authenticator_totp.totpdevice';
const DEVICE_PKS = defineSlot('device pks', () => ({ next: 1 }));

export const deviceFamily: ModelFamily = {
  models: [TOTP_DEVICE_MODEL],
  apply(input, build) {
    const { ctx, all } = input;
    if (build.exportMode && all.user === undefined) {
      // an export has the device's name only (TOTPDeviceSerializer: name, pk, a read-only user; no secret)
      if (!build.ignored.has(input.model)) build.notes.push(EXPORTED_DEVICE_NOTE);
      build.ignored.set(input.model, (build.ignored.get(input.model) ?? 0) + 1);
      return;
    }
    if (all.user === undefined) fail(ctx, 'user is required');
    const user = requireRef(build, all.user, ['authentik_core.user'], { ctx, index: input.index, attr: 'user' }).value as ResolvedUser;
    if (typeof all.key === 'number') fail(ctx, 'key must be a quoted hex string (YAML reads an unquoted one as a number)');
    const key = str(all.key, ctx, 'key (the TOTP secret, hex as authentik stores it)');
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(key)) fail(ctx, 'key must be the secret in hex (authentik stores TOTP keys as hex)');
    const digits = Number(all.digits ?? 6);
    if (digits !== 6 && digits !== 8) fail(ctx, `digits ${String(all.digits)} is not 6 or 8`);
    const name = str(all.name, ctx, 'name', 'TOTP device');
    const existing = user.devices.find((d) => d.name === name);
    const device = { pk: existing?.pk ?? build.get(DEVICE_PKS).next++, type: 'totp' as const, name, key: key.toLowerCase(), digits, step: 30, confirmed: bool(all.confirmed, true) };
    if (existing) Object.assign(existing, device);
    else user.devices.push(device);
    build.store(input.model, String(device.pk), { name, user: String(user.pk) }, device, input.id);
  },
};
