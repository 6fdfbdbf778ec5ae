/**
 * The HTML report in a REAL headless Chromium (Debian's `chromium`, driven by playwright-core): it renders with
 * no console error and no page error, asks the network for nothing but the file itself, the injected
 * `<script>` claim stays inert, the inline JS works (a sequence-diagram row opens its transcript entry), and a
 * screenshot lands in reports/report.png (reports/report-full.png: the whole page).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../../helpers/report/index.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
import { errorRun, failingRun, passingRun, RAW_SECRET } from './fixtures.ts';
import { patience } from '../support/patience.ts';

const CHROMIUM = '/usr/bin/chromium';
const SKIP_REASON = 'Chromium not installed (/usr/bin/chromium); .ci/run installs it';
const haveChromium = existsSync(CHROMIUM);
const REPORTS = resolve(import.meta.dirname, '../../reports');

describe.skipIf(!haveChromium)('report.html in headless Chromium', () => {
  let context: BrowserContext;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'oidc-report-chromium-'));
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 1600 },
      offline: true,
    });
  }, patience(60_000));

  afterAll(async () => {
    await context?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function load(run: RunResult, name: string) {
    const dir = join(work, name);
    const file = await writeHtmlReport(run, dir, { redact: (t) => t.split(RAW_SECRET).join('[redacted]') });
    const url = pathToFileURL(file).href;
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog opened: ${d.message()}`); // alert(1) would mean the claim executed
      void d.dismiss();
    });
    await page.route('**/*', async (route) => {
      const u = route.request().url();
      requests.push(u);
      if (u === url) await route.continue();
      else await route.abort();
    });
    await page.goto(url, { waitUntil: 'load' });
    return { page, problems, requests, url };
  }

  it('the failing run renders cleanly, fetches nothing, keeps the claim inert, and is screenshotted', async () => {
    const { page, problems, requests, url } = await load(failingRun(), 'fail');
    expect(requests).toEqual([url]);
    await expect.poll(() => page.locator('.verdict .word').textContent()).toBe('FAIL');
    expect(await page.locator('.prop').count()).toBe(4);
    expect(await page.evaluate(() => document.scripts.length)).toBe(1);
    // the <script> claim is visible as text in the failure card
    expect(await page.locator('#check-subject\\.sub-is-email').innerText()).toContain('<script>alert(1)</script>');
    // the inline JS: clicking row #8 in the diagram opens transcript entry #8
    expect(await page.locator('#ex-8').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await page.locator('svg.seq a[href="#ex-8"] .hit').click();
    await expect.poll(() => page.locator('#ex-8').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
    await mkdir(REPORTS, { recursive: true });
    await page.screenshot({ path: join(REPORTS, 'report.png') });
    await page.screenshot({ path: join(REPORTS, 'report-full.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(existsSync(join(REPORTS, 'report.png'))).toBe(true);
    await page.close();
  }, patience(60_000));

  it('the passing run and the could-not-run run render without errors either', async () => {
    for (const [name, run, word] of [['pass', passingRun(), 'PASS'], ['error', errorRun(), 'COULD NOT RUN']] as const) {
      const { page, problems, requests, url } = await load(run, name);
      expect(await page.locator('.verdict .word').textContent()).toBe(word);
      expect(requests).toEqual([url]);
      expect(problems).toEqual([]);
      await page.close();
    }
  }, patience(60_000));
});

// When Chromium is absent, say why in the test list (describe.skipIf alone would not name the reason).
if (!haveChromium) it.skip(`headless Chromium check: ${SKIP_REASON}`, () => {});
