/**
 * Drives osTicket's own SSO login over HTTP, as a browser would (osticket.md §4, §5, §11):
 *
 *   agent:  GET /scp/ (302 login.php, sets dest) -> GET /scp/login.php (200, or 422 on <= 1.17.3) -> find
 *           a.external-sign-in -> GET login.php?do=ext&bk=oauth2.agent.p<P>i<I> -> 302 to authentik's authorize
 *           endpoint (captured: "the authorize request osTicket actually sends") -> authentik driver -> GET the
 *           callback <redirectUri>?code&state on osTicket -> 302 <base>scp/ (success) or 302 ROOT_PATH (every
 *           failure, silently: "/" at the root, "/osticket/" under a sub-path, osticket.md §4, §12) -> GET /scp/ 200
 *           with the logout link proves the session.
 *   user:   same from /login.php with oauth2.user...; success and failure both land on the site root, so the
 *           session is proven by markers on /tickets.php (signed in: logout.php?auth=; not: id="clientLogin").
 *
 * The base URL may be given with or without its trailing slash; osTicket may sit at the root, under a sub-path, or
 * behind a reverse proxy that maps another prefix onto it. PHP output before osTicket's headers (notices with
 * display_errors on, a plugin error) turns every redirect into a 200 page: reported with the page's first line.
 * One cookie jar per actor (pass a fresh actor per login, §4 "Session requirement", §10.4 stale OSTSESSID).
 * Never throws for server behaviour: every outcome is a typed value. Codes and cookies are never in the result.
 */
import { loginThroughAuthentik } from '../authentik/login.ts';
import type { LoginCreds, LoginOutcome } from '../authentik/types.ts';
import type { Actor } from '../http/client.ts';
import { redactStructural } from '../http/redact.ts';
import { HttpError, type HttpResponse } from '../http/types.ts';
import { findSsoLinks, isRootLanding, loginMessage, osticketBase, pageOutput, parseAuthorizeRequest, rootPathFrom, type AuthorizeRequest, type PageOutput, type SsoLink } from './pages.ts';

export * from './pages.ts';

export type OsticketSide = 'agent' | 'user';

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
  /** osTicket's ROOT_PATH as its own redirects showed it (the /scp/ redirect to ROOT_PATH + 'scp/login.php'). */
  rootPath?: string;
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
    /**
     * The trigger did not answer 302 to an absolute URL. `output`: it answered a page of other output instead
     * (PHP notices / display_errors / a plugin error printed before the Location header, issue 10).
     */
    | { kind: 'trigger-failed'; status: number; detail: string; output?: PageOutput }
    /** The callback answered a page instead of a redirect: output before osTicket's headers. */
    | { kind: 'callback-output'; authentik: LoginOutcome; callbackStatus: number; output: PageOutput }
    /** authentik did not send the browser back to osTicket with a code (the driver's outcome says why). */
    | { kind: 'authentik-failed'; authentik: LoginOutcome }
    /** osTicket answered the callback with 302 ROOT_PATH: its silent failure (state, token, userinfo, no agent, ...). */
    | ({ kind: 'silent-failure'; location: string } & NotSignedIn)
    /** The callback redirected elsewhere (success-shaped) but the session is not there. */
    | ({ kind: 'not-signed-in'; location?: string } & NotSignedIn)
    /**
     * osTicket's server failed: the login page, the SSO link or the callback answered HTTP 5xx (a PHP fatal error,
     * `Error` not `Exception`, gives a 500 and goes to the PHP / web server error log, osticket.md §3; 502/503/504
     * come from the web server or proxy in front of PHP). `path` is the page's path (no query: the callback's
     * carries the code); `excerpt` the body's first line, sanitised and short, when there is one.
     */
    | { kind: 'server-error'; status: number; path: string; step: string; excerpt?: string; authentik?: LoginOutcome }
    | { kind: 'transport'; error: { code: string; message: string; url: string }; step: string }
    | { kind: 'unexpected'; status: number; detail: string; step: string }
  );

/** What a failed login left behind on osTicket's side. */
interface NotSignedIn {
  authentik: LoginOutcome;
  callbackStatus: number;
  /** Agents only: "Have your administrator create a local account (<username>)" shown on /scp/login.php. */
  noLocalAccount?: { message: string; username: string };
  /** The login-page message, whatever it said. */
  loginMessage?: string;
  /** The callback host differs from the osTicket base host: the OSTSESSID cookie (and the state) is lost. */
  callbackHostMismatch: boolean;
  session: SessionProof;
}

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
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const LOCAL_ACCOUNT_RE = /Have your administrator create a local account \(([^)]*)\)/;

/** The server-error result for a 5xx answer, quoting its path and the first line of its body (never its query). */
type ServerFailure = { kind: 'server-error'; status: number; path: string; step: string; excerpt?: string };
function serverFailure(res: HttpResponse, step: string): ServerFailure | undefined {
  if (res.status < 500 || res.status > 599) return undefined;
  const excerpt = redactStructural(pageOutput(res.status, res.text).firstLine);
  return { kind: 'server-error', status: res.status, path: new URL(res.url).pathname, step, ...(excerpt ? { excerpt } : {}) };
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
  const url = new URL(side === 'agent' ? 'scp/' : 'tickets.php', osticketBase(baseUrl));
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
export async function readLoginPage(actor: Actor, baseUrl: string, side: OsticketSide, label = 'osticket'): Promise<LoginPageInfo & { exchangeId: number; serverError?: ServerFailure }> {
  const url = new URL(side === 'agent' ? 'scp/login.php' : 'login.php', osticketBase(baseUrl));
  const res = await actor.request(url, { label: `${label}: ${url.pathname}` });
  const failed = serverFailure(res, 'login page');
  return { url: url.href, status: res.status, links: findSsoLinks(res.text, url), message: loginMessage(res.text), exchangeId: res.exchangeId, ...(failed ? { serverError: failed } : {}) };
}

export async function loginThroughOsticket(actor: Actor, opts: OsticketLoginOptions): Promise<OsticketLoginResult> {
  const began = Date.now();
  const side = opts.side;
  const label = opts.label ?? `osticket ${side}`;
  const base = osticketBase(opts.baseUrl);
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
    // 1. Agents: visiting /scp/ first stores dest=/scp/ in the session (§4 "Typical harness sequence" 1); its
    //    redirect to ROOT_PATH + 'scp/login.php' shows ROOT_PATH (§5 "Agent logged in").
    if (side === 'agent') {
      const scp = await req(new URL('scp/', base), 'GET /scp/ (unauthenticated)');
      const root = rootPathFrom(scp.headers.get('location'), scp.url);
      if (root) extra.rootPath = root;
    }

    // 2. Login page, SSO links.
    step = 'login page';
    const page = await readLoginPage(actor, base.href, side, label);
    exchangeIds.push(page.exchangeId);
    const { exchangeId: _ignored, serverError: pageFailed, ...pageInfo } = page;
    extra.loginPage = pageInfo;
    if (pageFailed) return { ...common(), ...pageFailed };
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
    const trigFailed = serverFailure(trig, 'SSO trigger');
    if (trigFailed) return { ...common(), ...trigFailed };
    if (!authz || !loc || !/^https?:\/\//i.test(loc)) {
      const shown = trig.status === 200 ? pageOutput(trig.status, trig.text) : undefined;
      // An unknown bk on /login.php renders the login page again (§4 "Trigger"): that is the link, not output.
      const output = shown && (shown.php || !/id="clientLogin"|class="external-sign-in"/.test(trig.text)) ? shown : undefined;
      return {
        ...common(), kind: 'trigger-failed', status: trig.status, ...(output ? { output } : {}),
        detail: `the SSO link answered ${trig.status}${loc ? ` to ${loc.split('?')[0]}` : ''}${output ? ` with a page starting "${output.firstLine}"` : ''}, expected 302 to the authorization endpoint`,
      };
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
    if (cb.status === 200) {
      // osTicket's callback always redirects; a 200 page means its Location header could not be sent.
      return { ...common(), kind: 'callback-output', authentik: outcome, callbackStatus: cb.status, output: pageOutput(cb.status, cb.text) };
    }

    // 6. Session proof.
    step = 'session proof';
    const proof = await proveSession(actor, base.href, side, label);
    exchangeIds.push(proof.exchangeId);
    const { exchangeId: _p, ...session } = proof;
    const sidAfter = await sessionCookie(actor, base.href);
    session.sessionRotated = !!sidBefore && !!sidAfter && sidBefore !== sidAfter;

    // The session proof decides (a fresh jar per login, so a proven session is this login's): end users land on
    // the site root after success and failure alike (§4 "Callback outcome"). Every failure is a 302 to the
    // relative ROOT_PATH (§4, §11 "Outcomes", §12 sub-path); success is absolute: <base>scp/ or <base>.
    if (session.signedIn) return { ...common(), kind: 'signed-in', landing: cbLoc ?? '', session, authentik: outcome };
    // A 5xx from the callback is osTicket's server failing (a PHP fatal error, osticket.md §3), not its silent
    // failure: that one is always a 302 to ROOT_PATH. Judged after the proof, so a session it did create counts.
    const cbFailed = serverFailure(cb, 'callback /api/auth/oauth2');
    if (cbFailed) return { ...common(), ...cbFailed, authentik: outcome };
    const roots = new Set(['/', base.pathname, ...(extra.rootPath ? [extra.rootPath] : [])]);
    const silent = REDIRECT_STATUSES.has(cb.status) && isRootLanding(cbLoc, new URL(outcome.url.href), roots);
    let loginMsg: string | undefined;
    let noLocal: { message: string; username: string } | undefined;
    if (side === 'agent') {
      // The message is in $_SESSION and shows on the next /scp/login.php (§3 "Agents", §10.5, §12).
      step = 'login message';
      const again = await readLoginPage(actor, base.href, 'agent', label);
      exchangeIds.push(again.exchangeId);
      loginMsg = again.message;
      const m = loginMsg ? LOCAL_ACCOUNT_RE.exec(loginMsg) : null;
      if (m) noLocal = { message: m[0], username: m[1]! };
    }
    const failed: NotSignedIn = {
      authentik: outcome, callbackStatus: cb.status, session, callbackHostMismatch,
      ...(noLocal ? { noLocalAccount: noLocal } : {}), ...(loginMsg ? { loginMessage: loginMsg } : {}),
    };
    if (silent) return { ...common(), kind: 'silent-failure', location: cbLoc ?? '', ...failed };
    return { ...common(), kind: 'not-signed-in', ...(cbLoc ? { location: cbLoc } : {}), ...failed };
  } catch (err) {
    if (err instanceof HttpError) {
      return { ...common(), kind: 'transport', error: { code: err.code, message: err.message, url: err.url }, step };
    }
    return { ...common(), kind: 'unexpected', status: 0, detail: `internal error during ${step}: ${err instanceof Error ? err.message : String(err)}`, step };
  }
}
