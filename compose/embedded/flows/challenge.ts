/**
 * Challenge parts every stage shares (authentik/flows/challenge.py, flows/stage.py ChallengeStageView._get_challenge):
 * flow_info, the access-denied challenge (AccessDeniedStage), the pending user's display fields.
 */
import type { FlowPlan } from '../sessions.ts';

export const DEFAULT_AVATAR = '/static/dist/assets/images/user_default.png';

export function flowInfo(plan: FlowPlan) {
  return {
    title: plan.kind === 'consent' ? `Redirecting to ${plan.applicationName ?? ''}` : 'Welcome to authentik!',
    background: '/static/dist/assets/images/flow_background.jpg',
    cancel_url: '/flows/-/cancel/',
    layout: 'stacked',
  };
}

export function accessDenied(plan: FlowPlan | null, message: string) {
  return {
    component: 'ak-stage-access-denied', error_message: message, pending_user: plan?.pendingUser ?? '',
    pending_user_avatar: DEFAULT_AVATAR, ...(plan ? { flow_info: flowInfo(plan) } : {}),
  };
}
