/**
 * Issue 13 item 3: the version-matrix example cannot rot silently. `.github/workflows/oidc-harness.yml` is parsed
 * and validated by GitHub's own workflow parser (@actions/workflow-parser: the workflow schema, expressions and their
 * contexts, the job graph), offline; what it runs is checked against the harness (the env variables it sets are the
 * ones the harness reads, the vitest project exists, the compare command line works as written); and the GitLab CI
 * snippet in the README runs the same commands at the same tags. The README's pre-upgrade routine stays five lines.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { authentikImageRef } from '../../compose/containers/images.ts';
import { main, type CliIo } from '../../helpers/cli/main.ts';
import { configFromEnv } from '../../helpers/config.ts';
import { harnessRun } from '../../helpers/run.ts';

const REPO = resolve(import.meta.dirname, '../..');
const WORKFLOW_PATH = join(REPO, '.github/workflows/oidc-harness.yml');
const text = readFileSync(WORKFLOW_PATH, 'utf8');
const README = readFileSync(join(REPO, 'README.md'), 'utf8');

interface Step { uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown>; if?: string }
interface Job { needs?: string | string[]; if?: string; steps: Step[]; strategy?: { matrix: { include: Array<Record<string, string>> } } }
const workflow = parse(text) as { jobs: Record<string, Job> };

async function lint(content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: 'oidc-harness.yml', content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!parsed.value) return errors.length ? errors : ['no workflow'];
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return [...new Set([...errors, ...(template.errors ?? []).map((e) => e.Message)])];
}

/** The README's GitLab CI snippet: the yaml block after "The same on GitLab CI". */
function gitlabSnippet(): Record<string, { script?: string[]; after_script?: string[]; variables?: Record<string, string>; parallel?: { matrix: Array<Record<string, string>> }; artifacts?: { paths: string[] } }> {
  const after = README.slice(README.indexOf('The same on GitLab CI'));
  const block = /```yaml\n([\s\S]*?)```/.exec(after);
  expect(block, 'a yaml block after "The same on GitLab CI"').toBeTruthy();
  return parse(block![1]!);
}

describe('the version-matrix workflow', () => {
  it("passes GitHub's own workflow parser (schema, expressions, job graph)", async () => {
    expect(await lint(text)).toEqual([]);
  });

  it('the linter is not asleep: a misspelt key, an unknown context and a broken expression are each an error', async () => {
    expect((await lint(text.replace('runs-on: ubuntu-latest', 'run-on: ubuntu-latest'))).join()).toMatch(/run-on/);
    expect((await lint(text.replace('${{ matrix.authentik }}\n', '${{ matrixx.authentik }}\n'))).join()).toMatch(/matrixx/);
    expect((await lint(text.replace('${{ !cancelled() }}', '${{ !cancelled( }}'))).join()).toMatch(/Unexpected end of expression/);
  });

  it('runs the suites on the containers target at two authentik tags, the one in use and the next', () => {
    const suites = workflow.jobs.suites!;
    const include = suites.strategy!.matrix.include;
    expect(include.map((i) => i.slot)).toEqual(['current', 'next']);
    for (const i of include) expect(i.authentik).toMatch(/^\d{4}\.\d{1,2}\.\d+$/);
    const run = suites.steps.find((s) => s.run?.includes('vitest'))!;
    expect(run.run).toBe('npx vitest run --project suites');
    expect(readFileSync(join(REPO, 'vitest.config.ts'), 'utf8')).toContain("name: 'suites'");
    // The variables it sets are the ones the harness reads.
    expect(configFromEnv({ OIDC_HARNESS_TARGET: run.env!.OIDC_HARNESS_TARGET! }, {}).target).toBe('containers');
    expect(run.env!.AUTHENTIK_TAG).toBe('${{ matrix.authentik }}');
    expect(authentikImageRef({ AUTHENTIK_TAG: include[1]!.authentik })).toBe(`ghcr.io/goauthentik/server:${include[1]!.authentik}`);
    expect(readFileSync(join(REPO, 'suites/global-setup.ts'), 'utf8')).toContain(`process.env.${Object.keys(run.env!).find((k) => k.endsWith('REPORT_DIR'))}`);
  });

  it('uploads reports/ even when the suites fail, and compares the two with --fail-on osticket', () => {
    const upload = workflow.jobs.suites!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('${{ !cancelled() }}');
    expect(upload.with).toEqual({ name: 'reports-${{ matrix.slot }}', path: 'reports/' });
    const compare = workflow.jobs.compare!;
    expect(compare.needs).toBe('suites');
    expect(compare.if).toBe('${{ !cancelled() }}');
    expect(compare.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))?.with).toEqual({ pattern: 'reports-*' });
    expect(compare.steps.at(-1)!.run).toBe('node bin/oidc-harness compare reports-current/results.json reports-next/results.json --fail-on osticket');
  });

  it('the compare command line works as written (same run twice: exit 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oidc-harness-workflow-'));
    await harnessRun({}, { reportDir: join(dir, 'reports-current') });
    await harnessRun({}, { reportDir: join(dir, 'reports-next') });
    const args = workflow.jobs.compare!.steps.at(-1)!.run!.split(' ').slice(2).map((a) => (a.endsWith('.json') ? join(dir, a) : a));
    let out = '';
    const io: CliIo = { out: (t) => void (out += t), err: () => undefined, isTTY: false, env: { CI: 'true' } };
    expect(await main(args, io)).toBe(0);
    expect(out).toContain('No difference');
  });

  it('the GitLab CI snippet in the README runs the same commands at the same tags', () => {
    const gl = gitlabSnippet();
    const tags = workflow.jobs.suites!.strategy!.matrix.include.map((i) => ({ SLOT: i.slot, AUTHENTIK_TAG: i.authentik }));
    expect(gl.suites!.parallel!.matrix).toEqual(tags);
    expect(gl.suites!.variables).toMatchObject({ OIDC_HARNESS_TARGET: 'containers', OIDC_HARNESS_REPORT_DIR: 'reports' });
    expect(gl.suites!.script).toContain(workflow.jobs.suites!.steps.find((s) => s.run?.includes('vitest'))!.run);
    expect(gl.suites!.artifacts!.paths).toEqual(['reports-$SLOT/']);
    expect(gl.suites!.after_script).toEqual(['cp -r reports "reports-$SLOT"']);
    expect(gl.compare!.script).toContain(workflow.jobs.compare!.steps.at(-1)!.run);
  });

  it("the README's pre-upgrade routine is five lines or fewer", () => {
    const from = README.indexOf('The routine, before every authentik upgrade');
    const routine = README.slice(from, README.indexOf('\n\n', from)).split('\n');
    expect(routine.length).toBeGreaterThan(2);
    expect(routine.length).toBeLessThanOrEqual(5);
  });
});
