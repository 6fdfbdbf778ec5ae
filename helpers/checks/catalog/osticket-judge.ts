/**
 * Why osTicket's own login did not sign the user in, judged once for agents and end users alike, at the root, under
 * a sub-path and behind a prefix-mapping proxy. Evidence is what osTicket was seen to do: the authorize request it
 * really sent (its Redirect URI, Client Id, Scopes), the page it answered instead of a redirect, the message its
 * login page showed; the harness's own configuration only fills in what osTicket cannot show.
 */
import type { DiagnosisId } from '../../diagnosis/catalog.ts';
import { osticketBase, type AuthorizeRequest, type OsticketLoginResult, type PageOutput } from '../../osticket/web-driver.ts';
import { networkDiagnosis, onOsticket } from '../engine.ts';
import type { CheckContext, CodeFact } from '../context.ts';
import { fail, pass, type Outcome } from '../engine.ts';
import { CALLBACK_SUFFIX } from './near-misses.ts';
import { storedSecretCause } from './osticket-secret.ts';
import { judgeLogin, judgeRedirectRefusal, type Judged } from './shared.ts';

/** Where osTicket's callback is, as users reach osTicket (the base URL given to the harness). */
export function osticketCallback(ctx: CheckContext): string {
  return `${osticketBase(ctx.target.osticketServer!.baseUrl).href}${CALLBACK_SUFFIX.slice(1)}`;
}

const asUrl = (s: string) => {
  try {
    return new URL(s).href;
  } catch {
    return s;
  }
};

/**
 * authentik refused the redirect_uri osTicket sent: is osTicket's Redirect URI field wrong (it names another place
 * than the one osTicket is reached at), or is authentik's registration missing it? Quotes the observed value.
 */
export async function judgeObservedRedirect(ctx: CheckContext, observed: string): Promise<Judged> {
  const own = osticketCallback(ctx);
  if (asUrl(observed) !== asUrl(own)) {
    return {
      diagnosis: 'osticket-redirect-uri-differs',
      detail: `osTicket sends redirect_uri=${observed}, but it is reached at ${osticketBase(ctx.target.osticketServer!.baseUrl).href}, whose callback is ${own}`,
      fix: `set osTicket's Redirect URI to ${own} and register exactly that in authentik's Redirect URIs (Strict).`,
    };
  }
  return judgeRedirectRefusal(ctx, observed);
}

/** A page instead of a redirect: output before osTicket's headers (issue 10: PHP notices with display_errors on). */
function outputBeforeHeaders(where: string, out: PageOutput, evidence: number[]): Outcome {
  const line = out.firstLine ? `"${out.firstLine}"` : '(an empty page)';
  return fail('osticket-output-before-headers', {
    expected: `${where} answers 302`,
    actual: `HTTP ${out.status}, first line ${line}`,
    detail: `${where} answered ${out.status} instead of a redirect; the page starts ${line}`,
    evidence,
  });
}

/** The login with osTicket's observed parameters, for judgeLogin. */
function observedFact(ctx: CheckContext, a: AuthorizeRequest | undefined, outcome: CodeFact['outcome'], evidence: number[]): CodeFact {
  const settings = { ...ctx.target.osticket, ...(a?.redirectUri ? { redirectUri: a.redirectUri } : {}), ...(a?.clientId ? { clientId: a.clientId } : {}) };
  const fact: CodeFact = { settings, state: '', scope: a?.scope ?? '', authorizeUrl: new URL(a?.url ?? ctx.target.osticket.authorizeUrl), outcome, evidence };
  if (outcome.kind === 'callback') {
    fact.error = outcome.url.searchParams.get('error') ?? undefined;
    fact.errorDescription = outcome.url.searchParams.get('error_description') ?? undefined;
  }
  return fact;
}

/** Turns an osTicket login result into a check outcome with the cause an operator can act on. */
export async function judgeOsticketLogin(ctx: CheckContext, r: OsticketLoginResult): Promise<Outcome> {
  const evidence = r.exchangeIds;
  switch (r.kind) {
    case 'signed-in':
      return pass({ actual: `signed in: ${r.session.markers.join(', ')} on ${new URL(r.session.url).pathname}`, evidence });
    case 'no-sso-link':
      return fail('sso-link-missing', { expected: 'a "Sign in with …" link', actual: r.detail, detail: r.detail, evidence });
    case 'trigger-failed':
      if (r.output) return outputBeforeHeaders('the SSO link (login.php?do=ext)', r.output, evidence);
      return fail('sso-link-missing', { expected: '302 to the Authorization Endpoint', actual: r.detail, detail: r.detail, evidence });
    case 'callback-output':
      return outputBeforeHeaders(`the callback ${CALLBACK_SUFFIX}`, r.output, evidence);
    case 'authentik-failed': {
      const a = r.authorizeRequest;
      const o = r.authentik;
      const j = o.kind === 'authorize-error-page' && /redirect uri/i.test(o.title) && a?.redirectUri
        ? await judgeObservedRedirect(ctx, a.redirectUri)
        : await judgeLogin(ctx, observedFact(ctx, a, o, evidence));
      return fail(j?.diagnosis ?? 'authentik-flow-error', { expected: `authentik sends the browser back to ${a?.redirectUri ?? 'osTicket'} with a code`, actual: j?.detail ?? o.kind, detail: j?.detail, fix: j?.fix, evidence });
    }
    case 'silent-failure':
    case 'not-signed-in': {
      const how = r.kind === 'silent-failure' ? `callback answered ${r.callbackStatus} to ${r.location} (osTicket's silent failure)` : `callback answered ${r.callbackStatus}${r.location ? ` to ${r.location}` : ''}, then ${r.session.url}: ${r.session.markers.join(', ') || 'no session markers'}`;
      const actual = `${how}${r.loginMessage ? `; login page: "${r.loginMessage}"` : ''}`;
      if (r.noLocalAccount) return fail('agent-missing', { expected: "an agent whose email is the user's", actual: r.noLocalAccount.message, detail: `osTicket says "${r.noLocalAccount.message}"`, evidence });
      if (r.callbackHostMismatch) return fail('osticket-session-host-mismatch', { expected: 'the callback on the host the login started on', actual: `${r.authentik.kind === 'callback' ? r.authentik.url.host : '?'} vs ${new URL(ctx.target.osticketServer!.baseUrl).host}: ${actual}`, evidence });
      return fail(await silentCause(ctx, r), { expected: 'osTicket signs the user in', actual, evidence });
    }
    case 'server-error':
      return fail('osticket-server-error', {
        expected: `${r.path} answers without a server error`,
        actual: `HTTP ${r.status} from ${r.path}${r.excerpt ? `, body starts "${r.excerpt}"` : ' (empty body)'}`,
        detail: `${r.step}: osTicket answered HTTP ${r.status} on ${r.path}${r.excerpt ? `; the page starts "${r.excerpt}"` : ''}`,
        evidence,
      });
    case 'transport':
      // osTicket not answering fails the osTicket checks, not the run (issue 9 §3); authentik not answering is network.
      return fail(onOsticket(ctx, r.error.url) ? 'osticket-unreachable' : networkDiagnosis(r.error), { expected: 'osTicket reachable', actual: r.error.message, detail: `${r.step}: ${r.error.message}`, evidence });
    case 'unexpected':
      if (r.step.includes('callback') && (r.status === 404 || r.status === 400)) {
        return fail('callback-not-routed', { expected: `302 from ${CALLBACK_SUFFIX}`, actual: `HTTP ${r.status}`, detail: r.detail, evidence });
      }
      // A login page that does not exist is the harness's osTicket URL, not osTicket (every install serves it).
      if (r.step === 'login page' && (r.status === 404 || r.status === 410)) {
        return fail('harness-osticket-url-wrong', { expected: 'an osTicket login page below the osTicket URL given', actual: r.detail, detail: `${r.step}: ${r.detail}`, evidence });
      }
      return fail('osticket-login-failed-silently', { expected: 'osTicket signs the user in', actual: r.detail, detail: `${r.step}: ${r.detail}`, evidence });
  }
}

/**
 * osTicket swallows every callback exception (osticket.md §3), so the cause is inferred: first from the authorize
 * request osTicket really sent (its Scopes / Client Id), then from its stored Client Secret (when the database and
 * SECRET_SALT were given), then from this run's protocol-level login (the same requests osTicket makes, with the
 * settings the harness was given). Without any of these, the generic one.
 */
async function silentCause(ctx: CheckContext, r: OsticketLoginResult): Promise<DiagnosisId> {
  const a = r.authorizeRequest;
  if (a?.scope?.includes(',')) return 'scopes-comma-separated';
  if (a && !(a.scope ?? '').split(/\s+/).includes('openid')) return 'scopes-missing-openid';
  if (a && a.clientId !== ctx.target.osticket.clientId) return 'osticket-client-id-mismatch';
  const secret = await storedSecretCause(ctx);
  if (secret) return secret;
  const fact = await ctx.osticketLogin();
  if (fact.token && !fact.token.ok) return fact.token.error === 'invalid_client' ? 'client-secret-mismatch' : 'token-endpoint-error';
  if (fact.userinfo && !fact.userinfo.ok) return 'userinfo-error';
  if (fact.userinfo?.ok && typeof fact.userinfo.claims.email !== 'string') return 'scope-mapping-email-missing';
  return 'osticket-login-failed-silently';
}

/** Why osTicket sent no authorize request, for the checks that need one (points at the check that fails). */
export function noAuthorizeRequestReason(r: OsticketLoginResult): string {
  const what = r.kind === 'trigger-failed' || r.kind === 'no-sso-link' || r.kind === 'unexpected' ? r.detail
    : r.kind === 'transport' ? r.error.message
    : r.kind === 'server-error' ? `${r.path} answered HTTP ${r.status}`
    : r.kind;
  return `osTicket sent no authorize request: ${what} (see osticket.agent-login)`;
}
