/**
 * The typed model the blueprint loader resolves a file into (what the reference provider and the harness use), and
 * the managed defaults authentik ships (blueprints/system/providers-oauth2.yaml). Field names and defaults follow
 * authentik's models (authentik/providers/oauth2/models.py, authentik/core/models.py, authentik/policies/models.py).
 */
import type { MappingExpression } from './expression.ts';

export type SubMode = 'hashed_user_id' | 'user_id' | 'user_uuid' | 'user_username' | 'user_email' | 'user_upn';
export const SUB_MODES: readonly SubMode[] = ['hashed_user_id', 'user_id', 'user_uuid', 'user_username', 'user_email', 'user_upn'];
export type IssuerMode = 'per_provider' | 'global';
export type MatchingMode = 'strict' | 'regex';

export interface RedirectUri {
  matching_mode: MatchingMode;
  url: string;
  /** 2026.5+: 'authorization' (default) or 'logout'; only 'authorization' entries are used for login. */
  redirect_uri_type: 'authorization' | 'logout';
}

/** managed name -> scope name (authentik blueprints/system/providers-oauth2.yaml, authentik.md §5). */
export const MANAGED_SCOPE_MAPPINGS: Readonly<Record<string, string>> = {
  'goauthentik.io/providers/oauth2/scope-openid': 'openid',
  'goauthentik.io/providers/oauth2/scope-email': 'email',
  'goauthentik.io/providers/oauth2/scope-profile': 'profile',
  'goauthentik.io/providers/oauth2/scope-entitlements': 'entitlements',
  'goauthentik.io/providers/oauth2/scope-offline_access': 'offline_access',
  'goauthentik.io/providers/oauth2/scope-authentik_api': 'goauthentik.io/api',
};

/**
 * The managed default scope mappings with authentik's names and descriptions (blueprints/system/providers-oauth2.yaml).
 * Their claims are built in (claims.ts managedMappingClaims), not parsed from Python.
 */
export const MANAGED_SCOPE_MAPPING_DEFAULTS: Readonly<Record<string, { name: string; description: string }>> = {
  'goauthentik.io/providers/oauth2/scope-openid': { name: "authentik default OAuth Mapping: OpenID 'openid'", description: '' },
  'goauthentik.io/providers/oauth2/scope-email': { name: "authentik default OAuth Mapping: OpenID 'email'", description: 'Email address' },
  'goauthentik.io/providers/oauth2/scope-profile': { name: "authentik default OAuth Mapping: OpenID 'profile'", description: 'General Profile Information' },
  'goauthentik.io/providers/oauth2/scope-entitlements': { name: 'authentik default OAuth Mapping: Application Entitlements', description: 'Application entitlements' },
  'goauthentik.io/providers/oauth2/scope-offline_access': { name: "authentik default OAuth Mapping: OpenID 'offline_access'", description: 'Access to request new tokens without interaction' },
  'goauthentik.io/providers/oauth2/scope-authentik_api': { name: 'authentik default OAuth Mapping: authentik API access', description: 'authentik API Access on behalf of your user' },
};

/** A scope mapping attached to the provider: a managed default, or one the blueprint defines. */
export interface ResolvedScopeMapping {
  /** authentik's unique mapping name. */
  name: string;
  /** The `managed` identifier (the defaults, or a blueprint mapping identified by `managed`), else null. */
  managed: string | null;
  scope_name: string;
  description: string;
  /** The parsed expression of a blueprint-defined mapping; null for the managed defaults (built in). */
  expression: MappingExpression | null;
  /** The blueprint entry's `id`, if any. */
  id: string | null;
}

export interface ResolvedProvider {
  /** The entry's `id` (for !KeyOf). */
  id: string | null;
  name: string;
  client_id: string;
  client_secret: string;
  client_type: 'confidential' | 'public';
  /** Mutable: an empty list gets the first redirect URI seen at authorize (authentik.md §3). */
  redirect_uris: RedirectUri[];
  sub_mode: SubMode;
  issuer_mode: IssuerMode;
  /** Name of the certificate-key pair from !Find, or null when `signing_key` is omitted (HS256). */
  signing_key: string | null;
  encryption_key: string | null;
  /** The attached scope mappings, by `managed` name (the defaults) or mapping name (custom), in blueprint order. */
  property_mappings: string[];
  /** The attached scope mappings themselves, same order, duplicates removed (a many-to-many field). */
  scope_mappings: ResolvedScopeMapping[];
  /** Distinct scope names of those mappings (authentik.md §5): the scopes a client can be granted. */
  scopes: string[];
  /** null when the attribute is absent (model default), [] when set empty (authentik.md §6, 2026.5+). */
  grant_types: string[] | null;
  include_claims_in_id_token: boolean;
  access_code_validity_s: number;
  access_token_validity_s: number;
  refresh_token_validity_s: number;
  /** refresh_token_threshold (2025.10+, default "seconds=0": rotate on every refresh). */
  refresh_token_threshold_s: number;
  authorization_flow: string;
  invalidation_flow: string | null;
  authentication_flow: string | null;
}

export interface ResolvedPolicy {
  id: string | null;
  /** The primary key an export identifies the policy by, if any. */
  pk?: string | null;
  name: string;
  model: string;
  /** For expression policies: the Python source. */
  expression: string | null;
  /** For expression policies: what the reference provider evaluates (policies/expression.ts), null when outside its subset. */
  parsed: PolicyExpression | null;
  /** Why `parsed` is null (reported only if the policy is bound somewhere). */
  problem: string | null;
  /** Dummy policy (authentik/policies/dummy/models.py): its fixed result. */
  result: boolean;
}

/** An expression policy in the subset the reference provider evaluates (see policies/expression.ts). */
export type PolicyExpression =
  | { kind: 'constant'; value: boolean; messages: string[] }
  | { kind: 'group-member'; group: string; negate: boolean; messages: string[] }
  /** blueprints/default/flow-default-authentication-flow.yaml: the password stage runs unless the pending user is authenticated. */
  | { kind: 'pending-user-not-authenticated' };

/** A policy binding (authentik/policies/models.py PolicyBinding): to a policy, a user or a group. */
export interface ResolvedPolicyBinding {
  policy: ResolvedPolicy | null;
  user: string | null;
  group: string | null;
  order: number;
  enabled: boolean;
  negate: boolean;
  /** Result when the policy raises (default False). */
  failure_result: boolean;
}

export interface ResolvedApplication {
  id: string | null;
  slug: string;
  name: string;
  /** 'any' (authentik default) or 'all'. */
  policy_engine_mode: 'any' | 'all';
  bindings: ResolvedPolicyBinding[];
}

export type UserType = 'internal' | 'external' | 'service_account' | 'internal_service_account';
export const USER_TYPES: readonly UserType[] = ['internal', 'external', 'service_account', 'internal_service_account'];

export interface ResolvedUser {
  id: string | null;
  /** The export's primary key; else assigned in blueprint order starting at 2 (1 is akadmin in a fresh authentik). */
  pk: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  /** Absent password: the user cannot log in with a password. */
  password: string | null;
  is_active: boolean;
  attributes: Record<string, unknown>;
  groups: string[];
  /** authentik/core/models.py UserTypes: internal (default), external, service_account, internal_service_account. */
  type: UserType;
  /** Member of a group with is_superuser (authentik Admins): an administrator, never taken as the test user unasked. */
  superuser: boolean;
  /** MFA devices (authentik_stages_authenticator_totp.totpdevice entries for this user). */
  devices: ResolvedDevice[];
}

/** A TOTP device (authentik/stages/authenticator_totp/models.py TOTPDevice: hex key, 30 s step, tolerance 1). */
export interface ResolvedDevice {
  pk: number;
  type: 'totp';
  name: string;
  /** The secret, hex as authentik stores it. */
  key: string;
  digits: number;
  step: number;
  confirmed: boolean;
}

export type FlowDesignation = 'authentication' | 'authorization' | 'invalidation' | 'enrollment' | 'unenrollment' | 'recovery' | 'stage_configuration';
export type FlowAuthentication = 'none' | 'require_authenticated' | 'require_unauthenticated' | 'require_superuser' | 'require_redirect' | 'require_outpost';

/** A flow (authentik/flows/models.py Flow) with its stage bindings in `order`. */
export interface ResolvedFlow {
  pk: string;
  slug: string;
  name: string;
  /** Shown as the title; `%(app)s` and `%(user)s` are filled in (flows/stage.py format_title). */
  title: string;
  designation: FlowDesignation;
  authentication: FlowAuthentication;
  layout: string;
  denied_action: 'message_continue' | 'message' | 'continue';
  policy_engine_mode: 'any' | 'all';
  /** Policy bindings on the flow itself (checked when it is planned). */
  policies: ResolvedPolicyBinding[];
  bindings: ResolvedFlowStageBinding[];
  /** From the stock default blueprints (blueprints/default/*.yaml), not the user's file. */
  builtIn: boolean;
}

/** authentik/flows/models.py FlowStageBinding. */
export interface ResolvedFlowStageBinding {
  pk: string;
  order: number;
  stage: ResolvedStage;
  evaluate_on_plan: boolean;
  re_evaluate_policies: boolean;
  invalid_response_action: 'retry' | 'restart' | 'restart_with_context';
  policy_engine_mode: 'any' | 'all';
  policies: ResolvedPolicyBinding[];
}

interface StageBase {
  pk: string;
  name: string;
}

/** The stage types a login can run (authentik/stages/<type>/models.py). */
export type ResolvedStage =
  | (StageBase & {
      type: 'identification';
      user_fields: Array<'email' | 'username' | 'upn'>;
      /** The password stage checked in the same step, or null. */
      password_stage: (StageBase & { type: 'password'; allow_show_password: boolean }) | null;
      case_insensitive_matching: boolean;
      show_matched_user: boolean;
      pretend_user_exists: boolean;
      enable_remember_me: boolean;
      show_source_labels: boolean;
      /** Flows linked under the form (slugs), or null. */
      enrollment_flow: string | null;
      recovery_flow: string | null;
      passwordless_flow: string | null;
    })
  | (StageBase & { type: 'password'; failed_attempts_before_cancel: number; allow_show_password: boolean })
  | (StageBase & { type: 'authenticator_validate'; device_classes: string[]; not_configured_action: 'skip' | 'deny' | 'configure' })
  | (StageBase & { type: 'user_login'; remember_me_offset_s: number })
  | (StageBase & { type: 'user_logout' })
  | (StageBase & { type: 'consent'; mode: 'always_require' | 'permanent' | 'expiring'; consent_expire_in_s: number })
  | (StageBase & { type: 'deny'; deny_message: string })
  | (StageBase & { type: 'dummy'; throw_error: boolean })
  /** A stage type the reference provider loads but cannot run (prompt, email, captcha, ...): named when a login reaches it. */
  | (StageBase & { type: 'unsupported'; model: string });

/** An authentik_crypto.certificatekeypair entry (PEM material absent in an export). */
export interface ResolvedKeyPair {
  id: string | null;
  /** The export's primary key (kp_uuid), when the entry is identified by one. */
  pk: string | null;
  name: string;
  certificate_data: string | null;
  key_data: string | null;
}

/** An application with its OAuth2 provider (authentik_core.application.provider). */
export interface OAuthApplication {
  application: ResolvedApplication;
  provider: ResolvedProvider;
}

export interface ResolvedBlueprint {
  path: string | null;
  name: string;
  /** An `ak export_blueprint` file (export.ts isExportFile): its users have no passwords. */
  exported: boolean;
  /** The application under test (the single OAuth2 one, or the one `app` selects) and its provider. */
  provider: ResolvedProvider;
  application: ResolvedApplication;
  /** Every application with an OAuth2 provider, in file order (an install has dozens). */
  applications: OAuthApplication[];
  /** Applications whose provider is not an OAuth2 provider (or that have none): served by nothing here. */
  otherApplications: string[];
  users: ResolvedUser[];
  groups: string[];
  /** Every flow: authentik's stock defaults (as after its first start) with the file's flows and overrides. */
  flows: ResolvedFlow[];
  /** The default brand's flows (authentik_brands.brand; blueprints/default/default-brand.yaml). */
  brand: { flow_authentication: string | null; flow_invalidation: string | null; flow_recovery: string | null };
  /** Models in the file that an osTicket login never touches: accepted and not modelled, with their entry count. */
  ignored: Record<string, number>;
  /** Key pairs the file defines (the managed "authentik Self-signed Certificate" exists without an entry). */
  keypairs: ResolvedKeyPair[];
  /** Sentences for the start-up output (a key pair !Find that matches nothing, …). */
  notes: string[];
}

export interface LoadBlueprintOptions {
  /** Values for !Env; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** The slug of the application under test when the file has several OAuth2 applications. */
  app?: string;
}
