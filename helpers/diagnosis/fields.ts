/**
 * The setting names a fix may point at, spelled the way the operator sees them: authentik's provider/application
 * form and authentik's osTicket guide (authentik.md §11, website/integrations/infrastructure/osticket/index.md),
 * osTicket's OAuth2 plugin instance form (osticket.md §1, auth-oauth2/config.php `getAllOptions` labels), and the
 * harness's own inputs (CLI flags and Target keys, helpers/target-types.ts).
 *
 * The diagnosis self-test asserts that every fix names at least one of these for its side, so a fix can never be
 * a vague "check your configuration".
 */
import type { Side } from '../checks/types.ts';

/** Where to find the osTicket plugin instance form (osticket.md §1). */
export const OSTICKET_CONFIG_PATH = 'Admin Panel -> Manage -> Plugins -> OAuth2 Client -> Instances -> Authentik -> Config';
/** Where to find the authentik provider form. */
export const AUTHENTIK_PROVIDER_PATH = 'authentik Admin interface -> Applications -> Providers -> <osTicket provider> -> Edit';

export const AUTHENTIK_FIELDS = [
  'Redirect URIs',
  'Redirect URI',
  'Strict',
  'Regex',
  'Subject mode',
  "Based on the User's Email",
  'Signing Key',
  'authentik Self-signed Certificate',
  'Scopes',
  "authentik default OAuth Mapping: OpenID 'openid'",
  "authentik default OAuth Mapping: OpenID 'email'",
  "authentik default OAuth Mapping: OpenID 'profile'",
  'Client ID',
  'Client Secret',
  'Client type',
  'Confidential',
  'Issuer mode',
  'Encryption Key',
  'Grant types',
  'Bindings',
  'Access code validity',
  'Access token validity',
  'Directory -> Users',
  'Authorization flow',
  'Events -> Logs',
] as const;

export const OSTICKET_FIELDS = [
  'Name',
  'Authentication Target',
  'Authentication Label',
  'Redirect URI',
  'Client Id',
  'Client Secret',
  'Authorization Endpoint',
  'Token Endpoint',
  'Resource Details Endpoint',
  'Scopes',
  'User Identifier',
  'Email Address',
  'Given Name',
  'Surname',
  'Agents -> ',
  'Helpdesk URL',
  // osTicket's server, outside the plugin form (include/ost-config.php, php.ini)
  'display_errors',
  'error_log',
  'SECRET_SALT',
] as const;

/** The harness's own inputs: CLI flags (issue 4) and Target keys (helpers/target-types.ts). */
export const HARNESS_FIELDS = [
  '--config',
  '--password-file',
  '--username',
  '--client-secret-file',
  '--issuer',
  '--authentik',
  '--osticket',
  '--ca',
  '--email',
  '--resolve',
  '--request-timeout',
  '--deadline',
  '--request-budget',
  '--max-body-bytes',
  '--acknowledge',
  'requestBudget',
  'timeouts.runMs',
  'timeouts.requestMs',
  'maxBodyBytes',
  'acknowledge',
  'user.email',
  'resolve',
  '--redirect-uri',
  'osticket.db.secretSaltFile',
] as const;

/** Which names count for a fix on each side (network problems are fixed through harness inputs or the host). */
export const FIELDS_BY_SIDE: Readonly<Record<Side, readonly string[]>> = {
  authentik: AUTHENTIK_FIELDS,
  osticket: OSTICKET_FIELDS,
  harness: HARNESS_FIELDS,
  network: HARNESS_FIELDS,
};
