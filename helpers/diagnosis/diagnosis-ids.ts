/**
 * Every diagnosis id, in catalog order (the order DIAGNOSIS_IDS lists them), and the shape of a catalog entry.
 */
import type { Side } from '../checks/types.ts';

export interface DiagnosisEntry {
  id: string;
  /** A short headline for summaries, e.g. "osTicket Scopes typed with commas". */
  title: string;
  side: Side;
  symptom: string;
  cause: string;
  fix: string;
  rank: number;
  /** How to tell it from similar causes (same symptom). */
  distinguish?: string;
  /** authentik / osTicket source paths or reference-doc sections this entry rests on. */
  refs: string[];
}

/** An entry's text as a side's module writes it; the catalog adds the id. */
export type CatalogText = Omit<DiagnosisEntry, 'id'>;

export const DIAGNOSIS_ID_ORDER = [
  // ---------------------------------------------------------------- harness / network (most fundamental first)
  'harness-config-invalid',
  'authentik-unreachable',
  'tls-hostname-mismatch',
  'tls-untrusted',
  'harness-wrong-password',
  'harness-login-stage-unsupported',
  'harness-redirect-uri-differs',
  'harness-secret-salt-wrong',
  'harness-internal-error',
  // ---------------------------------------------------------------- authentik: login blocked for everyone
  'grant-types-empty',
  'policy-denies-user',
  'authorization-flow-denies',
  'client-id-unknown',
  'issuer-mode-global',
  'discovery-unreachable',
  'discovery-malformed',
  'issuer-mismatch',
  // ---------------------------------------------------------------- osTicket: login blocked at the start
  'sso-link-missing',
  'osticket-plugin-path-missing',
  'osticket-client-id-mismatch',
  'redirect-uri-trailing-slash',
  'redirect-uri-other-path',
  'osticket-redirect-uri-differs',
  'redirect-uri-not-registered',
  'osticket-redirect-uri-invalid',
  'endpoint-stray-character',
  'endpoint-mismatch',
  'callback-not-routed',
  'osticket-session-host-mismatch',
  'osticket-output-before-headers',
  'osticket-server-error',
  'osticket-secret-undecryptable',
  // ---------------------------------------------------------------- scopes and claims
  'scopes-comma-separated',
  'scopes-missing-openid',
  'scope-mapping-openid-missing',
  'user-without-email',
  'scope-mapping-email-missing',
  'scope-mapping-profile-missing',
  // ---------------------------------------------------------------- client authentication and codes
  'client-secret-mismatch',
  'client-auth-method-unsupported',
  'basic-credentials-not-decoded',
  'redirect-uri-mismatch-accepted-at-token',
  'state-not-returned',
  'clock-skew',
  // ---------------------------------------------------------------- signing
  'no-signing-key',
  'id-token-encrypted',
  'signing-alg-none',
  'signing-kid-missing',
  'signing-signature-invalid',
  'jwks-unreachable',
  'jwks-malformed',
  // ---------------------------------------------------------------- subject
  'sub-mode-not-email',
  'sub-mismatch-idtoken-userinfo',
  'sub-unstable',
  'id-token-claims-invalid',
  // ---------------------------------------------------------------- osTicket identity
  'agent-missing',
  'name-claims-missing',
  'email-verified-false',
  // ---------------------------------------------------------------- security hardening (no visible symptom)
  'client-type-public',
  'redirect-uri-regex-too-broad',
  'redirect-uri-query-accepted',
  'code-reuse-accepted',
  'pkce-not-enforced',
  // ---------------------------------------------------------------- generic symptoms (ranked last: echoes of the causes above)
  'authentik-flow-error',
  'token-endpoint-error',
  'userinfo-error',
  'osticket-login-failed-silently',
  // ---------------------------------------------------------------- harness limits (after the findings they cut short)
  'run-deadline-exceeded',
  'server-error',
  'authorize-redirect-loop',
  'authorize-off-host-redirect',
  'signing-alg-confusion',
  'tls-expired',
  'tls-plain-http',
  'harness-email-mismatch',
  'osticket-unreachable',
  'harness-osticket-url-wrong',
  'response-too-large',
  'request-budget-exhausted',
] as const;

export type DiagnosisId = (typeof DIAGNOSIS_ID_ORDER)[number];
