/**
 * Stage models (authentik/stages/<type>/models.py) with authentik's defaults. Stage names are unique across all
 * stage types (authentik/flows/models.py Stage.name), so !Find [authentik_flows.stage, [name, ...]] finds any of them.
 * Stage types a login cannot pass headlessly or that the reference does not run (prompt, email, captcha, ...) load as
 * `unsupported` and are named when a login reaches them.
 */
import { randomUUID } from 'node:crypto';
import { upsert, type EntryInput, type ModelFamily } from '../build.ts';
import { resolveRef } from '../refs.ts';
import type { ResolvedFlow, ResolvedStage } from '../types.ts';
import { bool, fail, parseDuration, str } from '../values.ts';

const MODELS = {
  identification: 'authentik_stages_identification.identificationstage',
  password: 'authentik_stages_password.passwordstage',
  authenticator_validate: 'authentik_stages_authenticator_validate.authenticatorvalidatestage',
  user_login: 'authentik_stages_user_login.userloginstage',
  user_logout: 'authentik_stages_user_logout.userlogoutstage',
  consent: 'authentik_stages_consent.consentstage',
  deny: 'authentik_stages_deny.denystage',
  dummy: 'authentik_stages_dummy.dummystage',
} as const;

const TYPE_BY_MODEL = new Map<string, ResolvedStage['type']>(Object.entries(MODELS).map(([t, m]) => [m, t as ResolvedStage['type']]));

/** authentik/stages/authenticator_validate/models.py DeviceClasses (default: all of them). */
const DEVICE_CLASSES = ['static', 'totp', 'webauthn', 'duo', 'sms', 'email'];
const USER_FIELDS = ['email', 'username', 'upn'];

function choice<T extends string>(value: unknown, choices: readonly T[], fallback: T, input: EntryInput, attr: string): T {
  if (value === undefined || value === null) return fallback;
  if (!choices.includes(value as T)) fail(input.ctx, `${attr} "${String(value)}" is not one of ${choices.join(', ')}`);
  return value as T;
}

function list(value: unknown, allowed: readonly string[], input: EntryInput, attr: string): string[] {
  if (!Array.isArray(value)) fail(input.ctx, `${attr} must be a list`);
  return value.map((v, i) => {
    if (!allowed.includes(String(v))) fail(input.ctx, `${attr}[${i}] "${String(v)}" is not one of ${allowed.join(', ')}`);
    return String(v);
  });
}

/** A flow reference (!Find / !KeyOf / pk) as its slug; null for null or a !Find that matches nothing. */
function flowSlug(build: Parameters<ModelFamily['apply']>[1], ref: unknown, input: EntryInput, attr: string): string | null {
  if (ref === null) return null;
  const flow = resolveRef(build, ref, ['authentik_flows.flow'], { ctx: input.ctx, index: input.index, attr });
  return flow ? (flow.value as ResolvedFlow).slug : null;
}

/** The type-specific attributes, over `prev` (an update keeps what the entry does not set). */
function attrsFor(type: ResolvedStage['type'], input: EntryInput, build: Parameters<ModelFamily['apply']>[1], prev: Record<string, unknown>): Record<string, unknown> {
  const a = input.all;
  const has = (k: string) => a[k] !== undefined;
  const pick = <T>(k: string, parse: () => T, fallback: T): T => (has(k) ? parse() : ((prev[k] as T | undefined) ?? fallback));
  switch (type) {
    case 'identification': {
      if (!has('user_fields') && prev.user_fields === undefined) fail(input.ctx, 'user_fields is required');
      const passwordRef = a.password_stage;
      return {
        user_fields: pick('user_fields', () => list(a.user_fields, USER_FIELDS, input, 'user_fields'), ['email', 'username']),
        password_stage: has('password_stage')
          ? passwordRef === null ? null : (resolveRef(build, passwordRef, [MODELS.password], { ctx: input.ctx, index: input.index, attr: 'password_stage' })?.value ?? null)
          : (prev.password_stage ?? null),
        case_insensitive_matching: pick('case_insensitive_matching', () => bool(a.case_insensitive_matching, true), true),
        show_matched_user: pick('show_matched_user', () => bool(a.show_matched_user, true), true),
        pretend_user_exists: pick('pretend_user_exists', () => bool(a.pretend_user_exists, true), true),
        enable_remember_me: pick('enable_remember_me', () => bool(a.enable_remember_me, false), false),
        show_source_labels: pick('show_source_labels', () => bool(a.show_source_labels, false), false),
        ...Object.fromEntries((['enrollment_flow', 'recovery_flow', 'passwordless_flow'] as const).map((k) => [k,
          has(k) ? flowSlug(build, a[k], input, k) : (prev[k] ?? null)])),
      };
    }
    case 'password':
      return {
        failed_attempts_before_cancel: pick('failed_attempts_before_cancel', () => Number(a.failed_attempts_before_cancel), 5),
        allow_show_password: pick('allow_show_password', () => bool(a.allow_show_password, false), false),
      };
    case 'authenticator_validate':
      return {
        device_classes: pick('device_classes', () => list(a.device_classes, DEVICE_CLASSES, input, 'device_classes'), DEVICE_CLASSES),
        not_configured_action: pick('not_configured_action', () => choice(a.not_configured_action, ['skip', 'deny', 'configure'] as const, 'skip', input, 'not_configured_action'), 'skip'),
      };
    case 'user_login':
      return { remember_me_offset_s: pick('remember_me_offset', () => parseDuration(a.remember_me_offset, 0, input.ctx, 'remember_me_offset'), 0) };
    case 'consent':
      return {
        mode: pick('mode', () => choice(a.mode, ['always_require', 'permanent', 'expiring'] as const, 'always_require', input, 'mode'), 'always_require'),
        consent_expire_in_s: pick('consent_expire_in', () => parseDuration(a.consent_expire_in, 4 * 7 * 86400, input.ctx, 'consent_expire_in'), 4 * 7 * 86400),
      };
    case 'deny':
      return { deny_message: pick('deny_message', () => str(a.deny_message, input.ctx, 'deny_message', ''), '') };
    case 'dummy':
      return { throw_error: pick('throw_error', () => bool(a.throw_error, false), false) };
    default:
      return {};
  }
}

export const stageFamily: ModelFamily = {
  models: [...Object.values(MODELS)],
  apply(input, build) {
    const type = TYPE_BY_MODEL.get(input.model) ?? 'unsupported';
    const identifiers = Object.entries(input.identifiers);
    upsert<ResolvedStage>(
      build,
      input,
      identifiers,
      () => {
        const name = str(input.all.name, input.ctx, 'name');
        const pk = typeof input.all.pk === 'string' ? input.all.pk : randomUUID();
        const value = { pk, name, type, ...(type === 'unsupported' ? { model: input.model } : {}), ...attrsFor(type, input, build, {}) } as ResolvedStage;
        return { pk, value, fields: { name } };
      },
      (stage) => {
        Object.assign(stage, attrsFor(type, input, build, stage as unknown as Record<string, unknown>));
        if (input.all.name !== undefined) stage.name = str(input.all.name, input.ctx, 'name');
        return { name: stage.name };
      },
    );
  },
};

/** Any other stage model (authentik_stages_<app>.<model>stage): loaded, run as `unsupported`. */
export function isOtherStageModel(model: string): boolean {
  return model.startsWith('authentik_stages_') && model.endsWith('stage') && !TYPE_BY_MODEL.has(model);
}

