/**
 * Issue 2 "Done when": a curl-only login (authorize -> executor GETs/POSTs with a cookie jar -> code -> token ->
 * userinfo) works against the reference provider exactly as authentik.md §8 and §11's checklist describe.
 * Runs examples/curl-login.sh against providers started here, and checks it prints the claims and nothing secret;
 * with explicit consent both before and after the consent is stored (authentik.md §13: stored consent still routes
 * authorize through the consent flow, whose executor answers 302 to itself and then the code).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceProvider, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { childEnv, REPO, runProcess, variantPath } from '../cli/cli-process.ts';
import { guideCredentials, type GuideCredentials } from '../cli/live-config.ts';

const SCRIPT = join(REPO, 'examples/curl-login.sh');

function missingTools(): string | null {
  for (const tool of ['curl', 'python3', 'bash']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore', timeout: 5_000 });
    } catch {
      return `${tool} is not installed; examples/curl-login.sh needs it`;
    }
  }
  return null;
}
const missing = missingTools();

describe.skipIf(missing !== null)(`examples/curl-login.sh${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const providers: RunningReferenceProvider[] = [];
  let guide: RunningReferenceProvider;
  let consent: RunningReferenceProvider;
  beforeAll(async () => {
    [guide, consent] = await Promise.all([startReferenceProvider(), startReferenceProvider({ blueprintPath: variantPath('explicit-consent') })]);
    providers.push(guide, consent);
  });
  afterAll(() => Promise.all(providers.map((p) => p.close())));

  const login = (p: RunningReferenceProvider, c: GuideCredentials, override: Record<string, string> = {}) =>
    runProcess('bash', [SCRIPT], {
      env: childEnv({
        BASE: p.url,
        CLIENT_ID: c.clientId,
        CLIENT_SECRET: c.clientSecret,
        REDIRECT_URI: c.redirectUri,
        USERNAME: c.username,
        PASSWORD: c.password,
        ...override,
      }),
      timeoutMs: 20_000,
    });

  function expectNoSecret(out: string, c: GuideCredentials): void {
    expect(out.includes(c.clientSecret), 'client secret printed').toBe(false);
    expect(out.includes(c.password), 'password printed').toBe(false);
    expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/); // no token of any kind
    expect(out).not.toMatch(/code=|access_token|refresh_token|authentik_session|authentik_csrf/);
  }

  it.each([
    ['the guide (implicit consent)', () => guide],
    ['explicit consent (echoed token + X-authentik-CSRF)', () => consent],
  ])('logs in with curl only and prints the userinfo claims: %s', async (_name, provider) => {
    const p = provider();
    const c = guideCredentials(p.blueprint);
    const r = await login(p, c);
    expect(r.code, r.stderr).toBe(0);
    const claims = JSON.parse(r.stdout) as Record<string, unknown>;
    // sub_mode user_email: sub is the email (authentik.md §2); the email scope mapping gives `email` (§5).
    expect(claims.email).toBe(c.email);
    expect(claims.sub).toBe(c.email);
    expect(claims.preferred_username).toBe(c.username);
    expect(r.stderr).toMatch(/curl-login: userinfo/);
    expectNoSecret(r.stdout + r.stderr, c);
  });

  it('explicit consent once stored: the consent flow passes by itself (302 to itself, then the code in xak-flow-redirect)', async () => {
    const c = guideCredentials(consent.blueprint);
    const first = await login(consent, c);
    expect(first.code, first.stderr).toBe(0);
    const again = await login(consent, c);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/consent already given/);
    expect(again.stderr).not.toMatch(/flow [^:]+: consent\n/);
    expect((JSON.parse(again.stdout) as { email?: string }).email).toBe(c.email);
    expectNoSecret(again.stdout + again.stderr, c);
  });

  it('a wrong password stops at the password stage with its error, exit 1', async () => {
    const c = guideCredentials(guide.blueprint);
    const wrong = `wrong-${crypto.randomUUID()}`;
    const r = await login(guide, c, { PASSWORD: wrong });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/the password stage refused the password: .*Invalid password/);
    expectNoSecret(r.stdout + r.stderr, { ...c, password: wrong });
  });
});
