/**
 * The authentik half of a stack, on the stack's network under the alias `authentik` (port 9000), either
 * - real authentik (AUTHENTIK_IMAGE, default ghcr.io/goauthentik/server): PostgreSQL, server and worker, readiness as
 *   authentik.md §9 describes, then the guide's blueprint applied synchronously (§10); or
 * - the reference provider image (oidc-harness/reference-authentik, .ci/setup-machine), a stand-in for authentik that
 *   serves the same URLs from the same blueprint.
 * Either way the harness and osTicket reach it as http://authentik:9000.
 */
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { createHttp, type Http } from '../../helpers/http/index.ts';
import { randomPassword } from './credentials.ts';
import { pollUntil, type StackRun } from './lifecycle.ts';

export const AUTHENTIK_ALIAS = 'authentik';
export const AUTHENTIK_PORT = 9000;
export const AUTHENTIK_URL = `http://${AUTHENTIK_ALIAS}:${AUTHENTIK_PORT}`;

export interface AuthentikInput {
  image: string;
  /** Real authentik only. */
  postgresImage: string;
  /** The guide's blueprint as the stack uses it. */
  blueprintText: string;
  /** The env its !Env tags read (client id/secret, test user). */
  blueprintEnv: Record<string, string>;
  slug: string;
  clientId: string;
  username: string;
  /** Reference provider only: REFERENCE_VERSION and the blueprint path override of the teardown test. */
  env: NodeJS.ProcessEnv;
}

export interface StartedAuthentik {
  image: string;
  /** True for the reference provider image (a stand-in), false for real authentik. */
  reference: boolean;
  /** Mapped port of authentik:9000 on 127.0.0.1. */
  port: number;
  /** Real authentik: AUTHENTIK_BOOTSTRAP_TOKEN (an API token). */
  bootstrapToken?: string;
  /** Real authentik: its PostgreSQL as reached from the harness. */
  postgres?: { host: string; port: number; user: string; password: string; database: string };
  /** Secrets to keep out of transcripts. */
  secrets: string[];
}

/** The reference provider (compose/containers/reference-entry.ts) in one container. */
export async function startReferenceAuthentik(run: StackRun, input: AuthentikInput): Promise<StartedAuthentik> {
  const blueprintTarget = '/tmp/oidc-harness-stack-blueprint.yaml';
  const c = new GenericContainer(input.image)
    .withNetwork(run.network)
    .withNetworkAliases(AUTHENTIK_ALIAS)
    .withExposedPorts(AUTHENTIK_PORT)
    .withCopyContentToContainer([{ content: input.blueprintText, target: blueprintTarget }])
    .withEnvironment({
      REFERENCE_HOST: '0.0.0.0',
      REFERENCE_PORT: String(AUTHENTIK_PORT),
      REFERENCE_BLUEPRINT: input.env.OIDC_HARNESS_REFERENCE_BLUEPRINT ?? blueprintTarget,
      ...(input.env.REFERENCE_VERSION ? { REFERENCE_VERSION: input.env.REFERENCE_VERSION } : {}),
      ...input.blueprintEnv,
    })
    // reference-entry.ts prints this line once listening; the health path is authentik's readiness endpoint (§9).
    .withWaitStrategy(Wait.forAll([Wait.forLogMessage(/reference-authentik: listening/), Wait.forHttp('/-/health/ready/', AUTHENTIK_PORT).forStatusCode(200)]))
    .withStartupTimeout(60_000);
  const started = await run.start('authentik', c, input.image);
  return { image: input.image, reference: true, port: started.getMappedPort(AUTHENTIK_PORT), secrets: [] };
}

/** Real authentik: PostgreSQL, then server + worker (same image, same env), then its objects and the blueprint. */
export async function startRealAuthentik(run: StackRun, input: AuthentikInput): Promise<StartedAuthentik> {
  const pg = { user: 'authentik', password: randomPassword(), database: 'authentik' }; // < 99 chars (authentik.md §9)
  const bootstrapToken = randomPassword(32);
  const postgresC = new GenericContainer(input.postgresImage)
    .withNetwork(run.network)
    .withNetworkAliases('postgresql')
    .withExposedPorts(5432)
    .withEnvironment({ POSTGRES_USER: pg.user, POSTGRES_PASSWORD: pg.password, POSTGRES_DB: pg.database })
    // The official image prints this twice: once for the init server, once for the real one.
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(120_000);
  const postgres = await run.start('postgresql', postgresC, input.postgresImage);

  const akEnv: Record<string, string> = {
    AUTHENTIK_SECRET_KEY: randomPassword(48),
    AUTHENTIK_POSTGRESQL__HOST: 'postgresql',
    AUTHENTIK_POSTGRESQL__NAME: pg.database,
    AUTHENTIK_POSTGRESQL__USER: pg.user,
    AUTHENTIK_POSTGRESQL__PASSWORD: pg.password,
    // Read by the worker's system/bootstrap.yaml; set on both (§9 "Bootstrap").
    AUTHENTIK_BOOTSTRAP_PASSWORD: randomPassword(18),
    AUTHENTIK_BOOTSTRAP_TOKEN: bootstrapToken,
    AUTHENTIK_BOOTSTRAP_EMAIL: 'akadmin@example.com',
    // Only matters from 2026.5, whose default listen address became [::] (IPv4-only Docker networks need 0.0.0.0,
    // authentik.md §9 "2026.5 breaking change"); older versions already listen on 0.0.0.0:9000, so it is harmless there.
    AUTHENTIK_LISTEN__HTTP: `0.0.0.0:${AUTHENTIK_PORT}`,
    AUTHENTIK_ERROR_REPORTING__ENABLED: 'false',
    AUTHENTIK_DISABLE_STARTUP_ANALYTICS: 'true',
    AUTHENTIK_DISABLE_UPDATE_CHECK: 'true',
    ...input.blueprintEnv,
  };
  const server = new GenericContainer(input.image)
    .withCommand(['server'])
    .withNetwork(run.network)
    .withNetworkAliases(AUTHENTIK_ALIAS)
    .withExposedPorts(AUTHENTIK_PORT)
    .withEnvironment(akEnv)
    // §9 "Health": /-/health/ready/ is 200 once the database answers; every other path is 503 while starting.
    .withWaitStrategy(Wait.forHttp('/-/health/ready/', AUTHENTIK_PORT).forStatusCode(200))
    .withStartupTimeout(300_000);
  const worker = new GenericContainer(input.image)
    .withCommand(['worker'])
    .withNetwork(run.network)
    .withEnvironment(akEnv)
    // §10: blueprints are discovered under /blueprints; custom files go to /blueprints/custom/ in the worker.
    .withCopyContentToContainer([{ content: input.blueprintText, target: '/blueprints/custom/osticket.yaml' }])
    // The worker serves no port we use; its readiness is established through the API below (§9).
    .withWaitStrategy(Wait.forLogMessage(/./))
    .withStartupTimeout(120_000);
  const [srvR, wkR] = await Promise.allSettled([run.start('authentik-server', server, input.image), run.start('authentik-worker', worker, input.image)]);
  if (srvR.status === 'rejected') throw srvR.reason;
  if (wkR.status === 'rejected') throw wkR.reason;
  const port = srvR.value.getMappedPort(AUTHENTIK_PORT);

  const http = createHttp({ resolve: { [`${AUTHENTIK_ALIAS}:${AUTHENTIK_PORT}`]: `127.0.0.1:${port}` }, timeoutMs: 15_000 });
  for (const s of [bootstrapToken, pg.password, ...Object.values(input.blueprintEnv)]) http.secrets.add(s);
  try {
    await waitForAuthentikObjects(run, http, wkR.value, bootstrapToken, input);
  } catch (err) {
    const tail = run.logTail('authentik-worker').slice(-15);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- last log lines of authentik-worker ---\n${tail.join('\n')}`);
  } finally {
    await http.close();
  }
  return {
    image: input.image,
    reference: false,
    port,
    bootstrapToken,
    postgres: { host: '127.0.0.1', port: postgres.getMappedPort(5432), ...pg },
    secrets: [bootstrapToken, pg.password],
  };
}

/**
 * authentik readiness, authentik.md §9 "Startup order": the server can report ready before the worker created the
 * default flows, scope mappings and bootstrap objects. So: /-/health/ready/ = 200 (wait strategy), then poll the
 * API with the bootstrap token until the bootstrap token works, the flows the blueprint !Finds exist, the
 * self-signed certificate and the scope mappings exist; then apply the guide's blueprint synchronously with
 * `ak apply_blueprint custom/osticket.yaml` in the worker (§10: exit code 1 if invalid) and confirm its objects.
 */
async function waitForAuthentikObjects(run: StackRun, http: Http, worker: StartedTestContainer, token: string, input: AuthentikInput): Promise<void> {
  const api = http.actor('authentik-api');
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const get = async (path: string) => api.request(`${AUTHENTIK_URL}/api/v3/${path}`, { headers, label: `authentik API ${path.split('?')[0]}`, timeoutMs: 10_000 });
  const ok200 = (path: string) => async () => ((await get(path)).status === 200 ? true : undefined);
  const hasResults = (path: string) => async () => {
    const r = await get(path);
    const n = (r.json as { results?: unknown[] } | undefined)?.results?.length ?? 0;
    return r.status === 200 && n > 0 ? true : undefined;
  };
  const T = { timeoutMs: 240_000, intervalMs: 2_000 };
  await pollUntil('authentik: bootstrap token accepted (GET /api/v3/core/users/me/)', ok200('core/users/me/'), T);
  run.progress('authentik: bootstrap token accepted (worker applied system/bootstrap.yaml)');
  for (const slug of ['default-provider-authorization-implicit-consent', 'default-provider-invalidation-flow', 'default-authentication-flow']) {
    await pollUntil(`authentik: flow ${slug}`, ok200(`flows/instances/${slug}/`), T);
  }
  await pollUntil('authentik: "authentik Self-signed Certificate"', hasResults('crypto/certificatekeypairs/?name=authentik%20Self-signed%20Certificate'), T);
  for (const scope of ['openid', 'email', 'profile']) {
    await pollUntil(`authentik: scope mapping ${scope}`, hasResults(`propertymappings/provider/scope/?managed=goauthentik.io/providers/oauth2/scope-${scope}`), T);
  }
  run.progress('authentik: default flows, certificate and scope mappings present');

  let applied = false;
  for (let attempt = 1; attempt <= 3 && !applied; attempt++) {
    const r = await worker.exec(['ak', 'apply_blueprint', 'custom/osticket.yaml']);
    applied = r.exitCode === 0;
    if (!applied) {
      run.progress(`authentik: apply_blueprint attempt ${attempt} exited ${r.exitCode}: ${r.output.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`);
      await new Promise((res) => setTimeout(res, 5_000));
    }
  }
  if (!applied) throw new Error('authentik: `ak apply_blueprint custom/osticket.yaml` failed three times (see the lines above)');
  await pollUntil(`authentik: application ${input.slug}`, ok200(`core/applications/${input.slug}/`), T);
  await pollUntil(`authentik: provider with client_id ${input.clientId}`, hasResults(`providers/oauth2/?client_id=${encodeURIComponent(input.clientId)}`), T);
  await pollUntil(`authentik: user ${input.username}`, hasResults(`core/users/?username=${encodeURIComponent(input.username)}`), T);
  run.progress('authentik: blueprint applied: provider, application and test user present');
}
