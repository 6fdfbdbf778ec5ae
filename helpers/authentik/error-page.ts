/**
 * Parses authentik's server-rendered HTML pages: the 400 error page (`if/error.html`, rendered by
 * `bad_request_message` in authentik/lib/views.py with the card title = "Redirect URI Error" / "Client ID Error"
 * and the message in a <p>, authentik.md §3) and the 200 "Permission denied" page (policies/denied.py).
 */
import type { AuthentikErrorPage } from './types.ts';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'", '#x27': "'" };

export function htmlText(fragment: string): string {
  return fragment
    .replace(/<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      const k = e.toLowerCase();
      if (ENTITIES[k] !== undefined) return ENTITIES[k]!;
      if (k.startsWith('#x')) return String.fromCodePoint(parseInt(k.slice(2), 16));
      if (k.startsWith('#')) return String.fromCodePoint(parseInt(k.slice(1), 10));
      return m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Title: the card title (<h1>), else the document <title> without the brand suffix. Message: the first non-empty
 * <p> after that heading (else anywhere). Returns empty strings when nothing is found; never throws.
 */
export function parseAuthentikErrorPage(html: string): AuthentikErrorPage {
  if (typeof html !== 'string' || !html) return { title: '', message: '' };
  const h1 = /<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(html);
  let title = h1 ? htmlText(h1[1]!) : '';
  if (!title) {
    const t = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html);
    title = t ? htmlText(t[1]!).replace(/\s+[-|–]\s+[^-|–]*$/, '') : '';
  }
  const after = h1 ? html.slice(h1.index + h1[0].length) : html;
  const message = firstParagraph(after) || firstParagraph(html);
  return { title, message };
}

function firstParagraph(html: string): string {
  for (const m of html.matchAll(/<p\b[^>]*>([\s\S]*?)<\/p>/gi)) {
    const t = htmlText(m[1]!);
    if (t) return t;
  }
  return '';
}
