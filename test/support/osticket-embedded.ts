/**
 * The embedded target (reference provider in-process) with an osTicket stand-in (test/osticket/fixtures) as its
 * osTicket server, reached at an IP address, [::1] or localhost:PORT, at the root or under a sub-path, directly or
 * behind a prefix-mapping reverse proxy (test/support/prefix-proxy.ts). The provider registers the stand-in's
 * callback through the blueprint's !Env OSTICKET_REDIRECT_URI, as `run --redirect-uri` would.
 */
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import type { RunResult } from '../../helpers/checks/types.ts';
import type { HarnessConfig } from '../../helpers/config.ts';
import { createHttp, type Http } from '../../helpers/http/index.ts';
import { resolveTarget } from '../../helpers/target.ts';
import type { OsticketServer, Target } from '../../helpers/target-types.ts';
import { startOsticketStandin, type RunningStandin, type StandinConfig, type StandinOptions } from '../osticket/fixtures/osticket-standin.ts';
import { startPrefixProxy } from './prefix-proxy.ts';
import { patience } from './patience.ts';

export interface OsticketSetupOptions {
  host?: StandinOptions['host'];
  /** osTicket's ROOT_PATH (default "/"). */
  rootPath?: string;
  /** Publish osTicket under this prefix through a reverse proxy (e.g. "/helpdesk/"). */
  proxyPrefix?: string;
  /** The base URL given to the harness without its trailing slash. */
  baseWithoutSlash?: boolean;
  /** The harness's configuration (profile, blueprint, ...), given the callback; osticket.redirectUri defaults to it. */
  cfg?: HarnessConfig | ((callback: string) => HarnessConfig);
  /** osTicket's settings and behaviour, given the callback URL users reach (defaults: the guide's, right). */
  standin?: (callback: string, target: Target) => Partial<StandinConfig>;
  /** Extra osTicket server settings (db). */
  server?: Partial<OsticketServer>;
}

export interface OsticketSetup {
  target: Target;
  standin: RunningStandin;
  /** The base URL as users reach osTicket (through the proxy when there is one), with trailing slash. */
  base: string;
  callback: string;
  /** osTicket's server-side HTTP (its token and userinfo requests are in this transcript). */
  serverHttp: Http;
  run(): Promise<RunResult>;
  close(): Promise<void>;
}

export async function embeddedWithOsticket(o: OsticketSetupOptions = {}): Promise<OsticketSetup> {
  const rootPath = o.rootPath ?? '/';
  const standin = await startOsticketStandin({ host: o.host, rootPath });
  const closers: Array<() => Promise<void>> = [() => standin.close()];
  try {
    let base = standin.baseUrl;
    if (o.proxyPrefix) {
      const proxy = await startPrefixProxy({ upstreamPort: standin.port, upstreamPrefix: rootPath, publicPrefix: o.proxyPrefix });
      closers.push(() => proxy.close());
      base = proxy.baseUrl;
    }
    const callback = `${base}api/auth/oauth2`;
    const cfg = typeof o.cfg === 'function' ? o.cfg(callback) : (o.cfg ?? {});
    const target = await resolveTarget({ ...cfg, osticket: { redirectUri: callback, ...cfg.osticket } });
    closers.push(async () => target.close?.());
    target.osticketServer = { baseUrl: o.baseWithoutSlash ? base.replace(/\/$/, '') : base, agentEmail: target.user.email, ...o.server };
    const serverHttp = createHttp({ timeoutMs: patience(5_000) });
    closers.push(() => serverHttp.close());
    const t = target.osticket;
    standin.configure({
      redirectUri: callback, clientId: t.clientId, clientSecret: t.clientSecret,
      urlAuthorize: t.authorizeUrl, urlAccessToken: t.tokenUrl, urlResourceOwnerDetails: t.userinfoUrl,
      scopes: 'email openid profile', authTarget: 'all', agents: [target.user.email ?? ''], serverActor: serverHttp.actor('osticket-server'),
      ...o.standin?.(callback, target),
    });
    return {
      target, standin, base, callback, serverHttp,
      run: () => runChecks(target, CATALOG),
      close: async () => {
        for (const c of closers.reverse()) await c();
      },
    };
  } catch (e) {
    for (const c of closers.reverse()) await c();
    throw e;
  }
}

/** "<status> <diagnosis>" of one check. */
export function statusOf(run: RunResult, id: string): string {
  const r = run.results.find((x) => x.id === id);
  if (!r) throw new Error(`no result for ${id}`);
  return `${r.status} ${r.diagnosis?.id ?? ''}`.trim();
}

/** Every failing check as "id -> diagnosis: actual" (for one-line assertions with a readable diff). */
export function failures(run: RunResult): string[] {
  return run.results.filter((r) => r.status === 'fail').map((r) => `${r.id} -> ${r.diagnosis?.id ?? ''}: ${r.actual ?? ''}`);
}
