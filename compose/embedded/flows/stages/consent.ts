/**
 * The consent stage (authentik/stages/consent/stage.py ConsentStageView) of the explicit-consent authorization flow:
 * the challenge carries a token that the POST must echo (compared with the plan's since 2026.2); consent is stored
 * for consent_expire_in (weeks=4).
 */
import { scopePermissions } from '../../claims.ts';
import { DEFAULT_AVATAR, flowInfo } from '../challenge.ts';
import { respond, stageOk, withErrors, type StageRequest, type StageView } from '../stage.ts';

const CONSENT_VALIDITY_S = 4 * 7 * 86400;

function challenge(r: StageRequest): Record<string, unknown> {
  const { plan } = r;
  return {
    flow_info: flowInfo(plan), component: 'ak-stage-consent', pending_user: plan.pendingUser ?? '',
    pending_user_avatar: DEFAULT_AVATAR, header_text: '',
    permissions: scopePermissions(r.fc.provider, plan.authorize!.scopes),
    additional_permissions: [], token: plan.consentToken,
  };
}

export const consentStage: StageView = {
  component: 'ak-stage-consent',
  get: (r) => respond(r, challenge(r)),
  post(r, body) {
    const { fc, plan, session } = r;
    const token = body.token;
    if (typeof token !== 'string' || token === '') return respond(r, withErrors(challenge(r), 'token', 'This field is required.', 'required'));
    if (fc.features.consentTokenChecked && token !== plan.consentToken) {
      fc.log('Invalid consent token, re-showing prompt');
      return respond(r, challenge(r));
    }
    fc.consents.set(`${session.userPk}:${fc.app.slug}`, { scopes: plan.authorize!.scopes, expiresAtMs: Date.now() + CONSENT_VALIDITY_S * 1000 });
    return stageOk(r);
  },
};
