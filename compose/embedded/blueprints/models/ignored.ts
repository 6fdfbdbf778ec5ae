/**
 * Models a blueprint may contain that an osTicket login never touches (sources, outposts, notification rules,
 * SAML/SCIM/RAC providers and mappings, tokens, ...). authentik accepts any model of its installed apps
 * (authentik/root/settings.py INSTALLED_APPS / TENANT_APPS, app labels `authentik_<app>`); so does the reference:
 * they load, are not modelled, and are listed once at start. A model of an app authentik does not have is refused,
 * as authentik's importer refuses it ("App or Model does not exist").
 */
import type { ModelFamily } from '../build.ts';

/** App labels of authentik's installed apps (settings.py, enterprise apps included). */
export const KNOWN_APP_LABELS: ReadonlySet<string> = new Set([
  'admin', 'api', 'blueprints', 'brands', 'core', 'crypto', 'endpoints', 'endpoints_connectors_agent', 'enterprise',
  'events', 'flows', 'outposts', 'policies', 'policies_dummy', 'policies_event_matcher', 'policies_expiry',
  'policies_expression', 'policies_geoip', 'policies_password', 'policies_reputation', 'policies_unique_password',
  'providers_google_workspace', 'providers_ldap', 'providers_microsoft_entra', 'providers_oauth2', 'providers_proxy',
  'providers_rac', 'providers_radius', 'providers_saml', 'providers_scim', 'providers_ssf', 'rbac', 'recovery',
  'sources_kerberos', 'sources_ldap', 'sources_oauth', 'sources_plex', 'sources_saml', 'sources_scim',
  'sources_telegram', 'stages_authenticator', 'stages_authenticator_duo', 'stages_authenticator_email',
  'stages_authenticator_endpoint_gdtc', 'stages_authenticator_sms', 'stages_authenticator_static',
  'stages_authenticator_totp', 'stages_authenticator_validate', 'stages_authenticator_webauthn', 'stages_captcha',
  'stages_consent', 'stages_deny', 'stages_dummy', 'stages_email', 'stages_identification', 'stages_invitation',
  'stages_mtls', 'stages_password', 'stages_prompt', 'stages_redirect', 'stages_source', 'stages_user_delete',
  'stages_user_login', 'stages_user_logout', 'stages_user_write', 'tasks', 'tenants',
].map((a) => `authentik_${a}`));

/** Accepted without a listing: the guide's blueprint names these on purpose (keys through !Find, blueprint ordering). */
const UNLISTED = new Set(['authentik_blueprints.metaapplyblueprint']);

export function isKnownModel(model: string): boolean {
  const [app, name] = model.split('.');
  return !!app && !!name && KNOWN_APP_LABELS.has(app);
}

export const ignoredFamily: ModelFamily = {
  models: [...UNLISTED],
  apply({ model }, build) {
    if (build.builtIn || UNLISTED.has(model)) return;
    build.ignored.set(model, (build.ignored.get(model) ?? 0) + 1);
  },
};
