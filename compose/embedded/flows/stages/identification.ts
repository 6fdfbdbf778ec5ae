/**
 * The identification stage (authentik/stages/identification/stage.py IdentificationStageView) as the default
 * authentication flow configures it: user_fields [email, username], no password field, pretend_user_exists.
 */
import { flowInfo } from '../challenge.ts';
import { respond, stageOk, withErrors, type StageRequest, type StageView } from '../stage.ts';

function challenge(r: StageRequest): Record<string, unknown> {
  const { plan } = r;
  return {
    flow_info: flowInfo(plan), component: 'ak-stage-identification', user_fields: ['email', 'username'], password_fields: false,
    allow_show_password: false, ...(plan.applicationName ? { application_pre: plan.applicationName } : {}),
    enable_remember_me: false, flow_designation: 'authentication', primary_action: 'Log in', sources: [],
    show_source_labels: false, captcha_stage: null, passkey_challenge: null, pending_user_identifier: null,
  };
}

export const identificationStage: StageView = {
  component: 'ak-stage-identification',
  get: (r) => respond(r, challenge(r)),
  post(r, body) {
    const uid = body.uid_field;
    if (typeof uid !== 'string' || uid === '') return respond(r, withErrors(challenge(r), 'uid_field', 'This field is required.', 'required'));
    // pretend_user_exists: unknown users pass here and fail at the password stage.
    r.plan.pendingUser = r.fc.findUser(uid)?.username ?? uid;
    return stageOk(r);
  },
};
