/**
 * The Testcontainers stacks (GenericContainer + Network; no compose binary needed).
 *
 * startStack(): the REAL stack for machines with a registry: PostgreSQL 16, authentik server + worker, MySQL 8.x and
 * osTicket (built from compose/containers/osticket/Dockerfile), configured as the authentik osTicket guide says.
 * startLocalStack(): what our CI machines can run without a registry: the MariaDB image as MySQL and the reference
 * provider image as authentik, on one network.
 *
 * The harness talks to every container by its network alias through a resolution map
 * { "authentik:9000": "127.0.0.1:<mapped>", "osticket:80": "127.0.0.1:<mapped>" }, so URLs, the issuer and the
 * redirect URI are the same strings for the harness and for osTicket (authentik builds `iss` from the Host header,
 * authentik.md §1/§11 "Issuer depends on the Host header").
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { createHttp, type Http } from '../../helpers/http/index.ts';
import { DEFAULT_IMAGES, isReferenceAuthentik, stackImages, type StackImages } from './images.ts';
import { applyTestcontainersDefaults, beginStack, pollUntil, tearDownOnError, type ProgressSink, type StackRun } from './lifecycle.ts';
import { installOsticket, type OsticketInstallResult } from './osticket-setup.ts';

export const AUTHENTIK_ALIAS = 'authentik';
export const AUTHENTIK_PORT = 9000;
export const OSTICKET_ALIAS = 'osticket';
export const AUTHENTIK_URL = `http://${AUTHENTIK_ALIAS}:${AUTHENTIK_PORT}`;
export const OSTICKET_URL = `http://${OSTICKET_ALIAS}/`;
export const SLUG = 'osticket';
/** osTicket's callback (auth-oauth2 auth.php registerEndpoint): <base>api/auth/oauth2. */
export const REDIRECT_URI = `${OSTICKET_URL}api/auth/oauth2`;
const BLUEPRINT_PATH = fileURLToPath(new URL('../blueprints/osticket.yaml', import.meta.url));
const OSTICKET_CONTEXT = fileURLToPath(new URL('./osticket/', import.meta.url));

const secret = (bytes = 24) => randomBytes(bytes).toString('base64url');

export interface StackUser { username: string; password: string; email: string; name: string }
export interface StackClient { clientId: string; clientSecret: string; redirectUri: string; scopes: string }
export interface DbCredentials { host: string; port: number; user: string; password: string; database: string; rootPassword: string; prefix: string }

interface StackBase {
  /** Value of the oidc-harness.stack label on every container of this stack. */
  stackId: string;
  networkName: string;
  /** 'http://authentik:9000' (no trailing slash), the same string for the harness and osTicket. */
  authentikUrl: string;
  slug: string;
  /** `${authentikUrl}/application/o/osticket/` */
  issuer: string;
  discoveryUrl: string;
  endpoints: { authorize: string; token: string; userinfo: string; jwks: string };
  /** host:port of an alias -> 127.0.0.1:mapped port (helpers/http resolution map). */
  resolve: Record<string, string>;
  client: StackClient;
  user: StackUser;
  /** MySQL as reached from the harness (127.0.0.1 + mapped port). */
  mysql: DbCredentials;
  images: Partial<StackImages> & { mysql: string; authentik: string };
  /** Start time of each container, ms, and the whole stack. */
  timings: Record<string, number>;
  /** The last log lines of a container (for diagnostics). */
  logTail(container: string): string[];
  /** Stops every container and the network; idempotent. */
  stop(): Promise<void>;
}

export interface LocalStack extends StackBase {
  kind: 'local';
  ports: { authentik: number; mysql: number };
}

export interface Stack extends StackBase {
  kind: 'real';
  /** 'http://osticket/' */
  osticketUrl: string;
  osticket: OsticketInstallResult & { admin: { username: string; password: string; email: string } };
  authentikBootstrapToken: string;
  postgres: { host: string; port: number; user: string; password: string; database: string };
  ports: { authentik: number; osticket: number; mysql: number; postgres: number };
}

export interface StackOptions {
  progress?: ProgressSink;
  env?: NodeJS.ProcessEnv;
  /** Test hook: runs after each container started (throwing here exercises the teardown path). */
  afterContainerStarted?: (name: string, run: StackRun) => void | Promise<void>;
  /** Overrides for the test user / client (defaults: random secrets, the blueprint's user names). */
  user?: Partial<StackUser>;
  clientId?: string;
}

/** Quick Docker probe: undefined when a daemon answers, otherwise the reason (for test skips). */
export async function dockerUnavailableReason(): Promise<string | undefined> {
  applyTestcontainersDefaults();
  try {
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no answer within 5 s')), 5_000)),
    ]);
    await client.info;
    return undefined;
  } catch (err) {
    return `no Docker engine reachable (${err instanceof Error ? err.message : String(err)}); run .ci/setup-machine or start dockerd`;
  }
}

/** True when an image is present in the local engine (no pull attempted). */
export async function imageExists(image: string): Promise<boolean> {
  try {
    const client = await getContainerRuntimeClient();
    const { ImageName } = await import('testcontainers');
    return await client.image.exists(ImageName.fromString(image));
  } catch {
    return false;
  }
}

/** The guide's blueprint as it is: its values, the redirect URI included, come from !Env (blueprintEnv). */
export function stackBlueprint(path = BLUEPRINT_PATH): string {
  return readFileSync(path, 'utf8');
}

function endpointsFor(authentikUrl: string, slug: string) {
  // authentik.md §1: shared endpoints under /application/o/ with trailing slashes; per-slug issuer and JWKS.
  return {
    issuer: `${authentikUrl}/application/o/${slug}/`,
    discoveryUrl: `${authentikUrl}/application/o/${slug}/.well-known/openid-configuration`,
    endpoints: {
      authorize: `${authentikUrl}/application/o/authorize/`,
      token: `${authentikUrl}/application/o/token/`,
      userinfo: `${authentikUrl}/application/o/userinfo/`,
      jwks: `${authentikUrl}/application/o/${slug}/jwks/`,
    },
  };
}

function defaultUser(over: Partial<StackUser> = {}): StackUser {
  // Names as compose/blueprints/osticket.yaml defaults them; the password is random per stack.
  return { username: 'osticket-test', email: 'osticket-test@example.com', name: 'osTicket Test', password: secret(18), ...over };
}

/** Env the blueprint's !Env tags read (compose/blueprints/osticket.yaml header). */
function blueprintEnv(client: StackClient, user: StackUser): Record<string, string> {
  return {
    OSTICKET_CLIENT_ID: client.clientId,
    OSTICKET_CLIENT_SECRET: client.clientSecret,
    OSTICKET_TEST_USERNAME: user.username,
    OSTICKET_TEST_EMAIL: user.email,
    OSTICKET_TEST_PASSWORD: user.password,
    OSTICKET_REDIRECT_URI: client.redirectUri,
  };
}

// ------------------------------------------------------------------------------------------------ MySQL

export async function startMysql(run: StackRun, image: string, db: Omit<DbCredentials, 'host' | 'port'>): Promise<StartedTestContainer> {
  // Env as the official mysql image reads it (our MariaDB image reads the same names).
  const c = new GenericContainer(image)
    .withNetwork(run.network)
    .withNetworkAliases('mysql')
    .withExposedPorts(3306)
    .withEnvironment({ MYSQL_DATABASE: db.database, MYSQL_USER: db.user, MYSQL_PASSWORD: db.password, MYSQL_ROOT_PASSWORD: db.rootPassword })
    // mysql:8.x prints "ready for connections ... port: 3306" only for the final server (the init server says
    // port: 0); MariaDB prints "Version: ... port: 3306" likewise. \b keeps X Protocol's 33060 out.
    .withWaitStrategy(Wait.forLogMessage(/port: 3306\b/))
    .withStartupTimeout(180_000);
  return run.start('mysql', c, image);
}

// ------------------------------------------------------------------------------------------------ local stack

/**
 * MariaDB (MYSQL_IMAGE) + the reference provider (AUTHENTIK_IMAGE, oidc-harness/reference-authentik) on one
 * network, for machines without a registry (.ci/setup-machine builds both images).
 */
export async function startLocalStack(opts: StackOptions = {}): Promise<LocalStack> {
  const env = opts.env ?? process.env;
  const images = stackImages(env);
  const run = await beginStack({ progress: opts.progress, name: 'local' });
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  return tearDownOnError(run, async () => {
    const user = defaultUser(opts.user);
    const client: StackClient = { clientId: opts.clientId ?? 'osticket-harness-client', clientSecret: secret(32), redirectUri: REDIRECT_URI, scopes: 'email openid profile' };
    const dbNoHost = { user: 'osticket', password: secret(), database: 'osticket', rootPassword: secret(), prefix: 'ost_' };

    let t = Date.now();
    const mysqlC = await startMysql(run, images.mysql, dbNoHost);
    timings.mysql = Date.now() - t;
    await opts.afterContainerStarted?.('mysql', run);

    t = Date.now();
    const blueprintTarget = '/tmp/oidc-harness-stack-blueprint.yaml';
    const ak = new GenericContainer(images.authentik)
      .withNetwork(run.network)
      .withNetworkAliases(AUTHENTIK_ALIAS)
      .withExposedPorts(AUTHENTIK_PORT)
      .withCopyContentToContainer([{ content: stackBlueprint(), target: blueprintTarget }])
      .withEnvironment({
        REFERENCE_HOST: '0.0.0.0',
        REFERENCE_PORT: String(AUTHENTIK_PORT),
        REFERENCE_BLUEPRINT: env.OIDC_HARNESS_REFERENCE_BLUEPRINT ?? blueprintTarget,
        ...(env.REFERENCE_VERSION ? { REFERENCE_VERSION: env.REFERENCE_VERSION } : {}),
        ...blueprintEnv(client, user),
      })
      // compose/containers/reference-entry.ts prints this line once listening; the health path is authentik's
      // readiness endpoint (authentik.md §9 "Health").
      .withWaitStrategy(Wait.forAll([Wait.forLogMessage(/reference-authentik: listening/), Wait.forHttp('/-/health/ready/', AUTHENTIK_PORT).forStatusCode(200)]))
      .withStartupTimeout(60_000);
    const akC = await run.start('authentik', ak, images.authentik);
    timings.authentik = Date.now() - t;
    await opts.afterContainerStarted?.('authentik', run);
    timings.total = Date.now() - t0;

    const mysqlPort = mysqlC.getMappedPort(3306);
    const akPort = akC.getMappedPort(AUTHENTIK_PORT);
    run.progress(`local stack up in ${run.elapsed()}s: authentik -> 127.0.0.1:${akPort}, mysql -> 127.0.0.1:${mysqlPort}`);
    return {
      kind: 'local',
      stackId: run.id,
      networkName: run.network.getName(),
      authentikUrl: AUTHENTIK_URL,
      slug: SLUG,
      ...endpointsFor(AUTHENTIK_URL, SLUG),
      resolve: { [`${AUTHENTIK_ALIAS}:${AUTHENTIK_PORT}`]: `127.0.0.1:${akPort}` },
      client,
      user,
      mysql: { host: '127.0.0.1', port: mysqlPort, ...dbNoHost },
      images: { mysql: images.mysql, authentik: images.authentik },
      ports: { authentik: akPort, mysql: mysqlPort },
      timings,
      logTail: (name) => run.logTail(name),
      stop: () => run.stop(),
    } satisfies LocalStack;
  });
}

// ------------------------------------------------------------------------------------------------ real stack

/** Builds the osTicket image from compose/containers/osticket/Dockerfile unless it exists (or OSTICKET_IMAGE is set). */
async function ensureOsticketImage(run: StackRun, images: StackImages): Promise<void> {
  if (await imageExists(images.osticket)) return;
  if (!images.buildOsticket) return; // OSTICKET_IMAGE given: testcontainers pulls it
  if (!existsSync(`${OSTICKET_CONTEXT}Dockerfile`)) throw new Error(`no Dockerfile at ${OSTICKET_CONTEXT}`);
  run.progress(`osticket: building ${images.osticket} from compose/containers/osticket/Dockerfile (first time only, a few minutes)`);
  const began = Date.now();
  await GenericContainer.fromDockerfile(OSTICKET_CONTEXT).build(images.osticket, { deleteOnExit: false });
  run.progress(`osticket: image built in ${((Date.now() - began) / 1000).toFixed(0)}s`);
}

/**
 * authentik readiness, authentik.md §9 "Startup order": the server can report ready before the worker created the
 * default flows, scope mappings and bootstrap objects. So: /-/health/ready/ = 200 (wait strategy), then poll the
 * API with the bootstrap token until the bootstrap token works, the flows the blueprint !Finds exist, the
 * self-signed certificate and the scope mappings exist; then apply the guide's blueprint synchronously with
 * `ak apply_blueprint custom/osticket.yaml` in the worker (§10: exit code 1 if invalid) and confirm its objects.
 */
async function waitForAuthentikObjects(run: StackRun, http: Http, worker: StartedTestContainer, token: string, client: StackClient, user: StackUser): Promise<void> {
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
  await pollUntil(`authentik: application ${SLUG}`, ok200(`core/applications/${SLUG}/`), T);
  await pollUntil(`authentik: provider with client_id ${client.clientId}`, async () => {
    const r = await get(`providers/oauth2/?client_id=${encodeURIComponent(client.clientId)}`);
    return ((r.json as { results?: unknown[] } | undefined)?.results?.length ?? 0) > 0 ? true : undefined;
  }, T);
  await pollUntil(`authentik: user ${user.username}`, hasResults(`core/users/?username=${encodeURIComponent(user.username)}`), T);
  run.progress('authentik: blueprint applied: provider, application and test user present');
}

/**
 * The real stack. Env: AUTHENTIK_IMAGE (default ghcr.io/goauthentik/server), AUTHENTIK_TAG (default
 * DEFAULT_IMAGES.authentikTag), POSTGRES_IMAGE, MYSQL_IMAGE, OSTICKET_IMAGE (default: built locally).
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const env = opts.env ?? process.env;
  const images = stackImages(env);
  if (isReferenceAuthentik(images.authentik)) {
    throw new Error(`AUTHENTIK_IMAGE=${images.authentik} is the reference provider, not authentik: use startLocalStack(), or set AUTHENTIK_IMAGE to a real authentik image (default ${DEFAULT_IMAGES.authentikImage})`);
  }
  const run = await beginStack({ progress: opts.progress, name: 'real' });
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  let http: Http | undefined;
  return tearDownOnError(run, async () => {
    const user = defaultUser(opts.user);
    const client: StackClient = { clientId: opts.clientId ?? 'osticket-harness-client', clientSecret: secret(32), redirectUri: REDIRECT_URI, scopes: 'email openid profile' };
    const db = { user: 'osticket', password: secret(), database: 'osticket', rootPassword: secret(), prefix: 'ost_' };
    const pg = { user: 'authentik', password: secret(), database: 'authentik' }; // < 99 chars (authentik.md §9)
    const bootstrapToken = secret(32);
    const admin = { username: 'harnessadmin', password: secret(18), email: user.email, firstName: 'Harness', lastName: 'Agent' };

    // PostgreSQL and MySQL first, in parallel (independent). Both end up in run.containers for teardown.
    let t = Date.now();
    const postgresC = new GenericContainer(images.postgres)
      .withNetwork(run.network)
      .withNetworkAliases('postgresql')
      .withExposedPorts(5432)
      .withEnvironment({ POSTGRES_USER: pg.user, POSTGRES_PASSWORD: pg.password, POSTGRES_DB: pg.database })
      // The official image prints this twice: once for the init server, once for the real one.
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .withStartupTimeout(120_000);
    const [pgR, myR] = await Promise.allSettled([run.start('postgresql', postgresC, images.postgres), startMysql(run, images.mysql, db)]);
    if (pgR.status === 'rejected') throw pgR.reason;
    if (myR.status === 'rejected') throw myR.reason;
    timings.databases = Date.now() - t;
    await opts.afterContainerStarted?.('postgresql', run);
    await opts.afterContainerStarted?.('mysql', run);

    // authentik server + worker: same image, same env (authentik.md §9 "Minimal harness checklist" 1).
    const akEnv: Record<string, string> = {
      AUTHENTIK_SECRET_KEY: secret(48),
      AUTHENTIK_POSTGRESQL__HOST: 'postgresql',
      AUTHENTIK_POSTGRESQL__NAME: pg.database,
      AUTHENTIK_POSTGRESQL__USER: pg.user,
      AUTHENTIK_POSTGRESQL__PASSWORD: pg.password,
      // Read by the worker's system/bootstrap.yaml; set on both (§9 "Bootstrap").
      AUTHENTIK_BOOTSTRAP_PASSWORD: secret(18),
      AUTHENTIK_BOOTSTRAP_TOKEN: bootstrapToken,
      AUTHENTIK_BOOTSTRAP_EMAIL: 'akadmin@example.com',
      // 2026.5+ listens on [::] by default; IPv4-only Docker networks need this (§9).
      AUTHENTIK_LISTEN__HTTP: `0.0.0.0:${AUTHENTIK_PORT}`,
      AUTHENTIK_ERROR_REPORTING__ENABLED: 'false',
      AUTHENTIK_DISABLE_STARTUP_ANALYTICS: 'true',
      AUTHENTIK_DISABLE_UPDATE_CHECK: 'true',
      // The blueprint's !Env values (client id/secret, test user).
      ...blueprintEnv(client, user),
    };
    t = Date.now();
    const server = new GenericContainer(images.authentik)
      .withCommand(['server'])
      .withNetwork(run.network)
      .withNetworkAliases(AUTHENTIK_ALIAS)
      .withExposedPorts(AUTHENTIK_PORT)
      .withEnvironment(akEnv)
      // §9 "Health": /-/health/ready/ is 200 once the database answers; every other path is 503 while starting.
      .withWaitStrategy(Wait.forHttp('/-/health/ready/', AUTHENTIK_PORT).forStatusCode(200))
      .withStartupTimeout(300_000);
    const worker = new GenericContainer(images.authentik)
      .withCommand(['worker'])
      .withNetwork(run.network)
      .withEnvironment(akEnv)
      // §10: blueprints are discovered under /blueprints; custom files go to /blueprints/custom/ in the worker.
      .withCopyContentToContainer([{ content: stackBlueprint(), target: '/blueprints/custom/osticket.yaml' }])
      // The worker serves no port we use; its readiness is established through the API below (§9).
      .withWaitStrategy(Wait.forLogMessage(/./))
      .withStartupTimeout(120_000);
    const [srvR, wkR] = await Promise.allSettled([run.start('authentik-server', server, images.authentik), run.start('authentik-worker', worker, images.authentik)]);
    if (srvR.status === 'rejected') throw srvR.reason;
    if (wkR.status === 'rejected') throw wkR.reason;
    const akPort = srvR.value.getMappedPort(AUTHENTIK_PORT);
    await opts.afterContainerStarted?.('authentik-server', run);

    const resolve: Record<string, string> = { [`${AUTHENTIK_ALIAS}:${AUTHENTIK_PORT}`]: `127.0.0.1:${akPort}` };
    http = createHttp({ resolve, timeoutMs: 15_000 });
    for (const s of [bootstrapToken, client.clientSecret, user.password, admin.password, db.password]) http.secrets.add(s);
    try {
      await waitForAuthentikObjects(run, http, wkR.value, bootstrapToken, client, user);
    } catch (err) {
      const tail = run.logTail('authentik-worker').slice(-15);
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- last log lines of authentik-worker ---\n${tail.join('\n')}`);
    }
    timings.authentik = Date.now() - t;

    // osTicket: image (built once), container, unattended install + plugin configuration.
    t = Date.now();
    await ensureOsticketImage(run, images);
    const ost = new GenericContainer(images.osticket)
      .withNetwork(run.network)
      .withNetworkAliases(OSTICKET_ALIAS)
      .withExposedPorts(80)
      // Before the install every page redirects to setup/; any answer below 500 means Apache + PHP run.
      .withWaitStrategy(Wait.forHttp('/setup/install.php', 80).forStatusCodeMatching((s) => s > 0 && s < 500))
      .withStartupTimeout(120_000);
    const ostC = await run.start('osticket', ost, images.osticket);
    const ostPort = ostC.getMappedPort(80);
    await opts.afterContainerStarted?.('osticket', run);
    resolve[`${OSTICKET_ALIAS}:80`] = `127.0.0.1:${ostPort}`;
    await http.close();
    http = createHttp({ resolve, timeoutMs: 30_000 });
    for (const s of [bootstrapToken, client.clientSecret, user.password, admin.password, db.password]) http.secrets.add(s);
    const eps = endpointsFor(AUTHENTIK_URL, SLUG);
    let installed: OsticketInstallResult;
    try {
      installed = await installOsticket(ostC, http.actor('osticket-setup'), {
        baseUrl: OSTICKET_URL,
        db: { host: 'mysql', name: db.database, user: db.user, password: db.password, prefix: db.prefix },
        dbFromHost: { host: '127.0.0.1', port: myR.value.getMappedPort(3306), user: db.user, password: db.password, database: db.database },
        admin,
        systemEmail: 'helpdesk@example.com',
        // The guide's values (authentik.md §11 "osTicket guide"; osticket.md §1 field names).
        plugin: {
          name: 'Authentik', label: 'Authentik', authTarget: 'all',
          redirectUri: REDIRECT_URI, clientId: client.clientId, clientSecret: client.clientSecret,
          urlAuthorize: eps.endpoints.authorize, urlAccessToken: eps.endpoints.token, urlResourceOwnerDetails: eps.endpoints.userinfo,
          scopes: client.scopes,
          attributes: { username: 'email', email: 'email', givenname: 'name', surname: '' },
        },
      });
    } catch (err) {
      const tail = run.logTail('osticket').slice(-15);
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- last log lines of osticket ---\n${tail.join('\n')}`);
    }
    timings.osticket = Date.now() - t;
    timings.total = Date.now() - t0;
    await http.close();
    run.progress(`stack up in ${run.elapsed()}s: authentik -> 127.0.0.1:${akPort}, osticket -> 127.0.0.1:${ostPort}`);

    return {
      kind: 'real',
      stackId: run.id,
      networkName: run.network.getName(),
      authentikUrl: AUTHENTIK_URL,
      slug: SLUG,
      ...eps,
      resolve,
      client,
      user,
      mysql: { host: '127.0.0.1', port: myR.value.getMappedPort(3306), ...db },
      postgres: { host: '127.0.0.1', port: pgR.value.getMappedPort(5432), ...pg },
      images,
      osticketUrl: OSTICKET_URL,
      osticket: { ...installed, admin: { username: admin.username, password: admin.password, email: admin.email } },
      authentikBootstrapToken: bootstrapToken,
      ports: { authentik: akPort, osticket: ostPort, mysql: myR.value.getMappedPort(3306), postgres: pgR.value.getMappedPort(5432) },
      timings,
      logTail: (name) => run.logTail(name),
      stop: () => run.stop(),
    } satisfies Stack;
  }).finally(() => http?.close());
}
