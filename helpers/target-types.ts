/**
 * What is under test (DESIGN.md "Targets"). A Target is fully resolved: every URL as osTicket would use it,
 * the client credentials, the test user, and how the harness reaches the hosts (resolution map, CA).
 */
export type TargetKind = 'embedded' | 'containers' | 'live';

/** The osTicket plugin instance's settings, as typed in osTicket (osticket.md §1 field names in comments). */
export interface OsticketPluginSettings {
  /** redirectUri: "Redirect URI" */
  redirectUri: string;
  /** clientId: "Client Id" */
  clientId: string;
  /** clientSecret: "Client Secret" */
  clientSecret: string;
  /** urlAuthorize: "Authorization Endpoint" */
  authorizeUrl: string;
  /** urlAccessToken: "Token Endpoint" */
  tokenUrl: string;
  /** urlResourceOwnerDetails: "Resource Details Endpoint" */
  userinfoUrl: string;
  /** scopes: "Scopes", raw as typed (the plugin splits it on commas, osticket.md §2) */
  scopes: string;
  /** attr_username / attr_email / attr_givenname / attr_surname */
  attributes?: { username?: string; email?: string; givenname?: string; surname?: string };
}

export interface OsticketServer {
  /** e.g. https://osticket.company/osticket/ (with trailing slash) */
  baseUrl: string;
  /** A test agent whose email equals the test user's (for agent-login checks). */
  agentEmail?: string;
  /** Read-only DB access for the plugin-configuration checks. */
  db?: { host: string; port: number; user: string; password: string; database: string; prefix?: string; /** include/ost-config.php SECRET_SALT: lets the harness decrypt the stored client secret (osticket.md §6). */ secretSalt?: string };
  /**
   * Plugin install paths present on osTicket's disk, relative to include/ (plugins/<name>.phar, plugins/<name>),
   * when the harness can see its files (the containers stack reads them in the container); absent on live targets.
   */
  pluginPaths?: string[];
}

export interface Target {
  kind: TargetKind;
  description: string;
  /** authentik's base URL as users and osTicket reach it, e.g. https://authentik.company (no trailing slash). */
  authentikUrl: string;
  /** The application slug (per-slug discovery and JWKS). */
  slug: string;
  /** Discovery URL, default `${authentikUrl}/application/o/${slug}/.well-known/openid-configuration`. */
  discoveryUrl: string;
  /** The RP side: what osTicket is configured with (or would be, for the embedded client profile). */
  osticket: OsticketPluginSettings;
  /** A running osTicket, when there is one (containers, or live with --osticket). */
  osticketServer?: OsticketServer;
  /** Why there is no osTicket server on this target (the skip reason of the osTicket-server checks). */
  noOsticketReason?: string;
  /** The test user in authentik. */
  user: { username: string; password: string; email?: string; name?: string };
  /** host:port -> ip:port, e.g. {"authentik.company:443": "127.0.0.1:9443"}; Host header, cookies and SNI keep the name. */
  resolve: Record<string, string>;
  /** Extra CA certificates (PEM) to trust. */
  ca?: string;
  requestTimeoutMs: number;
  /** Whole-run deadline in ms. */
  deadlineMs: number;
  /** Cap on every response body read (bytes); the HTTP layer's default when absent. */
  maxBodyBytes?: number;
  /** Hard cap on requests (live mode by default; any target when configured). */
  requestBudget?: number;
  /** Requests in flight at once (default 4; 1 = strictly one after another, checks in catalog order). */
  concurrency?: number;
  /** Live mode: read-only, one login at a time, no probes that write. */
  readOnly: boolean;
  /** Embedded/reference details for the report. */
  profile?: string;
  /** Stops whatever the target started (embedded provider, containers). */
  close?: () => Promise<void>;
}
