/**
 * The containers target (DESIGN.md "Targets"): Testcontainers start the stack, the harness reaches every container
 * by its network alias through the resolution map, and `close()` tears everything down. With real images that is
 * authentik + PostgreSQL + osTicket + MySQL (compose/containers/stack.ts startStack); where AUTHENTIK_IMAGE is the
 * locally built reference provider (our CI, no registry) it is the local stack, which has no osTicket server.
 */
import { DEFAULT_IMAGES, dockerUnavailableReason, isReferenceAuthentik, stackImages, startLocalStack, startStack } from '../compose/containers/index.ts';
import { HarnessInputError, type HarnessConfig } from './config.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './target.ts';
import type { Target } from './target-types.ts';

export async function containersTarget(cfg: HarnessConfig, env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const why = await dockerUnavailableReason();
  if (why) throw new HarnessInputError(`the containers target needs Docker: ${why}`);
  const images = stackImages(env);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const local = isReferenceAuthentik(images.authentik);
  let stack;
  try {
    stack = local ? await startLocalStack({ progress, env }) : await startStack({ progress, env });
  } catch (e) {
    throw new HarnessInputError(`the containers stack did not start: ${(e as Error).message}`);
  }
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
    deadlineMs: cfg.timeouts?.runMs ?? 120_000,
    ...(cfg.requestBudget !== undefined ? { requestBudget: cfg.requestBudget } : {}),
    readOnly: false,
    close: () => stack.stop(),
  };
  if (stack.kind === 'local') {
    return {
      ...common,
      description: `containers: reference provider image ${images.authentik} (a stand-in for authentik) + ${images.mysql}`,
      noOsticketReason: `this stack runs the reference provider image (${images.authentik}) and no osTicket: the real osTicket and authentik images need a registry; set AUTHENTIK_IMAGE to a real authentik image (default ${DEFAULT_IMAGES.authentikImage}) to start the full stack`,
    };
  }
  return {
    ...common,
    description: `containers: authentik ${images.authentik}, osTicket ${images.osticket ?? 'built from compose/containers/osticket'}, ${images.mysql}, ${images.postgres}`,
    osticketServer: {
      baseUrl: stack.osticketUrl,
      agentEmail: stack.user.email,
      db: { host: stack.mysql.host, port: stack.mysql.port, user: stack.mysql.user, password: stack.mysql.password, database: stack.mysql.database, prefix: stack.mysql.prefix, secretSalt: stack.osticket.secretSalt },
    },
  };
}

export { DEFAULT_IMAGES };
