/** Token revocation (authentik/providers/oauth2/views/token_revoke.py): the token is deleted; always 200 `{}`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FrontContext } from '../context.ts';
import { parseForm, readBody, send, sendJson } from '../http-util.ts';
import { authenticatedApp, clientAuth } from './client-auth.ts';
import { TOKEN_ERRORS } from './errors.ts';

export async function handleRevoke(fc: FrontContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  if (req.method !== 'POST') return send(res, 405, '');
  const form = parseForm(req, await readBody(req));
  const app = authenticatedApp(fc, clientAuth(fc, req, form));
  if (!app) {
    return sendJson(res, 401, { error: 'invalid_client', error_description: TOKEN_ERRORS.invalid_client, request_id: requestId });
  }
  // Only the calling provider's tokens are deleted (views/token_revoke.py filters by provider).
  const token = form.get('token') ?? '';
  if (fc.tokens.get(token)?.clientId === app.provider.client_id) fc.tokens.delete(token);
  return sendJson(res, 200, {});
}
