/**
 * The consent stage (authentik/stages/consent/stage.py ConsentStageView, models.py ConsentMode): always_require
 * prompts every time (and so does the in-memory stage prompt=consent adds, and any consent without an application);
 * permanent and expiring remember the consented permissions per user and application (expiring for
 * consent_expire_in). A stored consent that covers exactly the requested permissions passes without a prompt; new
 * ones are asked for in additional_permissions. The POST must echo the challenge's token; another one re-shows the
 * prompt with "Invalid consent token, re-showing prompt" (ConsentChallengeResponse.validate_token).
 */
import { randomUUID } from 'node:crypto';
import type { ResolvedStage } from '../../blueprints/index.ts';
import { fieldError, requiredString, type Execution, type ResponseErrors, type StageView } from '../stage.ts';

type ConsentStage = Extract<ResolvedStage, { type: 'consent' }>;

/** should_always_prompt: injected in memory, mode always_require, or no application in the plan. */
function alwaysPrompt(x: Execution): boolean {
  const stage = x.current.stage;
  return stage.type !== 'consent' || stage.mode === 'always_require' || x.plan.context.application === null;
}

function consentKey(x: Execution): string {
  return `${x.session.userPk ?? x.plan.context.pendingUser?.user?.pk}:${x.plan.context.application?.slug}`;
}

/** get_challenge: a fresh token each time, kept in the session (SESSION_KEY_CONSENT_TOKEN). */
function challenge(x: Execution, errors?: ResponseErrors): void {
  const token = randomUUID();
  x.session.consentToken = token;
  const ctx = x.plan.context;
  const data = {
    component: 'ak-stage-consent',
    permissions: ctx.consentPermissions ?? [],
    additional_permissions: ctx.consentAdditionalPermissions ?? [],
    token,
    ...(ctx.consentHeader !== null ? { header_text: ctx.consentHeader } : {}),
  };
  if (errors) x.invalid(data, errors, { withUserInfo: true });
  else x.challenge(data, { withUserInfo: true });
}

export const consentStage: StageView = {
  component: 'ak-stage-consent',
  get(x) {
    if (alwaysPrompt(x)) return challenge(x);
    const stored = x.fc.consents.get(consentKey(x));
    if (!stored || (stored.expiresAtMs !== null && stored.expiresAtMs <= Date.now())) return challenge(x);
    const requested = x.plan.context.consentPermissions ?? [];
    const allowed = new Set(stored.permissions);
    const requestedIds = new Set(requested.map((p) => p.id));
    if (allowed.size === requestedIds.size && [...allowed].every((id) => requestedIds.has(id))) return x.stageOk();
    x.plan.context.consentPermissions = requested.filter((p) => allowed.has(p.id));
    x.plan.context.consentAdditionalPermissions = requested.filter((p) => !allowed.has(p.id));
    return challenge(x);
  },
  post(x, body) {
    const token = requiredString(body, 'token');
    if ('errors' in token) return challenge(x, token.errors);
    if (token.value !== x.session.consentToken) return challenge(x, fieldError('token', 'Invalid consent token, re-showing prompt', 'invalid'));
    if (alwaysPrompt(x)) return x.stageOk();
    const stage = x.current.stage as ConsentStage;
    const ctx = x.plan.context;
    const permissions = [...(ctx.consentPermissions ?? []), ...(ctx.consentAdditionalPermissions ?? [])].map((p) => p.id);
    x.fc.consents.set(consentKey(x), {
      permissions,
      expiresAtMs: stage.mode === 'expiring' ? Date.now() + stage.consent_expire_in_s * 1000 : null,
    });
    return x.stageOk();
  },
};
