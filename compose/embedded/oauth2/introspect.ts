/** Token introspection (authentik/providers/oauth2/views/introspection.py): anything invalid is `{"active": false}`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FrontContext } from '../context.ts';
import { parseForm, readBody, send, sendJson } from '../http-util.ts';
import { authenticatedApp, clientAuth } from './client-auth.ts';

export async function handleIntrospect(fc: FrontContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return send(res, 405, '');
  const form = parseForm(req, await readBody(req));
  const app = authenticatedApp(fc, clientAuth(fc, req, form));
  const record = fc.tokens.get(form.get('token') ?? '');
  // The token must belong to the calling provider (authentik.md §6 "Introspection").
  if (!app || !record || record.clientId !== app.provider.client_id || record.revoked || record.expiresAtMs <= Date.now()) return sendJson(res, 200, { active: false });
  return sendJson(res, 200, { ...record.claims, active: true, scope: record.scopes.join(' '), client_id: app.provider.client_id });
}
