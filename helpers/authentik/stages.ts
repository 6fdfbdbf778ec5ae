/**
 * Which flow stages a headless login can answer, and what the others ask of a person. Component names are those
 * authentik's flow interface renders (web/src/flow/FlowExecutor.ts, the component switch; authentik/stages/<type>/
 * stage.py challenge classes). A stage that needs a person (an MFA code or device, a captcha, an emailed link, a
 * prompt with required fields) is the harness's input to fix, not a fault of the product: a dedicated test user
 * without MFA devices, or a flow without that stage.
 */

type Challenge = Record<string, unknown>;

/** Stages that need a person, by component: what they ask for. */
const NEEDS_A_PERSON: Record<string, string> = {
  'ak-stage-authenticator-validate': 'an MFA code or device (authenticator validation stage)',
  'ak-stage-authenticator-totp': 'enrolling a TOTP authenticator (authenticator setup stage)',
  'ak-stage-authenticator-webauthn': 'enrolling a WebAuthn / passkey authenticator (authenticator setup stage)',
  'ak-stage-authenticator-static': 'enrolling static recovery codes (authenticator setup stage)',
  'ak-stage-authenticator-duo': 'enrolling a Duo authenticator (authenticator setup stage)',
  'ak-stage-authenticator-sms': 'enrolling an SMS authenticator (authenticator setup stage)',
  'ak-stage-authenticator-email': 'enrolling an email authenticator (authenticator setup stage)',
  'ak-stage-captcha': 'a captcha (captcha stage)',
  'ak-stage-email': 'a link sent by email (email stage)',
  'ak-source-plex': 'a login at Plex (source stage)',
  'ak-source-oauth-apple': 'a login at Apple (source stage)',
};

/** authenticator_validate's device classes (stages/authenticator_validate/challenge.py DeviceChallenge.device_class). */
function deviceClasses(ch: Challenge): string[] {
  const list = Array.isArray(ch.device_challenges) ? ch.device_challenges : [];
  const classes = list.map((d) => (d && typeof d === 'object' ? (d as { device_class?: unknown }).device_class : undefined)).filter((c): c is string => typeof c === 'string');
  return [...new Set(classes)];
}

interface PromptField {
  field_key?: unknown;
  required?: unknown;
  initial_value?: unknown;
  type?: unknown;
}
const promptFields = (ch: Challenge): PromptField[] => (Array.isArray(ch.fields) ? ch.fields.filter((f): f is PromptField => !!f && typeof f === 'object') : []);
/** Prompt field types that are not inputs (stages/prompt/models.py FieldTypes). */
const NOT_INPUT = new Set(['static', 'separator']);

/** What a stage needs from a person, or undefined when the headless driver can answer it. */
export function needsAPerson(component: string, ch: Challenge): string | undefined {
  if (component === 'ak-stage-authenticator-validate') {
    const classes = deviceClasses(ch);
    return `an MFA code or device (authenticator validation stage${classes.length ? `: ${classes.join(', ')}` : ''})`;
  }
  if (NEEDS_A_PERSON[component]) return NEEDS_A_PERSON[component];
  if (component === 'ak-stage-identification' && ch.captcha_stage) return 'a captcha on the identification page (identification stage with a captcha)';
  if (component === 'ak-stage-prompt') {
    const required = promptFields(ch).filter((f) => f.required === true && !NOT_INPUT.has(String(f.type)) && (f.initial_value === undefined || f.initial_value === null || f.initial_value === ''));
    if (required.length) return `answers to a prompt with required fields: ${required.map((f) => String(f.field_key)).join(', ')} (prompt stage)`;
  }
  return undefined;
}

/** The answer to a prompt whose inputs all have initial values or are optional: the initial values, as a browser submits them. */
export function promptAnswer(ch: Challenge): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of promptFields(ch)) {
    if (typeof f.field_key !== 'string' || NOT_INPUT.has(String(f.type))) continue;
    out[f.field_key] = f.initial_value ?? '';
  }
  return out;
}
