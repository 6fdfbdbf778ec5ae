import { describe, expect, it } from 'vitest';
import type { CheckResult, Status } from '../../helpers/checks/types.ts';
import {
  DIAGNOSES,
  DIAGNOSIS_IDS,
  diagnose,
  isDiagnosisId,
  rankCauses,
  type DiagnosisId,
} from '../../helpers/diagnosis/catalog.ts';
import { FIELDS_BY_SIDE } from '../../helpers/diagnosis/fields.ts';

/** The ids the lead's brief requires, verbatim. Extra ids must be listed in EXTRA_IDS. */
const REQUIRED_IDS = `redirect-uri-not-registered redirect-uri-trailing-slash redirect-uri-other-path
  redirect-uri-regex-too-broad redirect-uri-query-accepted redirect-uri-mismatch-accepted-at-token sub-mode-not-email
  user-without-email no-signing-key id-token-encrypted signing-alg-none signing-kid-missing signing-signature-invalid
  scope-mapping-openid-missing scope-mapping-email-missing scope-mapping-profile-missing email-verified-false
  grant-types-empty issuer-mode-global issuer-mismatch policy-denies-user client-secret-mismatch client-id-unknown
  client-auth-method-unsupported code-reuse-accepted pkce-not-enforced state-not-returned token-endpoint-error
  userinfo-error discovery-unreachable discovery-malformed jwks-unreachable jwks-malformed sub-unstable
  sub-mismatch-idtoken-userinfo id-token-claims-invalid clock-skew name-claims-missing
  scopes-comma-separated scopes-missing-openid endpoint-stray-character endpoint-mismatch osticket-redirect-uri-invalid
  osticket-redirect-uri-differs osticket-client-id-mismatch osticket-secret-undecryptable agent-missing
  sso-link-missing callback-not-routed osticket-session-host-mismatch osticket-login-failed-silently
  harness-wrong-password harness-config-invalid authentik-unreachable tls-untrusted tls-hostname-mismatch
  request-budget-exhausted run-deadline-exceeded`.split(/\s+/);
const EXTRA_IDS = ['authentik-flow-error', 'harness-internal-error', 'client-type-public', 'osticket-plugin-path-missing', 'harness-secret-salt-wrong', 'harness-redirect-uri-differs', 'osticket-output-before-headers', 'basic-credentials-not-decoded', 'harness-login-stage-unsupported', 'response-too-large',
  // issue 9: causes only the evidence supports (server errors, loops, key confusion, TLS kinds, the harness input, osTicket down)
  'server-error', 'authorize-redirect-loop', 'authorize-off-host-redirect', 'signing-alg-confusion', 'tls-expired', 'tls-plain-http', 'harness-email-mismatch', 'osticket-unreachable', 'harness-osticket-url-wrong',
  // issue 8 follow-up: a 5xx from osTicket is its server failing, not its silent drop
  'osticket-server-error',
  // issue 8 follow-up: a deny in the provider's Authorization flow is not the application's bindings
  'authorization-flow-denies'];

function result(id: string, status: Status, diag?: DiagnosisId, detail?: string): CheckResult {
  return {
    id,
    area: 'subject',
    title: id,
    status,
    severity: 'major',
    spec: 'test',
    evidence: [],
    ms: 1,
    ...(diag ? { diagnosis: diagnose(diag, detail) } : {}),
  };
}

describe('diagnosis catalog', () => {
  it('has exactly the required ids plus the listed extras, each once', () => {
    expect(new Set(DIAGNOSIS_IDS).size).toBe(DIAGNOSIS_IDS.length);
    expect([...DIAGNOSIS_IDS].sort()).toEqual([...REQUIRED_IDS, ...EXTRA_IDS].sort());
  });

  it.each(DIAGNOSIS_IDS)('%s is complete', (id) => {
    const e = DIAGNOSES[id];
    expect(e.id).toBe(id);
    expect(['authentik', 'osticket', 'harness', 'network']).toContain(e.side);
    for (const text of [e.symptom, e.cause, e.fix]) {
      expect(text.trim().length).toBeGreaterThan(20);
      expect(text).not.toMatch(/\bTODO\b|\bTBD\b/);
    }
    expect(Number.isFinite(e.rank) && e.rank > 0).toBe(true);
    expect(e.refs.length).toBeGreaterThan(0);
    for (const ref of e.refs) expect(ref.trim()).not.toBe('');
  });

  it.each(DIAGNOSIS_IDS)("%s: the fix names a setting of its side in the product's own words", (id) => {
    const e = DIAGNOSES[id];
    const names = FIELDS_BY_SIDE[e.side];
    expect(names.some((n) => e.fix.includes(n)), `${id} fix: ${e.fix}`).toBe(true);
  });

  it('ranks are unique, so ordering never depends on object key order', () => {
    const ranks = DIAGNOSIS_IDS.map((id) => DIAGNOSES[id].rank);
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  it('causes that share the silent-bounce symptom each say how to tell them apart', () => {
    const silent = DIAGNOSIS_IDS.filter((id) => DIAGNOSES[id].symptom.includes('silently returns'));
    expect(silent.length).toBeGreaterThan(5);
    for (const id of silent) expect(DIAGNOSES[id].distinguish, id).toBeTruthy();
    const redirectError = DIAGNOSIS_IDS.filter((id) => DIAGNOSES[id].symptom.includes('"Redirect URI Error"'));
    expect(redirectError.length).toBeGreaterThanOrEqual(4);
    for (const id of redirectError) expect(DIAGNOSES[id].distinguish, id).toBeTruthy();
  });

  it('root causes rank before the generic symptoms they produce', () => {
    const before = (a: DiagnosisId, b: DiagnosisId) => expect(DIAGNOSES[a].rank).toBeLessThan(DIAGNOSES[b].rank);
    before('scopes-comma-separated', 'userinfo-error');
    before('scopes-comma-separated', 'scope-mapping-openid-missing');
    before('scope-mapping-openid-missing', 'userinfo-error');
    before('client-secret-mismatch', 'token-endpoint-error');
    before('clock-skew', 'id-token-claims-invalid');
    before('no-signing-key', 'jwks-malformed');
    before('issuer-mode-global', 'discovery-unreachable');
    before('redirect-uri-trailing-slash', 'redirect-uri-not-registered');
    before('user-without-email', 'scope-mapping-email-missing');
    before('harness-wrong-password', 'policy-denies-user');
    before('grant-types-empty', 'osticket-login-failed-silently');
    before('endpoint-stray-character', 'endpoint-mismatch');
  });

  it('email-verified-false says it is harmless for osTicket', () => {
    expect(DIAGNOSES['email-verified-false'].symptom).toMatch(/osTicket.*ignores/);
  });

  it('harness-wrong-password is said as a harness input error', () => {
    const e = DIAGNOSES['harness-wrong-password'];
    expect(e.side).toBe('harness');
    expect(e.symptom).toMatch(/harness input error/);
  });
});

describe('diagnose()', () => {
  it('appends the concrete evidence to the cause and keeps the rest', () => {
    const d = diagnose('sub-mode-not-email', "sub was 'a3f9…' (64 hex chars: hashed_user_id)");
    expect(d.id).toBe('sub-mode-not-email');
    expect(d.side).toBe('authentik');
    expect(d.cause).toBe(`${DIAGNOSES['sub-mode-not-email'].cause} Seen: sub was 'a3f9…' (64 hex chars: hashed_user_id)`);
    expect(d.fix).toContain("Based on the User's Email");
    expect(d.rank).toBe(DIAGNOSES['sub-mode-not-email'].rank);
  });

  it('without detail the cause is the catalog cause', () => {
    expect(diagnose('no-signing-key').cause).toBe(DIAGNOSES['no-signing-key'].cause);
    expect(diagnose('no-signing-key', '   ').cause).toBe(DIAGNOSES['no-signing-key'].cause);
  });

  it('refuses an unknown id at run time (a typo in a check must not produce an empty diagnosis)', () => {
    expect(() => diagnose('no-such-id' as DiagnosisId)).toThrow(/unknown diagnosis id/);
    expect(isDiagnosisId('no-such-id')).toBe(false);
    expect(isDiagnosisId('clock-skew')).toBe(true);
  });
});

describe('rankCauses()', () => {
  it('is empty when nothing failed or warned, and ignores pass/skip diagnoses', () => {
    expect(rankCauses([])).toEqual([]);
    expect(rankCauses([result('a', 'pass'), result('b', 'skip', 'clock-skew')])).toEqual([]);
  });

  it('orders fails before warns, then by catalog rank, then by how many checks point at it', () => {
    const ranked = rankCauses([
      result('w1', 'warn', 'email-verified-false'),
      result('f1', 'fail', 'userinfo-error', '403 insufficient_scope'),
      result('f2', 'fail', 'scopes-comma-separated', "scope was 'openid,email,profile'"),
      result('f3', 'fail', 'userinfo-error'),
      result('w2', 'warn', 'clock-skew'), // warn only: after every fail even though its rank is lower
      result('p1', 'pass'),
    ]);
    expect(ranked.map((c) => c.id)).toEqual([
      'scopes-comma-separated',
      'userinfo-error',
      'clock-skew',
      'email-verified-false',
    ]);
    expect(ranked[0]!.status).toBe('fail');
    expect(ranked[0]!.cause).toContain("scope was 'openid,email,profile'");
    expect(ranked[0]!.distinguish).toBe(DIAGNOSES['scopes-comma-separated'].distinguish);
    expect(ranked[1]!.checks).toEqual(['f1', 'f3']);
    expect(ranked[2]!.status).toBe('warn');
  });

  it('a cause seen as warn and as fail counts as a fail and carries the failure evidence', () => {
    const ranked = rankCauses([
      result('w', 'warn', 'clock-skew', 'offset 3 s'),
      result('f', 'fail', 'clock-skew', 'offset 600 s'),
      result('g', 'fail', 'sub-mode-not-email'),
    ]);
    expect(ranked.map((c) => c.id)).toEqual(['clock-skew', 'sub-mode-not-email']);
    expect(ranked[0]!.status).toBe('fail');
    expect(ranked[0]!.cause).toContain('offset 600 s');
    expect(ranked[0]!.checks).toEqual(['w', 'f']);
  });

  it('breaks equal ranks by the number of checks pointing at the cause', () => {
    const base = result('x1', 'fail');
    const mk = (id: string, diagId: string, rank: number): CheckResult => ({
      ...base,
      id,
      diagnosis: { id: diagId, side: 'authentik', symptom: 's', cause: 'c', fix: 'f', rank },
    });
    const ranked = rankCauses([mk('a', 'custom-one', 500), mk('b', 'custom-two', 500), mk('c', 'custom-two', 500)]);
    expect(ranked.map((c) => c.id)).toEqual(['custom-two', 'custom-one']);
    // an id without a catalog entry and without a rank sorts after every ranked one
    const unranked: CheckResult = { ...base, id: 'd', diagnosis: { id: 'zz', side: 'harness', symptom: 's', cause: 'c', fix: 'f' } };
    expect(rankCauses([unranked, mk('e', 'custom-one', 999)]).map((c) => c.id)).toEqual(['custom-one', 'zz']);
  });
});
