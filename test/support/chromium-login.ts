/**
 * A person logging in through the reference provider's flow page (/if/flow/<slug>/) in real headless Chromium:
 * type the username, the password, accept consent if asked, and stop at osTicket's Redirect URI. Shared by the
 * browser e2e test (test/e2e/browser-login.test.ts) and the bench (bench/chromium.ts).
 *
 * The browser never leaves loopback: the host-resolver rule makes every name but 127.0.0.1 unresolvable inside
 * Chromium, and the Redirect URI (https://osticket.company/...) is intercepted, never fetched.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, LaunchOptions } from 'playwright-core';

/** Debian's chromium (npm-stack.md: `npx playwright install` cannot download here). */
export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = (): boolean => existsSync(CHROMIUM);

export const CHROMIUM_LAUNCH: LaunchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
};

/** playwright-core is a dev dependency, loaded only where a browser is wanted. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch(CHROMIUM_LAUNCH);
}

export interface ChromiumLoginResult {
  /** Where the browser was sent: osTicket's Redirect URI with code and state. */
  callback: URL;
  sawConsent: boolean;
  /** The path of the page the authorize request led to (the flow interface). */
  flowPath: string;
  /** Uncaught errors on the page (none expected). */
  pageErrors: string[];
}

/** Logs in once in a new page of `context`; the page is closed afterwards. */
export async function chromiumLogin(context: BrowserContext, url: URL, creds: { username: string; password: string }, redirectUri: string): Promise<ChromiumLoginResult> {
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Playwright does not route the hops of a redirect, so the authorize answer itself is fetched here: a 302 to
  // the Redirect URI is recorded and answered with a page instead of being followed off loopback.
  let captured: string | undefined;
  const landed = { status: 200, contentType: 'text/html', body: '<p id="callback">osTicket callback reached</p>' };
  await page.route('**/application/o/authorize/**', async (route) => {
    const res = await route.fetch({ maxRedirects: 0 });
    const loc = res.headers().location;
    if (loc && loc.startsWith(redirectUri)) {
      captured = loc;
      await route.fulfill(landed);
    } else await route.fulfill({ response: res });
  });
  // With explicit consent the code arrives inside xak-flow-redirect and the page navigates there itself.
  await page.route(`${new URL(redirectUri).origin}/**`, async (route) => {
    captured = route.request().url();
    await route.fulfill(landed);
  });
  try {
    await page.goto(url.href);
    await page.waitForSelector('#uid_field');
    const flowPath = new URL(page.url()).pathname;
    await page.fill('#uid_field', creds.username);
    await page.click('#submit');
    await page.waitForSelector('#password');
    await page.fill('#password', creds.password);
    await page.click('#submit');
    const next = await page.waitForSelector('form[data-component="ak-stage-consent"], #callback');
    const sawConsent = (await next.getAttribute('data-component')) === 'ak-stage-consent';
    if (sawConsent) {
      await page.click('#submit');
      await page.waitForSelector('#callback');
    }
    if (!captured) throw new Error('the browser reached no callback');
    return { callback: new URL(captured), sawConsent, flowPath, pageErrors };
  } finally {
    await page.close();
  }
}
