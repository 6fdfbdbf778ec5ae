/**
 * The hostile corpus against a loopback server (issue 9): the reference provider behind a front that misbehaves
 * in one way per row (test/hostile/server-cases.ts), reached as a live target. Every row runs the real engine
 * in-process and must hold test/hostile/corpus-run.ts's assertions.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import type { HarnessConfig } from '../../helpers/config.ts';
import { guideLiveConfig } from '../cli/live-config.ts';
import { makePki, type TestPki } from '../http/certs.ts';
import { patience } from '../support/patience.ts';
import { runRow } from './corpus-run.ts';
import { startFront } from './front.ts';
import { SERVER_ROWS, type ServerRow } from './server-cases.ts';
import { useHostileFront } from './setup.ts';

const hostile = useHostileFront();
let pki: TestPki;
let caFile: string;

beforeAll(() => {
  pki = makePki();
  caFile = join(mkdtempSync(join(tmpdir(), 'oidc-harness-hostile-ca-')), 'ca.pem');
  writeFileSync(caFile, pki.caCert);
});

/**
 * Request timeouts: a row whose server stalls (kind 'slow') needs a short one so the stall is seen quickly, but
 * every other request of that row must still fit in it on a loaded machine (3 s for a loopback answer); the other
 * rows get a load-scaled one, so a busy machine never turns a slow healthy answer into "unreachable".
 */
function liveConfig(url: string, slow = false): HarnessConfig {
  return { ...guideLiveConfig(url), timeouts: { requestMs: slow ? 3_000 : patience(1_500), runMs: patience(20_000) } };
}

async function runServerRow(row: ServerRow): Promise<void> {
  if (!row.tls) {
    const { front } = hostile;
    front.setRules(row.rules?.(front) ?? []);
    const base = liveConfig(front.url, row.kind === 'slow');
    const cfg = row.cfg ? row.cfg(base, front) : base;
    await runRow(cfg, row);
    return;
  }
  // TLS rows: their own front under the guide's host name, reached through the resolution map.
  const cert = row.tls.cert === 'plain-http' ? undefined : pki[row.tls.cert];
  const own = await startFront(hostile.provider.port, cert);
  try {
    const port = new URL(own.url).port;
    const cfg: HarnessConfig = {
      ...liveConfig(`https://authentik.company:${port}`, row.kind === 'slow'),
      resolve: { [`authentik.company:${port}`]: `127.0.0.1:${port}` },
      ...(row.tls.ca ? { caFile } : {}),
    };
    await runRow(cfg, row);
  } finally {
    await own.close();
  }
}

describe('hostile provider: one bad behaviour per row', { timeout: patience(40_000) }, () => {
  it.each(SERVER_ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    await runServerRow(row);
  });
});
