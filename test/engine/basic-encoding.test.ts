/**
 * Issue 8 item 6: client_secret_basic on authentik before 2026.2.2. The reference provider's 2025.x profiles do not
 * percent-decode Basic credentials (compose/embedded/profiles.ts percentDecodeBasic, authentik.md §6, §13), and the
 * guide's client id has "-", which openid-client sends as %2D (RFC 6749 §2.3.1). The harness proves that cause with
 * one unencoded Basic request, reports it as what it is (a warning naming 2026.2.2; osTicket unaffected), and
 * completes the second login with client_secret_post so every check still runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
import type { HarnessConfig } from '../../helpers/config.ts';
import { resolveTarget } from '../../helpers/target.ts';
import { startTamperProxy, toBody } from '../support/tamper-proxy.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function run(cfg: HarnessConfig, stripBasic = false): Promise<RunResult> {
  const target = await resolveTarget(cfg);
  closers.push(async () => target.close?.());
  if (stripBasic) {
    // A reverse proxy that drops the Authorization header on the token endpoint (nothing to do with encoding).
    const proxy = await startTamperProxy(Number(new URL(target.authentikUrl).port), {
      request: (r) => (r.path.startsWith('/application/o/token/') && r.headers.authorization ? { answer: { status: 400, headers: { 'content-type': 'application/json' }, body: toBody({ error: 'invalid_client' }) } } : undefined),
    });
    closers.push(() => proxy.close());
    target.resolve = { [new URL(target.authentikUrl).host]: `127.0.0.1:${proxy.port}` };
  }
  return runChecks(target, CATALOG);
}

const result = (r: RunResult, id: string) => r.results.find((x) => x.id === id)!;

describe('client_secret_basic before 2026.2.2', () => {
  it.each(['2025.8', '2025.10'] as const)('profile %s: the encoding is proven and reported as itself, and every check runs', async (profile) => {
    const r = await run({ embedded: { profile } });
    const basic = result(r, 'token.client-secret-basic');
    expect(basic.status).toBe('warn');
    expect(basic.diagnosis?.id).toBe('basic-credentials-not-decoded');
    expect(basic.diagnosis?.cause).toMatch(/before 2026\.2\.2 does not percent-decode/);
    expect(basic.diagnosis?.fix).toMatch(/Upgrade authentik to 2026\.2\.2.*osTicket needs no change/s);
    expect(basic.diagnosis?.fix).not.toMatch(/proxy|Client type Confidential/);
    // The proof: the percent-encoded attempt refused, the unencoded one authenticated (invalid_grant, made-up code).
    const probes = basic.evidence.map((id) => r.transcript.find((e) => e.id === id)!);
    expect(probes.map((e) => `${e.status} ${/"error":\s*"(\w+)"/.exec(e.responseBody ?? '')?.[1]}`)).toEqual(['400 invalid_client', '400 invalid_grant']);
    // Every check runs: nothing skips but the osTicket-server checks (the embedded target has no osTicket).
    expect(r.results.filter((x) => x.status === 'skip' && x.area !== 'osticket').map((x) => `${x.id}: ${x.reason}`)).toEqual([]);
    expect(result(r, 'subject.stable-across-logins').status).toBe('pass');
    expect(result(r, 'token.pkce-s256-accepted')).toMatchObject({ status: 'pass', actual: 'HTTP 200 with code_verifier (client_secret_post)' });
    expect(r.transcript.some((e) => e.label?.startsWith('rp login (client_secret_post): '))).toBe(true);
    expect(r.results.filter((x) => x.status === 'fail')).toEqual([]);
    expect(r.verdict).toBe('pass');
  });

  it('profile 2026.8 decodes them: Basic passes and no client_secret_post login is needed', async () => {
    const r = await run({ embedded: { profile: '2026.8' } });
    expect(result(r, 'token.client-secret-basic').status).toBe('pass');
    expect(r.transcript.filter((e) => e.label === 'rp login (client_secret_post): authorize')).toEqual([]);
    expect(result(r, 'token.pkce-s256-accepted').status).toBe('pass');
  });

  it('Basic refused whatever the encoding (a proxy drops the header): a failure, not the encoding warning', async () => {
    const r = await run({ embedded: { profile: '2025.10' } }, true);
    expect(result(r, 'token.client-secret-basic').diagnosis?.id).toBe('client-auth-method-unsupported');
    expect(result(r, 'token.client-secret-basic').status).toBe('fail');
    expect(result(r, 'subject.stable-across-logins').status).toBe('pass');
  });
});
