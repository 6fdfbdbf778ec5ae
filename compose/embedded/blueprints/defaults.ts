/**
 * What a fresh authentik has after its first start, as far as an osTicket login is concerned: the stock flows of
 * blueprints/default/ with their stages, bindings and policies, and the default brand. They are applied through the
 * same loader before the user's file, so a blueprint may find them, override them (state present updates, absent
 * removes a binding) or bind policies to them, as it can on real authentik.
 *
 * Sources (authentik repository): blueprints/default/flow-default-authentication-flow.yaml,
 * flow-default-provider-authorization-explicit-consent.yaml, flow-default-provider-authorization-implicit-consent.yaml,
 * flow-default-provider-invalidation.yaml, flow-default-invalidation-flow.yaml, default-brand.yaml; the other stock
 * flows (source, user settings, authenticator setup, password change, initial setup) exist with their designation so
 * that a !Find of them resolves, without their stages (an osTicket login never runs them).
 */
import { FindRef, KeyOfRef } from './tags.ts';

type Entry = Record<string, unknown>;
const keyOf = (id: string) => new KeyOfRef(id);
const findFlow = (slug: string) => new FindRef('authentik_flows.flow', [['slug', slug]]);

const flow = (slug: string, name: string, title: string, designation: string, authentication = 'none'): Entry =>
  ({ model: 'authentik_flows.flow', id: slug, identifiers: { slug }, attrs: { name, title, designation, authentication } });

const stage = (model: string, name: string, attrs: Entry = {}): Entry => ({ model, id: name, identifiers: { name }, attrs });

const binding = (target: string, stageId: string, order: number, id?: string, attrs: Entry = {}): Entry =>
  ({ model: 'authentik_flows.flowstagebinding', ...(id ? { id } : {}), identifiers: { target: keyOf(target), stage: keyOf(stageId), order }, attrs });

/** The password-stage policy's expression as the default authentication flow ships it. */
const PASSWORD_STAGE_POLICY = [
  'flow_plan = request.context.get("flow_plan")',
  'if not flow_plan:',
  '    return True',
  '# If the user does not have a backend attached to it, they have not',
  '# been authenticated yet and we need the password stage',
  'return not hasattr(flow_plan.context.get("pending_user"), "backend")',
].join('\n');

/** One stock flow with its stages, bindings and policies (or the default brand, `flow` null). */
export interface DefaultGroup {
  flow: string | null;
  entries: readonly Entry[];
}

const group = (flowSlug: string | null, ...entries: Entry[]): DefaultGroup => ({ flow: flowSlug, entries });

/**
 * The entries, as the YAML loader would give them (tags as their markers), grouped by stock flow: applied through
 * the same families as a user's file, without a YAML parse at every start. An export that carries a stock flow (or
 * the default brand) replaces its whole group: the install's copy, edited or not, is what the export says.
 */
export const DEFAULT_GROUPS: readonly DefaultGroup[] = [
  // the stock flows a login may meet
  group('default-authentication-flow',
    flow('default-authentication-flow', 'Welcome to authentik!', 'Welcome to authentik!', 'authentication'),
    stage('authentik_stages_identification.identificationstage', 'default-authentication-identification', { user_fields: ['email', 'username'] }),
    stage('authentik_stages_password.passwordstage', 'default-authentication-password'),
    stage('authentik_stages_authenticator_validate.authenticatorvalidatestage', 'default-authentication-mfa-validation'),
    stage('authentik_stages_user_login.userloginstage', 'default-authentication-login'),
    binding('default-authentication-flow', 'default-authentication-identification', 10),
    binding('default-authentication-flow', 'default-authentication-password', 20, 'default-authentication-flow-password-binding', { re_evaluate_policies: true }),
    binding('default-authentication-flow', 'default-authentication-mfa-validation', 30),
    binding('default-authentication-flow', 'default-authentication-login', 100),
    {
      model: 'authentik_policies_expression.expressionpolicy', id: 'default-authentication-flow-password-optional',
      identifiers: { name: 'default-authentication-flow-password-stage' }, attrs: { expression: PASSWORD_STAGE_POLICY },
    },
    {
      model: 'authentik_policies.policybinding',
      identifiers: { order: 10, target: keyOf('default-authentication-flow-password-binding'), policy: keyOf('default-authentication-flow-password-optional') },
      attrs: { failure_result: true },
    }),
  group('default-provider-authorization-implicit-consent',
    flow('default-provider-authorization-implicit-consent', 'Authorize Application', 'Redirecting to %(app)s', 'authorization', 'require_authenticated')),
  group('default-provider-authorization-explicit-consent',
    flow('default-provider-authorization-explicit-consent', 'Authorize Application', 'Redirecting to %(app)s', 'authorization', 'require_authenticated'),
    stage('authentik_stages_consent.consentstage', 'default-provider-authorization-consent', { mode: 'expiring' }),
    binding('default-provider-authorization-explicit-consent', 'default-provider-authorization-consent', 0)),
  group('default-provider-invalidation-flow', flow('default-provider-invalidation-flow', 'Logout', "You've logged out of %(app)s.", 'invalidation')),
  group('default-invalidation-flow',
    flow('default-invalidation-flow', 'Logout', 'Default Invalidation Flow', 'invalidation'),
    stage('authentik_stages_user_logout.userlogoutstage', 'default-invalidation-logout'),
    binding('default-invalidation-flow', 'default-invalidation-logout', 0)),
  // stock flows an osTicket login never runs, present so that a !Find of them resolves
  ...[
    flow('default-source-authentication', 'Welcome to authentik!', 'Welcome to authentik!', 'authentication', 'require_unauthenticated'),
    flow('default-source-enrollment', 'Welcome to authentik! Please select a username.', 'Welcome to authentik!', 'enrollment', 'require_unauthenticated'),
    flow('default-source-pre-authentication', 'Pre-Authentication', '', 'stage_configuration'),
    flow('default-user-settings-flow', 'User settings', 'Update your info', 'stage_configuration', 'require_authenticated'),
    flow('default-password-change', 'Change Password', 'Change password', 'stage_configuration', 'require_authenticated'),
    flow('default-authenticator-static-setup', 'default-authenticator-static-setup', 'Setup Static OTP Tokens', 'stage_configuration', 'require_authenticated'),
    flow('default-authenticator-totp-setup', 'default-authenticator-totp-setup', 'Set up Two-Factor authentication', 'stage_configuration', 'require_authenticated'),
    flow('default-authenticator-webauthn-setup', 'default-authenticator-webauthn-setup', 'Setup WebAuthn', 'stage_configuration', 'require_authenticated'),
    flow('initial-setup', 'default-oobe-setup', 'Welcome to authentik!', 'stage_configuration', 'require_unauthenticated'),
  ].map((f) => group(String((f.identifiers as Entry).slug), f)),
  // blueprints/default/default-brand.yaml
  group(null, {
    model: 'authentik_brands.brand', identifiers: { domain: 'authentik-default', default: true },
    // by slug (a !Find), so that the flows an export carries serve the brand when the export has no brand entry
    attrs: { flow_authentication: findFlow('default-authentication-flow'), flow_invalidation: findFlow('default-invalidation-flow') },
  }),
];

/** Every default entry, in order. */
export const DEFAULT_ENTRIES: readonly Entry[] = DEFAULT_GROUPS.flatMap((g) => g.entries);
