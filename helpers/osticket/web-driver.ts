/**
 * Drives osTicket's own SSO login over HTTP, as a browser would (osticket.md §4, §5, §11):
 *
 *   agent:  GET /scp/ (302 login.php, sets dest) -> GET /scp/login.php (200, or 422 on <= 1.17.3) -> find
 *           a.external-sign-in -> GET login.php?do=ext&bk=oauth2.agent.p<P>i<I> -> 302 to authentik's authorize
 *           endpoint (captured: "the authorize request osTicket actually sends") -> authentik driver -> GET the
 *           callback <redirectUri>?code&state on osTicket -> 302 <base>scp/ (success) or 302 "/" (every failure,
 *           silently) -> GET /scp/ 200 with the logout link proves the session.
 *   user:   same from /login.php with oauth2.user...; success and failure both land on the site root, so the
 *           session is proven by markers on /tickets.php (signed in: logout.php?auth=; not: id="clientLogin").
 *
 * One cookie jar per actor (pass a fresh actor per login, §4 "Session requirement", §10.4 stale OSTSESSID).
 * Never throws for server behaviour: every outcome is a typed value. Codes and cookies are never in the result.
 */
import { loginThroughAuthentik } from '../authentik/login.ts';
import type { LoginCreds, LoginOutcome } from '../authentik/types.ts';
import type { Actor } from '../http/client.ts';
import { HttpError, type HttpResponse } from '../http/types.ts';

export type OsticketSide = 'agent' | 'user';

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

export interface SessionProof {
  /** The page fetched to prove the session (/scp/ or /tickets.php). */
  url: string;
  status: number;
  signedIn: boolean;
  /** Which markers were seen, e.g. ["logout link", "csrf meta"] or ["login form"]. */
  markers: string[];
  /** OSTSESSID changed between the trigger and the proof (session id rotation at login / TIME_BOMB, §3, §5). */
  sessionRotated: boolean;
}

export interface LoginPageInfo {
  url: string;
  /** 200, or 422 on osTicket <= 1.17.3 (§5 "Login page status code"). */
  status: number;
  links: SsoLink[];
  /** Text of h3#login-message on /scp/login.php, if any. */
  message?: string;
}

interface Common {
  side: OsticketSide;
  loginPage?: LoginPageInfo;
  link?: SsoLink;
  authorizeRequest?: AuthorizeRequest;
  /** Transcript exchange ids of the osTicket requests, in order. */
  exchangeIds: number[];
  ms: number;
}

export type OsticketLoginResult = Common &
  (
    | { kind: 'signed-in'; landing: string; session: SessionProof; authentik: LoginOutcome }
    /** No a.external-sign-in on the login page (or none matching `linkName`). */
    | { kind: 'no-sso-link'; detail: string }
    /** The trigger did not answer 302 to an absolute URL. */
    | { kind: 'trigger-failed'; status: number; detail: string }
    /** authentik did not send the browser back to osTicket with a code (the driver's outcome says why). */
    | { kind: 'authentik-failed'; authentik: LoginOutcome }
    /** osTicket answered the callback with 302 "/": its silent failure (state, token, userinfo, no agent, ...). */
    | {
        kind: 'silent-failure';
        authentik: LoginOutcome;
        callbackStatus: number;
        location: string;
        /** Agents only: "Have your administrator create a local account (<username>)" shown on /scp/login.php. */
        noLocalAccount?: { message: string; username: string };
        /** The login-page message, whatever it said. */
        loginMessage?: string;
        /** The callback host differs from the osTicket base host: the OSTSESSID cookie (and the state) is lost. */
        callbackHostMismatch: boolean;
        session: SessionProof;
      }
    /** The callback looked like success but the session is not there (or the reverse shape). */
    | { kind: 'not-signed-in'; authentik: LoginOutcome; callbackStatus: number; location?: string; session: SessionProof; callbackHostMismatch: boolean }
    | { kind: 'transport'; error: { code: string; message: string; url: string }; step: string }
    | { kind: 'unexpected'; status: number; detail: string; step: string }
  );

export interface OsticketLoginOptions {
  /** osTicket base URL with trailing slash, e.g. http://osticket/ or https://osticket.company/osticket/ */
  baseUrl: string;
  side: OsticketSide;
  creds: LoginCreds;
  /** Pick the SSO link whose name/title contains this (default: the first oauth2 link). */
  linkName?: string;
  /** The authentik driver (default loginThroughAuthentik). */
  login?: typeof loginThroughAuthentik;
  label?: string;
}

const LOGIN_PAGE_STATUSES = new Set([200, 422]);
const LOCAL_ACCOUNT_RE = /Have your administrator create a local account \(([^)]*)\)/;

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

async function sessionCookie(actor: Actor, url: string): Promise<string | undefined> {
  try {
    const cookies = await actor.jar.getCookies(url);
    return cookies.find((c) => c.key === 'OSTSESSID')?.value;
  } catch {
    return undefined;
  }
}

/** Proves (or disproves) the osTicket session with the markers of §5. */
export async function proveSession(actor: Actor, baseUrl: string, side: OsticketSide, label = 'osticket'): Promise<SessionProof & { exchangeId: number }> {
  const url = new URL(side === 'agent' ? 'scp/' : 'tickets.php', baseUrl);
  const res = await actor.request(url, { label: `${label}: prove session (${url.pathname})` });
  const markers: string[] = [];
  const body = res.text;
  if (/logout\.php\?auth=/.test(body)) markers.push('logout link');
  if (/<meta name="csrf_token"/.test(body)) markers.push('csrf meta');
  if (side === 'agent') {
    if (/<p id="info"/.test(body)) markers.push('welcome line');
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc && /login\.php/.test(loc)) markers.push('redirect to login');
    // staff.inc.php: 200 + logout link = signed in; 302 to /scp/login.php = not (§5 "Agent logged in").
    const signedIn = res.status === 200 && markers.includes('logout link');
    return { url: url.href, status: res.status, signedIn, markers, sessionRotated: false, exchangeId: res.exchangeId };
  }
  if (/id="clientLogin"/.test(body)) markers.push('login form');
  // secure.inc.php renders the login form inline with 200 when not signed in: decide by markers (§5).
  const signedIn = res.status === 200 && markers.includes('logout link') && !markers.includes('login form');
  return { url: url.href, status: res.status, signedIn, markers, sessionRotated: false, exchangeId: res.exchangeId };
}

/** Reads the login page and its SSO links (never throws for server behaviour; transport errors propagate as HttpError). */
export async function readLoginPage(actor: Actor, baseUrl: string, side: OsticketSide, label = 'osticket'): Promise<LoginPageInfo & { exchangeId: number }> {
  const url = new URL(side === 'agent' ? 'scp/login.php' : 'login.php', baseUrl);
  const res = await actor.request(url, { label: `${label}: ${url.pathname}` });
  return { url: url.href, status: res.status, links: findSsoLinks(res.text, url), message: loginMessage(res.text), exchangeId: res.exchangeId };
}

export async function loginThroughOsticket(actor: Actor, opts: OsticketLoginOptions): Promise<OsticketLoginResult> {
  const began = Date.now();
  const side = opts.side;
  const label = opts.label ?? `osticket ${side}`;
  const base = new URL(opts.baseUrl);
  const exchangeIds: number[] = [];
  const common = (): Common => ({ side, exchangeIds, ms: Date.now() - began, ...extra });
  const extra: Partial<Common> = {};
  let step = 'start';
  const req = async (url: URL | string, what: string): Promise<HttpResponse> => {
    step = what;
    const r = await actor.request(url, { label: `${label}: ${what}` });
    exchangeIds.push(r.exchangeId);
    return r;
  };

  try {
    // 1. Agents: visiting /scp/ first stores dest=/scp/ in the session (§4 "Typical harness sequence" 1).
    if (side === 'agent') await req(new URL('scp/', base), 'GET /scp/ (unauthenticated)');

    // 2. Login page, SSO links.
    step = 'login page';
    const page = await readLoginPage(actor, base.href, side, label);
    exchangeIds.push(page.exchangeId);
    const { exchangeId: _ignored, ...pageInfo } = page;
    extra.loginPage = pageInfo;
    if (!LOGIN_PAGE_STATUSES.has(page.status)) {
      return { ...common(), kind: 'unexpected', status: page.status, detail: `${new URL(page.url).pathname} answered ${page.status} (expected 200, or 422 on osTicket <= 1.17.3)`, step };
    }
    const wanted = opts.linkName?.toLowerCase();
    const link = page.links.find((l) => (wanted ? `${l.name ?? ''} ${l.title ?? ''}`.toLowerCase().includes(wanted) : (l.backendId ?? '').startsWith('oauth2.')));
    if (!link) {
      const seen = page.links.map((l) => l.title ?? l.name ?? l.backendId).join(', ') || 'none';
      return { ...common(), kind: 'no-sso-link', detail: `no SSO link${opts.linkName ? ` named "${opts.linkName}"` : ''} on ${new URL(page.url).pathname} (links seen: ${seen}); check the instance's Authentication Target and that plugin and instance are enabled` };
    }
    extra.link = link;

    // 3. Trigger: 302 with an absolute Location at the IdP (§4 "Trigger"). That Location is the authorize request.
    const trig = await req(link.url, 'SSO trigger');
    const loc = trig.headers.get('location');
    const authz = trig.status >= 300 && trig.status < 400 && loc ? parseAuthorizeRequest(new URL(loc, link.url).href) : undefined;
    if (!authz || !loc || !/^https?:\/\//i.test(loc)) {
      return { ...common(), kind: 'trigger-failed', status: trig.status, detail: `the SSO link answered ${trig.status}${loc ? ` to ${loc.split('?')[0]}` : ''}, expected 302 to the authorization endpoint` };
    }
    extra.authorizeRequest = authz;
    const sidBefore = await sessionCookie(actor, base.href);

    // 4. authentik.
    step = 'authentik login';
    const login = opts.login ?? loginThroughAuthentik;
    const outcome = await login(actor, new URL(authz.url), opts.creds, { redirectUri: authz.redirectUri ?? new URL('api/auth/oauth2', base).href, label: `${label}: authentik` });
    if (outcome.kind !== 'callback') return { ...common(), kind: 'authentik-failed', authentik: outcome };
    if (outcome.url.searchParams.has('error') || !outcome.url.searchParams.has('code')) return { ...common(), kind: 'authentik-failed', authentik: outcome };

    // 5. The callback on osTicket, with the same jar (the state lives in the OSTSESSID session, §4, §11).
    const callbackHostMismatch = outcome.url.host.toLowerCase() !== base.host.toLowerCase();
    const cb = await req(outcome.url, 'callback /api/auth/oauth2');
    const cbLoc = cb.headers.get('location') ?? undefined;

    // 6. Session proof.
    step = 'session proof';
    const proof = await proveSession(actor, base.href, side, label);
    exchangeIds.push(proof.exchangeId);
    const { exchangeId: _p, ...session } = proof;
    const sidAfter = await sessionCookie(actor, base.href);
    session.sessionRotated = !!sidBefore && !!sidAfter && sidBefore !== sidAfter;

    // Every failure is a 302 to the relative ROOT_PATH "/" (§4 "Callback outcome", §11 "Outcomes"); success is
    // absolute: <base>scp/ for agents, <base> (or the saved dest) for users.
    const silent = cb.status === 302 && cbLoc === '/' ;
    if (session.signedIn && !silent) {
      return { ...common(), kind: 'signed-in', landing: cbLoc ?? '', session, authentik: outcome };
    }
    if (silent || !session.signedIn) {
      let loginMsg: string | undefined;
      let noLocal: { message: string; username: string } | undefined;
      if (side === 'agent') {
        // The message is in $_SESSION and shows on the next /scp/login.php (§3 "Agents", §10.5).
        step = 'login message';
        const again = await readLoginPage(actor, base.href, 'agent', label);
        exchangeIds.push(again.exchangeId);
        loginMsg = again.message;
        const m = loginMsg ? LOCAL_ACCOUNT_RE.exec(loginMsg) : null;
        if (m) noLocal = { message: m[0], username: m[1]! };
      }
      if (silent) {
        return {
          ...common(), kind: 'silent-failure', authentik: outcome, callbackStatus: cb.status, location: cbLoc ?? '',
          ...(noLocal ? { noLocalAccount: noLocal } : {}), ...(loginMsg ? { loginMessage: loginMsg } : {}),
          callbackHostMismatch, session,
        };
      }
    }
    return { ...common(), kind: 'not-signed-in', authentik: outcome, callbackStatus: cb.status, ...(cbLoc ? { location: cbLoc } : {}), session, callbackHostMismatch };
  } catch (err) {
    if (err instanceof HttpError) {
      return { ...common(), kind: 'transport', error: { code: err.code, message: err.message, url: err.url }, step };
    }
    return { ...common(), kind: 'unexpected', status: 0, detail: `internal error during ${step}: ${err instanceof Error ? err.message : String(err)}`, step };
  }
}
