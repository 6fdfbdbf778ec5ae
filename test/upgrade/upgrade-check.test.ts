/**
 * `oidc-harness upgrade-check` (issue 13 item 2), in-process through the CLI's main() with captured output: the
 * "Done when" run (2025.10 -> 2026.8 on the guide lists every known change between them with its version and who
 * notices, says it is a prediction and how to confirm it, exits 0), a blueprint whose provider has no grant_types
 * (exit 1, the break named with its known change and the in-place caveat), the reports it writes, --json, and bad
 * input: one sentence and exit 2 before anything runs.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../compose/embedded/profiles.ts';
import { cliInProcess } from '../support/cli-in-process.ts';
import { changesBetween } from '../../helpers/upgrade/explain.ts';
import { NOTICES_LABEL } from '../../helpers/upgrade/known-changes.ts';
import { parseRelease } from '../../helpers/upgrade/versions.ts';
import { harnessRun } from '../../helpers/run.ts';

const variant = (n: string) => resolve(import.meta.dirname, '../../compose/blueprints/variants', `${n}.yaml`);

const cli = (argv: string[]) => cliInProcess(argv);

describe('upgrade-check', () => {
  it('2025.10 -> 2026.8 on the guide: every known change between them with its version and who notices, exit 0', async () => {
    const { code, out, err } = await cli(['upgrade-check', '--from', '2025.10', '--to', '2026.8']);
    expect(code).toBe(0);
    expect(out).toMatch(/^upgrade-check: authentik 2025\.10 -> 2026\.8, blueprint .*compose\/blueprints\/osticket\.yaml, application osticket$/m);
    expect(out).toContain('This is a PREDICTION from the reference provider');
    expect(out).toMatch(/AUTHENTIK_TAG=2026\.8\.<patch you plan> node bin\/oidc-harness run --target containers/);
    expect(out).toMatch(/staging authentik already on 2026\.8/);
    expect(out).toContain("osTicket's login: no change predicted to break it.");
    const known = changesBetween(parseRelease('2025.10')!, parseRelease('2026.8')!);
    expect(known.length).toBeGreaterThan(10);
    for (const k of known) {
      expect(out, k.id).toMatch(new RegExp(`^  ${k.version.replace(/\./g, '\\.')} +${k.id}: `, 'm'));
      expect(out, k.id).toMatch(new RegExp(`${k.id}: [^\\n]*\\n {12}who notices: ${NOTICES_LABEL[k.notices]}`));
    }
    // What the two runs showed, each tied to its entry; nothing left to investigate.
    expect(out).toMatch(/seen: jwks\.keys\[0\]\.kidLength 32 -> 86/);
    expect(out).toMatch(/seen: token\.client-secret-basic warn -> pass/);
    expect(out).toContain('Differences no known change explains: none');
    expect(out).toMatch(/Exit code: 0 \(no change breaks osTicket\)/);
    expect(err).toMatch(/authentik 2025\.10: PASS in [\d.]+ s\nauthentik 2026\.8 \(reference provider\)/);
  });

  it('a provider without grant_types, 2025.10 -> 2026.5: the broken login is named with its known change and the in-place caveat, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oidc-harness-upgrade-'));
    const { code, out } = await cli(['upgrade-check', '--from', '2025.10', '--to', '2026.5', '--blueprint', variant('grant-types-empty'), '--report', dir]);
    expect(code).toBe(1);
    expect(out).toMatch(/BREAKS osTicket's login after the upgrade \(1\):\n {2}✗ login\.completes pass -> fail \[grant-types-empty\] \[known: grant-types-enforced, 2026\.5\.0\]\n {4}in place: providers that exist before the upgrade are back-filled/);
    expect(out).toMatch(/and \d+ more that follow from those/);
    for (const v of ['2025.10', '2026.5']) expect(existsSync(join(dir, `authentik-${v}`, 'results.json')), v).toBe(true);
    const saved = JSON.parse(readFileSync(join(dir, 'upgrade-check.json'), 'utf8')) as { from: string; breaksOsticket: string[]; known: Array<{ id: string; state: string }> };
    expect(saved.from).toBe('2025.10');
    expect(saved.breaksOsticket).toEqual(['login.completes pass -> fail']);
    expect(saved.known.find((k) => k.id === 'grant-types-enforced')?.state).toBe('seen');
  });

  it("a provider without grant_types in place (2025.10 -> 2026.5): back-filled by the upgrade, so nothing breaks (exit 0); created from the blueprint instead, the login breaks, said as a warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oidc-harness-inplace-'));
    const guide = readFileSync(resolve(import.meta.dirname, '../../compose/blueprints/osticket.yaml'), 'utf8');
    const blueprint = join(dir, 'no-grant-types.yaml');
    writeFileSync(blueprint, guide.split('\n').filter((l) => !/^\s*grant_types:/.test(l)).join('\n'));
    const { code, out } = await cli(['upgrade-check', '--from', '2025.10', '--to', '2026.5', '--blueprint', blueprint]);
    expect(code).toBe(0);
    expect(out).toContain("osTicket's login: no change predicted to break it.");
    expect(out).toMatch(/grant-types-enforced: [^\n]*\n[^\n]*\n {12}not seen in place: the upgrade's own migration changes this install \(provider \{"name":"osTicket"\}: grant_types back-filled/);
    expect(out).toMatch(/Created from this blueprint on 2026\.5 instead \([^)]*\): FAIL\n {2}WARNING: osTicket's login breaks there \(1\)[^\n]*\n {2}✗ login\.completes pass -> fail \[grant-types-empty\] \[known: grant-types-enforced, 2026\.5\.0\]/);
  });

  it('--json prints the prediction as JSON, no transcripts', async () => {
    const { code, out, err } = await cli(['upgrade-check', '--from', '2025.8', '--to', '2025.10', '--json']);
    expect(code).toBe(0);
    expect(err).toBe('');
    const doc = JSON.parse(out) as { prediction: string; known: Array<{ id: string; state: string; seen: string[] }>; comparison: object };
    expect(doc.prediction).toMatch(/reference provider/);
    expect(doc.known.find((k) => k.id === 'email-verified-false')).toMatchObject({ state: 'seen' });
    expect(out).not.toContain('transcript');
  });

  it('compare --fail-on osticket: exit 1 only for a change that breaks osTicket (email_verified breaks other clients only)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oidc-harness-failon-'));
    const saved = async (name: string, profile: string, blueprint?: string) => {
      await harnessRun({ embedded: { profile: profile as '2026.8', ...(blueprint ? { blueprint } : {}) } }, { reportDir: join(dir, name) });
      return join(dir, name, 'results.json');
    };
    const v8 = await saved('a', '2025.8');
    const v10 = await saved('b', '2025.10');
    expect((await cli(['compare', v8, v10])).code).toBe(1); // a regression for other clients
    expect((await cli(['compare', v8, v10, '--fail-on', 'osticket'])).code).toBe(0);
    const broken = await saved('c', '2026.5', variant('grant-types-empty'));
    expect((await cli(['compare', v10, broken, '--fail-on', 'osticket'])).code).toBe(1);
    expect((await cli(['compare', v10, broken, '--fail-on', 'nobody'])).err).toMatch(/--fail-on.*nobody.*(any|osticket)/);
  });

  it.each([
    [['--from', '2025.9', '--to', '2026.8'], new RegExp(`^oidc-harness: --from "2025\\.9" is not an authentik version the reference provider knows; known versions: ${PROFILES.join(', ').replace(/\./g, '\\.')}`)],
    [['--from', '2025.10', '--to', 'latest'], /--to "latest" is not an authentik version/],
    [['--from', '2026.8', '--to', '2026.8'], /--from and --to are both 2026\.8/],
    [['--from', '2026.8', '--to', '2025.10'], /--to 2025\.10 is older than --from 2026\.8: authentik is upgraded forward/],
    [['--from', '2025.10', '--to', '2026.8', '--blueprint', '/nonexistent/export.yaml'], /blueprint/],
    [['--from', '2025.10', '--to', '2026.8', '--app', 'helpdesk'], /the blueprint of the guide cannot be used: .*--app helpdesk: no OAuth2 application has that slug; the OAuth2 applications are osticket/],
    [['--from', '2025.10'], /required option '--to <version>'/],
  ])('bad input %j: one sentence, exit 2, nothing runs', async (args, sentence) => {
    const { code, out, err } = await cli(['upgrade-check', ...args]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(sentence);
    expect(err).not.toMatch(/running the catalog|at .*\.ts:\d+/);
    expect(err.trim().split('\n').filter((l) => !/add --help/.test(l))).toHaveLength(1);
  });
});
