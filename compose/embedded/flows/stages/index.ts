/** The view of each stage type (authentik/flows/models.py Stage.view). */
import { fulfillmentStage } from '../../oauth2/fulfillment.ts';
import type { PlanStage } from '../../sessions.ts';
import type { StageView } from '../stage.ts';
import { authenticatorValidateStage } from './authenticator-validate.ts';
import { consentStage } from './consent.ts';
import { identificationStage } from './identification.ts';
import { passwordStage } from './password.ts';
import { sessionEndStage } from './session-end.ts';
import { denyStage, dummyStage, unsupportedStage, userLogoutStage } from './simple.ts';
import { userLoginStage } from './user-login.ts';

const VIEWS: Record<PlanStage['type'], StageView> = {
  identification: identificationStage,
  password: passwordStage,
  authenticator_validate: authenticatorValidateStage,
  user_login: userLoginStage,
  user_logout: userLogoutStage,
  consent: consentStage,
  consent_in_memory: consentStage,
  deny: denyStage,
  dummy: dummyStage,
  unsupported: unsupportedStage,
  oauth_fulfillment: fulfillmentStage,
  session_end: sessionEndStage,
};

export function viewFor(stage: PlanStage): StageView {
  return VIEWS[stage.type];
}
