/**
 * The same login as bench/login.ts with a person's browser as the front channel: headless Chromium (Debian's, via
 * playwright-core), a fresh browser context for every login, the flow page typed in (test/support/chromium-login.ts);
 * the back channel (token, userinfo, verification) is the harness's, as in the headless login.
 */
import { createAgent, createHttp } from '../helpers/http/index.ts';
import { buildOsticketAuthorizeUrl } from '../helpers/oidc/index.ts';
import type { Target } from '../helpers/target-types.ts';
import { CHROMIUM, chromiumLogin, haveChromium, launchChromium } from '../test/support/chromium-login.ts';
import { loginSetup, redeem } from './login.ts';
import { round, stats, timeEach, type Stats } from './stats.ts';

export type ChromiumBench = { skipped: string } | { launchMs: number; login: Stats };

export async function chromiumLogins(target: Target, n: number, warmup: number): Promise<ChromiumBench> {
  if (!haveChromium()) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install chromium)` };
  const t0 = performance.now();
  let browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    return { skipped: `Chromium did not start: ${(e as Error).message.split('\n')[0]}` };
  }
  const launchMs = performance.now() - t0;
  const agent = createAgent();
  const http = createHttp({ agent });
  try {
    const s = await loginSetup(target, http);
    const settings = target.osticket;
    const ms = await timeEach(n, warmup, async () => {
      const context = await browser.newContext();
      const perLogin = createHttp({ agent });
      try {
        const req = buildOsticketAuthorizeUrl(settings);
        const r = await chromiumLogin(context, req.url, target.user, settings.redirectUri);
        await redeem(perLogin, s, r.callback, req.state);
      } finally {
        await context.close();
        await perLogin.close();
      }
    });
    return { launchMs: round(launchMs), login: stats(ms) };
  } finally {
    await browser.close();
    await http.close();
    await agent.close();
  }
}
