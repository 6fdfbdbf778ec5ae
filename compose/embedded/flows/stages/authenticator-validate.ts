/**
 * The authenticator validation stage (authentik/stages/authenticator_validate/stage.py AuthenticatorValidateStageView,
 * challenge.py validate_challenge_code): one device challenge per allowed device class of the pending user's
 * devices; without any, not_configured_action decides (skip: stage_ok; deny, or configure without configuration
 * stages: stage_invalid). A code is checked against the user's TOTP devices ("Invalid Token").
 */
import type { ResolvedStage } from '../../blueprints/index.ts';
import { fieldError, type Execution, type StageView } from '../stage.ts';
import { verifyTotp } from '../totp.ts';

type ValidateStage = Extract<ResolvedStage, { type: 'authenticator_validate' }>;

/** get_device_challenges: one per device class (only TOTP devices are modelled). */
function deviceChallenges(x: Execution): Array<Record<string, unknown>> {
  const stage = x.current.stage as ValidateStage;
  const user = x.plan.context.pendingUser?.user ?? null;
  const seen = new Set<string>();
  const out: Array<Record<string, unknown>> = [];
  for (const d of user?.devices ?? []) {
    if (!d.confirmed || !stage.device_classes.includes(d.type) || seen.has(d.type)) continue;
    seen.add(d.type);
    out.push({ device_class: d.type, device_uid: String(d.pk), challenge: {}, last_used: null });
  }
  return out;
}

function challenge(x: Execution): Record<string, unknown> {
  return { component: 'ak-stage-authenticator-validate', device_challenges: deviceChallenges(x), configuration_stages: [] };
}

export const authenticatorValidateStage: StageView = {
  component: 'ak-stage-authenticator-validate',
  get(x) {
    const stage = x.current.stage as ValidateStage;
    if (!x.plan.context.pendingUser) {
      // no pending user: nothing to validate (passwordless WebAuthn is not reproduced)
      return x.stageOk();
    }
    if (deviceChallenges(x).length === 0) {
      if (stage.not_configured_action === 'skip') return x.stageOk();
      return x.stageInvalid();
    }
    x.challenge(challenge(x), { withUserInfo: true });
  },
  post(x, body) {
    const code = body.code;
    if (code === undefined && body.webauthn === undefined && body.duo === undefined) {
      return x.invalid(challenge(x), fieldError('non_field_errors', 'Empty response', 'invalid'), { withUserInfo: true });
    }
    if (code === undefined) return x.invalid(challenge(x), fieldError(body.webauthn !== undefined ? 'webauthn' : 'duo', 'No compatible device class allowed', 'invalid'), { withUserInfo: true });
    if (!deviceChallenges(x).some((d) => d.device_class === 'totp')) {
      return x.invalid(challenge(x), fieldError('code', 'No compatible device class allowed', 'invalid'), { withUserInfo: true });
    }
    const user = x.plan.context.pendingUser?.user;
    const ok = user?.devices.some((d) => d.type === 'totp' && d.confirmed && verifyTotp(d, String(code), x.fc.nowSec() * 1000));
    if (!ok) return x.invalid(challenge(x), fieldError('code', 'Invalid Token', 'invalid'), { withUserInfo: true });
    x.plan.context.method ??= 'auth_mfa';
    x.plan.context.mfaDevices++;
    return x.stageOk();
  },
};
