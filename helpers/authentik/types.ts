/**
 * Result types of the headless authentik login driver (authentik.md §8, §12). Server-side problems are values,
 * never exceptions: the caller (a check) turns each kind into a pass/fail with a diagnosis.
 */
import type { HttpError } from '../http/types.ts';

/** One request the driver made, for the report's sequence diagram. */
export interface LoginStep {
  /** Transcript exchange id. */
  exchangeId: number;
  method: string;
  /** Path (+ query for authorize) without the host, secrets redacted; e.g. "/api/v3/flows/executor/default-authentication-flow/". */
  path: string;
  status: number;
  /** What the driver saw: "authorize", "redirect to /if/flow/<slug>/", a component name ("ak-stage-password"), "xak-flow-redirect", ... */
  what: string;
  /** For executor calls: the flow slug. */
  flow?: string;
  /** For executor responses: the challenge component. */
  component?: string;
}

export interface LoginCreds {
  username: string;
  password: string;
}

export interface LoginOptions {
  /** The redirect URI of the authorize request; the driver stops when a redirect points there (never requests it). */
  redirectUri: string;
  /** Safety limit on driver requests (default 30). */
  maxSteps?: number;
  /** Label prefix for transcript entries (default "login"). */
  label?: string;
}

export type ConsentKind = 'implicit' | 'explicit';

/**
 * Which flow the authorize endpoint sent the browser to. Not logged in: PolicyAccessView.handle_no_permission plans
 * the authentication flow and redirects with `next=<the authorize URL>` (authentik.md §8 step 1). Logged in:
 * AuthorizationFlowInitView plans the provider's Authorization flow and redirects with the authorize query alone,
 * no `next` (authentik/providers/oauth2/views/authorize.py redirect_with_qs(request.GET); authentik.md §8 step 6).
 */
export type FlowRole = 'authentication' | 'authorization';

export type LoginOutcome =
  /**
   * authentik redirected to the redirect URI under test (same scheme, host, port and path; its query may differ):
   * `url` is that redirect, not requested. It may carry `code`+`state` or `error=` (authorize errors after a valid redirect URI, §3): the caller decides.
   */
  | { kind: 'callback'; url: URL; via: 'location' | 'flow-redirect' | 'autosubmit'; consent: ConsentKind; steps: LoginStep[]; /** form_post only */ formPost?: Record<string, string> }
  /**
   * A redirect (Location, xak-flow-redirect `to`, or ak-stage-autosubmit) off authentik's origin that is not the
   * redirect URI under test (scheme, host, port and path as given): not followed, not a callback. `location`: the
   * observed URL, secrets redacted (a code in its query too), at most 300 characters.
   */
  | { kind: 'off-host-redirect'; location: string; status: number; via: 'location' | 'flow-redirect' | 'autosubmit'; steps: LoginStep[] }
  /** 400 HTML error page at /authorize ("Redirect URI Error", "Client ID Error"), §3. */
  | { kind: 'authorize-error-page'; status: number; title: string; message: string; steps: LoginStep[] }
  /** A stage answered with response_errors (wrong password: {"password":[{"string":"Invalid password","code":"invalid"}]}). */
  | { kind: 'stage-error'; stage: string; errors: Record<string, Array<{ string: string; code: string }>>; steps: LoginStep[] }
  /**
   * ak-stage-access-denied (too many failures, "Invalid next URL", a deny stage, ...). `answering`: the stage POST it
   * answered (absent when a GET showed it: the flow reached a stage that denies); `passwordAccepted`: the password
   * had passed earlier in this same flow; `flowRole`: which of authorize's flows `flow` was (see FlowRole).
   */
  | { kind: 'access-denied'; message: string; flow?: string; flowRole?: FlowRole; passwordAccepted?: boolean; answering?: string; steps: LoginStep[] }
  /** A stage a headless login cannot answer (MFA, captcha, emailed link, a prompt with required fields): named. */
  | { kind: 'stage-needs-a-person'; flow: string; flowRole?: FlowRole; stage: string; needs: string; steps: LoginStep[] }
  /** ak-stage-flow-error: any server exception, CSRF failure or form-encoded POST (§8). */
  | { kind: 'flow-error'; requestId: string; error?: string; steps: LoginStep[] }
  /** 200 HTML "permission denied" page at authorize (policy denial, policies/denied.py). */
  | { kind: 'policy-denied'; status: number; message: string; steps: LoginStep[] }
  /** Anything the driver does not understand (unknown component, unexpected status, step limit, non-JSON). */
  | { kind: 'unexpected'; status: number; detail: string; url: string; steps: LoginStep[] }
  /** Transport failure (refused, TLS, timeout, deadline, budget). */
  | { kind: 'transport'; error: HttpError; steps: LoginStep[] };

/** Parsed authentik HTML error page (`if/error.html` / `policies/denied.html`). */
export interface AuthentikErrorPage {
  title: string;
  message: string;
}
