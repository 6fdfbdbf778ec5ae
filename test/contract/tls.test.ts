/**
 * Contract: serving the guide's https URLs (authentik.md §9: authentik serves HTTPS on 9443; cookies are
 * SameSite=None; Secure over TLS, authentik/root/settings.py). The CA is a throwaway written to tlsDir.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, fetch } from 'undici';
import type { RunningReferenceProvider } from '../../compose/embedded/index.ts';
import { authorizePath, start } from './support.ts';

let ref: RunningReferenceProvider;
const dir = mkdtempSync(join(tmpdir(), 'ref-tls-test-'));
beforeAll(async () => {
  ref = await start({ tls: true, tlsDir: dir });
});
afterAll(async () => {
  await ref?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS with a throwaway CA', () => {
  it('serves https with a certificate for authentik.company that chains to the written CA', async () => {
    expect(ref.url.startsWith('https://127.0.0.1:')).toBe(true);
    expect(readFileSync(ref.caPath!, 'utf8')).toBe(ref.caPem);
    // authentik.company resolved to loopback: Host header, SNI and issuer keep the guide's name
    const agent = new Agent({ connect: { ca: ref.caPem, lookup: (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }] as never) } });
    const d = (await (await fetch(`https://authentik.company:${ref.port}/application/o/osticket/.well-known/openid-configuration`, { dispatcher: agent })).json()) as any;
    expect(d.issuer).toBe(`https://authentik.company:${ref.port}/application/o/osticket/`);
    const r = await fetch(`https://authentik.company:${ref.port}${authorizePath()}`, { dispatcher: agent, redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.getSetCookie()[0]).toMatch(/SameSite=None; Secure/);
    await agent.close();
  });
});
