/**
 * The flow as it actually went, drawn as an inline SVG sequence diagram from the run's transcript: one lane per
 * harness actor (the user's browser, osTicket's server side, probes) and per server host (authentik, osTicket),
 * one solid arrow per request (method + path) and a dashed answer (status + ms, or the transport error).
 * Each row links to its transcript entry (#ex-<id>). Input is already sanitized; every text is escaped here.
 */
import type { RunResult } from '../checks/types.ts';
import type { Exchange } from '../http/types.ts';
import { escapeMarkup as e } from './escape.ts';

export interface Lane {
  key: string;
  kind: 'actor' | 'server';
  title: string;
  subtitle: string;
}

const OSTICKET_PATH = /\/api\/auth\/oauth2|\/scp\/|\/login\.php|\/tickets\.php|\/profile\.php|\/api\/http\.php/;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 40) || '(no host)';
  }
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

/** How a harness actor is shown: the role it plays, then its raw name. */
export function actorTitle(actor: string): string {
  if (/probe/i.test(actor)) return 'harness probe';
  if (/conformant/i.test(actor)) return 'harness as OIDC RP';
  if (/osticket|^rp$|relying|client[-_ ]?profile/i.test(actor)) return 'harness as osTicket';
  if (/browser|user[-_ ]?agent|^user$|^ua$/i.test(actor)) return 'harness as browser';
  return `harness (${actor})`;
}

/** Lanes in display order: harness actors (browser first), then osTicket hosts, authentik hosts, other hosts. */
export function buildLanes(run: Pick<RunResult, 'target' | 'transcript'>): Lane[] {
  const actors: string[] = [];
  const hosts: string[] = [];
  for (const x of run.transcript) {
    if (!actors.includes(x.actor)) actors.push(x.actor);
    const h = hostOf(x.url);
    if (!hosts.includes(h)) hosts.push(h);
  }
  const roleOrder = (a: string) => {
    const t = actorTitle(a);
    return t === 'harness as browser' ? 0 : t === 'harness as osTicket' ? 1 : t === 'harness probe' ? 3 : 2;
  };
  actors.sort((a, b) => roleOrder(a) - roleOrder(b)); // stable: keeps first-appearance order within a role
  let issuerHost: string | undefined;
  try {
    issuerHost = run.target.issuer ? new URL(run.target.issuer).host : undefined;
  } catch {
    issuerHost = undefined;
  }
  const hostRole = (h: string): 'authentik' | 'osTicket' | 'server' => {
    if (h === issuerHost) return 'authentik';
    const paths = run.transcript.filter((x) => hostOf(x.url) === h).map((x) => pathOf(x.url));
    if (paths.some((p) => OSTICKET_PATH.test(p))) return 'osTicket';
    if (paths.some((p) => p.startsWith('/application/o/') || p.startsWith('/api/v3/flows/') || p.startsWith('/if/flow/'))) return 'authentik';
    return 'server';
  };
  const order = { osTicket: 0, authentik: 1, server: 2 };
  const servers = hosts
    .map((h) => ({ h, role: hostRole(h) }))
    .sort((a, b) => order[a.role] - order[b.role]);
  return [
    ...actors.map((a): Lane => ({ key: `actor:${a}`, kind: 'actor', title: actorTitle(a), subtitle: a })),
    ...servers.map(({ h, role }): Lane => ({ key: `host:${h}`, kind: 'server', title: role === 'server' ? 'server' : role, subtitle: h })),
  ];
}

function statusClass(x: Exchange): string {
  if (x.status === undefined) return 'st-err';
  if (x.status >= 500) return 'st-5xx';
  if (x.status >= 400) return 'st-4xx';
  if (x.status >= 300) return 'st-3xx';
  return 'st-2xx';
}

function fit(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(1, maxChars - 1))}…`;
}

const GUTTER = 150;
/** Lanes share the page width (~1130 px usable) but never get narrower than 140 px (then the box scrolls). */
const laneWidth = (lanes: number) => Math.max(120, Math.min(200, Math.floor((1140 - GUTTER - 20) / Math.max(1, lanes))));
const HEAD = 64;
const ROW = 44;
const CHAR = 6.7; // ~width of one 11px monospace character

/**
 * The SVG markup. `flagged` maps an exchange id to the failing checks it is evidence for (marked in red).
 */
export function renderSequenceSvg(run: Pick<RunResult, 'target' | 'transcript' | 'startedAt'>, flagged: ReadonlyMap<number, string[]> = new Map()): string {
  const lanes = buildLanes(run);
  if (run.transcript.length === 0) return '<p class="muted">No HTTP exchange was recorded.</p>';
  const LANE_W = laneWidth(lanes.length);
  const width = GUTTER + lanes.length * LANE_W + 20;
  const height = HEAD + run.transcript.length * ROW + 16;
  const xOf = new Map(lanes.map((l, i) => [l.key, GUTTER + i * LANE_W + LANE_W / 2]));
  const t0 = Date.parse(run.transcript[0]!.startedAt) || Date.parse(run.startedAt) || 0;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="seq" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Sequence diagram of ${run.transcript.length} HTTP exchanges">`,
  );
  parts.push(
    '<defs>',
    ...['st-2xx', 'st-3xx', 'st-4xx', 'st-5xx', 'st-err', 'req'].map(
      (c) => `<marker id="ah-${c}" class="${c}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`,
    ),
    '</defs>',
  );
  // lane heads and lifelines
  lanes.forEach((l) => {
    const x = xOf.get(l.key)!;
    parts.push(
      `<g class="lane ${l.kind}"><rect x="${x - LANE_W / 2 + 8}" y="6" width="${LANE_W - 16}" height="42" rx="6"/>` +
        `<text x="${x}" y="23" class="lane-title">${e(fit(l.title, Math.floor((LANE_W - 16) / 6.2)))}</text>` +
        `<text x="${x}" y="39" class="lane-sub">${e(fit(l.subtitle, Math.floor((LANE_W - 24) / CHAR)))}</text>` +
        `<line x1="${x}" y1="48" x2="${x}" y2="${height - 6}" class="lifeline"/></g>`,
    );
  });
  run.transcript.forEach((x, i) => {
    const y = HEAD + i * ROW + 12;
    const from = xOf.get(`actor:${x.actor}`)!;
    const to = xOf.get(`host:${hostOf(x.url)}`)!;
    const span = Math.abs(to - from);
    const left = Math.min(from, to);
    const cls = statusClass(x);
    const rel = ((Date.parse(x.startedAt) || t0) - t0) / 1000;
    const req = `${x.method} ${pathOf(x.url)}`;
    const answer = x.status !== undefined ? `${x.status} · ${Math.round(x.ms)} ms` : `✗ ${x.errorCode ?? 'error'} · ${Math.round(x.ms)} ms`;
    const fail = flagged.get(x.id);
    const tip = [`#${x.id} ${x.label ?? ''}`.trim(), `${x.actor} -> ${hostOf(x.url)}`, `${x.method} ${x.url}`,
      x.status !== undefined ? `HTTP ${x.status} in ${Math.round(x.ms)} ms` : `error: ${x.error ?? x.errorCode ?? 'no answer'}`,
      fail ? `evidence for failing check(s): ${fail.join(', ')}` : ''].filter(Boolean).join('\n');
    parts.push(`<a href="#ex-${x.id}" class="row${fail ? ' flagged' : ''}"><title>${e(tip)}</title>`);
    parts.push(`<rect class="hit" x="0" y="${y - 12}" width="${width}" height="${ROW}"/>`);
    if (fail) parts.push(`<circle class="flag" cx="10" cy="${y + 2}" r="4"/>`);
    parts.push(`<text x="20" y="${y + 1}" class="gut">#${x.id}  +${rel.toFixed(2)} s</text>`);
    if (x.label) parts.push(`<text x="20" y="${y + 16}" class="gut-label">${e(fit(x.label, 20))}</text>`);
    parts.push(`<text x="${left + span / 2}" y="${y - 2}" class="req-text">${e(fit(req, Math.floor((span - 8) / CHAR)))}</text>`);
    parts.push(`<line x1="${from}" y1="${y + 3}" x2="${to - (to > from ? 2 : -2)}" y2="${y + 3}" class="req" marker-end="url(#ah-req)"/>`);
    parts.push(`<line x1="${to}" y1="${y + 19}" x2="${from + (to > from ? 2 : -2)}" y2="${y + 19}" class="resp ${cls}" marker-end="url(#ah-${cls})"/>`);
    parts.push(`<text x="${left + span / 2}" y="${y + 15}" class="resp-text ${cls}">${e(fit(answer, Math.floor((span - 8) / CHAR)))}</text>`);
    parts.push('</a>');
  });
  parts.push('</svg>');
  return parts.join('\n');
}
