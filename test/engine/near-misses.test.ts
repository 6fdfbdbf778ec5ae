/**
 * Issue 8 item 1: near misses of osTicket's Redirect URI are built for every host shape (names, IDNs, IPv4, IPv6
 * literals, localhost, explicit ports), each differing from the registration in one respect; one that cannot be
 * built skips with the reason and never compares the URI with itself. A healthy set-up passes at every address.
 */
import { describe, expect, it } from 'vitest';
import { nearMisses, NEAR_MISS_KINDS } from '../../helpers/checks/catalog/near-misses.ts';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import { resolveTarget } from '../../helpers/target.ts';

const SHAPES = [
  'https://osticket.company/osticket/api/auth/oauth2',
  'http://127.0.0.1:8080/api/auth/oauth2',
  'http://[::1]:8080/api/auth/oauth2',
  'http://localhost:8080/api/auth/oauth2',
  'https://bücher.example/osticket/api/auth/oauth2',
  'https://xn--bcher-kva.example/api/auth/oauth2',
  'https://helpdesk.example:8443/support/api/auth/oauth2',
];

describe('near misses of the Redirect URI', () => {
  it.each(SHAPES)('%s: six misses, each a URL that differs from it in one respect', (uri) => {
    const misses = nearMisses(uri);
    expect(misses.map((m) => m.id)).toEqual(NEAR_MISS_KINDS.map((k) => k.id));
    const registered = new URL(uri);
    for (const m of misses) {
      expect('uri' in m, `${m.id}: ${'unbuildable' in m ? m.unbuildable : ''}`).toBe(true);
      if (!('uri' in m)) continue;
      const u = new URL(m.uri);
      expect(m.uri).not.toBe(uri);
      expect(u.href).not.toBe(registered.href);
      const same = { scheme: u.protocol === registered.protocol, host: u.hostname === registered.hostname, port: u.port === registered.port };
      if (m.id === 'host') expect(same, m.uri).toEqual({ scheme: true, host: false, port: true });
      else if (m.id === 'scheme') expect(same.host && !same.scheme, m.uri).toBe(true);
      else expect(same, m.uri).toEqual({ scheme: true, host: true, port: true });
    }
  });

  it('the other host keeps the host shape: a neighbouring address for IP literals, an evil- label for names', () => {
    const host = (uri: string) => nearMisses(uri).find((m) => m.id === 'host');
    expect(host('http://127.0.0.1:8080/api/auth/oauth2')).toMatchObject({ uri: 'http://127.0.0.2:8080/api/auth/oauth2' });
    expect(host('http://10.1.2.255/api/auth/oauth2')).toMatchObject({ uri: 'http://10.1.2.254/api/auth/oauth2' });
    expect(host('http://[::1]:8080/api/auth/oauth2')).toMatchObject({ uri: 'http://[::2]:8080/api/auth/oauth2' });
    expect(host('http://localhost:8080/api/auth/oauth2')).toMatchObject({ uri: 'http://evil-localhost:8080/api/auth/oauth2' });
    expect(host('https://osticket.company/osticket/api/auth/oauth2')).toMatchObject({ uri: 'https://evil-osticket.company/osticket/api/auth/oauth2' });
  });

  it('a miss that cannot be built says why instead of returning the URI itself', () => {
    const byId = Object.fromEntries(nearMisses('http://127.0.0.1:8080/').map((m) => [m.id, m]));
    expect(byId.case).toEqual({ id: 'case', title: 'upper case path', unbuildable: 'the path "/" has no lower-case letter to change' });
    expect(nearMisses('not a url').every((m) => 'unbuildable' in m)).toBe(true);
  });
});

describe('a healthy set-up passes the Redirect URI property wherever osTicket lives (embedded target)', () => {
  it.each([...SHAPES, 'http://127.0.0.1:8080/'])('osTicket at %s', async (uri) => {
    const target = await resolveTarget({ osticket: { redirectUri: uri } });
    try {
      const run = await runChecks(target, CATALOG, { only: ['login', 'redirect-uri'] });
      expect(run.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.actual}`)).toEqual([]);
      const skipped = run.results.filter((r) => r.status === 'skip').map((r) => `${r.id}: ${r.reason}`);
      expect(skipped).toEqual(uri.endsWith('/') ? [`redirect-uri.near-miss.case: no upper case path near miss of ${uri} can be built: the path "/" has no lower-case letter to change`] : []);
      expect(run.verdict).toBe('pass');
    } finally {
      await target.close?.();
    }
  });
});
