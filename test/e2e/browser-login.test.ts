/**
 * The reference provider's flow page (/if/flow/<slug>/, compose/embedded/pages.ts) in a REAL headless Chromium,
 * compared with the headless driver: osTicket's exact authorize request, typed in like a person would (username,
 * password, and consent for the explicit-consent flow), ends at osTicket's Redirect URI with a code and the state,
 * exactly as the headless flow-executor driver's login does, and both codes are accepted by the token endpoint.
 * The browser never leaves loopback: the Redirect URI (https://osticket.company/...) is intercepted, not fetched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceProvider, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { loginThroughAuthentik } from '../../helpers/authentik/index.ts';
import { createHttp } from '../../helpers/http/index.ts';
import { buildOsticketAuthorizeUrl, osticketTokenRequest } from '../../helpers/oidc/index.ts';
import { authentikEndpoints, guideRedirectUri } from '../../helpers/target.ts';
import type { OsticketPluginSettings } from '../../helpers/target-types.ts';
import { patience } from '../support/patience.ts';
import { CHROMIUM_LAUNCH, chromiumLogin, haveChromium as haveChromiumBinary } from '../support/chromium-login.ts';

const haveChromium = haveChromiumBinary();
const variant = (n: string) => resolve(import.meta.dirname, '../../compose/blueprints/variants', `${n}.yaml`);

describe.skipIf(!haveChromium)('flow page in headless Chromium vs the headless driver', () => {
  let context: BrowserContext;
  let work: string;
  const providers: RunningReferenceProvider[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'oidc-browser-login-'));
    // The host-resolver rule in CHROMIUM_LAUNCH makes every name but loopback unresolvable: no DNS query leaves.
    context = await chromium.launchPersistentContext(join(work, 'profile'), CHROMIUM_LAUNCH);
  }, patience(60_000));
  afterAll(async () => {
    await context?.close();
    for (const p of providers) await p.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function setup(blueprintPath?: string) {
    const p = await startReferenceProvider({ blueprintPath });
    providers.push(p);
    const ep = authentikEndpoints(p.url, p.blueprint.application.slug);
    const settings: OsticketPluginSettings = {
      redirectUri: guideRedirectUri(), clientId: p.blueprint.provider.client_id, clientSecret: p.blueprint.provider.client_secret,
      authorizeUrl: ep.authorize, tokenUrl: ep.token, userinfoUrl: ep.userinfo, scopes: 'email openid profile',
    };
    const user = p.blueprint.users[0]!;
    return { p, settings, creds: { username: user.username, password: user.password ?? '' } };
  }

  /** A person in Chromium (test/support/chromium-login.ts); the flow page is the flow interface, no page errors. */
  async function browserLogin(url: URL, creds: { username: string; password: string }, redirectUri: string) {
    const r = await chromiumLogin(context, url, creds, redirectUri);
    expect(r.flowPath).toMatch(/^\/if\/flow\/default-authentication-flow\/$/);
    expect(r.pageErrors).toEqual([]);
    return r;
  }

  it.each([
    ['implicit consent (the guide)', undefined, false],
    ['explicit consent (consent stage + CSRF header)', variant('explicit-consent'), true],
  ] as const)('%s', async (_name, blueprint, consent) => {
    const { p, settings, creds } = await setup(blueprint);
    const http = createHttp({ timeoutMs: patience(5_000) });
    try {
      const viaBrowser = buildOsticketAuthorizeUrl(settings);
      const b = await browserLogin(viaBrowser.url, creds, settings.redirectUri);
      const viaDriver = buildOsticketAuthorizeUrl(settings);
      const d = await loginThroughAuthentik(http.actor('driver'), viaDriver.url, creds, { redirectUri: settings.redirectUri });
      expect(d.kind).toBe('callback');
      if (d.kind !== 'callback') return;

      // Same landing: exactly the Redirect URI, with a code and the state that was sent.
      for (const [cb, state] of [[b.callback, viaBrowser.state], [d.url, viaDriver.state]] as const) {
        expect(`${cb.origin}${cb.pathname}`).toBe(settings.redirectUri);
        expect(cb.searchParams.get('state')).toBe(state);
        expect(cb.searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
      }
      expect(b.sawConsent).toBe(consent);
      // The driver logs in second: authentik remembers an explicit consent per user and application (4 weeks,
      // authentik.md §11), so it is not asked again.
      expect(d.consent).toBe('implicit');
      // Both codes are real: osTicket's token request redeems each.
      for (const code of [b.callback.searchParams.get('code')!, d.url.searchParams.get('code')!]) {
        const t = await osticketTokenRequest(http.actor('osticket-server'), settings, code);
        expect(t.ok).toBe(true);
      }
    } finally {
      await http.close();
      await p.close();
    }
  }, patience(60_000));
});
