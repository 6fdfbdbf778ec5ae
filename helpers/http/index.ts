/** Public surface of the HTTP layer. */
export { createAgent, createHttp, DEFAULT_MAX_IN_FLIGHT, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, DEFAULT_TRANSCRIPT_BODY_BYTES, DEFAULT_USER_AGENT } from './client.ts';
export type { Actor, Http, HttpOptions } from './client.ts';
export { follow, REDIRECT_STATUSES } from './follow.ts';
export type { FollowOptions, FollowOutcome, FollowResult } from './follow.ts';
export { HttpError } from './types.ts';
export type { Exchange, HttpResponse, RequestInit } from './types.ts';
export { classifyNetworkError, isHttpError } from './errors.ts';
export type { HttpErrorCode } from './errors.ts';
export { Secrets } from './secrets.ts';
export { Transcript } from './transcript.ts';
export { Resolver, parseResolutionMap } from './resolve.ts';
export type { ResolutionMap } from './resolve.ts';
export {
  redactText,
  redactStructural,
  redactJwts,
  redactSetCookie,
  redactCookieHeader,
  redactAuthorization,
  SECRET_FIELDS,
} from './redact.ts';
