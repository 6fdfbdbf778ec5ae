/**
 * The one schema of the harness configuration (DESIGN.md "Bad input and secrets"): the config file, the env
 * variables and the CLI flags are merged into one object and validated here, with zod, before anything runs. The
 * TypeScript type `HarnessConfig` is derived from the schema, so there is one definition of every key.
 *
 * A refusal is one sentence naming the key path (and the flag or env variable that sets it), what the value must
 * be and what it was; an unknown key gets "did you mean …?" from the keys the schema knows at that level.
 */
import * as z from 'zod';
import { PROFILES } from '../compose/embedded/profiles.ts';
import { KEY_TYPE_NAMES } from '../compose/embedded/crypto/keypairs.ts';
import { DIAGNOSIS_IDS } from './diagnosis/catalog.ts';

/** One `--key-type` item: a key pair's name, `=`, one of the key types (crypto/keypairs.ts KEY_TYPES). */
const KEY_TYPE_ITEM = new RegExp(`^.+=(${KEY_TYPE_NAMES.join('|')})$`);

/** An error param that gives every issue of a schema the same "must be …" phrase. */
const must = (phrase: string) => ({ error: phrase });

const text = (phrase = 'text') => z.string(must(phrase));
const nonEmpty = (phrase: string) => z.string(must(phrase)).min(1, must(phrase));
const wholeNumber = (phrase: string, min: number, max: number) =>
  z.number(must(phrase)).int(must(phrase)).min(min, must(phrase)).max(max, must(phrase));

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
const httpUrl = (example: string) => {
  const phrase = `an absolute http(s) URL such as ${example}`;
  return z.string(must(phrase)).refine(isHttpUrl, must(phrase));
};
const path = (what: string) => nonEmpty(`the path of ${what}`);

/** `host:port` -> `ip:port` (the resolution map); shared with the --resolve / OIDC_HARNESS_RESOLVE parsers. */
export const RESOLVE_FROM = /^[A-Za-z0-9.-]+:\d{1,5}$/;
export const RESOLVE_TO = /^[0-9.]+:\d{1,5}$|^\[[0-9a-f:]+\]:\d{1,5}$/i;

const MAX_TIMEOUT_MS = 10 * 60_000;
const MAX_RUN_MS = 24 * 3600_000;

export const ConfigSchema = z.strictObject(
  {
    target: z.enum(['embedded', 'containers', 'live'], must('one of embedded, containers, live')).optional(),
    embedded: z
      .strictObject(
        {
          profile: z.enum(PROFILES, must(`one of ${PROFILES.join(', ')}`)).optional(),
          blueprint: path('an authentik blueprint (YAML)').optional(),
          app: z.string({ error: 'must be an application slug' }).regex(/^[-a-zA-Z0-9_]+$/, 'must be an application slug (letters, digits, - and _)').optional(),
          clockOffsetSec: wholeNumber('a whole number of seconds between -31536000 and 31536000', -31_536_000, 31_536_000).optional(),
          keyTypes: z.array(z.string().regex(KEY_TYPE_ITEM, must(`NAME=TYPE, TYPE one of ${KEY_TYPE_NAMES.join(', ')}`)), must('a list of NAME=TYPE')).optional(),
        },
        must('a mapping with profile, blueprint, app, clockOffsetSec, keyTypes'),
      )
      .optional(),
    authentik: z
      .strictObject(
        {
          url: httpUrl('https://authentik.company').optional(),
          slug: z.string(must('an application slug (letters, digits, - and _)')).regex(/^[-a-zA-Z0-9_]+$/, must('an application slug (letters, digits, - and _)')).optional(),
          discoveryUrl: httpUrl('https://authentik.company/application/o/osticket/.well-known/openid-configuration').optional(),
        },
        must('a mapping with url, slug, discoveryUrl'),
      )
      .optional(),
    client: z
      .strictObject(
        {
          id: nonEmpty("the provider's Client ID (text)").optional(),
          secret: nonEmpty('the client secret (text; prefer secretFile)').optional(),
          secretFile: path('a file holding the client secret').optional(),
        },
        must('a mapping with id, secret, secretFile'),
      )
      .optional(),
    osticket: z
      .strictObject(
        {
          url: httpUrl('https://osticket.company/osticket/').optional(),
          redirectUri: httpUrl('https://osticket.company/osticket/api/auth/oauth2').optional(),
          // Endpoints are kept as typed: a stray character in them is a finding (endpoint-stray-character), not bad input.
          authorizeUrl: text('the Authorization Endpoint as typed in osTicket (text)').optional(),
          tokenUrl: text('the Token Endpoint as typed in osTicket (text)').optional(),
          userinfoUrl: text('the Resource Details Endpoint as typed in osTicket (text)').optional(),
          scopes: text('the Scopes field as typed in osTicket, one text such as "email openid profile"').optional(),
          clientSecret: nonEmpty("osTicket's Client Secret (text)").optional(),
          clientSecretFile: path("a file holding osTicket's Client Secret").optional(),
          clientId: text("osTicket's Client Id (text)").optional(),
          attributes: z
            .strictObject(
              {
                username: text('a claim name').optional(),
                email: text('a claim name').optional(),
                givenname: text('a claim name').optional(),
                surname: text('a claim name').optional(),
              },
              must('a mapping with username, email, givenname, surname'),
            )
            .optional(),
          agentEmail: text('an email address').optional(),
          db: z
            .strictObject(
              {
                host: nonEmpty('a host name or address'),
                port: wholeNumber('a port number from 1 to 65535', 1, 65_535).optional(),
                user: nonEmpty('a database user name'),
                password: text('text (prefer passwordFile)').optional(),
                passwordFile: path('a file holding the database password').optional(),
                database: nonEmpty('a database name'),
                prefix: text('a table prefix such as ost_').optional(),
                secretSaltFile: path("a file holding osTicket's SECRET_SALT").optional(),
              },
              must('a mapping with host, port, user, passwordFile, database, prefix'),
            )
            .optional(),
        },
        must('a mapping with url, redirectUri, scopes, … (see README "Configuration")'),
      )
      .optional(),
    user: z
      .strictObject(
        {
          username: nonEmpty('an authentik user name').optional(),
          password: nonEmpty('text (prefer passwordFile)').optional(),
          passwordFile: path("a file holding the test user's password").optional(),
          email: text("the test user's email (the expected sub)").optional(),
          name: text('text').optional(),
        },
        must('a mapping with username, passwordFile, email'),
      )
      .optional(),
    resolve: z
      .record(
        z.string().regex(RESOLVE_FROM, must('host:port, e.g. authentik.company:443')),
        z.string(must('ip:port, e.g. 127.0.0.1:9443')).regex(RESOLVE_TO, must('ip:port, e.g. 127.0.0.1:9443')),
        must('a mapping of host:port to ip:port'),
      )
      .optional(),
    caFile: path('a PEM file with CA certificates').optional(),
    timeouts: z
      .strictObject(
        {
          requestMs: wholeNumber(`a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`, 1, MAX_TIMEOUT_MS).optional(),
          runMs: wholeNumber(`a whole number of milliseconds from 1 to ${MAX_RUN_MS}`, 1, MAX_RUN_MS).optional(),
        },
        must('a mapping with requestMs, runMs'),
      )
      .optional(),
    requestBudget: wholeNumber('a whole number of requests, at least 10', 10, 100_000).optional(),
    /** Requests in flight at once (DESIGN.md "Speed"; default 4); 1 sends one request at a time, checks in order. */
    concurrency: wholeNumber('a whole number of requests in flight, from 1 to 16', 1, 16).optional(),
    /** Cap on every response body the harness reads (DESIGN.md "every body a size cap"). */
    maxBodyBytes: wholeNumber('a whole number of bytes from 1024 to 1073741824', 1024, 1024 ** 3).optional(),
    /** Warnings the operator knows and accepts (diagnosis ids, e.g. email-verified-false): no longer shown as warnings. */
    acknowledge: z
      .array(z.enum(DIAGNOSIS_IDS as [string, ...string[]], must('a diagnosis id such as email-verified-false')), must('a list of diagnosis ids, e.g. [email-verified-false]'))
      .optional(),
  },
  must('a mapping (key: value pairs)'),
);

/** The configuration, as written in a file, set by env or by flags (every key optional). */
export type HarnessConfig = z.input<typeof ConfigSchema>;
export type TargetKind = NonNullable<HarnessConfig['target']>;

/** The flag / env variable that sets a key, named beside it in a refusal. */
export const KEY_SOURCES: Readonly<Record<string, string>> = {
  target: '--target / OIDC_HARNESS_TARGET',
  'embedded.profile': '--profile / OIDC_HARNESS_PROFILE',
  'embedded.blueprint': '--blueprint / OIDC_HARNESS_BLUEPRINT',
  'embedded.app': '--app',
  'embedded.keyTypes': '--key-type',
  'authentik.url': '--authentik / --issuer / AUTHENTIK_URL',
  'authentik.slug': '--slug / --issuer / AUTHENTIK_SLUG',
  'client.id': '--client-id / OIDC_CLIENT_ID',
  'client.secret': '--client-secret / OIDC_CLIENT_SECRET',
  'client.secretFile': '--client-secret-file / OIDC_CLIENT_SECRET_FILE',
  'osticket.url': '--osticket / OSTICKET_URL',
  'osticket.redirectUri': '--redirect-uri / OSTICKET_REDIRECT_URI',
  'osticket.scopes': '--scopes / OSTICKET_SCOPES',
  'user.username': '--username / TEST_USERNAME',
  'user.password': 'TEST_PASSWORD',
  'user.passwordFile': '--password-file / TEST_PASSWORD_FILE',
  'user.email': '--email / TEST_EMAIL',
  resolve: '--resolve / OIDC_HARNESS_RESOLVE',
  caFile: '--ca / OIDC_HARNESS_CA_FILE',
  'timeouts.requestMs': '--request-timeout',
  'timeouts.runMs': '--deadline',
  requestBudget: '--request-budget',
  concurrency: '--concurrency',
  maxBodyBytes: '--max-body-bytes',
  acknowledge: '--acknowledge',
};

/** Every key path the schema knows (`client.secretFile`, `timeouts.requestMs`, …), for fix texts and tests. */
export function configKeyPaths(schema: z.ZodType = ConfigSchema, prefix = ''): string[] {
  const obj = objectOf(schema);
  if (!obj) return [];
  return Object.entries(obj.shape).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...configKeyPaths(v as z.ZodType, p)];
  });
}

/** The object schema inside optional wrappers, or undefined. */
function objectOf(schema: z.ZodType): z.ZodObject | undefined {
  let s: z.ZodType = schema;
  for (let i = 0; i < 4 && s instanceof z.ZodOptional; i++) s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodObject ? s : undefined;
}

function schemaAt(path: readonly PropertyKey[]): z.ZodObject | undefined {
  let s: z.ZodType | undefined = ConfigSchema;
  for (const k of path) {
    const obj: z.ZodObject | undefined = s ? objectOf(s) : undefined;
    s = obj?.shape[String(k)] as z.ZodType | undefined;
  }
  return s ? objectOf(s) : undefined;
}

/** Edit distance, for "did you mean". Keys are short; the quadratic table is fine. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** The known key closest to `key` (same letters ignoring case, _ and -; or a typo or two away). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const same = known.find((k) => norm(k) === norm(key));
  if (same) return same;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dd = distance(norm(key), norm(k));
    if (dd < bestD) [best, bestD] = [k, dd];
  }
  return bestD <= Math.max(1, Math.floor(key.length / 4)) ? best : undefined;
}

/** A value as it may be quoted in a sentence: short, one line, no control characters. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'empty';
  if (Array.isArray(v)) return `a list (${v.length} item${v.length === 1 ? '' : 's'})`;
  if (typeof v === 'object') return 'a mapping';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 57)}…` : clean;
}

const joinPath = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** One sentence for the first problem zod found (unknown keys first: the "did you mean" is the likeliest fix). */
export function describeConfigProblem(error: z.ZodError): string {
  const issues = [...error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const issue = issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const where = joinPath([...issue.path, key]);
    const known = Object.keys(schemaAt(issue.path)?.shape ?? {});
    const guess = closestKey(key, known);
    const prefix = issue.path.length ? `${joinPath(issue.path)}.` : '';
    const hint = guess ? `did you mean ${prefix}${guess}?` : `known: ${known.map((k) => `${prefix}${k}`).join(', ')}`;
    return `unknown setting ${JSON.stringify(where)} (${hint})`;
  }
  const where = joinPath(issue.path) || 'the configuration';
  const first = String(issue.path[0] ?? '');
  // a list item (acknowledge.0, embedded.keyTypes.1) is set by its list's flag
  const listPath = joinPath(issue.path.filter((k) => typeof k !== 'number'));
  const source = KEY_SOURCES[joinPath(issue.path)] ?? (first === 'resolve' || first === 'acknowledge' ? KEY_SOURCES[first] : KEY_SOURCES[listPath]);
  const input = (issue as { input?: unknown }).input;
  const phrase = issue.message.startsWith('Invalid') ? 'a valid value' : issue.message;
  const guess = first === 'acknowledge' && typeof input === 'string' ? closestKey(input, DIAGNOSIS_IDS) : undefined;
  return `${where}${source ? ` (${source})` : ''} must be ${phrase}, not ${showValue(input)}${guess ? ` (did you mean ${guess}?)` : ''}`;
}

export type ParsedConfig = { ok: true; config: HarnessConfig } | { ok: false; problem: string };

/** Validates a whole configuration; never throws. */
export function checkConfig(data: unknown): ParsedConfig {
  const r = ConfigSchema.safeParse(data, { reportInput: true });
  return r.success ? { ok: true, config: r.data } : { ok: false, problem: describeConfigProblem(r.error) };
}
