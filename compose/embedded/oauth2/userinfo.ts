/** The userinfo endpoint (authentik/providers/oauth2/views/userinfo.py UserInfoView; utils.py protected_resource_view). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { claimsForScopes } from '../claims.ts';
import type { FrontContext } from '../context.ts';
import { parseForm, readBody, send, sendJson } from '../http-util.ts';
import { extractAccessToken } from './client-auth.ts';
import { sendBearerError } from './errors.ts';

export async function handleUserinfo(fc: FrontContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (req.method === 'OPTIONS') return send(res, 200, '');
  if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, '');
  const form = req.method === 'POST' ? parseForm(req, await readBody(req)) : new URLSearchParams();
  const token = extractAccessToken(req, form, url.searchParams);
  const record = token ? fc.tokens.get(token) : undefined;
  if (!record || record.kind !== 'access' || record.revoked || record.expiresAtMs <= Date.now()) return sendBearerError(res, 'invalid_token');
  if (!record.scopes.includes('openid')) return sendBearerError(res, 'insufficient_scope');
  const app = fc.appByClientId(record.clientId);
  if (!app) return sendBearerError(res, 'invalid_token');
  fc = fc.forApp(app);
  const user = fc.userByPk(record.userPk);
  if (!user) return sendBearerError(res, 'invalid_token');
  // views/userinfo.py get: claims.setdefault("sub", ...), then update with the mappings' claims (a mapping may
  // overwrite sub), then nonce.
  const body = {
    sub: record.sub,
    ...claimsForScopes(fc.provider, record.scopes, user, fc.features, fc.o.installId),
    ...(record.nonce !== null ? { nonce: record.nonce } : {}),
  };
  return sendJson(res, 200, body, { 'Cache-Control': 'no-store' });
}
