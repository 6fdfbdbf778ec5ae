/**
 * Judgements several checks share: why a login did not reach the callback, what a redirect-URI probe saw, and
 * which mapping a missing claim points at. Keeping them here means one cause is named the same way by every
 * check that meets it (the fault matrix asserts exactly that).
 */
import type { DiagnosisId } from '../../diagnosis/catalog.ts';
import { AUTHENTIK_PROVIDER_PATH } from '../../diagnosis/fields.ts';
import { fail, type Outcome } from '../engine.ts';
import { buildOsticketAuthorizeUrl } from '../../oidc/index.ts';
import { parseAuthentikErrorPage } from '../../authentik/index.ts';
import type { FlowRole } from '../../authentik/types.ts';
import type { CheckContext, CodeFact } from '../context.ts';
import { networkDiagnosis } from '../engine.ts';
import { CALLBACK_SUFFIX, nearMiss } from './near-misses.ts';

/** Characters that never belong in an endpoint URL typed into osTicket (the guide's own line has a backtick). */
export const STRAY = /[`'"<>\s\\^{}|]/;

const ENDPOINTS = {
  authorize: { setting: 'authorizeUrl', field: 'Authorization Endpoint', discovery: 'authorization_endpoint' },
  token: { setting: 'tokenUrl', field: 'Token Endpoint', discovery: 'token_endpoint' },
  userinfo: { setting: 'userinfoUrl', field: 'Resource Details Endpoint', discovery: 'userinfo_endpoint' },
} as const;

/**
 * When a request osTicket makes failed and osTicket's endpoint setting differs from discovery, that setting is the
 * cause (a stray character, or a missing trailing slash: authentik has APPEND_SLASH=False, authentik.md §1).
 */
export async function endpointFault(ctx: CheckContext, which: keyof typeof ENDPOINTS, seen: string, evidence: number[]): Promise<Outcome | undefined> {
  const e = ENDPOINTS[which];
  const md = await ctx.metadata();
  const configured = ctx.target.osticket[e.setting];
  if (!md || configured === md[e.discovery]) return undefined;
  const diagnosis: DiagnosisId = STRAY.test(configured) ? 'endpoint-stray-character' : 'endpoint-mismatch';
  return fail(diagnosis, { expected: `${which} request to ${String(md[e.discovery])}`, actual: `${JSON.stringify(configured)}: ${seen}`, detail: `osTicket's ${e.field} is ${JSON.stringify(configured)}`, evidence });
}

export interface Judged {
  diagnosis: DiagnosisId;
  detail: string;
  /** The fix with this run's values (Outcome.fix). */
  fix?: string;
}

/** authentik's message for `grant_types: []` (2026.5+): authentik.md §6 "[2026.5+] grant_types". */
const MALFORMED = 'The request is otherwise malformed';

function stripQuery(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.origin}${u.pathname}`;
  } catch {
    return uri;
  }
}

/** Why a login did not end at the callback with a code; undefined when it did. */
export async function judgeLogin(ctx: CheckContext, fact: CodeFact): Promise<Judged | undefined> {
  const o = fact.outcome;
  switch (o.kind) {
    case 'callback':
      if (fact.code) return undefined;
      if (!fact.error && `${o.url.origin}${o.url.pathname}` !== stripQuery(fact.settings.redirectUri)) {
        return { diagnosis: 'authorize-off-host-redirect', detail: `authorize redirected to ${o.url.origin}${o.url.pathname}, which is neither authentik nor osTicket's Redirect URI (not followed)` };
      }
      if (fact.error === 'invalid_request' && (fact.errorDescription ?? '').includes(MALFORMED)) {
        return { diagnosis: 'grant-types-empty', detail: `authorize redirected back with error=invalid_request ("${fact.errorDescription}")` };
      }
      if (fact.error === 'access_denied') return { diagnosis: 'policy-denies-user', detail: `authorize redirected back with error=access_denied` };
      if (fact.error) return { diagnosis: 'authentik-flow-error', detail: `authorize redirected back with error=${fact.error}${fact.errorDescription ? ` (${fact.errorDescription})` : ''}` };
      return { diagnosis: 'authentik-flow-error', detail: `the redirect back carried neither code nor error: ${o.url.origin}${o.url.pathname}` };
    case 'off-host-redirect':
      return { diagnosis: 'authorize-off-host-redirect', detail: `authentik's answer redirected to ${o.location} (HTTP ${o.status}, via ${o.via}), which is not the Redirect URI ${stripQuery(fact.settings.redirectUri)}: not followed, not taken as the callback` };
    case 'authorize-error-page':
      if (/client id/i.test(o.title)) return { diagnosis: 'client-id-unknown', detail: `authorize answered ${o.status} "${o.title}"` };
      if (/redirect uri/i.test(o.title)) return judgeRedirectRefusal(ctx, fact.settings.redirectUri);
      return { diagnosis: 'authentik-flow-error', detail: `authorize answered ${o.status} "${o.title}": ${o.message}` };
    case 'stage-error': {
      const msgs = Object.values(o.errors).flat().map((e) => e.string).join('; ');
      if (o.stage.includes('password') || /password/i.test(msgs)) {
        return { diagnosis: 'harness-wrong-password', detail: `the password stage answered "${msgs}" for user "${ctx.target.user.username}"` };
      }
      return { diagnosis: 'authentik-flow-error', detail: `stage ${o.stage} answered "${msgs}"` };
    }
    case 'access-denied':
      // The user was logged in and authorize ran the provider's Authorization flow: its stage denied, not the
      // application's Bindings (authorize checks those before it plans that flow, authentik.md §8 step 6).
      if (o.flowRole === 'authorization') return authorizationFlowDenies(ctx, o.flow ?? '?', o.message);
      if (/password|attempts/i.test(o.message) || (o.answering === 'ak-stage-password' && !o.passwordAccepted)) {
        return { diagnosis: 'harness-wrong-password', detail: `authentik denied access: "${o.message}"` };
      }
      // Shown by a GET after the password passed: a later stage of the flow denies (a deny stage, authentik/stages/deny).
      if (o.passwordAccepted && !o.answering) return stageNeedsAPerson(ctx, o.flow ?? '?', 'ak-stage-access-denied', `to be let through a stage that denies after the password ("${o.message || 'access denied'}": a deny stage, or a policy on a stage binding)`);
      return { diagnosis: 'policy-denies-user', detail: `authentik denied access: "${o.message}"` };
    case 'stage-needs-a-person':
      return stageNeedsAPerson(ctx, o.flow, o.stage, o.needs, o.flowRole);
    case 'policy-denied':
      return { diagnosis: 'policy-denies-user', detail: `authorize answered ${o.status} after login: "${o.message}"` };
    case 'flow-error':
      return { diagnosis: 'authentik-flow-error', detail: `the flow executor answered ak-stage-flow-error (request_id ${o.requestId})` };
    case 'unexpected':
      if (/step limit/.test(o.detail)) return { diagnosis: 'authorize-redirect-loop', detail: `${o.detail}: the Authorization Endpoint keeps redirecting` };
      if (/redirect to another host/.test(o.detail)) return { diagnosis: 'authorize-off-host-redirect', detail: `${o.detail} (HTTP ${o.status})` };
      if (o.status >= 500) return { diagnosis: 'server-error', detail: `${o.detail} (HTTP ${o.status})` };
      return { diagnosis: 'authentik-flow-error', detail: `${o.detail} (HTTP ${o.status})` };
    case 'transport':
      return { diagnosis: networkDiagnosis(o.error), detail: o.error.message };
  }
}

/** A stage of the provider's Authorization flow denied the logged-in user: that flow's setting, named. */
function authorizationFlowDenies(ctx: CheckContext, flow: string, message: string): Judged {
  return {
    diagnosis: 'authorization-flow-denies',
    detail: `user "${ctx.target.user.username}" logged in, then the provider's Authorization flow "${flow}" denied it: ak-stage-access-denied "${message || 'access denied'}"`,
    fix: `authentik Admin interface -> Flows and Stages -> Flows -> ${flow} -> Stage Bindings: remove the deny stage's binding (or bind a policy to it that skips it for this user), or set the provider's Authorization flow back to default-provider-authorization-implicit-consent (${AUTHENTIK_PROVIDER_PATH}).`,
  };
}

/** A flow stage the headless login cannot pass: the harness's input (its test user, or the flow), named. */
function stageNeedsAPerson(ctx: CheckContext, flow: string, stage: string, needs: string, role?: FlowRole): Judged {
  // In the provider's Authorization flow (after the login, authentik.md §8 step 6) the stage is that flow's, which
  // every user of the application meets: the fix names that flow, not the authentication flow.
  const which = role === 'authorization' ? `the provider's Authorization flow "${flow}"` : `authentik's flow "${flow}"`;
  return {
    diagnosis: 'harness-login-stage-unsupported',
    detail: `${which} asks user "${ctx.target.user.username}" for ${needs} (${stage}), which a headless login cannot give`,
    fix: stage === 'ak-stage-authenticator-validate'
      ? `give the harness a test user without MFA devices (--username), or remove this user's devices in authentik (Directory -> Users -> ${ctx.target.user.username} -> MFA Authenticators).`
      : role === 'authorization'
        ? `the provider's Authorization flow "${flow}" asks every user for this after the login: test with a provider whose Authorization flow has no such stage (default-provider-authorization-implicit-consent or -explicit-consent), or bind a policy to that stage binding that skips it for the test user (Flows and Stages -> Flows -> ${flow} -> Stage Bindings).`
        : `give the harness a test user this flow lets through (--username), or an application whose authentication flow has no such stage.`,
  };
}

export type ProbeVerdict = 'refused' | 'accepted' | 'client-unknown' | 'other';
export interface ProbeResult {
  verdict: ProbeVerdict;
  status: number;
  /** What authentik answered, in a few words. */
  seen: string;
  exchangeId?: number;
}

/**
 * An anonymous authorize request with osTicket's parameters and `redirectUri` (a fresh browser, no session).
 * authentik validates redirect_uri before authentication (authentik.md §3: pre_permission_check), so a refused URI
 * gets the 400 "Redirect URI Error" page and an accepted one is sent on to the login flow (or back with an error).
 */
export function probeRedirect(ctx: CheckContext, redirectUri: string): Promise<ProbeResult> {
  return ctx.once(`probe:${redirectUri}`, async () => {
    const actor = ctx.http.actor('probe-browser', { fresh: true });
    const req = buildOsticketAuthorizeUrl({ ...ctx.target.osticket, redirectUri });
    const res = await actor.request(req.url, { label: 'probe: authorize' });
    const loc = res.location;
    if (res.status === 400) {
      const page = parseAuthentikErrorPage(res.text);
      if (/client id/i.test(page.title)) return { verdict: 'client-unknown', status: 400, seen: `400 "${page.title}"`, exchangeId: res.exchangeId };
      return { verdict: 'refused', status: 400, seen: `400 "${page.title || 'error page'}"`, exchangeId: res.exchangeId };
    }
    if (loc && res.status >= 300 && res.status < 400) {
      const where = loc.href.startsWith(redirectUri) ? `a redirect to ${redirectUri}` : `a redirect to ${loc.pathname}`;
      return { verdict: 'accepted', status: res.status, seen: `${res.status} ${where}`, exchangeId: res.exchangeId };
    }
    return { verdict: 'other', status: res.status, seen: `HTTP ${res.status}`, exchangeId: res.exchangeId };
  });
}

/**
 * The configured redirect URI was refused: find out how the registration differs by probing its neighbours
 * (read-only: refused probes change nothing; an empty list would have accepted the first URI, authentik.md §3).
 */
export async function judgeRedirectRefusal(ctx: CheckContext, configured: string): Promise<Judged> {
  if (!configured.endsWith(CALLBACK_SUFFIX)) {
    return { diagnosis: 'osticket-redirect-uri-invalid', detail: `osTicket's Redirect URI "${configured}" does not end in ${CALLBACK_SUFFIX}` };
  }
  for (const [id, diagnosis] of [['trailing-slash', 'redirect-uri-trailing-slash'], ['other-path', 'redirect-uri-other-path']] as const) {
    const miss = nearMiss(configured, id);
    if (!('uri' in miss)) continue;
    if ((await probeRedirect(ctx, miss.uri)).verdict === 'accepted') {
      return {
        diagnosis,
        detail: `"${configured}" is refused but ${id === 'other-path' ? 'the legacy callback ' : ''}"${miss.uri}" is accepted`,
        fix: `change the Redirect URIs entry "${miss.uri}" to "${configured}" (Strict).`,
      };
    }
  }
  return { diagnosis: 'redirect-uri-not-registered', detail: `authorize answered 400 "Redirect URI Error" for redirect_uri=${configured}`, fix: `add "${configured}" to Redirect URIs (Strict).` };
}

/** Which mapping a missing scope points at (authentik.md §5: unmapped scopes are dropped silently). */
export function mappingDiagnosis(scope: string): DiagnosisId {
  if (scope === 'openid') return 'scope-mapping-openid-missing';
  if (scope === 'email') return 'scope-mapping-email-missing';
  return 'scope-mapping-profile-missing';
}

/** The scopes the guide asks for (authentik.md §11: `email openid profile`). */
export const GUIDE_SCOPES = ['email', 'openid', 'profile'] as const;

/** Why the shared login produced no tokens: a reason for the checks that need them to skip. */
export function noTokensReason(fact: { code?: string; token?: { ok: boolean; detail?: string } }): string {
  if (!fact.code) return 'the shared login did not reach the callback with a code (see login.completes)';
  if (fact.token && !fact.token.ok) return 'the token request failed (see token.client-secret-post)';
  return 'no tokens were issued';
}
