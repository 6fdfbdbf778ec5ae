/** Small HTTP helpers for the front layer (node:http, no framework). */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 256 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Form bodies only: Django's request.POST is empty for any other content type (authentik.md §6). */
export function parseForm(req: IncomingMessage, body: Buffer): URLSearchParams {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();
}

export function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const name = part.slice(0, i).trim();
    if (!(name in out)) out[name] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/** Python urllib.parse.quote (safe "/"), used by authentik's AuthorizeError.create_uri for error_description. */
/** Python's urllib.parse.quote_plus (safe: letters, digits, "_.-~"; space as "+"). */
export function pyQuotePlus(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** urllib.parse.parse_qs (blank values dropped, as keep_blank_values=False does), keys in first-seen order. */
export function pyParseQs(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(query)) {
    if (v === '') continue;
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

/** urllib.parse.urlencode(params, doseq=True) over lists of values. */
export function pyUrlencode(params: Map<string, string[]>): string {
  const parts: string[] = [];
  for (const [k, vs] of params) for (const v of vs) parts.push(`${pyQuotePlus(k)}=${pyQuotePlus(v)}`);
  return parts.join('&');
}

export function pyQuote(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function send(res: ServerResponse, status: number, body: string | Buffer = '', headers: Record<string, string | string[]> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  // Django's HttpResponseRedirect is text/html (authentik.md §13: redirects carry content-type text/html)
  if (status >= 300 && status < 400 && !res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.statusCode = status;
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
  send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json', ...headers });
}

export function appendSetCookie(res: ServerResponse, cookie: string): void {
  const prev = res.getHeader('Set-Cookie');
  const list = Array.isArray(prev) ? prev : prev ? [String(prev)] : [];
  res.setHeader('Set-Cookie', [...list, cookie]);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An absolute URL (or a scheme-relative one), refused as a `next` (authentik/lib/utils/urls.py is_url_absolute). */
export function isUrlAbsolute(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//');
}
