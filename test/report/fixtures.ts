/**
 * RunResult FIXTURES for the report renderers: hand-built runs that exercise every branch of the reports
 * (all pass, failures with diagnoses, warnings, skips, a run that could not start, a transcript with several
 * actors and hosts). They are inputs for the renderers only, not results of the engine; the totals, property
 * statuses and ranked causes are derived the way the engine derives them so the fixtures stay self-consistent.
 */
import type { Area, CheckResult, PropertyId, RunResult, Status } from '../../helpers/checks/types.ts';
import { PROPERTIES, RESULTS_SCHEMA_VERSION } from '../../helpers/checks/types.ts';
import type { Exchange } from '../../helpers/http/types.ts';
import { diagnose, rankCauses, type DiagnosisId } from '../../helpers/diagnosis/catalog.ts';

export const XSS = '<script>alert(1)</script>';
/** A secret value that only the caller's redact hook knows (no built-in mask can recognise it). */
export const RAW_SECRET = 'Zq7ClientSecretValue9981';
/** A JWS whose signature the HTTP layer "forgot" to redact: the built-in mask must remove it. */
export const LEAKED_SIG = 'c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1hcHBlYXI';
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
export const LEAKED_JWT = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64({ sub: 'agent@example.com', email: 'agent@example.com' })}.${LEAKED_SIG}`;

let seq = 0;
export function check(
  id: string,
  area: Area,
  status: Status,
  extra: Partial<CheckResult> & { diag?: DiagnosisId; detail?: string } = {},
): CheckResult {
  const { diag, detail, ...rest } = extra;
  return {
    id,
    area,
    title: rest.title ?? `Check ${id}`,
    status,
    severity: rest.severity ?? (status === 'warn' ? 'minor' : 'major'),
    spec: rest.spec ?? 'OpenID Connect Core 1.0 §3.1',
    evidence: rest.evidence ?? [],
    ms: rest.ms ?? 3 + (seq++ % 7),
    ...rest,
    ...(diag ? { diagnosis: diagnose(diag, detail) } : {}),
  };
}

export function makeRun(results: CheckResult[], transcript: Exchange[], over: Partial<RunResult> = {}): RunResult {
  const counts: Record<Status, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  const properties = Object.fromEntries(
    (Object.keys(PROPERTIES) as PropertyId[]).map((id) => {
      const areas: readonly Area[] = PROPERTIES[id].areas;
      const rs = results.filter((r) => areas.includes(r.area));
      const status: Status = rs.some((r) => r.status === 'fail')
        ? 'fail'
        : rs.some((r) => r.status === 'warn')
          ? 'warn'
          : rs.some((r) => r.status === 'pass')
            ? 'pass'
            : 'skip';
      return [id, { title: PROPERTIES[id].title, status, checks: rs.map((r) => r.id) }];
    }),
  ) as RunResult['properties'];
  return {
    schema: RESULTS_SCHEMA_VERSION,
    tool: { name: 'oidc-harness', version: '0.1.0' },
    startedAt: '2026-05-04T09:00:00.000Z',
    finishedAt: '2026-05-04T09:00:01.234Z',
    ms: 1234,
    target: { kind: 'containers', description: 'RENDERER FIXTURE (not a real run): authentik 2026.2.2 + osTicket 1.18.1 containers', issuer: 'http://authentik:9000/application/o/osticket/', profile: '2026.2' },
    verdict: counts.fail > 0 ? 'fail' : 'pass',
    counts,
    properties,
    causes: rankCauses(results),
    results,
    measurements: { 'clock skew (s)': 0.4, 'login ms': 212, 'id_token alg': 'RS256' },
    requests: { count: transcript.length, budget: 200 },
    transcript,
    ...over,
  };
}

let t = Date.parse('2026-05-04T09:00:00.010Z');
function ex(id: number, actor: string, method: string, url: string, status: number | undefined, more: Partial<Exchange> = {}): Exchange {
  t += 17;
  return {
    id,
    actor,
    method,
    url,
    requestHeaders: { 'user-agent': 'oidc-harness/0.1.0', ...(more.requestHeaders ?? {}) },
    ...(status !== undefined ? { status, responseHeaders: { 'content-type': 'text/html; charset=utf-8' } } : {}),
    startedAt: new Date(t).toISOString(),
    ms: 4 + (id % 9) * 3,
    ...more,
  };
}

const OST = 'http://osticket:80';
const AK = 'http://authentik:9000';
const CB = `${OST}/api/auth/oauth2`;
const AUTHZ = `${AK}/application/o/authorize/?state=9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60&scope=openid%2Cemail%2Cprofile&response_type=code&approval_prompt=auto&redirect_uri=${encodeURIComponent(CB)}&client_id=osticket-client`;

/** The osTicket agent flow with comma-separated Scopes: the shape of a real failing run, several actors and hosts. */
export function failingTranscript(): Exchange[] {
  return [
    ex(1, 'browser', 'GET', `${OST}/scp/login.php`, 200, { label: 'osTicket login page', responseHeaders: { 'set-cookie': ['OSTSESSID=[redacted:cookie]; path=/; HttpOnly'] } }),
    ex(2, 'browser', 'GET', `${OST}/scp/login.php?do=ext&bk=oauth2.agent.p1i1`, 302, { label: 'SSO trigger', responseHeaders: { location: AUTHZ } }),
    ex(3, 'browser', 'GET', AUTHZ, 302, { label: 'authorize', responseHeaders: { location: '/if/flow/default-authentication-flow/?next=%2Fapplication%2Fo%2Fauthorize%2F' } }),
    ex(4, 'browser', 'GET', `${AK}/api/v3/flows/executor/default-authentication-flow/?query=next%3D%252Fapplication`, 200, { label: 'executor: identification', responseBody: '{"component":"ak-stage-identification","user_fields":["username","email"]}' }),
    ex(5, 'browser', 'POST', `${AK}/api/v3/flows/executor/default-authentication-flow/?query=next%3D%252Fapplication`, 302, { label: 'executor: identification', requestBody: '{"component":"ak-stage-identification","uid_field":"agent@example.com"}' }),
    ex(6, 'browser', 'POST', `${AK}/api/v3/flows/executor/default-authentication-flow/?query=next%3D%252Fapplication`, 200, { label: 'executor: password', requestBody: '{"component":"ak-stage-password","password":"[redacted:password]"}', responseBody: '{"component":"xak-flow-redirect","to":"/application/o/authorize/?client_id=osticket-client"}' }),
    ex(7, 'browser', 'GET', AUTHZ, 302, { label: 'authorize (logged in)', responseHeaders: { location: `${CB}?code=[redacted:code]&state=9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60` } }),
    ex(8, 'osticket-rp', 'POST', `${AK}/application/o/token/`, 200, {
      label: 'token',
      requestHeaders: { 'content-type': 'application/x-www-form-urlencoded' },
      requestBody: `client_id=osticket-client&client_secret=[redacted:client_secret]&redirect_uri=${encodeURIComponent(CB)}&grant_type=authorization_code&code=[redacted:code]`,
      responseHeaders: { 'content-type': 'application/json' },
      responseBody: `{"access_token":"[redacted:access_token]","token_type":"Bearer","scope":"","expires_in":3600,"id_token":"${LEAKED_JWT}"}`,
    }),
    ex(9, 'osticket-rp', 'GET', `${AK}/application/o/userinfo/`, 403, {
      label: 'userinfo (Resource Details)',
      requestHeaders: { authorization: 'Bearer [redacted:access_token]' },
      responseHeaders: { 'www-authenticate': 'error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token"' },
    }),
    ex(10, 'browser', 'GET', `${CB}?code=[redacted:code]&state=9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60`, 302, { label: 'osTicket callback', responseHeaders: { location: '/' }, responseBody: '<html></html>' }),
    ex(11, 'probe', 'GET', `${AK}/application/o/authorize/?client_id=osticket-client&redirect_uri=${encodeURIComponent(`${CB}/`)}&response_type=code&scope=openid`, 400, { label: 'near miss: trailing slash', responseBody: `<html><title>Redirect URI Error</title><p>claim ${XSS}</p></html>` }),
    ex(12, 'probe', 'GET', `${AK}/application/o/osticket/.well-known/openid-configuration`, 200, { label: 'discovery', responseHeaders: { 'content-type': 'application/json' }, responseBody: '{"issuer":"http://authentik:9000/application/o/osticket/"}' }),
    ex(13, 'probe', 'GET', 'http://127.0.0.1:1/health', undefined, { label: 'unreachable probe', error: 'connection refused (ECONNREFUSED) to 127.0.0.1:1', errorCode: 'ECONNREFUSED' }),
  ];
}

export function failingRun(): RunResult {
  const results = [
    check('scopes.sent-as-osticket-sends', 'scopes', 'fail', { title: 'Scopes are sent space-separated', expected: 'scope=email openid profile (space-separated)', actual: "scope='openid,email,profile' (one word for authentik)", diag: 'scopes-comma-separated', detail: "osTicket's Scopes is 'openid,email,profile'", evidence: [3, 7] }),
    check('scopes.userinfo-email', 'scopes', 'fail', { title: 'Userinfo returns email', expected: 'HTTP 200 with an email claim', actual: 'HTTP 403 insufficient_scope', diag: 'userinfo-error', detail: '403 WWW-Authenticate: error="insufficient_scope"', evidence: [9] }),
    check('subject.sub-is-email', 'subject', 'fail', { title: "sub equals the user's email", expected: 'agent@example.com', actual: `sub=${XSS}`, diag: 'sub-mode-not-email', detail: `sub was '${XSS}' (not an email)`, evidence: [8] }),
    check('scopes.email-verified', 'scopes', 'warn', { title: 'email_verified is true', expected: 'true', actual: 'false', diag: 'email-verified-false', reason: `osTicket ignores it; other apps may not. ${RAW_SECRET}` }),
    check('redirect-uri.exact-match', 'redirect-uri', 'pass', { title: 'The registered callback completes a login', evidence: [7], reason: 'final redirect is exactly the callback with code and state' }),
    check('redirect-uri.near-miss-trailing-slash', 'redirect-uri', 'pass', { title: 'Trailing-slash near miss refused', evidence: [11] }),
    check('signing.asymmetric', 'signing', 'pass', { title: 'ID token signed with an asymmetric key', actual: 'RS256, kid k1 in JWKS' }),
    check('signing.kid-in-jwks', 'signing', 'pass', { title: 'kid present in the JWKS' }),
    check('discovery.reachable', 'discovery', 'pass', { title: 'Discovery reachable', evidence: [12] }),
    check('osticket.agent-login', 'osticket', 'skip', { title: 'Agent logs in to osTicket', reason: 'osTicket login failed earlier (see scopes); agent check not meaningful' }),
    check('token-endpoint.basic-auth', 'token-endpoint', 'skip', { title: 'client_secret_basic works', reason: 'live target: probes that consume a code are limited by the request budget' }),
  ];
  return makeRun(results, failingTranscript(), { measurements: { 'clock skew (s)': 0.4, note: `leaked param client_secret=${RAW_SECRET}` } });
}

export function passingRun(): RunResult {
  const results = [
    check('discovery.reachable', 'discovery', 'pass', { title: 'Discovery reachable' }),
    check('redirect-uri.exact-match', 'redirect-uri', 'pass', { title: 'The registered callback completes a login' }),
    check('scopes.userinfo-email', 'scopes', 'pass', { title: 'Userinfo returns email' }),
    check('subject.sub-is-email', 'subject', 'pass', { title: "sub equals the user's email" }),
    check('signing.asymmetric', 'signing', 'pass', { title: 'ID token signed with an asymmetric key' }),
    check('scopes.email-verified', 'scopes', 'warn', { title: 'email_verified is true', diag: 'email-verified-false' }),
    check('osticket.agent-login', 'osticket', 'skip', { title: 'Agent logs in to osTicket', reason: 'embedded target: no osTicket server (client profile only)' }),
  ];
  const transcript = [
    ex(1, 'browser', 'GET', `${AK}/application/o/authorize/?client_id=c&state=s`, 302, { label: 'authorize' }),
    ex(2, 'osticket-rp', 'POST', `${AK}/application/o/token/`, 200, { label: 'token' }),
    ex(3, 'osticket-rp', 'GET', `${AK}/application/o/userinfo/`, 200, { label: 'userinfo', responseBody: '{"sub":"agent@example.com","email":"agent@example.com"}' }),
  ];
  return makeRun(results, transcript, { target: { kind: 'embedded', description: 'RENDERER FIXTURE (not a real run): reference provider', issuer: 'http://authentik:9000/application/o/osticket/', profile: '2026.2' } });
}

export function errorRun(): RunResult {
  return makeRun([], [ex(1, 'probe', 'GET', 'https://authentik.company/application/o/osticket/.well-known/openid-configuration', undefined, { label: 'discovery', error: 'certificate signed by an unknown authority (UNABLE_TO_VERIFY_LEAF_SIGNATURE)', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })], {
    verdict: 'error',
    error: 'TLS: the certificate of authentik.company is not trusted (give its CA with --ca FILE).',
    target: { kind: 'live', description: 'RENDERER FIXTURE (not a real run): https://authentik.company + https://osticket.company', issuer: 'https://authentik.company/application/o/osticket/' },
  });
}
