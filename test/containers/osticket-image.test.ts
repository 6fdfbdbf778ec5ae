/**
 * The osTicket image: PHP's production settings in its Dockerfile (issue 10 item 1: no PHP notice may reach a page),
 * and images built from a folder of ours are never stale (item 2): keyed by a hash of every context file and the
 * build arguments, reused while the key matches, rebuilt when it does not, and never built where pulling is off
 * (the reason names the missing image). The build itself is exercised with a small image FROM the local Debian image
 * (the osTicket Dockerfile needs a registry); the running osTicket container is checked in osticket-stack.test.ts.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerfileBaseImages, ensureBuiltImage, imageInputsKey, inspectBuiltImage } from '../../compose/containers/built-image.ts';
import { DEFAULT_IMAGES, LOCAL_IMAGES, stackImages } from '../../compose/containers/images.ts';
import { OSTICKET_CONTEXT, planOsticketImage, type ImageLookup } from '../../compose/containers/osticket-image.ts';
import { imageExists } from '../../compose/containers/stack.ts';
import { dockerReason } from './docker-env.ts';

const dockerfile = readFileSync(join(OSTICKET_CONTEXT, 'Dockerfile'), 'utf8');
/** Dockerfile instructions with line continuations joined and comments dropped. */
const instructions = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

function parseIni(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_.]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trim().startsWith(';')) out[m[1]!] = m[2]!;
  }
  return out;
}

describe("osTicket Dockerfile: PHP's production settings", () => {
  it('activates php.ini-production as php.ini', () => {
    expect(instructions.some((l) => /^RUN\b.*\b(cp|mv)\s+"?\$PHP_INI_DIR\/php\.ini-production"?\s+"?\$PHP_INI_DIR\/php\.ini"?(\s|;|$)/.test(l))).toBe(true);
  });

  it('copies an ini file into conf.d that turns display_errors off at the production error level', () => {
    const copies = instructions.map((l) => /^COPY\s+(\S+)\s+"?\$PHP_INI_DIR\/conf\.d\/(\S+\.ini)"?$/.exec(l)).filter((m) => m !== null);
    expect(copies).toHaveLength(1);
    const ini = parseIni(readFileSync(join(OSTICKET_CONTEXT, copies[0]![1]!), 'utf8'));
    expect(ini.display_errors?.toLowerCase()).toBe('off');
    expect(ini.display_startup_errors?.toLowerCase()).toBe('off');
    // php.ini-production's error level (PHP 8.2): everything except deprecations and strict notices.
    expect(ini.error_reporting).toBe('E_ALL & ~E_DEPRECATED & ~E_STRICT');
    // conf.d files are read in name order after php.ini: ours must not be overridden by a later one.
    expect(copies[0]![2]!.startsWith('zz-')).toBe(true);
  });

  it('the settings come after FROM and before anything could serve a page', () => {
    const from = instructions.findIndex((l) => /^FROM\b/.test(l));
    const ini = instructions.findIndex((l) => l.includes('php.ini-production'));
    expect(from).toBeGreaterThanOrEqual(0);
    expect(ini).toBeGreaterThan(from);
  });

  it("its default OSTICKET_VERSION is the default image tag's version", () => {
    expect(/^ARG OSTICKET_VERSION=(\S+)$/m.exec(dockerfile)?.[1]).toBe(DEFAULT_IMAGES.osticketVersion);
    expect(DEFAULT_IMAGES.osticket).toBe(`oidc-harness/osticket:${DEFAULT_IMAGES.osticketVersion}`);
    expect(stackImages({ OSTICKET_VERSION: '1.18.3' })).toMatchObject({ osticket: 'oidc-harness/osticket:1.18.3', osticketBuildArgs: { OSTICKET_VERSION: '1.18.3' } });
  });
});

describe('image inputs key', () => {
  const dirs: string[] = [];
  const copy = () => {
    const d = mkdtempSync(join(tmpdir(), 'oidc-harness-ctx-'));
    cpSync(OSTICKET_CONTEXT, d, { recursive: true });
    dirs.push(d);
    return d;
  };
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('is stable for the same inputs and changes with the Dockerfile, a copied file, an added file and a build argument', () => {
    const base = imageInputsKey(OSTICKET_CONTEXT);
    expect(imageInputsKey(copy())).toBe(base);
    const a = copy(); writeFileSync(join(a, 'Dockerfile'), `${dockerfile}\n# changed\n`);
    const b = copy(); writeFileSync(join(b, 'php-production.ini'), 'display_errors = On\n');
    const c = copy(); writeFileSync(join(c, 'extra.conf'), 'x');
    const keys = [base, imageInputsKey(a), imageInputsKey(b), imageInputsKey(c), imageInputsKey(OSTICKET_CONTEXT, { OSTICKET_VERSION: '1.18.3' })];
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reads the base images of a Dockerfile (ARG defaults and build args substituted, stages left out)', () => {
    expect(dockerfileBaseImages(dockerfile)).toEqual(['docker.io/library/php:8.2-apache']);
    const multi = 'ARG V=3.19\nFROM alpine:${V} AS build\nFROM build\nFROM scratch\nFROM example/x:$V';
    expect(dockerfileBaseImages(multi)).toEqual(['alpine:3.19', 'example/x:3.19']);
    expect(dockerfileBaseImages(multi, { V: '3.20' })).toEqual(['alpine:3.20', 'example/x:3.20']);
  });
});

describe('which osTicket image the stack runs (decided before anything starts)', () => {
  const built = stackImages({});
  const given = stackImages({ OSTICKET_IMAGE: 'example.test/osticket:custom' });
  const key = imageInputsKey(OSTICKET_CONTEXT);
  const lookup = (images: Record<string, string>): ImageLookup => ({ inputsOf: async (i) => images[i] });

  it('reuses the built image while its inputs label matches', async () => {
    expect(await planOsticketImage(built, { pull: false, lookup: lookup({ [built.osticket]: key }) })).toMatchObject({ kind: 'use', image: built.osticket });
  });

  it('rebuilds a stale image where pulling is allowed, and never builds where it is not', async () => {
    const stale = lookup({ [built.osticket]: '0123456789abcdef' });
    expect(await planOsticketImage(built, { pull: true, lookup: stale })).toMatchObject({ kind: 'build', why: expect.stringContaining('was built from other inputs (0123456789abcdef') });
    const r = await planOsticketImage(built, { pull: false, lookup: stale });
    expect(r.kind).toBe('missing');
    expect(r.kind === 'missing' && r.reason).toMatch(/^osTicket image oidc-harness\/osticket:1\.18\.1 was built from other inputs .* needs its base image docker\.io\/library\/php:8\.2-apache/);
  });

  it('names the missing image when none is present and nothing may be pulled', async () => {
    const r = await planOsticketImage(built, { pull: false, lookup: lookup({}) });
    expect(r.kind === 'missing' && r.reason).toMatch(/^osTicket image oidc-harness\/osticket:1\.18\.1 is not present, and it cannot be built here: .*docker\.io\/library\/php:8\.2-apache.*set OSTICKET_IMAGE/);
    expect(await planOsticketImage(built, { pull: true, lookup: lookup({}) })).toMatchObject({ kind: 'build' });
  });

  it('OSTICKET_IMAGE is used as given: present, pulled, or named as missing', async () => {
    expect(await planOsticketImage(given, { pull: false, lookup: lookup({ [given.osticket]: '' }) })).toMatchObject({ kind: 'use' });
    expect(await planOsticketImage(given, { pull: true, lookup: lookup({}) })).toMatchObject({ kind: 'pull', image: given.osticket });
    const r = await planOsticketImage(given, { pull: false, lookup: lookup({}) });
    expect(r.kind === 'missing' && r.reason).toMatch(/^osTicket image example\.test\/osticket:custom \(OSTICKET_IMAGE\) is not present in the local Docker engine/);
  });
});

const debianReason = dockerReason ?? ((await imageExists(LOCAL_IMAGES.debian)) ? undefined : `${LOCAL_IMAGES.debian} is not present (run .ci/setup-machine)`);

describe.skipIf(Boolean(debianReason))(`building a keyed image for real (FROM ${LOCAL_IMAGES.debian})${debianReason ? `: skipped, ${debianReason}` : ''}`, () => {
  const tag = `oidc-harness/test-keyed-image:${process.pid}`;
  const ctx = mkdtempSync(join(tmpdir(), 'oidc-harness-build-'));
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${LOCAL_IMAGES.debian}\nARG GREETING=hello\nCOPY payload.txt /payload.txt\nRUN echo "$GREETING" > /greeting\n`);
  writeFileSync(join(ctx, 'payload.txt'), 'one\n');
  const lines: string[] = [];
  const build = (buildArgs: Record<string, string> = {}) => ensureBuiltImage({ context: ctx, tag, buildArgs, progress: (l) => lines.push(l) });

  afterAll(async () => {
    rmSync(ctx, { recursive: true, force: true });
    const left = await inspectBuiltImage(tag);
    if (left) {
      const { getContainerRuntimeClient } = await import('testcontainers');
      const api = (await getContainerRuntimeClient()).image as unknown as { dockerode: { getImage(n: string): { remove(o: object): Promise<unknown> } } };
      await api.dockerode.getImage(tag).remove({ force: true });
    }
    expect(await inspectBuiltImage(tag)).toBeUndefined();
  }, 60_000);

  it('builds once, labels the image with its inputs key, and reuses it while the inputs are unchanged', async () => {
    const first = await build();
    expect(first).toMatchObject({ built: true, key: imageInputsKey(ctx) });
    expect(lines.some((l) => /^Step \d+\/\d+ : COPY payload\.txt/.test(l))).toBe(true);
    expect((await inspectBuiltImage(tag))?.inputs).toBe(first.key);
    expect(await build()).toMatchObject({ built: false, key: first.key });
  }, 120_000);

  it('rebuilds when a copied file or a build argument changes, and removes the image it replaced', async () => {
    const old = (await inspectBuiltImage(tag))!;
    writeFileSync(join(ctx, 'payload.txt'), 'two\n');
    const second = await build();
    expect(second.built).toBe(true);
    expect(second.reason).toContain(`was built from other inputs (${old.inputs}`);
    const now = (await inspectBuiltImage(tag))!;
    expect(now.inputs).toBe(second.key);
    expect(now.id).not.toBe(old.id);
    expect(await imageExists(old.id)).toBe(false);
    expect(await build({ GREETING: 'bonjour' })).toMatchObject({ built: true });
    expect(await build({ GREETING: 'bonjour' })).toMatchObject({ built: false });
  }, 180_000);

  it("a failing build throws with the build's own error line and leaves the previous image in place", async () => {
    const before = (await inspectBuiltImage(tag))!;
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${LOCAL_IMAGES.debian}\nRUN echo "about to fail" && exit 3\n`);
    await expect(build()).rejects.toThrow(/building oidc-harness\/test-keyed-image:\d+ .* failed: The command '.*exit 3' returned a non-zero code: 3[\s\S]*about to fail/);
    expect((await inspectBuiltImage(tag))?.id).toBe(before.id);
  }, 120_000);
});
