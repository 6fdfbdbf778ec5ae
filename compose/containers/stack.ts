/**
 * The Testcontainers stack (GenericContainer + Network; no compose binary needed): MySQL, the authentik half and
 * the osTicket half, configured as the authentik osTicket guide says.
 *
 * startStack(): MySQL (MYSQL_IMAGE), authentik (AUTHENTIK_IMAGE: real authentik with PostgreSQL, server and worker,
 * or the reference provider image as a stand-in, authentik.ts) and osTicket (OSTICKET_IMAGE, or built from
 * compose/containers/osticket/, osticket-image.ts) installed through its web installer with the plugin configured
 * in MySQL. Every image is checked before anything starts; `osticket: 'if-available'` starts the stack without
 * osTicket and says which image was missing, `osticket: false` leaves it out.
 * startLocalStack(): the same without osTicket (MariaDB + the reference provider on our CI machines).
 *
 * The harness talks to every container by its network alias through a resolution map
 * { "authentik:9000": "127.0.0.1:<mapped>", "osticket:80": "127.0.0.1:<mapped>" }, so URLs, the issuer and the
 * redirect URI are the same strings for the harness and for osTicket (authentik builds `iss` from the Host header,
 * authentik.md §1/§11 "Issuer depends on the Host header").
 */
import { readFileSync } from 'node:fs';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { createHttp } from '../../helpers/http/index.ts';
import { packagePath } from '../../helpers/package-root.ts';
import { AUTHENTIK_ALIAS, AUTHENTIK_PORT, AUTHENTIK_URL, startRealAuthentik, startReferenceAuthentik, type StartedAuthentik } from './authentik.ts';
import { generateClientSecret, generateId, randomPassword } from './credentials.ts';
import { isReferenceAuthentik, pullAllowed, stackImages, type StackImages } from './images.ts';
import { beginStack, runtimeClient, tearDownOnError, type ProgressSink, type StackRun } from './lifecycle.ts';
import { planOsticketImage, realiseOsticketPlan, type OsticketImagePlan } from './osticket-image.ts';
import { OSTICKET_ALIAS, OSTICKET_URL, installOsticket, startOsticketContainer, type OsticketInstallResult } from './osticket-setup.ts';

export { AUTHENTIK_URL, OSTICKET_URL };
export const SLUG = 'osticket';
/** osTicket's callback (auth-oauth2 auth.php registerEndpoint): <base>api/auth/oauth2. */
export const REDIRECT_URI = `${OSTICKET_URL}api/auth/oauth2`;
const BLUEPRINT_PATH = packagePath('compose', 'blueprints', 'osticket.yaml');

export interface StackUser { username: string; password: string; email: string; name: string }
export interface StackClient { clientId: string; clientSecret: string; redirectUri: string; scopes: string }
export interface DbCredentials { host: string; port: number; user: string; password: string; database: string; rootPassword: string; prefix: string }

export interface StackOsticket extends OsticketInstallResult {
  /** 'http://osticket/' */
  url: string;
  image: string;
  /** The admin agent the installer created; its email is the test user's. */
  admin: { username: string; password: string; email: string };
}

export interface Stack {
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
  authentik: StartedAuthentik;
  /** The osTicket half, when it runs. */
  osticket?: StackOsticket;
  /** Why there is no osTicket half (names the missing image), when there is none. */
  noOsticketReason?: string;
  images: StackImages;
  ports: { authentik: number; mysql: number; osticket?: number };
  /** Start time of each part, ms, and the whole stack. */
  timings: Record<string, number>;
  /** The last log lines of a container (for diagnostics). */
  logTail(container: string): string[];
  /** Stops every container and the network; idempotent. */
  stop(): Promise<void>;
}
/** A stack started without osTicket (kept as a name for the local stand-in stack). */
export type LocalStack = Stack;

export interface StackOptions {
  progress?: ProgressSink;
  env?: NodeJS.ProcessEnv;
  /** 'required' (default): fail before starting anything when no osTicket image can be had; 'if-available': start
   *  without it and say why (noOsticketReason); false: no osTicket. */
  osticket?: 'required' | 'if-available' | false;
  /** Test hook: runs after each part started (throwing here exercises the teardown path). */
  afterContainerStarted?: (name: string, run: StackRun) => void | Promise<void>;
  /** Overrides for the test user / client (defaults: random secrets, the blueprint's user names). */
  user?: Partial<StackUser>;
  clientId?: string;
}

/** Quick Docker probe: undefined when a daemon answers, otherwise the reason (for test skips). */
export async function dockerUnavailableReason(): Promise<string | undefined> {
  try {
    const client = await Promise.race([
      runtimeClient(),
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
    const client = await runtimeClient();
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
  return { username: 'osticket-test', email: 'osticket-test@example.com', name: 'osTicket Test', password: randomPassword(18), ...over };
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

/** Images that are neither present locally nor allowed to be pulled, as "<role> image <name>" phrases. */
async function unavailableImages(images: StackImages, env: NodeJS.ProcessEnv): Promise<string[]> {
  if (pullAllowed(env)) return [];
  const wanted: Array<[string, string]> = [['MySQL', images.mysql], ['authentik', images.authentik]];
  if (!isReferenceAuthentik(images.authentik)) wanted.push(['PostgreSQL', images.postgres]);
  const missing: string[] = [];
  for (const [role, image] of wanted) if (!(await imageExists(image))) missing.push(`${role} image ${image}`);
  return missing;
}

/** The osTicket image plan, or the reason there is none (which fails the start when osTicket is required). */
async function osticketPlan(opts: StackOptions, images: StackImages, env: NodeJS.ProcessEnv): Promise<{ plan?: OsticketImagePlan; reason?: string }> {
  const want = opts.osticket ?? 'required';
  if (want === false) return { reason: 'this stack was started without osTicket' };
  const plan = await planOsticketImage(images, { pull: pullAllowed(env) });
  if (plan.kind !== 'missing') return { plan };
  if (want === 'required') throw new Error(`the stack needs an osTicket image: ${plan.reason}`);
  return { reason: plan.reason };
}

/** MySQL, authentik (real or the reference provider) and, when its image can be had, osTicket. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const env = opts.env ?? process.env;
  const images = stackImages(env);
  const missing = await unavailableImages(images, env);
  if (missing.length) throw new Error(`${missing.join(', ')} not present in the local Docker engine, and pulling is off here (OIDC_HARNESS_LOCAL_IMAGES=1; OIDC_HARNESS_PULL=1 allows it)`);
  const { plan, reason: noOsticketReason } = await osticketPlan(opts, images, env);
  const run = await beginStack({ progress: opts.progress, name: plan ? 'stack' : 'local' });
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  // Each part: timed, then the test hook (which may throw to exercise the teardown).
  const part = async <T>(name: string, start: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const v = await start();
    timings[name] = Date.now() - t;
    await opts.afterContainerStarted?.(name, run);
    return v;
  };
  return tearDownOnError(run, async () => {
    const user = defaultUser(opts.user);
    const client: StackClient = { clientId: opts.clientId ?? generateId(), clientSecret: generateClientSecret(), redirectUri: REDIRECT_URI, scopes: 'email openid profile' };
    const db = { user: 'osticket', password: randomPassword(), database: 'osticket', rootPassword: randomPassword(), prefix: 'ost_' };
    const akInput = {
      image: images.authentik, postgresImage: images.postgres, blueprintText: stackBlueprint(), blueprintEnv: blueprintEnv(client, user),
      slug: SLUG, clientId: client.clientId, username: user.username, env,
    };
    // Independent parts in parallel; allSettled so that nothing is still starting when a failure tears down.
    const [myR, akR, buildR] = await Promise.allSettled([
      part('mysql', () => startMysql(run, images.mysql, db)),
      part('authentik', () => (isReferenceAuthentik(images.authentik) ? startReferenceAuthentik(run, akInput) : startRealAuthentik(run, akInput))),
      plan?.kind === 'build' ? part('osticket-image', () => realiseOsticketPlan(plan, (l) => run.progress(l))) : Promise.resolve(),
    ]);
    for (const r of [myR, akR, buildR]) if (r.status === 'rejected') throw r.reason;
    const mysqlC = (myR as PromiseFulfilledResult<StartedTestContainer>).value;
    const authentik = (akR as PromiseFulfilledResult<StartedAuthentik>).value;

    const mysqlPort = mysqlC.getMappedPort(3306);
    const resolve: Record<string, string> = { [`${AUTHENTIK_ALIAS}:${AUTHENTIK_PORT}`]: `127.0.0.1:${authentik.port}` };
    const eps = endpointsFor(AUTHENTIK_URL, SLUG);
    const stack: Stack = {
      stackId: run.id,
      networkName: run.network.getName(),
      authentikUrl: AUTHENTIK_URL,
      slug: SLUG,
      ...eps,
      resolve,
      client,
      user,
      mysql: { host: '127.0.0.1', port: mysqlPort, ...db },
      authentik,
      ...(noOsticketReason ? { noOsticketReason } : {}),
      images,
      ports: { authentik: authentik.port, mysql: mysqlPort },
      timings,
      logTail: (name) => run.logTail(name),
      stop: () => run.stop(),
    };
    if (plan) {
      stack.osticket = await part('osticket', () => startOsticket(run, plan.image, stack));
      stack.ports.osticket = Number(resolve[`${OSTICKET_ALIAS}:80`]!.split(':')[1]);
    }
    timings.total = Date.now() - t0;
    run.progress(`stack up in ${run.elapsed()}s: ${Object.entries(resolve).map(([k, v]) => `${k} -> ${v}`).join(', ')}, mysql -> 127.0.0.1:${mysqlPort}${noOsticketReason ? `; no osTicket: ${noOsticketReason}` : ''}`);
    return stack;
  });
}

/** The osTicket container, installed and configured with the guide's values; adds its alias to `stack.resolve`. */
async function startOsticket(run: StackRun, image: string, stack: Stack): Promise<StackOsticket> {
  const container = await startOsticketContainer(run, image);
  stack.resolve[`${OSTICKET_ALIAS}:80`] = `127.0.0.1:${container.getMappedPort(80)}`;
  const admin = { username: 'harnessadmin', password: randomPassword(18), email: stack.user.email, firstName: 'Harness', lastName: 'Agent' };
  const http = createHttp({ resolve: stack.resolve, timeoutMs: 30_000 });
  for (const s of [stack.client.clientSecret, stack.user.password, admin.password, stack.mysql.password, ...stack.authentik.secrets]) http.secrets.add(s);
  try {
    const installed = await installOsticket(container, http.actor('osticket-setup'), {
      baseUrl: OSTICKET_URL,
      db: { host: 'mysql', name: stack.mysql.database, user: stack.mysql.user, password: stack.mysql.password, prefix: stack.mysql.prefix },
      dbFromHost: { host: stack.mysql.host, port: stack.mysql.port, user: stack.mysql.user, password: stack.mysql.password, database: stack.mysql.database },
      admin,
      systemEmail: 'helpdesk@example.com',
      // The guide's values (authentik.md §11 "osTicket guide"; osticket.md §1 field names).
      plugin: {
        name: 'Authentik', label: 'Authentik', authTarget: 'all',
        redirectUri: stack.client.redirectUri, clientId: stack.client.clientId, clientSecret: stack.client.clientSecret,
        urlAuthorize: stack.endpoints.authorize, urlAccessToken: stack.endpoints.token, urlResourceOwnerDetails: stack.endpoints.userinfo,
        scopes: stack.client.scopes,
        attributes: { username: 'email', email: 'email', givenname: 'name', surname: '' },
      },
    });
    return { ...installed, url: OSTICKET_URL, image, admin: { username: admin.username, password: admin.password, email: admin.email } };
  } catch (err) {
    const tail = run.logTail('osticket').slice(-15);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- last log lines of osticket ---\n${tail.join('\n')}`);
  } finally {
    await http.close();
  }
}

/** MySQL and authentik (on our CI: MariaDB and the reference provider image), no osTicket. */
export function startLocalStack(opts: Omit<StackOptions, 'osticket'> = {}): Promise<LocalStack> {
  return startStack({ ...opts, osticket: false });
}
