/**
 * Issue 9 §2: the whole configuration (file, env and flags merged) is validated by one schema before anything
 * runs. Every wrong type, unknown nested key and impossible value is refused with one sentence naming the key path
 * (exit 2 from the CLI), never an "internal error" and never a run that blames authentik.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../helpers/cli/main.ts';
import { applyFlags, splitIssuer } from '../../helpers/cli/flags.ts';
import { closestKey, configKeyPaths } from '../../helpers/config-schema.ts';
import { configFromEnv, HarnessInputError, loadConfigFile, validateConfig } from '../../helpers/config.ts';
import { resolveTarget } from '../../helpers/target.ts';

const dir = mkdtempSync(join(tmpdir(), 'oidc-harness-schema-'));
let n = 0;
function file(yaml: string): string {
  const f = join(dir, `c${n++}.yaml`);
  writeFileSync(f, yaml);
  return f;
}

function capture(env: NodeJS.ProcessEnv = {}): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false, env: { CI: 'true', ...env } }, out: () => out, err: () => err };
}

/** Each row: a config file body, and the sentence it must be refused with (key path first). */
const BAD_FILES: Array<[string, string, RegExp]> = [
  ['scopes as a list', 'osticket:\n  scopes: [email, openid]\n', /osticket\.scopes .*must be .*text.*not a list \(2 items\)/],
  ['scopes as a number', 'osticket:\n  scopes: 5\n', /osticket\.scopes .*must be .*not 5$/],
  ['caFile as a number', 'caFile: 5\n', /caFile .*must be the path of a PEM file.*not 5$/],
  ['embedded.blueprint as a number', 'embedded:\n  blueprint: 5\n', /embedded\.blueprint .*must be the path of an authentik blueprint.*not 5$/],
  ['client.sekret', 'client:\n  sekret: x\n', /unknown setting "client\.sekret" \(did you mean client\.secret\?\)/],
  ['client.secret_file', 'client:\n  secret_file: x\n', /unknown setting "client\.secret_file" \(did you mean client\.secretFile\?\)/],
  ['a nested unknown key with no near name', 'osticket:\n  db:\n    host: h\n    user: u\n    database: d\n    colour: red\n', /unknown setting "osticket\.db\.colour" \(known: osticket\.db\.host, /],
  ['timeouts.requestMs: 0', 'timeouts:\n  requestMs: 0\n', /timeouts\.requestMs \(--request-timeout\) must be a whole number of milliseconds from 1 to \d+, not 0/],
  ['timeouts.runMs: -1', 'timeouts:\n  runMs: -1\n', /timeouts\.runMs \(--deadline\) must be a whole number of milliseconds .*not -1/],
  ['timeouts.requestMs: 1.5', 'timeouts:\n  requestMs: 1.5\n', /timeouts\.requestMs .*not 1\.5/],
  ['clockOffsetSec: "x"', 'embedded:\n  clockOffsetSec: "x"\n', /embedded\.clockOffsetSec must be a whole number of seconds.*not "x"/],
  ['an unknown profile', 'embedded:\n  profile: "2019.1"\n', /embedded\.profile .*must be one of 2025\.8, 2025\.10, 2025\.12, 2026\.2, 2026\.5, 2026\.8, not "2019\.1"/],
  ['target: nope', 'target: nope\n', /target \(--target \/ OIDC_HARNESS_TARGET\) must be one of embedded, containers, live, not "nope"/],
  ['client as a list', 'client: [a, b]\n', /client must be a mapping with id, secret, secretFile, not a list/],
  ['authentik.url not http', 'authentik:\n  url: ftp://x\n', /authentik\.url .*must be an absolute http\(s\) URL.*not "ftp:\/\/x"/],
  ['a bad slug', 'authentik:\n  slug: "a/b"\n', /authentik\.slug .*must be an application slug/],
  ['requestBudget: 3', 'requestBudget: 3\n', /requestBudget \(--request-budget\) must be a whole number of requests, at least 10, not 3/],
  ['a resolve entry with a bad target', 'resolve:\n  "a.b:443": "somewhere"\n', /resolve\.a\.b:443 \(--resolve \/ OIDC_HARNESS_RESOLVE\) must be ip:port/],
  ['db.port: "3306x"', 'osticket:\n  db: { host: h, user: u, database: d, port: "3306x" }\n', /osticket\.db\.port must be a port number from 1 to 65535, not "3306x"/],
  ['db without host', 'osticket:\n  db: { user: u, database: d }\n', /osticket\.db\.host must be a host name or address, not missing/],
  ['a control character in a value is not echoed raw', 'target: "\\e]0;owned\\a"\n', /^[^\u0000-\u001f\u007f]*target .*not "\\u001b\]0;owned\\u0007"$/],
];

describe('a bad config file is refused naming the key path', () => {
  it.each(BAD_FILES)('%s', (_name, yaml, sentence) => {
    const f = file(yaml);
    let error: unknown;
    try {
      loadConfigFile(f);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HarnessInputError);
    expect((error as Error).message).toMatch(new RegExp(`^the config file ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect((error as Error).message).toMatch(sentence);
    expect((error as Error).message).not.toMatch(/\n/);
  });

  it.each(BAD_FILES.slice(0, 6))('the CLI: %s exits 2 with that one sentence on stderr, nothing on stdout', async (_name, yaml, sentence) => {
    const cap = capture();
    const code = await main(['run', '--config', file(yaml)], cap.io);
    expect(code).toBe(2);
    expect(cap.out()).toBe('');
    expect(cap.err().trim().split('\n')).toHaveLength(1);
    expect(cap.err().trim()).toMatch(sentence);
    expect(cap.err()).not.toMatch(/internal error/);
  });
});

describe('env and flags are validated with the file, merged', () => {
  it.each<[string, string[], NodeJS.ProcessEnv, RegExp]>([
    ['--request-timeout 0', ['run', '--request-timeout', '0'], {}, /timeouts\.requestMs \(--request-timeout\) .*not 0/],
    ['--request-timeout abc', ['run', '--request-timeout', 'abc'], {}, /timeouts\.requestMs \(--request-timeout\) .*not "abc"/],
    ['--deadline -1', ['run', '--deadline', '-1'], {}, /timeouts\.runMs \(--deadline\) .*not -1/],
    ['--request-budget 2', ['run', '--request-budget', '2'], {}, /requestBudget \(--request-budget\) .*at least 10, not 2/],
    ['--max-body-bytes 10', ['run', '--max-body-bytes', '10'], {}, /maxBodyBytes \(--max-body-bytes\) .*not 10/],
    ['--profile 1999', ['run', '--profile', '1999'], {}, /embedded\.profile \(--profile \/ OIDC_HARNESS_PROFILE\) must be one of/],
    ['OIDC_HARNESS_TARGET=bogus', ['run'], { OIDC_HARNESS_TARGET: 'bogus' }, /target \(--target \/ OIDC_HARNESS_TARGET\) must be one of .*not "bogus"/],
    ['OIDC_HARNESS_PROFILE=1999', ['run'], { OIDC_HARNESS_PROFILE: '1999' }, /embedded\.profile .*not "1999"/],
    ['AUTHENTIK_URL=ftp://x (live)', ['diagnose'], { AUTHENTIK_URL: 'ftp://x' }, /authentik\.url .*must be an absolute http\(s\) URL/],
  ])('%s', async (_name, argv, env, sentence) => {
    const cap = capture(env);
    expect(await main(argv, cap.io)).toBe(2);
    expect(cap.out()).toBe('');
    expect(cap.err().trim().split('\n')).toHaveLength(1);
    expect(cap.err().trim()).toMatch(sentence);
  });

  it('a flag overrides the file, and the merged configuration is what is validated', () => {
    const base = configFromEnv({ OSTICKET_SCOPES: 'openid' }, validateConfig({ timeouts: { requestMs: 5000 } }));
    const merged = applyFlags(base, { requestTimeout: '7000', deadline: '9000', scopes: 'email openid profile' });
    expect(validateConfig(merged)).toEqual({ timeouts: { requestMs: 7000, runMs: 9000 }, osticket: { scopes: 'email openid profile' } });
  });

  it('resolveTarget refuses a bad configuration before anything starts (no provider, no request)', async () => {
    await expect(resolveTarget({ timeouts: { requestMs: 0 } })).rejects.toThrow(/timeouts\.requestMs .*not 0/);
    await expect(resolveTarget({ embedded: { blueprint: 5 as unknown as string } })).rejects.toThrow(HarnessInputError);
  });
});

describe('the schema is the one definition', () => {
  it('knows every key the README documents', () => {
    const keys = configKeyPaths();
    for (const k of ['target', 'embedded.profile', 'embedded.blueprint', 'embedded.clockOffsetSec', 'authentik.url', 'authentik.slug', 'client.id', 'client.secretFile', 'osticket.url', 'osticket.redirectUri', 'osticket.scopes', 'osticket.db.host', 'user.username', 'user.passwordFile', 'user.email', 'resolve', 'caFile', 'timeouts.requestMs', 'timeouts.runMs', 'requestBudget', 'maxBodyBytes']) {
      expect(keys, k).toContain(k);
    }
  });

  it('"did you mean" finds case, separator and small typos, and nothing for unrelated words', () => {
    expect(closestKey('secret_file', ['id', 'secret', 'secretFile'])).toBe('secretFile');
    expect(closestKey('SECRETFILE', ['id', 'secret', 'secretFile'])).toBe('secretFile');
    expect(closestKey('sekret', ['id', 'secret', 'secretFile'])).toBe('secret');
    expect(closestKey('colour', ['id', 'secret', 'secretFile'])).toBeUndefined();
  });
});

describe('--issuer takes both values authentik shows on the provider page', () => {
  it.each([
    ['OpenID Configuration Issuer', 'https://authentik.company/application/o/osticket/'],
    ['the issuer without its slash', 'https://authentik.company/application/o/osticket'],
    ['OpenID Configuration URL', 'https://authentik.company/application/o/osticket/.well-known/openid-configuration'],
  ])('%s', (_name, value) => {
    expect(splitIssuer(value)).toEqual({ url: 'https://authentik.company', slug: 'osticket' });
  });

  it('an authentik under a path keeps the path', () => {
    expect(splitIssuer('https://sso.company/auth/application/o/help-desk/.well-known/openid-configuration')).toEqual({ url: 'https://sso.company/auth', slug: 'help-desk' });
  });

  it('anything else is refused naming both forms', () => {
    expect(() => splitIssuer('https://authentik.company/if/admin/')).toThrow(/OpenID Configuration Issuer.*OpenID Configuration URL/);
  });
});
