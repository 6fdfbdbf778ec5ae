/**
 * Headless login through authentik's flow executor, the way authentik's own Go outpost does it
 * (internal/outpost/flow/executor.go) and as authentik.md §8 + §12 describe:
 *
 *  GET  /application/o/authorize/?...            -> 302 /if/flow/<auth-flow>/?<params>&next=...   (session cookie)
 *  GET  /api/v3/flows/executor/<slug>/?query=Q   -> ak-stage-identification
 *  POST same URL (same Q) {component, uid_field} -> 302 to self (or 200 next challenge)
 *  GET  ...                                      -> ak-stage-password
 *  POST {component, password}                    -> 200 xak-flow-redirect {to: "/application/o/authorize/?..."}
 *  GET  to (rotated session)                     -> 302 <redirect_uri>?code&state              (implicit consent)
 *                                                 | 302 /if/flow/<consent-flow>/?...           (explicit consent)
 *  GET  executor <consent-flow>                  -> ak-stage-consent {token}
 *  POST {component, token} + X-authentik-CSRF    -> 302 self -> GET -> xak-flow-redirect {to: <redirect_uri>?code}
 *
 * The driver never requests the redirect URI: it stops at the first redirect (Location, xak-flow-redirect `to`,
 * or ak-stage-autosubmit) pointing at it (scheme, host, port and path) and returns that URL; a redirect off
 * authentik's origin to anywhere else is an off-host-redirect outcome quoting it, never followed.
 */
import type { Actor } from '../http/client.ts';
import { redactStructural } from '../http/redact.ts';
import { HttpError, type HttpResponse } from '../http/types.ts';
import { parseAuthentikErrorPage } from './error-page.ts';
import { needsAPerson, promptAnswer } from './stages.ts';
import type { ConsentKind, FlowRole, LoginCreds, LoginOptions, LoginOutcome, LoginStep } from './types.ts';

const EXECUTOR_PREFIX = '/api/v3/flows/executor/';
const FLOW_IF_RE = /^\/if\/flow\/([^/]+)\/?$/;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Challenge = Record<string, unknown> & { component?: unknown };

/** What running one flow in the executor produced: a URL to go to next, or a final outcome. */
type FlowEnd = { next: URL; via: 'location' | 'flow-redirect' } | { outcome: LoginOutcome };

/** One login at a time per run, whoever drives it (the HTTP layer's loginTurn). */
export function loginThroughAuthentik(actor: Actor, authorizeUrl: URL, creds: LoginCreds, opts: LoginOptions): Promise<LoginOutcome> {
  return actor.http.loginTurn(() => drive(actor, authorizeUrl, creds, opts));
}

async function drive(actor: Actor, authorizeUrl: URL, creds: LoginCreds, opts: LoginOptions): Promise<LoginOutcome> {
  const steps: LoginStep[] = [];
  const maxSteps = opts.maxSteps ?? 30;
  const label = opts.label ?? 'login';
  const origin = authorizeUrl.origin;
  const redirect = safeUrl(opts.redirectUri);
  actor.http.secrets.add(creds.password, 'password');
  let consent: ConsentKind = 'implicit';
  let passwordSent = false;

  // Only the redirect URI under test is the callback: scheme, host, port and path as given (authentik redirects to
  // the request's redirect_uri and only adds code/state to its query, authorize.py create_response_uri). Anything
  // else off authentik's origin is reported as it is and never followed.
  const isCallback = (u: URL) => !!redirect && sameEndpoint(u, redirect);
  const offHost = (u: URL, status: number, via: 'location' | 'flow-redirect' | 'autosubmit'): LoginOutcome => ({
    kind: 'off-host-redirect', location: quoteUrl(actor, u), status, via, steps,
  });
  const callback = (url: URL, via: 'location' | 'flow-redirect' | 'autosubmit', formPost?: Record<string, string>): LoginOutcome => ({
    kind: 'callback',
    url,
    via,
    consent,
    steps,
    ...(formPost ? { formPost } : {}),
  });
  const unexpected = (res: HttpResponse | undefined, detail: string, url?: URL): LoginOutcome => ({
    kind: 'unexpected',
    status: res?.status ?? 0,
    detail,
    url: redactedUrl(actor, res) ?? url?.origin + (url?.pathname ?? ''),
    steps,
  });

  async function send(url: URL, init: Parameters<Actor['request']>[1], what: string, flow?: string): Promise<HttpResponse> {
    if (steps.length >= maxSteps) throw new StepLimit();
    const res = await actor.request(url, init);
    const json = res.json as Challenge | undefined;
    const component = json && typeof json === 'object' && typeof json.component === 'string' ? json.component : undefined;
    steps.push({
      exchangeId: res.exchangeId,
      method: (init?.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      status: res.status,
      what: component ?? (res.location ? `redirect to ${describeTarget(res.location, origin)}` : what),
      ...(flow ? { flow } : {}),
      ...(component ? { component } : {}),
    });
    return res;
  }

  /** Drives /api/v3/flows/executor/<slug>/?query=<query> until the flow leaves the executor. */
  async function runFlow(slug: string, query: string, role: FlowRole | undefined): Promise<FlowEnd> {
    const execUrl = new URL(`${EXECUTOR_PREFIX}${encodeURIComponent(slug)}/`, origin);
    // The same `query` on every call, POSTs included (authentik.md §8 "Cookies and CSRF").
    execUrl.search = new URLSearchParams({ query }).toString();
    const isSelf = (u: URL) => u.origin === origin && u.pathname === execUrl.pathname;
    let post: Record<string, unknown> | undefined;
    /** The password passed in this flow (a later access denied is then this flow's own stage denying). */
    let passwordAccepted = false;
    for (;;) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (post) {
        // Authenticated executor POSTs need the CSRF header (DRF SessionAuthentication); over HTTPS Django also
        // checks Origin/Referer. Harmless before login, so always sent once the cookie exists.
        const csrf = await csrfToken(actor, execUrl);
        if (csrf) headers['x-authentik-csrf'] = csrf;
        headers.origin = origin;
        headers.referer = `${origin}/if/flow/${slug}/`;
      }
      const stageName = post ? String(post.component) : 'challenge';
      const answering = post ? String(post.component) : undefined;
      const sentPassword = post !== undefined && 'password' in post;
      const res = await send(
        execUrl,
        post ? { method: 'POST', json: post, headers, label: `${label}: executor ${slug} POST ${stageName}` } : { method: 'GET', headers, label: `${label}: executor ${slug}` },
        post ? `POST ${stageName}` : 'GET challenge',
        slug,
      );
      post = undefined;
      // A password POST answered by a redirect (stage_ok) or by anything but its own error: the password passed.
      if (sentPassword && (REDIRECTS.has(res.status) || passedOn(res.json))) passwordAccepted = true;
      if (REDIRECTS.has(res.status)) {
        if (!res.location) return { outcome: unexpected(res, `executor answered ${res.status} without a Location`) };
        if (isSelf(res.location)) continue; // stage_ok -> redirect_with_qs to the same executor URL: re-GET
        return { next: res.location, via: 'location' };
      }
      const ch = res.json as Challenge | undefined;
      if (res.status !== 200 || !ch || typeof ch !== 'object' || Array.isArray(ch)) {
        return { outcome: unexpected(res, `executor answered ${res.status} ${ch ? 'with a JSON non-object' : 'without JSON'}`) };
      }
      const component = typeof ch.component === 'string' ? ch.component : '';
      const errors = ch.response_errors;
      if (errors && typeof errors === 'object' && Object.keys(errors).length > 0) {
        return { outcome: { kind: 'stage-error', stage: component || 'unknown', errors: normaliseErrors(errors), steps } };
      }
      const needs = needsAPerson(component, ch);
      if (needs) return { outcome: { kind: 'stage-needs-a-person', flow: slug, ...(role ? { flowRole: role } : {}), stage: component, needs, steps } };
      switch (component) {
        case 'xak-flow-redirect': {
          const to = typeof ch.to === 'string' ? safeUrl(ch.to, origin) : undefined;
          if (!to) return { outcome: unexpected(res, 'xak-flow-redirect without a usable "to"') };
          if (isSelf(to)) continue;
          return { next: to, via: 'flow-redirect' };
        }
        case 'ak-stage-identification': {
          post = { component, uid_field: creds.username };
          // An identification stage with an embedded password field takes both at once.
          if (ch.password_fields === true) {
            post.password = creds.password;
            passwordSent = true;
          }
          break;
        }
        case 'ak-stage-password':
          if (passwordSent && steps.filter((s) => s.component === 'ak-stage-password').length > 3)
            return { outcome: unexpected(res, 'password stage keeps coming back') };
          post = { component, password: creds.password };
          passwordSent = true;
          break;
        case 'ak-stage-consent': {
          consent = 'explicit';
          const token = typeof ch.token === 'string' ? ch.token : undefined;
          if (token === undefined) return { outcome: unexpected(res, 'ak-stage-consent without a token') };
          actor.http.secrets.add(token, 'token');
          post = { component, token };
          break;
        }
        case 'ak-stage-user-login':
          post = { component, remember_me: false };
          break;
        case 'ak-stage-dummy':
          post = { component };
          break;
        case 'ak-stage-prompt':
          // Only prompts a browser could submit unchanged get here (needsAPerson took those with required inputs).
          post = { component, ...promptAnswer(ch) };
          break;
        case 'ak-stage-autosubmit': {
          const url = typeof ch.url === 'string' ? safeUrl(ch.url, origin) : undefined;
          if (!url) return { outcome: unexpected(res, 'ak-stage-autosubmit without a usable url') };
          const attrs: Record<string, string> = {};
          if (ch.attrs && typeof ch.attrs === 'object')
            for (const [k, v] of Object.entries(ch.attrs as Record<string, unknown>)) attrs[k] = String(v);
          const withQuery = new URL(url.href);
          for (const [k, v] of Object.entries(attrs)) withQuery.searchParams.set(k, v);
          if (!isCallback(url)) return { outcome: offHost(withQuery, res.status, 'autosubmit') };
          return { outcome: callback(withQuery, 'autosubmit', attrs) };
        }
        case 'ak-stage-access-denied':
          return { outcome: { kind: 'access-denied', message: str(ch.error_message) ?? '', flow: slug, ...(role ? { flowRole: role } : {}), passwordAccepted, ...(answering ? { answering } : {}), steps } };
        case 'ak-stage-flow-error':
          return { outcome: { kind: 'flow-error', requestId: str(ch.request_id) ?? '', ...(str(ch.error) ? { error: str(ch.error) } : {}), steps } };
        default:
          // A stage this driver does not know: it cannot be answered without a person (or a newer harness).
          if (component) return { outcome: { kind: 'stage-needs-a-person', flow: slug, ...(role ? { flowRole: role } : {}), stage: component, needs: `a stage this headless login does not know (${component})`, steps } };
          return { outcome: unexpected(res, 'a challenge without a component') };
      }
    }
  }

  try {
    let current: URL = authorizeUrl;
    for (;;) {
      const res = await send(current, { method: 'GET', label: `${label}: ${current.pathname.startsWith('/application/o/authorize') ? 'authorize' : 'GET'}` }, 'GET');
      if (REDIRECTS.has(res.status)) {
        const loc = res.location;
        if (!loc) return unexpected(res, `${res.status} without a Location`);
        if (isCallback(loc)) return callback(loc, 'location');
        if (loc.origin !== origin) return offHost(loc, res.status, 'location');
        const flow = FLOW_IF_RE.exec(loc.pathname);
        if (flow && loc.origin === origin) {
          // Never GET the SPA shell: run its query through the executor instead (§8 step 1). From authorize, `next`
          // tells the authentication flow from the provider's Authorization flow (FlowRole).
          const fromAuthorize = current.pathname.includes('/application/o/authorize');
          const role: FlowRole | undefined = fromAuthorize ? (loc.searchParams.has('next') ? 'authentication' : 'authorization') : undefined;
          const end = await runFlow(decodeURIComponent(flow[1]!), loc.search.replace(/^\?/, ''), role);
          if ('outcome' in end) return end.outcome;
          if (isCallback(end.next)) return callback(end.next, end.via);
          if (end.next.origin !== origin) return offHost(end.next, steps.at(-1)?.status ?? 0, end.via);
          current = end.next;
          continue;
        }
        current = loc;
        continue;
      }
      if (res.status === 400 && isHtml(res)) {
        const page = parseAuthentikErrorPage(res.text);
        return { kind: 'authorize-error-page', status: res.status, title: page.title, message: page.message, steps };
      }
      if (res.status === 200 && isHtml(res)) {
        const page = parseAuthentikErrorPage(res.text);
        if (/denied|permission/i.test(`${page.title} ${page.message}`))
          return { kind: 'policy-denied', status: res.status, message: page.message || page.title, steps };
        return unexpected(res, `200 HTML page "${page.title || 'untitled'}" instead of a redirect`);
      }
      if (isHtml(res) && res.status >= 400) {
        const page = parseAuthentikErrorPage(res.text);
        return unexpected(res, `${res.status} page "${page.title || 'untitled'}"${page.message ? `: ${page.message}` : ''}`);
      }
      return unexpected(res, `${res.status} ${res.headers.get('content-type') ?? 'without content-type'} instead of a redirect`);
    }
  } catch (e) {
    if (e instanceof StepLimit)
      return { kind: 'unexpected', status: 0, detail: `no callback after ${maxSteps} requests (step limit)`, url: steps.at(-1)?.path ?? '', steps };
    if (e instanceof HttpError) return { kind: 'transport', error: e, steps };
    throw e;
  }
}

class StepLimit extends Error {}

async function csrfToken(actor: Actor, url: URL): Promise<string | undefined> {
  try {
    const cookies = await actor.jar.getCookies(url.href);
    return cookies.find((c) => c.key === 'authentik_csrf')?.value;
  } catch {
    return undefined;
  }
}

function normaliseErrors(errors: object): Record<string, Array<{ string: string; code: string }>> {
  const out: Record<string, Array<{ string: string; code: string }>> = {};
  for (const [field, list] of Object.entries(errors as Record<string, unknown>)) {
    const arr = Array.isArray(list) ? list : [list];
    out[field] = arr.map((e) =>
      e && typeof e === 'object'
        ? { string: String((e as { string?: unknown }).string ?? ''), code: String((e as { code?: unknown }).code ?? '') }
        : { string: String(e), code: '' },
    );
  }
  return out;
}

/** A stage POST answered by the next step of the flow: neither the stage's errors nor access denied. */
function passedOn(json: unknown): boolean {
  if (!json || typeof json !== 'object') return false;
  const { response_errors: e, component } = json as { response_errors?: unknown; component?: unknown };
  return !(e && typeof e === 'object' && Object.keys(e).length > 0) && component !== 'ak-stage-access-denied';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isHtml(res: HttpResponse): boolean {
  return /html/i.test(res.headers.get('content-type') ?? '') || /^\s*<(!doctype|html)/i.test(res.text);
}

function safeUrl(s: string, base?: string): URL | undefined {
  try {
    return new URL(s, base);
  } catch {
    return undefined;
  }
}

function describeTarget(u: URL, origin: string): string {
  return u.origin === origin ? u.pathname : `${u.origin}${u.pathname}`;
}

/** Same scheme, host (with port: URL normalises default ports and case) and path; the query may differ. */
function sameEndpoint(u: URL, r: URL): boolean {
  return u.protocol === r.protocol && u.host === r.host && u.pathname === r.pathname;
}

/** An observed URL fit to quote: code/token fields and registered secrets redacted, short (URL.href has no raw controls). */
function quoteUrl(actor: Actor, u: URL): string {
  const text = actor.http.secrets.redact(redactStructural(u.href));
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function redactedUrl(actor: Actor, res: HttpResponse | undefined): string | undefined {
  if (!res) return undefined;
  return actor.http.transcript.get(res.exchangeId)?.url;
}
