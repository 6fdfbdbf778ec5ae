/**
 * .ci/setup-machine takes the Debian mirror from apt's configuration only (.ci/apt-mirror): deb822 .sources and
 * one-line .list files, sources.list.d included; with none it says so and builds nothing (issue 10 item 8). And no
 * code of ours names a registry or mirror host: image names users pull (ghcr.io/goauthentik/server,
 * docker.io/library/...) are product defaults, not traffic of ours; a package registry or mirror host never appears.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, '.ci/apt-mirror');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** Runs .ci/apt-mirror against a made-up apt configuration: { 'sources.list': ..., 'sources.list.d/x.sources': ... }. */
function mirrorFor(files: Record<string, string>, suite?: string): { out: string; code: number | null } {
  const etc = mkdtempSync(join(tmpdir(), 'oidc-harness-apt-'));
  dirs.push(etc);
  mkdirSync(join(etc, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(etc, name), text);
  const r = spawnSync(SCRIPT, suite ? [suite] : [], { env: { ...process.env, APT_SOURCES_LIST: join(etc, 'sources.list'), APT_SOURCES_PARTS: join(etc, 'sources.list.d') }, encoding: 'utf8' });
  return { out: r.stdout.trim(), code: r.status };
}

const SECURITY = 'Types: deb\nURIs: http://security.mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n';

describe('.ci/apt-mirror: the Debian mirror from apt\'s configuration', () => {
  it('deb822 .sources (comment lines inside a stanza, several suites, the security archive beside it)', () => {
    const text = `Types: deb\n# a snapshot note\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n${SECURITY}`;
    expect(mirrorFor({ 'sources.list.d/debian.sources': text })).toEqual({ out: 'http://mirror.example/debian', code: 0 });
    expect(mirrorFor({ 'sources.list.d/debian.sources': text }, 'bookworm-security').out).toBe('http://security.mirror.example/debian-security');
  });

  it('skips disabled stanzas, deb-src, other suites and URIs debootstrap cannot use; takes the first usable URI', () => {
    const text = [
      'Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n',
      'Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\nComponents: main\n',
      'Types: deb\nURIs: https://nodes.example/node_20.x\nSuites: nodistro\nComponents: main\n',
      'Types: deb deb-src\nURIs: mirror+file:///etc/apt/mirrors.txt\n  https://one.example/debian https://two.example/debian\nSuites: bookworm\nComponents: main\n',
    ].join('\n');
    expect(mirrorFor({ 'sources.list.d/a.sources': text }).out).toBe('https://one.example/debian');
  });

  it('one-line .list files, with options in brackets, in sources.list and sources.list.d', () => {
    expect(mirrorFor({ 'sources.list': '# deb http://commented.example/debian bookworm main\ndeb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://list.example/debian bookworm main contrib\n' }).out).toBe('http://list.example/debian');
    expect(mirrorFor({ 'sources.list.d/extra.list': 'deb-src http://src.example/debian bookworm main\ndeb [ trusted=yes ] file:///srv/debian bookworm main\n' }).out).toBe('file:///srv/debian');
  });

  it('prints nothing and exits 1 when no source carries the suite (no host of its own to fall back to)', () => {
    expect(mirrorFor({})).toEqual({ out: '', code: 1 });
    expect(mirrorFor({ 'sources.list.d/debian.sources': SECURITY, 'sources.list.d/disabled.list.disabled': 'deb http://x.example/debian bookworm main\n' })).toEqual({ out: '', code: 1 });
  });

  it('setup-machine reads the mirror through it, and says in one sentence that nothing is built without one', () => {
    const text = readFileSync(join(ROOT, '.ci/setup-machine'), 'utf8');
    expect(text).toContain('MIRROR=$(.ci/apt-mirror bookworm)');
    expect(text).toMatch(/problem "apt's configuration names no Debian bookworm mirror [^"]*, so the local images are not built and the tests that need them skip with that reason"/);
    expect(spawnSync('bash', ['-n', join(ROOT, '.ci/setup-machine')]).status).toBe(0);
  });
});

describe('no registry or mirror host in the project', () => {
  // Spelled in pieces so that this file does not contain them either.
  const HOSTS = [['deb', 'debian', 'org'], ['registry', 'npmjs', 'org'], ['registry-1', 'docker', 'io'], ['registry', 'yarnpkg', 'com'], ['security', 'debian', 'org'], ['archive', 'ubuntu', 'com'], ['dl-cdn', 'alpinelinux', 'org']].map((p) => p.join('.'));
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);

  it.each(HOSTS)('%s appears in no tracked file', (host) => {
    const hits = files.filter((f) => { try { return readFileSync(join(ROOT, f), 'utf8').includes(host); } catch { return false; } });
    expect(hits).toEqual([]);
  });
});
