/** Token introspection (authentik/providers/oauth2/views/introspection.py): anything invalid is `{"active": false}`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FrontContext } from '../context.ts';
import { parseForm, readBody, send, sendJson } from '../http-util.ts';
import { clientAuth, clientAuthenticated } from './client-auth.ts';

export async function handleIntrospect(fc: FrontContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return send(res, 405, '');
  const form = parseForm(req, await readBody(req));
  const authed = clientAuthenticated(fc, clientAuth(fc, req, form));
  const record = fc.tokens.get(form.get('token') ?? '');
  if (!authed || !record || record.revoked || record.expiresAtMs <= Date.now()) return sendJson(res, 200, { active: false });
  return sendJson(res, 200, { ...record.claims, active: true, scope: record.scopes.join(' '), client_id: fc.provider.client_id });
}
