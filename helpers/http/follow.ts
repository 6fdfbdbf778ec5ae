/**
 * Manual redirect following for one actor: the caller decides where to stop (e.g. at the redirect URI, which
 * must never be requested by the authentik driver). Follows 30x across hosts with the actor's jar.
 */
import type { Actor } from './client.ts';
import type { HttpResponse, RequestInit } from './types.ts';

export interface FollowOptions {
  /** Maximum number of redirects to follow (default 20). */
  maxHops?: number;
  /** Called with each next URL before it is requested; true = stop there without requesting it. */
  stopWhen?: (next: URL) => boolean;
  /** Method/body/headers of the first request (later hops: GET after 301/302/303 on POST, kept on 307/308). */
  init?: RequestInit;
  /** Label prefix for the transcript ("authorize" -> "authorize #1", "authorize #2"...). */
  label?: string;
  /** A (method, URL) requested this many times already makes the next visit a loop (default 2). */
  maxRepeats?: number;
}

export type FollowOutcome =
  /** the last response is not a redirect (or has no Location) */
  | 'final'
  /** stopWhen() matched `stoppedAt`, which was not requested */
  | 'stopped'
  /** the next hop would revisit a URL: `stoppedAt` */
  | 'loop'
  /** maxHops redirects followed and the last one still redirects to `stoppedAt` */
  | 'max-hops';

export interface FollowResult {
  outcome: FollowOutcome;
  /** Every response, in order (hops[0] answers the first request). */
  hops: HttpResponse[];
  /** The last response received. */
  last: HttpResponse;
  /** The URL not requested (outcome stopped / loop / max-hops). */
  stoppedAt?: URL;
}

export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function follow(actor: Actor, url: string | URL, opts: FollowOptions = {}): Promise<FollowResult> {
  const maxHops = opts.maxHops ?? 20;
  const maxRepeats = opts.maxRepeats ?? 2;
  const seen = new Map<string, number>();
  const hops: HttpResponse[] = [];
  let init: RequestInit = { ...opts.init };
  let current = new URL(String(url));
  for (let n = 0; ; n++) {
    const method = (init.method ?? (init.form || init.json !== undefined || init.body !== undefined ? 'POST' : 'GET')).toUpperCase();
    const key = `${method} ${current.href}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const res = await actor.request(current, { ...init, label: opts.label ? `${opts.label} #${n + 1}` : init.label });
    hops.push(res);
    if (!REDIRECT_STATUSES.has(res.status) || !res.location) return { outcome: 'final', hops, last: res };
    const next = res.location;
    if (opts.stopWhen?.(next)) return { outcome: 'stopped', hops, last: res, stoppedAt: next };
    if (n + 1 > maxHops) return { outcome: 'max-hops', hops, last: res, stoppedAt: next };
    // 303 always, and 301/302 after POST (as browsers do), switch to GET without a body.
    const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST');
    const nextInit: RequestInit = toGet
      ? { headers: stripBodyHeaders(init.headers), timeoutMs: init.timeoutMs }
      : { ...init, label: undefined };
    const nextMethod = toGet ? 'GET' : method;
    if ((seen.get(`${nextMethod} ${next.href}`) ?? 0) >= maxRepeats) return { outcome: 'loop', hops, last: res, stoppedAt: next };
    init = nextInit;
    current = next;
  }
}

function stripBodyHeaders(h: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!h) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (!/^content-(type|length)$/i.test(k)) out[k] = v;
  return out;
}
