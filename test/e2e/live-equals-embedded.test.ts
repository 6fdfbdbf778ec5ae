/**
 * Issue 3 "Done when": the same suites run against a live target given only a config file, and with the reference
 * provider pointed at by that file the results equal the embedded run. A live run may differ only in the target's
 * kind and description and in carrying a request budget (live mode is read-only and bounded; helpers/target.ts).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceProvider, type RunningReferenceProvider } from '../../compose/embedded/index.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
import { loadConfigFile, type HarnessConfig } from '../../helpers/config.ts';
import { harnessRun } from '../../helpers/run.ts';
import { childEnv, REPO, runProcess, variantPath } from '../cli/cli-process.ts';
import { guideCredentials, writeLiveConfig, type LiveFiles } from '../cli/live-config.ts';
import { patience } from '../support/patience.ts';

/** What must be equal: per check, its status and diagnosis id; per run, verdict, counts, causes and properties. */
function comparable(run: RunResult) {
  return {
    verdict: run.verdict,
    counts: run.counts,
    checks: run.results.map((r) => ({ id: r.id, status: r.status, diagnosis: r.diagnosis?.id ?? null })),
    causes: run.causes.map((c) => ({ id: c.id, status: c.status })),
    properties: Object.fromEntries(Object.entries(run.properties).map(([k, p]) => [k, p.status])),
  };
}

describe.each<[string, string | undefined]>([
  ['the guide blueprint', undefined],
  ['a faulty blueprint (sub-mode-hashed)', variantPath('sub-mode-hashed')],
])('live run from a config file equals the embedded run: %s', (_name, blueprintPath) => {
  let provider: RunningReferenceProvider;
  let files: LiveFiles;
  beforeAll(async () => {
    provider = await startReferenceProvider({ blueprintPath });
    files = writeLiveConfig(provider.url, guideCredentials(provider.blueprint));
  });
  afterAll(() => provider?.close());

  it('same checks, statuses and diagnoses; live differs only in target and budget', async () => {
    const cfg = loadConfigFile(files.configFile);
    expect(cfg.target).toBe('live');
    const embeddedCfg: HarnessConfig = blueprintPath ? { embedded: { blueprint: blueprintPath } } : {};
    const [live, embedded] = [(await harnessRun(cfg)).run, (await harnessRun(embeddedCfg)).run];

    expect(live.target.kind).toBe('live');
    expect(embedded.target.kind).toBe('embedded');
    expect(live.target.issuer).toBe(`${provider.url}/application/o/${provider.blueprint.application.slug}/`);
    expect(comparable(live)).toEqual(comparable(embedded));
    expect(live.requests.budget).toBeGreaterThan(0);
    expect(embedded.requests.budget).toBeUndefined();
    expect(live.requests.count).toBe(embedded.requests.count);
    expect(live.requests.count).toBeLessThanOrEqual(live.requests.budget!);
    // Not vacuous: the guide passes, the faulty blueprint fails on its own cause in both runs.
    if (blueprintPath) expect(live.causes[0]?.id).toBe('sub-mode-not-email');
    else expect(live.verdict).toBe('pass');
  });
});

describe('the vitest `suites` project against a live target (OIDC_HARNESS_CONFIG)', () => {
  let provider: RunningReferenceProvider;
  beforeAll(async () => {
    provider = await startReferenceProvider();
  });
  afterAll(() => provider?.close());

  it('exits 0 and writes results.json with verdict pass', { timeout: patience(45_000) }, async () => {
    const files = writeLiveConfig(provider.url, guideCredentials(provider.blueprint));
    const reportDir = mkdtempSync(join(tmpdir(), 'oidc-harness-suites-'));
    // --reporter=dot: the child must not overwrite this run's reports/vitest.json (vitest.config.ts reporters).
    const r = await runProcess(process.execPath, [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'suites', '--reporter=dot'], {
      env: childEnv({ OIDC_HARNESS_CONFIG: files.configFile, OIDC_HARNESS_REPORT_DIR: reportDir }),
      timeoutMs: 40_000,
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`.slice(-3000)).toBe(0);
    const resultsFile = join(reportDir, 'results.json');
    expect(existsSync(resultsFile)).toBe(true);
    const run = JSON.parse(readFileSync(resultsFile, 'utf8')) as RunResult;
    expect(run.verdict).toBe('pass');
    expect(run.target.kind).toBe('live');
    expect(run.target.issuer).toBe(`${provider.url}/application/o/${provider.blueprint.application.slug}/`);
    expect(existsSync(join(reportDir, 'junit.xml'))).toBe(true);
  });
});
