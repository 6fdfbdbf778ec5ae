/**
 * Issue 9 §10, the CLI people expect (in-process: main() with captured output, no spawn): --version, --only on
 * diagnose, flags for the request timeout, run deadline and request budget, diagnose --help naming where the
 * password comes from, and serve-reference --help showing each default once.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../helpers/cli/main.ts';

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false, env: { CI: 'true' } }, out: () => out, err: () => err };
}

async function help(argv: string[]): Promise<string> {
  const cap = capture();
  expect(await main(argv, cap.io)).toBe(0);
  return cap.out();
}

describe('the CLI people expect', () => {
  it.each([['--version'], ['-V']])('%s prints the package version and exits 0', async (flag) => {
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect((await help([flag])).trim()).toBe(version);
  });

  it.each(['run', 'diagnose'])('%s has --only and flags for the request timeout, the run deadline, the request budget and the body cap', async (cmd) => {
    const text = await help([cmd, '--help']);
    for (const flag of ['--only', '--request-timeout', '--deadline', '--request-budget', '--max-body-bytes', '--config', '--report', '--json']) expect(text, flag).toContain(flag);
  });

  it('diagnose --help says where the test password comes from (--password-file, TEST_PASSWORD)', async () => {
    const text = await help(['diagnose', '--help']);
    expect(text).toContain('--password-file');
    expect(text).toContain('TEST_PASSWORD');
  });

  it('serve-reference --help shows each default once', async () => {
    const text = (await help(['serve-reference', '--help'])).replace(/\s+/g, ' ');
    for (const d of ['9000', '127.0.0.1', 'reports']) {
      const shown = text.match(new RegExp(`default:? "?${d.replace(/\./g, '\\.')}`, 'g')) ?? [];
      expect(shown, d).toHaveLength(1);
    }
    expect(text.match(/9000/g)).toHaveLength(2); // the default, and the example command line
  });

  it('diagnose --only with an unknown area is refused naming the areas', async () => {
    const cap = capture();
    expect(await main(['diagnose', '--only', 'nope'], cap.io)).toBe(2);
    expect(cap.err()).toMatch(/--only: unknown area "nope"/);
  });
});
