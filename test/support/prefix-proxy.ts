/**
 * A loopback reverse proxy that publishes an upstream path prefix under another one, configured the way an admin
 * puts osTicket behind nginx at a different path:
 *
 *   location /helpdesk/ {
 *     proxy_pass http://upstream/osticket/;      # /helpdesk/x -> /osticket/x
 *     proxy_set_header Host $http_host;          # osTicket builds its absolute URLs from the public Host
 *     proxy_redirect /osticket/ /helpdesk/;                     # Location, path-absolute
 *     proxy_redirect http://$http_host/osticket/ http://$http_host/helpdesk/;   # Location, absolute on this host
 *     proxy_cookie_path /osticket/ /helpdesk/;   # OSTSESSID path=ROOT_PATH (osticket.md §5)
 *   }
 *
 * (nginx http_proxy_module: proxy_pass with a URI replaces the matched location prefix; proxy_redirect and
 * proxy_cookie_path rewrite the Location header and the Set-Cookie path.) Bodies pass unchanged.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PrefixProxy {
  port: number;
  /** http://127.0.0.1:<port><publicPrefix> */
  baseUrl: string;
  close(): Promise<void>;
}

export async function startPrefixProxy(opts: { upstreamPort: number; upstreamPrefix: string; publicPrefix: string }): Promise<PrefixProxy> {
  const { upstreamPort, upstreamPrefix: up, publicPrefix: pub } = opts;
  // Only Locations on this proxy's own host (or path-absolute ones): the trigger's Location at authentik passes as is.
  const rewriteLocation = (loc: string, host: string) =>
    loc.replace(/^((?:https?:\/\/([^/]+))?)(\/[^?#]*)/, (m, origin: string, locHost: string | undefined, path: string) =>
      (locHost === undefined || locHost === host) && path.startsWith(up) ? `${origin}${pub}${path.slice(up.length)}` : m);
  const rewriteCookie = (c: string) => c.replace(/;\s*path=([^;]*)/i, (m, p: string) => (p.startsWith(up) ? `; path=${pub}${p.slice(up.length)}` : m));
  const server = createServer((inc, out) => {
    const path = inc.url ?? '/';
    if (!path.startsWith(pub)) {
      out.writeHead(404, { 'content-type': 'text/plain' });
      return void out.end('not proxied');
    }
    const headers: IncomingHttpHeaders = { ...inc.headers };
    const upReq = request({ host: '127.0.0.1', port: upstreamPort, method: inc.method, path: `${up}${path.slice(pub.length)}`, headers }, (res) => {
      const h = { ...res.headers };
      if (typeof h.location === 'string') h.location = rewriteLocation(h.location, inc.headers.host ?? '');
      if (h['set-cookie']) h['set-cookie'] = h['set-cookie'].map(rewriteCookie);
      out.writeHead(res.statusCode ?? 502, h);
      res.pipe(out);
    });
    upReq.on('error', () => {
      if (!out.headersSent) out.writeHead(502);
      out.end();
    });
    inc.pipe(upReq);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}${pub}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
