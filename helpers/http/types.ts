/**
 * Contract of the HTTP layer (helpers/http). Everything that talks HTTP in the harness goes through an `Actor`:
 * one cookie jar per actor (the user's browser, osTicket's server side, a probe), manual redirects only,
 * every exchange recorded in the shared `Transcript` with secrets redacted.
 */

/** One recorded request/response, already redacted. Bodies are truncated (see Transcript). */
export interface Exchange {
  id: number;
  actor: string;
  /** Free label set by the caller, e.g. "authorize", "executor: password", "token". */
  label?: string;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string | string[]>;
  responseBody?: string;
  /** Network / TLS / timeout error, worded for people (never a stack). */
  error?: string;
  errorCode?: string;
  startedAt: string;
  ms: number;
  /** (extension) The response body exceeded the size cap and was cut; `responseBody` holds the redacted head. */
  responseTruncated?: boolean;
  /** (extension) Size of the response body as received (capped at the HTTP layer's maxBodyBytes). */
  responseBytes?: number;
  /** (extension) Where the TCP connection really went when the resolution map rewrote it, e.g. "127.0.0.1:9443". */
  connectedTo?: string;
  /**
   * (extension) The exchanges whose answers this request waited on (its strand's frontier, causality.ts): the
   * edges of the run's request graph, from which the critical path is computed.
   */
  after?: number[];
  /** (extension) Observations worth keeping, e.g. a Set-Cookie the jar refused and why. */
  notes?: string[];
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string | undefined>;
  /** Sent as application/json. */
  json?: unknown;
  /** Raw body (caller sets content-type). */
  body?: string;
  label?: string;
  /** Per-request timeout override in ms. */
  timeoutMs?: number;
}

export interface HttpResponse {
  exchangeId: number;
  url: URL;
  status: number;
  headers: Headers;
  /** Body as text (capped at the transcript limit for recording, but complete here up to maxBodyBytes). */
  text: string;
  /** Parsed JSON or undefined when the body is not JSON. */
  json: unknown;
  /** Resolved Location header, if any. */
  location?: URL;
  setCookies: string[];
  ms: number;
  /** (extension) True when the body exceeded maxBodyBytes: `text` is only the first maxBodyBytes bytes. */
  truncated?: boolean;
}

/** Thrown (as the only exception type) for transport failures: refused, DNS, TLS, timeout, deadline. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly url: string,
    readonly exchangeId: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
