/**
 * authentik's OAuth2 error shapes (authentik/providers/oauth2/errors.py): the authorize error redirect
 * (AuthorizeError.create_uri), the token error body (TokenError.create_dict) and the bearer error header
 * (BearerTokenError, no `Bearer` prefix, empty body).
 */
import type { ServerResponse } from 'node:http';
import { pyQuote, send, sendJson } from '../http-util.ts';

/** errors.py descriptions. */
export const AUTHORIZE_ERRORS: Readonly<Record<string, string>> = {
  invalid_request: 'The request is otherwise malformed',
  unsupported_response_type: 'The authorization server does not support obtaining an authorization code using this method',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed',
  login_required: 'The Authorization Server requires End-User authentication',
  consent_required: 'The Authorization Server requires End-User consent',
  access_denied: 'The resource owner or authorization server denied the request',
  server_error: 'The authorization server encountered an unexpected condition that prevented it from fulfilling the request',
  request_not_supported: 'The provider does not support use of the request parameter',
};

export const TOKEN_ERRORS: Readonly<Record<string, string>> = {
  invalid_request: 'The request is otherwise malformed',
  invalid_client: 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)',
  invalid_grant: 'The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed',
};

const BEARER_ERRORS: Readonly<Record<string, [string, number]>> = {
  invalid_token: ['The access token provided is expired, revoked, malformed, or invalid for other reasons', 401],
  insufficient_scope: ['The request requires higher privileges than provided by the access token', 403],
};

/** AuthorizeError.create_uri: description quoted, state appended as-is. */
export function authorizeErrorUri(redirectUri: string, error: string, state: string | null): string {
  const sep = redirectUri.includes('?') ? '&' : '?';
  let uri = `${redirectUri}${sep}error=${error}&error_description=${pyQuote(AUTHORIZE_ERRORS[error] ?? error)}`;
  if (state) uri += `&state=${state}`;
  return uri;
}

/** 400 {error, error_description, request_id} (TokenError.create_dict). */
export function sendTokenError(res: ServerResponse, error: string, requestId: string): void {
  sendJson(res, 400, { error, error_description: TOKEN_ERRORS[error] ?? error, request_id: requestId }, { 'Cache-Control': 'no-store' });
}

export function sendBearerError(res: ServerResponse, error: 'invalid_token' | 'insufficient_scope'): void {
  const [description, status] = BEARER_ERRORS[error]!;
  send(res, status, '', { 'WWW-Authenticate': `error="${error}", error_description="${description}"` });
}
