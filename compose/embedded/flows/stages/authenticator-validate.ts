/**
 * The MFA validation stage (authentik/stages/authenticator_validate/stage.py) of the default authentication flow:
 * not_configured_action skip and no devices, so stage_ok (a 302 to the executor itself).
 */
import { stageOk, type StageView } from '../stage.ts';

export const authenticatorValidateStage: StageView = {
  component: null,
  get: (r) => stageOk(r),
};
