/**
 * Challenge parts every stage shares (authentik/flows/challenge.py, flows/stage.py ChallengeStageView._get_challenge):
 * flow_info (title with %(app)s / %(user)s filled in, background, cancel_url, layout), and the user-info fields of
 * WithUserInfoChallenge (pending_user, pending_user_avatar).
 */
import type { ResolvedFlow } from '../blueprints/index.ts';
import type { FrontContext } from '../context.ts';
import type { AkSession, FlowPlan } from '../sessions.ts';
import { sessionUser } from './planner.ts';

export const DEFAULT_AVATAR = '/static/dist/assets/images/user_default.png';
export const FLOW_BACKGROUND = '/static/dist/assets/images/flow_background.jpg';

/** get_pending_user(for_display=True): the typed identifier, else the pending user, else the session's user. */
export function pendingUserDisplay(fc: FrontContext, plan: FlowPlan | null, session: AkSession | null): string {
  if (plan?.context.pendingUserIdentifier != null) return plan.context.pendingUserIdentifier;
  if (plan?.context.pendingUser) return plan.context.pendingUser.username;
  return sessionUser(fc, session)?.username ?? '';
}

/** format_title: Python %-format with `app` and `user`; the raw title when formatting fails. */
export function formatTitle(fc: FrontContext, flow: ResolvedFlow, plan: FlowPlan | null, session: AkSession | null): string {
  if (!plan) return flow.title;
  const values: Record<string, string> = { app: plan.context.application?.name ?? '', user: pendingUserDisplay(fc, plan, session) };
  let failed = false;
  const out = flow.title.replace(/%(?:\((\w+)\))?([sd%])/g, (m, key: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    if (key === undefined || !(key in values)) failed = true;
    return values[key ?? ''] ?? m;
  });
  return failed ? flow.title : out;
}

export function flowInfo(fc: FrontContext, flow: ResolvedFlow, plan: FlowPlan | null, session: AkSession | null): Record<string, unknown> {
  const next = session?.get.get('next');
  const withNext = fc.features.flowInfo2025_12 && next;
  return {
    title: formatTitle(fc, flow, plan, session),
    background: FLOW_BACKGROUND,
    ...(fc.features.flowInfo2025_12 ? { background_themed_urls: null } : {}),
    // the cancel view keeps `next` (observed on 2025.12.4 and 2026.2.2, authentik.md §13)
    cancel_url: withNext ? `/flows/-/cancel/?${new URLSearchParams({ next })}` : '/flows/-/cancel/',
    layout: flow.layout,
  };
}

export function userInfo(fc: FrontContext, plan: FlowPlan | null, session: AkSession | null): Record<string, unknown> {
  return { pending_user: pendingUserDisplay(fc, plan, session), pending_user_avatar: DEFAULT_AVATAR };
}
