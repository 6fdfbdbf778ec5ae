/**
 * The front layer: a node:http handler that gives the reference provider authentik's contract (authentik.md) and
 * hands the OIDC core work to oidc-provider (oidc-core.ts) over an internal loopback server. This module is the URL
 * router (authentik/providers/oauth2/urls.py, urls_root.py, authentik/flows/urls.py, authentik/api/v3/urls.py);
 * each endpoint is its own module, split the way authentik's views are (CONTRACT.md has the map).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createFrontContext, type FrontLayerOptions } from './context.ts';
import { handleExecutor } from './flows/executor.ts';
import { parseForm, readBody, send } from './http-util.ts';
import { handleAuthorize } from './oauth2/authorize.ts';
import { handleCancel, handleDefaultFlow, handleEndSession } from './oauth2/end-session.ts';
import { handleIntrospect } from './oauth2/introspect.ts';
import { handleProviderInfo } from './oauth2/provider-info.ts';
import { handleRevoke } from './oauth2/revoke.ts';
import { handleToken } from './oauth2/token.ts';
import { handleUserinfo } from './oauth2/userinfo.ts';
import { errorPage, flowPage, notFoundPage } from './pages.ts';

export type { FrontLayerOptions } from './context.ts';
export { createCodeStore, type CodeRecord } from './oauth2/tokens.ts';

const HTML = { 'Content-Type': 'text/html; charset=utf-8' };

export function createFrontLayer(o: FrontLayerOptions) {
  const fc = createFrontContext(o);

  /** Routes one request; `url` is parsed, the X-authentik-id header set. */
  const route = async (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> => {
    const path = url.pathname;
    if (path === '/-/health/live/' || path === '/-/health/ready/') return send(res, 200, '');
    if (path === '/application/o/authorize/') {
      const params = req.method === 'POST' ? parseForm(req, await readBody(req)) : url.searchParams;
      return handleAuthorize(fc, req, res, url, params);
    }
    if (path === '/application/o/token/') return handleToken(fc, req, res, requestId);
    if (path === '/application/o/userinfo/') return handleUserinfo(fc, req, res, url);
    if (path === '/application/o/introspect/') return handleIntrospect(fc, req, res);
    if (path === '/application/o/revoke/') return handleRevoke(fc, req, res, requestId);
    if (await handleProviderInfo(fc, req, res, path)) return;
    const end = /^\/application\/o\/([^/]+)\/end-session\/$/.exec(path);
    const endApp = end ? fc.appBySlug(decodeURIComponent(end[1]!)) : undefined;
    if (endApp) return handleEndSession(fc.forApp(endApp), req, res, url);
    if (path === '/flows/-/cancel/') return handleCancel(fc, req, res, url);
    if (path === '/flows/-/default/authentication/') return handleDefaultFlow(fc, req, res, url, 'authentication');
    if (path === '/flows/-/default/invalidation/') return handleDefaultFlow(fc, req, res, url, 'invalidation');
    const exec = /^\/api\/v3\/flows\/executor\/([^/]+)\/$/.exec(path);
    if (exec) return handleExecutor(fc, req, res, decodeURIComponent(exec[1]!), url, requestId);
    const flow = /^\/if\/flow\/([^/]+)\/$/.exec(path);
    if (flow && req.method === 'GET') return send(res, 200, flowPage(decodeURIComponent(flow[1]!)), HTML);
    return send(res, 404, notFoundPage(), HTML);
  };

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().replaceAll('-', '');
    res.setHeader('X-authentik-id', requestId);
    if (o.clockOffsetSec) res.setHeader('Date', new Date(Date.now() + o.clockOffsetSec * 1000).toUTCString());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://reference.invalid');
    } catch {
      return send(res, 400, '');
    }
    try {
      await route(req, res, url, requestId);
    } catch (e) {
      o.log?.(`internal error on ${req.method} ${url.pathname}: ${(e as Error).message}`);
      if (!res.headersSent) return send(res, 500, errorPage('Internal Server Error', `request_id ${requestId}`), HTML);
      res.end();
    }
  };
}
