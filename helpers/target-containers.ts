/**
 * The containers target (DESIGN.md "Targets"): Testcontainers start the stack, the harness reaches every container
 * by its network alias through the resolution map, and `close()` tears everything down. authentik is real authentik
 * (PostgreSQL + server + worker) or, where AUTHENTIK_IMAGE is the locally built reference provider (our CI, no
 * registry), that stand-in; osTicket + MySQL run whenever an osTicket image can be had (OSTICKET_IMAGE, or built
 * from compose/containers/osticket), and the osTicket-server checks run against it. Without one, those checks skip
 * with the reason naming the missing image.
 */
import { dockerUnavailableReason, startStack, type Stack } from '../compose/containers/index.ts';
import { HarnessInputError, type HarnessConfig } from './config.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './target.ts';
import type { Target } from './target-types.ts';
import { parseRelease } from './upgrade/versions.ts';

export async function containersTarget(
  cfg: HarnessConfig,
  env: NodeJS.ProcessEnv = process.env,
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Target> {
  const why = await dockerUnavailableReason();
  if (why) throw new HarnessInputError(`the containers target needs Docker: ${why}`);
  let stack: Stack;
  try {
    stack = await startStack({ progress, env, osticket: 'if-available' });
  } catch (e) {
    throw new HarnessInputError(`the containers stack did not start: ${(e as Error).message}`);
  }
  return stackTarget(stack, cfg);
}

/**
 * The authentik release a real image's tag names (ghcr.io/goauthentik/server:2026.8.7 -> 2026.8.7), recorded as the
 * run's version so `compare` names only the known upgrade changes between two runs' tags (helpers/upgrade/explain.ts).
 */
export function releaseOfImage(image: string): string | undefined {
  const tag = /:([^:/@]+)$/.exec(image)?.[1];
  return tag && parseRelease(tag) ? tag : undefined;
}

const releaseProfile = (image: string): { profile?: string } => {
  const release = releaseOfImage(image);
  return release ? { profile: release } : {};
};

/** The Target for a started stack (exported for tests that start the stack themselves). */
export function stackTarget(stack: Stack, cfg: HarnessConfig = {}): Target {
  const ak = stack.authentik.reference ? `reference provider image ${stack.authentik.image} (a stand-in for authentik)` : `authentik ${stack.authentik.image}`;
  const common = {
    kind: 'containers' as const,
    authentikUrl: stack.authentikUrl,
    slug: stack.slug,
    discoveryUrl: stack.discoveryUrl,
    osticket: {
      redirectUri: stack.client.redirectUri,
      clientId: stack.client.clientId,
      clientSecret: stack.client.clientSecret,
      authorizeUrl: stack.endpoints.authorize,
      tokenUrl: stack.endpoints.token,
      userinfoUrl: stack.endpoints.userinfo,
      scopes: cfg.osticket?.scopes ?? stack.client.scopes,
    },
    user: { username: stack.user.username, password: stack.user.password, email: stack.user.email, name: stack.user.name },
    resolve: stack.resolve,
    requestTimeoutMs: cfg.timeouts?.requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...(cfg.maxBodyBytes !== undefined ? { maxBodyBytes: cfg.maxBodyBytes } : {}),
    ...(cfg.concurrency !== undefined ? { concurrency: cfg.concurrency } : {}),
    deadlineMs: cfg.timeouts?.runMs ?? 120_000,
    ...(cfg.requestBudget !== undefined ? { requestBudget: cfg.requestBudget } : {}),
    readOnly: false,
    ...(stack.authentik.reference ? {} : releaseProfile(stack.authentik.image)),
    close: () => stack.stop(),
  };
  const ost = stack.osticket;
  if (!ost) {
    return {
      ...common,
      description: `containers: ${ak} + ${stack.images.mysql}; no osTicket`,
      noOsticketReason: `no osTicket container: ${stack.noOsticketReason ?? 'not started'}`,
    };
  }
  return {
    ...common,
    description: `containers: ${ak}, osTicket ${ost.image}, ${stack.images.mysql}${stack.authentik.postgres ? `, ${stack.images.postgres}` : ''}`,
    osticketServer: {
      baseUrl: ost.url,
      agentEmail: stack.user.email,
      db: { host: stack.mysql.host, port: stack.mysql.port, user: stack.mysql.user, password: stack.mysql.password, database: stack.mysql.database, prefix: stack.mysql.prefix, secretSalt: ost.secretSalt },
      pluginPaths: ost.pluginPaths,
    },
  };
}
