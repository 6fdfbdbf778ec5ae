/**
 * What the checks share within one run: the target, the HTTP layer, and the facts gathered once and read by many
 * checks (DESIGN.md "The check engine": one shared login per run, negative probes on their own). Each fact is a
 * memoised promise, so the order in which checks ask does not matter and nothing is fetched twice.
 *
 * Facts never throw for server behaviour: they record what happened (status, parsed body, transport error) and
 * the checks judge it.
 */
import { createHttp, isHttpError, type Actor, type Http, type HttpResponse, type Secrets } from '../http/index.ts';
import { frontier, joinStrand, noteEvent, runStrand, type Strand } from '../http/causality.ts';
import { HttpError } from '../http/types.ts';
import { loginThroughAuthentik, type LoginOutcome } from '../authentik/index.ts';
import {
  buildOsticketAuthorizeUrl,
  osticketTokenRequest,
  osticketUserinfo,
  verifyJwt,
  type JwtVerification,
  type TokenResult,
  type UserinfoResult,
} from '../oidc/index.ts';
import type { OsticketPluginSettings, Target } from '../target-types.ts';
import { runConformantLogin, type ConformantLoginFact } from './conformant-login.ts';

/** A JSON document fetched once (discovery, JWKS). */
export interface FetchedDoc {
  url: string;
  ok: boolean;
  status?: number;
  /** Parsed JSON (any shape) when the body was JSON. */
  json?: unknown;
  /** Why it is unusable: transport error, non-200, not JSON. */
  problem?: string;
  httpError?: HttpError;
  dateHeader?: string;
  exchangeId?: number;
  /** The body as received and its content-type (the conformant client validates discovery from these). */
  text?: string;
  contentType?: string;
}

/** A login through authentik with the osTicket client profile up to the callback (no token exchange). */
export interface CodeFact {
  settings: OsticketPluginSettings;
  state: string;
  /** The exact scope parameter sent (the plugin's joining, osticket.md §2). */
  scope: string;
  authorizeUrl: URL;
  outcome: LoginOutcome;
  /** When outcome is a callback: its parameters. */
  code?: string;
  returnedState?: string | null;
  error?: string;
  errorDescription?: string;
  evidence: number[];
}

/** The shared login: the exact requests osTicket's plugin makes, end to end (osticket.md §2). */
export interface OsticketLoginFact extends CodeFact {
  token?: TokenResult;
  userinfo?: UserinfoResult;
}

export type { ConformantLoginFact } from './conformant-login.ts';

/** A memoised fact: its promise, and the strand that computes it (causality.ts). */
type Fact<T> = ReturnType<typeof runStrand<T>>;

/** The fact's value; the awaiting strand has then waited on the fact's last exchanges. */
function joined<T>(fact: Fact<T>): Promise<T> {
  return fact.promise.finally(() => joinStrand(fact.end()));
}

export class CheckContext {
  readonly http: Http;
  readonly measurements: Record<string, number | string> = {};
  readonly #memo = new Map<string, Fact<unknown>>();
  /** The user's browser (one jar for the shared login and the fresh codes that reuse its authentik session). */
  readonly browser: Actor;
  /** osTicket's server side: token and userinfo calls (no cookies of the browser). */
  readonly rpServer: Actor;

  constructor(
    readonly target: Target,
    secrets?: Secrets,
  ) {
    this.http = createHttp({
      secrets,
      maxInFlight: target.concurrency,
      timeoutMs: target.requestTimeoutMs,
      maxBodyBytes: target.maxBodyBytes,
      deadline: Date.now() + target.deadlineMs,
      requestBudget: target.requestBudget,
      resolve: target.resolve,
      ca: target.ca,
    });
    // Registered before any request so no output can carry them (issue 4 "secrets never reach output").
    this.http.secrets.add(target.osticket.clientSecret, 'client_secret');
    this.http.secrets.add(target.user.password, 'password');
    this.http.secrets.add(target.osticketServer?.db?.password, 'db_password');
    this.http.secrets.add(target.osticketServer?.db?.secretSalt, 'secret_salt');
    this.browser = this.http.actor('browser');
    this.rpServer = this.http.actor('osticket-server');
  }

  /** A fact only if some check already asked for it (no new requests). */
  peek<T>(key: string): Promise<T> | undefined {
    const fact = this.#memo.get(key) as Fact<T> | undefined;
    return fact && joined(fact);
  }

  /**
   * The fact `key`, computed once as its own strand (causality.ts) that starts after what the first asker had
   * waited on; every asker then has waited on the fact's last exchanges.
   */
  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    noteEvent(key); // where a sequential run would have fetched it, if nobody had before (checks/order.ts)
    let fact = this.#memo.get(key) as Fact<T> | undefined;
    if (!fact) {
      fact = runStrand(fn, frontier());
      this.#memo.set(key, fact);
    }
    return joined(fact);
  }

  /** The strand of each fact asked for in this run, by key (to rebuild the sequential transcript order). */
  factStrands(): Map<string, Strand> {
    return new Map([...this.#memo].map(([k, f]) => [k, f.strand]));
  }


  /** The transcript id before a step; `evidenceSince(mark)` lists what the step did. */
  mark(): number {
    return this.http.transcript.lastId;
  }

  /** The exchanges the calling strand sent since `mark` (not those of checks running at the same time). */
  evidenceSince(mark: number): number[] {
    return this.http.transcript.ownSince(mark).map((e) => e.id);
  }

  async fetchJson(actor: Actor, url: string, label: string): Promise<FetchedDoc> {
    let res: HttpResponse;
    try {
      res = await actor.request(url, { label, headers: { accept: 'application/json' } });
    } catch (e) {
      if (isHttpError(e)) return { url, ok: false, problem: e.message, httpError: e, exchangeId: e.exchangeId };
      throw e;
    }
    const base = { url, status: res.status, exchangeId: res.exchangeId, dateHeader: res.headers.get('date') ?? undefined, text: res.text, contentType: res.headers.get('content-type') ?? undefined };
    if (res.status !== 200) return { ...base, ok: false, json: res.json, problem: `HTTP ${res.status}` };
    if (res.json === undefined) return { ...base, ok: false, problem: 'the body is not JSON' };
    return { ...base, ok: true, json: res.json };
  }

  discovery(): Promise<FetchedDoc> {
    return this.once('discovery', async () => {
      const doc = await this.fetchJson(this.http.actor('probe'), this.target.discoveryUrl, 'discovery');
      if (doc.dateHeader) this.measureClock(doc.dateHeader);
      return doc;
    });
  }

  /** The discovery document as an object, or undefined when discovery failed. */
  async metadata(): Promise<Record<string, unknown> | undefined> {
    const d = await this.discovery();
    return d.ok && isObject(d.json) ? d.json : undefined;
  }

  jwks(): Promise<FetchedDoc> {
    return this.once('jwks', async () => {
      const md = await this.metadata();
      const uri = typeof md?.jwks_uri === 'string' ? md.jwks_uri : undefined;
      if (!uri) return { url: '', ok: false, problem: 'discovery has no jwks_uri' };
      return this.fetchJson(this.http.actor('probe'), uri, 'jwks');
    });
  }

  /** Records the provider's clock against ours from a Date header (seconds, provider minus harness). */
  measureClock(dateHeader: string): void {
    const t = Date.parse(dateHeader);
    if (!Number.isNaN(t) && this.measurements['clock.dateHeaderOffsetSec'] === undefined) {
      this.measurements['clock.dateHeaderOffsetSec'] = Math.round((t - Date.now()) / 1000);
    }
  }

  /** Authorize with the osTicket profile's exact request and log in (or reuse the browser's session). */
  async osticketCode(actor: Actor, label: string, settings = this.target.osticket): Promise<CodeFact> {
    const mark = this.mark();
    const req = buildOsticketAuthorizeUrl(settings);
    const outcome = await loginThroughAuthentik(actor, req.url, this.target.user, { redirectUri: settings.redirectUri, label });
    const fact: CodeFact = { settings, state: req.state, scope: req.scope, authorizeUrl: req.url, outcome, evidence: [] };
    if (outcome.kind === 'callback') {
      const p = outcome.formPost ? new URLSearchParams(outcome.formPost) : outcome.url.searchParams;
      fact.code = p.get('code') ?? undefined;
      fact.returnedState = p.get('state');
      fact.error = p.get('error') ?? undefined;
      fact.errorDescription = p.get('error_description') ?? undefined;
      if (fact.code) this.http.secrets.add(fact.code, 'code');
    }
    fact.evidence = this.evidenceSince(mark);
    return fact;
  }

  /** The shared login (osTicket profile): authorize → authentik login → callback → token → userinfo. */
  osticketLogin(): Promise<OsticketLoginFact> {
    return this.once('osticketLogin', async () => {
      const fact: OsticketLoginFact = await this.osticketCode(this.browser, 'login');
      const t0 = Date.now();
      if (fact.code) {
        const mark = this.mark();
        fact.token = await osticketTokenRequest(this.rpServer, fact.settings, fact.code);
        if (fact.token.ok) {
          this.http.secrets.add(fact.token.token.access_token, 'access_token');
          if (fact.token.token.refresh_token) this.http.secrets.add(fact.token.token.refresh_token, 'refresh_token');
          fact.userinfo = await osticketUserinfo(this.rpServer, fact.settings, fact.token.token.access_token);
        }
        fact.evidence.push(...this.evidenceSince(mark));
        this.measurements['login.callbackToUserinfoMs'] = Date.now() - t0;
      }
      return fact;
    });
  }

  /** A new code from the browser's authentik session (for the probes that spend one). */
  freshCode(label: string): Promise<CodeFact> {
    return this.osticketLogin().then(() => this.osticketCode(this.browser, label));
  }

  /** The conformant RP login in a fresh browser (conformant-login.ts): nonce, PKCE S256, client_secret_basic or post. */
  conformantLogin(): Promise<ConformantLoginFact> {
    return this.once('conformantLogin', () => runConformantLogin(this));
  }

  /** Verifies a JWT from this run against the run's JWKS and client secret (memoised per token). */
  verify(token: string, nonce?: string): Promise<JwtVerification> {
    return this.once(`verify:${token}`, async () => {
      const jwks = await this.jwks();
      const md = await this.metadata();
      return verifyJwt(token, {
        jwks: jwks.json ?? {},
        clientSecret: this.target.osticket.clientSecret,
        issuer: typeof md?.issuer === 'string' ? md.issuer : expectedIssuer(this.target),
        audience: this.target.osticket.clientId,
        nonce,
        clockToleranceSec: 300,
      });
    });
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** authentik's per-provider issuer: `<base>/application/o/<slug>/` (authentik.md §1). */
export function expectedIssuer(target: Target): string {
  return target.discoveryUrl.replace(/\.well-known\/openid-configuration$/, '');
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export { HttpError };
