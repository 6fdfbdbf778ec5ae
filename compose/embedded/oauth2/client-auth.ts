/**
 * Client credentials and bearer tokens as authentik extracts them (authentik/providers/oauth2/utils.py
 * extract_client_auth, extract_access_token).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { OAuthApplication } from '../blueprints/index.ts';
import type { FrontContext } from '../context.ts';

export function constantEquals(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Basic takes precedence over the form fields; percent-decoded since 2026.2.2 (authentik.md §6, §13). */
export function clientAuth(fc: FrontContext, req: IncomingMessage, form: URLSearchParams): { id: string; secret: string } {
  const header = String(req.headers.authorization ?? '');
  const m = /^Basic\s+(\S+)$/i.exec(header);
  if (m) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i >= 0) {
      let id = decoded.slice(0, i);
      let secret = decoded.slice(i + 1);
      if (fc.features.percentDecodeBasic) {
        // Python unquote: %XX decoded, a raw "+" stays "+" (authentik.md §12).
        const unquote = (s: string) => { try { return decodeURIComponent(s); } catch { return s; } };
        id = unquote(id);
        secret = unquote(secret);
      }
      return { id, secret };
    }
  }
  return { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' };
}

/** The application whose client authenticated (its id, and its secret unless the client is public), or null. */
export function authenticatedApp(fc: FrontContext, creds: { id: string; secret: string }): OAuthApplication | null {
  const app = fc.appByClientId(creds.id);
  if (!app) return null;
  return app.provider.client_type === 'public' || constantEquals(creds.secret, app.provider.client_secret) ? app : null;
}

/** `Authorization: Bearer`, else the form field, else the query parameter `access_token`. */
export function extractAccessToken(req: IncomingMessage, form: URLSearchParams, query: URLSearchParams): string {
  const header = String(req.headers.authorization ?? '');
  return /^Bearer\s.+$/.test(header) ? (header.split(/\s+/)[1] ?? '') : (form.get('access_token') ?? query.get('access_token') ?? '');
}
