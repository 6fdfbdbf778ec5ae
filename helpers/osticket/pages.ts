/**
 * Reading osTicket's pages and redirects (osticket.md §4, §5, §11, §12): the SSO links, the login-page message, the
 * authorize request in the trigger's Location, ROOT_PATH from osTicket's own redirects, and the first line of a page
 * that came instead of a redirect. Pure functions: no requests.
 */
import { phpMessageAtStart } from './php-output.ts';

export interface SsoLink {
  /** Absolute URL of the trigger, `&amp;` decoded. */
  url: string;
  /** The backend id from `bk=` (oauth2.agent.p1i1). */
  backendId?: string;
  /** title attribute, "Sign in with Authentik". */
  title?: string;
  /** Text of span.external-auth-name. */
  name?: string;
}

/** The authorize request osTicket sends (the trigger's 302 Location), parsed (osticket.md §2, §11). */
export interface AuthorizeRequest {
  url: string;
  endpoint: string;
  /** Parameters in the order osTicket sent them: state, scope, response_type, approval_prompt, redirect_uri, client_id. */
  params: Array<[string, string]>;
  clientId?: string;
  redirectUri?: string;
  /** Decoded scope value exactly as sent (commas kept: `openid,email,profile` is the comma trap). */
  scope?: string;
  /** Raw encoded scope from the query string (email%20openid%20profile vs openid%2Cemail%2Cprofile). */
  scopeRaw?: string;
  responseType?: string;
  state?: string;
  hasNonce: boolean;
  hasPkce: boolean;
}

/** A page that came instead of a redirect: its status and first line of text (sanitised, short). */
export interface PageOutput {
  status: number;
  firstLine: string;
  /** The first line is PHP's own error output ("Deprecated: …", "Warning: …", "Fatal error: …"). */
  php: boolean;
}

/** osTicket's base URL as a URL whose path ends in "/" (the configured value may lack the slash). */
export function osticketBase(url: string | URL): URL {
  const u = new URL(String(url));
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname = `${u.pathname}/`;
  return u;
}

/** The first non-empty line of text of a page (tags dropped, entities decoded, control characters removed). */
export function pageFirstLine(html: string): string {
  const text = decodeEntities(html.replace(/<br\s*\/?>/gi, '\n').replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '\n').replace(/<[^>]*>/g, ''));
  for (const raw of text.split(/\r?\n/)) {
    const line = printable(raw);
    if (line) return line;
  }
  return '';
}

/** A page that came instead of a redirect: PHP's own message when it starts with one, else its first line. */
export function pageOutput(status: number, html: string): PageOutput {
  const php = phpMessageAtStart(html);
  return { status, firstLine: php !== undefined ? printable(php) : pageFirstLine(html), php: php !== undefined };
}

/** Control characters out, white space collapsed, at most 200 characters: safe to quote on a terminal. */
function printable(line: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = line.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
}

/**
 * Whether a callback redirect is osTicket's failure redirect to ROOT_PATH (auth-oauth2 callback(): every exception
 * ends in a redirect to ROOT_PATH, osticket.md §3, §4, §12). ROOT_PATH is "/" at the root and the install path under a
 * sub-path; behind a proxy that maps another prefix it is the proxy's prefix (Location rewritten) or osTicket's own
 * (not rewritten), which the /scp/ redirect showed. Success goes to <base>scp/, a saved dest, or (end users) <base>.
 */
export function isRootLanding(location: string | undefined, against: URL, roots: Iterable<string>): boolean {
  if (!location) return false;
  let u: URL;
  try { u = new URL(location, against); } catch { return false; }
  if (u.search || u.hash) return false;
  return [...roots].includes(u.pathname);
}

/** ROOT_PATH from the staff redirect to ROOT_PATH + 'scp/login.php' (include/class.staff.php staffLoginPage, §5). */
export function rootPathFrom(location: string | null | undefined, against: URL): string | undefined {
  if (!location) return undefined;
  try {
    const m = /^(.*\/)scp\/login\.php$/.exec(new URL(location, against).pathname);
    return m?.[1];
  } catch {
    return undefined;
  }
}

/** HTML entity decoding enough for attribute values and short texts. */
export function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&quot;/g, '"').replace(/&#039;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3] ?? '') : undefined;
}

/** Finds osTicket's SSO buttons: <a class="external-sign-in" title="Sign in with X" href="login.php?do=ext&amp;bk=..."> (§4). */
export function findSsoLinks(html: string, pageUrl: URL): SsoLink[] {
  const links: SsoLink[] = [];
  for (const m of html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi)) {
    const tag = ` ${m[1]}`;
    const cls = attr(tag, 'class') ?? '';
    if (!cls.split(/\s+/).includes('external-sign-in')) continue;
    const href = attr(tag, 'href');
    if (!href) continue;
    let url: URL;
    try { url = new URL(href, pageUrl); } catch { continue; }
    const name = /class=["'][^"']*external-auth-name[^"']*["'][^>]*>([\s\S]*?)<\/span>/i.exec(m[2] ?? '')?.[1];
    links.push({
      url: url.href,
      backendId: url.searchParams.get('bk') ?? undefined,
      title: attr(tag, 'title'),
      name: name !== undefined ? decodeEntities(name.replace(/<[^>]+>/g, '')).trim() : undefined,
    });
  }
  return links;
}

/** h3#login-message text on the login pages (§3: the agent "create a local account" message appears there). */
export function loginMessage(html: string): string | undefined {
  const m = /<h3[^>]*id=["']login-message["'][^>]*>([\s\S]*?)<\/h3>/i.exec(html);
  if (!m) return undefined;
  const text = decodeEntities(m[1]!.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
  return text || undefined;
}

export function parseAuthorizeRequest(location: string): AuthorizeRequest | undefined {
  let url: URL;
  try { url = new URL(location); } catch { return undefined; }
  const params = [...url.searchParams.entries()];
  const get = (k: string) => url.searchParams.get(k) ?? undefined;
  const scopeRaw = /[?&]scope=([^&]*)/.exec(url.search)?.[1];
  return {
    url: url.href,
    endpoint: `${url.origin}${url.pathname}`,
    params,
    clientId: get('client_id'),
    redirectUri: get('redirect_uri'),
    scope: get('scope'),
    scopeRaw,
    responseType: get('response_type'),
    state: get('state'),
    hasNonce: url.searchParams.has('nonce'),
    hasPkce: url.searchParams.has('code_challenge'),
  };
}
