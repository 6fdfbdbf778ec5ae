/**
 * The fault matrix (issue 4): each misconfiguration of the reference provider (a blueprint variant) or of the
 * osTicket side (the plugin settings the harness plays) must produce its diagnosis as the TOP cause, and every
 * failing check must point at that same cause (nothing unrelated fails). Runs the real engine over real HTTP.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
import type { HarnessConfig } from '../../helpers/config.ts';
import type { DiagnosisId } from '../../helpers/diagnosis/catalog.ts';
import { resolveTarget } from '../../helpers/target.ts';
import type { Target } from '../../helpers/target-types.ts';

const variant = (name: string) => resolve(import.meta.dirname, '../../compose/blueprints/variants', `${name}.yaml`);

interface FaultCase {
  name: string;
  cfg: HarnessConfig;
  /** Change what the osTicket side is configured with, once the target's URLs are known. */
  mutate?: (t: Target) => void;
  top: DiagnosisId;
  /** A warning-only fault: no check may fail. */
  warnOnly?: boolean;
  verdict?: RunResult['verdict'];
}

const CASES: FaultCase[] = [
  { name: 'sub_mode hashed_user_id', cfg: { embedded: { blueprint: variant('sub-mode-hashed') } }, top: 'sub-mode-not-email' },
  { name: 'sub_mode user_username', cfg: { embedded: { blueprint: variant('sub-mode-username') } }, top: 'sub-mode-not-email' },
  { name: 'sub_mode user_uuid', cfg: { embedded: { blueprint: variant('sub-mode-uuid') } }, top: 'sub-mode-not-email' },
  { name: 'no signing key (HS256, JWKS {})', cfg: { embedded: { blueprint: variant('no-signing-key') } }, top: 'no-signing-key' },
  { name: 'regex redirect ".*" (what the 2024 migration made of "*")', cfg: { embedded: { blueprint: variant('redirect-regex-wildcard') } }, top: 'redirect-uri-regex-too-broad' },
  { name: 'client type public (secret not checked)', cfg: { embedded: { blueprint: variant('client-type-public') } }, top: 'client-type-public' },
  { name: 'regex redirect admitting near misses', cfg: { embedded: { blueprint: variant('redirect-regex-broad') } }, top: 'redirect-uri-regex-too-broad' },
  { name: 'redirect registered with a trailing slash', cfg: { embedded: { blueprint: variant('redirect-trailing-slash') } }, top: 'redirect-uri-trailing-slash' },
  { name: 'redirect for another path (/api/auth/ext)', cfg: { embedded: { blueprint: variant('redirect-other-path') } }, top: 'redirect-uri-other-path' },
  { name: 'email mapping missing', cfg: { embedded: { blueprint: variant('no-email-mapping') } }, top: 'scope-mapping-email-missing' },
  { name: 'openid mapping missing', cfg: { embedded: { blueprint: variant('no-openid-mapping') } }, top: 'scope-mapping-openid-missing' },
  { name: 'profile mapping missing', cfg: { embedded: { blueprint: variant('no-profile-mapping') } }, top: 'scope-mapping-profile-missing' },
  { name: 'wrong client secret on the osTicket side', cfg: { osticket: { clientSecret: 'not-the-provider-secret-0000' } }, top: 'client-secret-mismatch' },
  { name: 'scopes typed with commas', cfg: { osticket: { scopes: 'openid,email,profile' } }, top: 'scopes-comma-separated' },
  { name: 'scopes typed with commas and spaces', cfg: { osticket: { scopes: 'openid, email, profile' } }, top: 'scopes-comma-separated' },
  { name: 'grant_types empty (2026.5 profile)', cfg: { embedded: { profile: '2026.5', blueprint: variant('grant-types-empty') } }, top: 'grant-types-empty' },
  { name: 'email_verified false (2025.10 profile): a warning only', cfg: { embedded: { profile: '2025.10' } }, top: 'email-verified-false', warnOnly: true },
  { name: 'clock offset +10 minutes', cfg: { embedded: { clockOffsetSec: 600 } }, top: 'clock-skew' },
  { name: 'clock offset -10 minutes', cfg: { embedded: { clockOffsetSec: -600 } }, top: 'clock-skew' },
  { name: 'test user without an email', cfg: { embedded: { blueprint: variant('user-without-email') } }, top: 'user-without-email' },
  {
    name: "Resource Details Endpoint with the guide's stray backtick",
    cfg: {},
    mutate: (t) => (t.osticket.userinfoUrl = `${t.osticket.userinfoUrl}\``),
    top: 'endpoint-stray-character',
  },
  { name: 'Token Endpoint without its trailing slash', cfg: {}, mutate: (t) => (t.osticket.tokenUrl = t.osticket.tokenUrl.replace(/\/$/, '')), top: 'endpoint-mismatch' },
  { name: 'issuer mode global', cfg: { embedded: { blueprint: variant('issuer-mode-global') } }, top: 'issuer-mode-global' },
  { name: 'a policy that denies the user', cfg: { embedded: { blueprint: variant('policy-denies-user') } }, top: 'policy-denies-user' },
  { name: "a deny stage in the provider's Authorization flow (not the application's bindings)", cfg: { embedded: { blueprint: variant('authorization-flow-deny') } }, top: 'authorization-flow-denies' },
  { name: 'an encryption key (JWE ID token)', cfg: { embedded: { blueprint: variant('encryption-key') } }, top: 'id-token-encrypted' },
  { name: 'wrong test-user password (harness input)', cfg: { user: { password: 'certainly-not-the-password' } }, top: 'harness-wrong-password', verdict: 'error' },
  { name: 'test user with a TOTP device: MFA a headless login cannot pass (harness input)', cfg: { embedded: { blueprint: variant('mfa-totp') } }, top: 'harness-login-stage-unsupported', verdict: 'error' },
];

async function runCase(c: FaultCase): Promise<RunResult> {
  const target = await resolveTarget(c.cfg);
  try {
    c.mutate?.(target);
    return await runChecks(target, CATALOG);
  } finally {
    await target.close?.();
  }
}

describe('fault matrix: each misconfiguration is the top cause, and nothing unrelated fails', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const run = await runCase(c);
    const failing = run.results.filter((r) => r.status === 'fail');
    const top = run.causes[0];
    const ranked = c.warnOnly ? run.causes.filter((x) => x.id === c.top) : run.causes;
    expect(ranked[0]?.id, `causes: ${run.causes.map((x) => x.id).join(', ')}`).toBe(c.top);
    if (c.warnOnly) {
      expect(failing.map((r) => r.id)).toEqual([]);
      expect(ranked[0]?.status).toBe('warn');
      expect(run.verdict).toBe('pass');
    } else {
      expect(failing.length).toBeGreaterThan(0);
      // Every failure names the same cause: no unrelated failure.
      expect(failing.map((r) => `${r.id} -> ${r.diagnosis?.id}`)).toEqual(failing.map((r) => `${r.id} -> ${c.top}`));
      expect(run.verdict).toBe(c.verdict ?? 'fail');
    }
    // The fix is worded for an operator and the cause carries what was seen.
    expect(ranked[0]?.fix.length).toBeGreaterThan(20);
  });

  it('the guide blueprint on the 2025.8 profile has no failure (email_verified was still true then)', async () => {
    const run = await runCase({ name: 'baseline', cfg: { embedded: { profile: '2025.8' } }, top: 'email-verified-false' });
    expect(run.results.filter((r) => r.status === 'fail').map((r) => r.id)).toEqual([]);
    expect(run.results.find((r) => r.id === 'scopes.email-verified')?.status).toBe('pass');
  });

  it("the fix the catalog recommends for email_verified (a custom email mapping) clears the warning", async () => {
    const run = await runCase({ name: 'fix', cfg: { embedded: { blueprint: variant('email-verified-mapping') } }, top: 'email-verified-false' });
    expect(run.results.filter((r) => r.status === 'fail' || r.status === 'warn').map((r) => r.id)).toEqual([]);
    expect(run.results.find((r) => r.id === 'scopes.email-verified')?.status).toBe('pass');
  });
});
