/**
 * The harness's only HTTP client (DESIGN.md "helpers/http"): undici 7 request() over one undici Agent (keep-alive connection pool), a tough-cookie
 * jar per actor, manual redirects only, per-request timeout, run deadline, request budget, host:port resolution
 * map, custom CA, response size cap, and a redacted transcript of every exchange.
 */
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { CookieJar } from 'tough-cookie';
import { answered, frontier, joinStrand } from './causality.ts';
import { classifyNetworkError, HttpError } from './errors.ts';
import { clip, parseJsonMaybe, readCapped, toHeaders } from './body.ts';
import { Slots } from './slots.ts';
import { harvestCookieValues, harvestSecrets, redactHeaderValue, redactText } from './redact.ts';
import { mappedConnector, Resolver, defaultPort, type ResolutionMap } from './resolve.ts';
import { Secrets } from './secrets.ts';
import { Transcript } from './transcript.ts';
import type { Exchange, HttpResponse, RequestInit } from './types.ts';

export interface HttpOptions {
  /** Per-request timeout in ms (connect + headers + body). Default 10 000. */
  timeoutMs?: number;
  /** Whole-run deadline, epoch ms. Past it every request fails at once with HttpError code DEADLINE. */
  deadline?: number;
  /** Maximum number of requests sent; the next one fails with HttpError code BUDGET. */
  requestBudget?: number;
  /** host:port -> ip:port, e.g. {"authentik.company:443": "127.0.0.1:9443"}. */
  resolve?: ResolutionMap;
  /** Extra CA certificate(s), PEM, trusted in addition to Node's bundled roots. */
  ca?: string;
  /** Response bodies larger than this are cut and flagged `truncated`. Default 2 MiB. */
  maxBodyBytes?: number;
  /** How much of each (redacted) body the transcript keeps. Default 64 KiB. */
  transcriptBodyBytes?: number;
  /** Default User-Agent when the caller sets none. */
  userAgent?: string;
  /**
   * Share a connection pool (e.g. many short-lived Https in the bench, each with its own transcript and secrets,
   * reusing keep-alive connections). Its owner closes it; `close()` of this Http leaves it open. Default: an own
   * Agent built from timeoutMs, resolve and ca.
   */
  agent?: Agent;
  /** Requests in flight at once; the others wait their turn in order. Default 4 (DESIGN.md "Speed"). */
  maxInFlight?: number;
  /** Share a registry / transcript (e.g. with another Http); new ones by default. */
  secrets?: Secrets;
  transcript?: Transcript;
}

export interface Actor {
  readonly name: string;
  /** This actor's cookie jar (one browser, or osTicket's server side). */
  readonly jar: CookieJar;
  readonly http: Http;
  /** One request, no redirect following. Throws only HttpError (transport failures). */
  request(url: string | URL, init?: RequestInit): Promise<HttpResponse>;
  /** Empties the jar (a fresh browser). */
  clearCookies(): Promise<void>;
}

export interface Http {
  readonly options: Readonly<Required<Pick<HttpOptions, 'timeoutMs' | 'maxBodyBytes' | 'transcriptBodyBytes' | 'userAgent'>>> &
    Pick<HttpOptions, 'deadline' | 'requestBudget'>;
  /** The actor with this name (created on first use, then the same one); `{fresh: true}` replaces it with a new jar. */
  actor(name: string, opts?: { fresh?: boolean }): Actor;
  readonly transcript: Transcript;
  readonly secrets: Secrets;
  readonly resolver: Resolver;
  /** Requests sent so far (including ones that failed in transit; not the ones refused by budget/deadline). */
  readonly requestCount: number;
  /** Moves the run deadline (epoch ms), e.g. once the target is resolved. */
  setDeadline(epochMs: number | undefined): void;
  /** Closes every connection; later requests fail with code CLOSED. */
  close(): Promise<void>;
  /**
   * Runs `fn` when no other login of this Http is running (one login at a time: DESIGN.md "Speed", live mode's
   * promise). The wait is recorded as a dependency (causality.ts). Not re-entrant: never nest two.
   */
  loginTurn<T>(fn: () => Promise<T>): Promise<T>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
export const DEFAULT_TRANSCRIPT_BODY_BYTES = 64 * 1024;
export const DEFAULT_USER_AGENT = 'oidc-harness/0.1';
export const DEFAULT_MAX_IN_FLIGHT = 4;

export function createHttp(opts: HttpOptions = {}): Http {
  const resolver = new Resolver(opts.resolve);
  const options = {
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    transcriptBodyBytes: opts.transcriptBodyBytes ?? DEFAULT_TRANSCRIPT_BODY_BYTES,
    userAgent: opts.userAgent ?? DEFAULT_USER_AGENT,
    deadline: opts.deadline,
    requestBudget: opts.requestBudget,
  };
  const secrets = opts.secrets ?? new Secrets();
  const transcript = opts.transcript ?? new Transcript();
  const agent = opts.agent ?? createAgent(opts);
  const actors = new Map<string, Actor>();
  const inFlight = new Slots(opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  let loginQueue: Promise<void> = Promise.resolve();
  let lastLoginEnd: number[] = [];
  let requestCount = 0;
  let closed = false;

  const http: Http = {
    options,
    transcript,
    secrets,
    resolver,
    get requestCount() {
      return requestCount;
    },
    setDeadline(epochMs) {
      options.deadline = epochMs;
    },
    actor(name, o) {
      const existing = actors.get(name);
      if (existing && !o?.fresh) return existing;
      const a = makeActor(name);
      actors.set(name, a);
      return a;
    },
    async loginTurn(fn) {
      const previous = loginQueue;
      let done!: () => void;
      loginQueue = new Promise<void>((r) => (done = r));
      await previous;
      joinStrand(lastLoginEnd);
      try {
        return await fn();
      } finally {
        lastLoginEnd = frontier();
        done();
      }
    },
    async close() {
      closed = true;
      if (!opts.agent) await agent.destroy().catch(() => undefined);
    },
  };

  function makeActor(name: string): Actor {
    const jar = new CookieJar();
    const actor: Actor = {
      name,
      get jar() {
        return jar;
      },
      http,
      request: (url, init) => send(actor, url, init ?? {}),
      async clearCookies() {
        await jar.removeAllCookies();
      },
    };
    return actor;
  }

  function fail(ex: Exchange, code: string, message: string): never {
    ex.error = message;
    ex.errorCode = code;
    transcript.add(ex);
    throw new HttpError(message, code, ex.url, ex.id);
  }

  /**
   * One request: its id and what it waited on are taken when it is asked for (the caller's order), then it waits
   * for one of the `maxInFlight` slots; its time and the deadline/budget checks start when it is really sent.
   */
  async function send(actor: Actor, rawUrl: string | URL, init: RequestInit): Promise<HttpResponse> {
    const id = transcript.reserveId();
    const after = frontier();
    const release = await inFlight.acquire();
    try {
      return await sendNow(actor, rawUrl, init, id, after);
    } finally {
      release();
    }
  }

  async function sendNow(actor: Actor, rawUrl: string | URL, init: RequestInit, id: number, after: number[]): Promise<HttpResponse> {
    const method = (init.method ?? (init.form || init.json !== undefined || init.body !== undefined ? 'POST' : 'GET')).toUpperCase();
    const started = Date.now();
    const ex: Exchange = {
      id,
      actor: actor.name,
      label: init.label,
      method,
      url: redactText(String(rawUrl), secrets),
      requestHeaders: {},
      startedAt: new Date(started).toISOString(),
      ms: 0,
      after,
    };
    let url: URL;
    try {
      url = rawUrl instanceof URL ? new URL(rawUrl.href) : new URL(rawUrl);
    } catch {
      return fail(ex, 'BAD_URL', `"${ex.url}" is not an absolute URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return fail(ex, 'BAD_URL', `${url.protocol} URLs are not supported (only http and https)`);
    if (closed) return fail(ex, 'CLOSED', 'the HTTP client is already closed');
    if (options.deadline !== undefined && started >= options.deadline)
      return fail(ex, 'DEADLINE', `the run deadline has passed; ${method} ${url.host} was not sent`);
    if (options.requestBudget !== undefined && requestCount >= options.requestBudget)
      return fail(ex, 'BUDGET', `the request budget of ${options.requestBudget} requests is used up; ${method} ${url.host} was not sent`);

    // ---- request headers and body
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
    headers['user-agent'] ??= options.userAgent;
    let body: string | undefined = init.body;
    if (init.form) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) if (v !== undefined) p.append(k, v);
      body = p.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    }
    const jarCookies = await jar(actor).getCookieString(url.href).catch(() => '');
    if (jarCookies) headers.cookie = headers.cookie ? `${headers.cookie}; ${jarCookies}` : jarCookies;

    // Learn the secrets this request carries before anything is recorded.
    harvestSecrets(url.search, secrets);
    harvestSecrets(body, secrets);
    if (headers.cookie) harvestCookieValues(headers.cookie, secrets, false);
    const auth = headers.authorization;
    if (auth) {
      const [scheme, cred] = auth.split(/\s+/, 2);
      if (cred) secrets.add(cred, scheme?.toLowerCase() === 'bearer' ? 'access_token' : 'credentials');
    }
    for (const [k, v] of Object.entries(headers)) if (/csrf/i.test(k)) secrets.add(v, 'csrf');
    ex.url = redactText(url.href, secrets);
    for (const [k, v] of Object.entries(headers)) ex.requestHeaders[k] = redactHeaderValue(k, v, secrets);
    if (body !== undefined) ex.requestBody = clip(redactText(body, secrets), options.transcriptBodyBytes);
    const mapped = resolver.lookup(url.hostname, Number(url.port) || defaultPort(url.protocol));
    if (mapped) ex.connectedTo = `${mapped.host}:${mapped.port}`;

    // ---- timing: per-request timeout, clipped by the run deadline
    const timeoutMs = init.timeoutMs ?? options.timeoutMs;
    const untilDeadline = options.deadline === undefined ? Infinity : options.deadline - started;
    const limitedByDeadline = untilDeadline < timeoutMs;
    const budgetMs = Math.max(0, Math.min(timeoutMs, untilDeadline));
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, budgetMs);
    requestCount++;
    const where = resolver.describe(url);
    // From here on the request is sent: whatever follows in this strand waited on its answer (or its failure).
    const timeoutFailure = (): never =>
      limitedByDeadline
        ? fail(ex, 'DEADLINE', `the run deadline passed while waiting for ${where} (${method})`)
        : fail(ex, 'TIMEOUT', `no complete answer from ${where} within ${timeoutMs} ms (${method})`);

    try {
      // undici's Dispatcher.request() on the agent, not fetch(): the same connection pool and TLS, a few times less
      // work per request (no WHATWG streams and objects; issue 12), and redirects are never followed, as this layer
      // wants. The agent's own request() (what undici's request(url, { dispatcher }) calls) needs nothing else from
      // undici.
      let res: Dispatcher.ResponseData;
      try {
        res = await agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: method as Dispatcher.HttpMethod,
          headers,
          body: method === 'GET' || method === 'HEAD' ? undefined : body,
          signal: controller.signal,
        });
      } catch (err) {
        ex.ms = Date.now() - started;
        if (timedOut) return timeoutFailure();
        const c = classifyNetworkError(err, { where, hostname: url.hostname });
        return fail(ex, c.code, c.message);
      }
      const status = res.statusCode;
      const resHeaders = toHeaders(res.headers);

      // ---- body, capped
      let text = '';
      let truncated = false;
      let bytes = 0;
      try {
        const read = await readCapped(res.body, options.maxBodyBytes);
        text = read.text;
        truncated = read.truncated;
        bytes = read.bytes;
      } catch (err) {
        ex.ms = Date.now() - started;
        ex.status = status;
        if (timedOut) return timeoutFailure();
        const c = classifyNetworkError(err, { where, hostname: url.hostname });
        return fail(ex, c.code, `${c.message} (while reading the ${status} response body)`);
      }
      const ms = Date.now() - started;

      // ---- cookies
      const setCookies = resHeaders.getSetCookie();
      const notes: string[] = [];
      for (const sc of setCookies) {
        harvestCookieValues(sc, secrets, true);
        try {
          await jar(actor).setCookie(sc, url.href);
        } catch (err) {
          const name = sc.split('=')[0]?.trim() ?? '?';
          notes.push(`cookie ${name} refused by the jar: ${(err as Error).message}`);
        }
      }

      const locationRaw = resHeaders.get('location') ?? undefined;
      let location: URL | undefined;
      if (locationRaw !== undefined) {
        try {
          location = new URL(locationRaw, url);
        } catch {
          notes.push('Location header is not a valid URL');
        }
      }
      const json = parseJsonMaybe(text, resHeaders.get('content-type'));

      // ---- record (redacted)
      harvestSecrets(locationRaw, secrets);
      harvestSecrets(text, secrets);
      ex.status = status;
      ex.ms = ms;
      const rh: Record<string, string | string[]> = {};
      resHeaders.forEach((v, k) => {
        if (k !== 'set-cookie') rh[k] = redactHeaderValue(k, v, secrets);
      });
      if (setCookies.length) rh['set-cookie'] = setCookies.map((v) => redactHeaderValue('set-cookie', v, secrets));
      ex.responseHeaders = rh;
      if (text) ex.responseBody = clip(redactText(text, secrets), options.transcriptBodyBytes);
      ex.responseBytes = bytes;
      if (truncated) {
        ex.responseTruncated = true;
        notes.push(`response body larger than ${options.maxBodyBytes} bytes: cut there`);
      }
      if (notes.length) ex.notes = notes;
      if (truncated) {
        // A document read in part cannot be judged ("not JSON" would be a wrong diagnosis): say how large it is.
        const declared = Number(resHeaders.get('content-length'));
        const size = Number.isFinite(declared) && declared > options.maxBodyBytes ? megabytes(declared) : `more than ${megabytes(options.maxBodyBytes)}`;
        return fail(ex, 'TOO_LARGE', `the ${status} response from ${where} is too large (${size}; the harness reads at most ${megabytes(options.maxBodyBytes)}: maxBodyBytes / --max-body-bytes)`);
      }
      transcript.add(ex);

      return {
        exchangeId: id,
        url,
        status,
        headers: resHeaders,
        text,
        json,
        location,
        setCookies,
        ms,
        truncated: truncated || undefined,
      };
    } finally {
      clearTimeout(timer);
      answered(id);
    }
  }

  return http;
}

/** The connection pool of an Http: keep-alive connections through the resolution map and CA. */
export function createAgent(opts: Pick<HttpOptions, 'timeoutMs' | 'resolve' | 'ca'> = {}): Agent {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Agent({
    connect: mappedConnector(new Resolver(opts.resolve), { ca: opts.ca ? withSystemRoots(opts.ca) : undefined, timeout: timeoutMs }),
    // Our own AbortController enforces the per-request timeout; these are only backstops.
    headersTimeout: Math.max(timeoutMs, 1_000) * 3,
    bodyTimeout: Math.max(timeoutMs, 1_000) * 3,
    keepAliveTimeout: 4_000,
  });
}

/** "50.0 MB" (MiB, one decimal). */
export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function jar(actor: Actor): CookieJar {
  return actor.jar;
}

/** Node replaces its root store when `ca` is given; keep the public roots too (live targets with a public CA). */
function withSystemRoots(ca: string): string[] {
  return [ca, ...rootCertificates];
}
