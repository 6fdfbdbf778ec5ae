/**
 * Small helpers for the flow contract tests: blueprints made from the guide's with extra entries, and a step-by-step
 * executor client (one request per call, so each test asserts what authentik answers at that step).
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_BLUEPRINT_PATH } from '../../compose/embedded/index.ts';
import { authorizePath, Client, type AuthorizeParams } from './support.ts';

export const GUIDE = readFileSync(DEFAULT_BLUEPRINT_PATH, 'utf8');
const JSON_ACCEPT = { accept: 'application/json' };

/** The guide with entries placed before the provider (flows and stages the provider refers to). */
export function guideWithBefore(entries: string): string {
  return GUIDE.replace('entries:\n', `entries:\n${entries}`);
}

/** The guide with entries after its last one (they may refer to the provider, the application and the user). */
export function guideWithAfter(entries: string): string {
  return `${GUIDE.trimEnd()}\n${entries}`;
}

/** The guide's provider with one more attribute line (e.g. `authentication_flow: !Find [...]`). */
export function withProviderAttr(text: string, line: string): string {
  return text.replace('      sub_mode: user_email\n', `      sub_mode: user_email\n      ${line}\n`);
}

export interface Step {
  status: number;
  location: string | null;
  body: Record<string, any> | null;
}

/** A login in progress: the executor URL of the flow an authorize request was sent to. */
export class FlowWalk {
  exec = '';
  constructor(readonly c: Client) {}

  /** GET authorize; expects a 302 to /if/flow/<slug>/ and remembers the executor URL. Returns the slug. */
  async authorize(p: AuthorizeParams = {}): Promise<string> {
    const r = await this.c.req(authorizePath(p));
    const loc = r.headers.get('location') ?? '';
    const m = /^\/if\/flow\/([^/]+)\/\?(.*)$/.exec(loc);
    if (r.status !== 302 || !m) throw new Error(`authorize answered ${r.status} ${loc}`);
    this.exec = `/api/v3/flows/executor/${m[1]}/?query=${encodeURIComponent(m[2]!)}`;
    return m[1]!;
  }

  async get(): Promise<Step> {
    return this.read(await this.c.req(this.exec, { headers: JSON_ACCEPT }));
  }

  async post(body: Record<string, unknown>): Promise<Step> {
    const csrf = await this.c.cookie('authentik_csrf');
    return this.read(await this.c.req(this.exec, { json: body, headers: csrf ? { 'x-authentik-csrf': csrf } : {} }));
  }

  /** GETs through raw self-redirects (stage_ok) until a JSON answer. */
  async next(): Promise<Step> {
    for (let i = 0; i < 10; i++) {
      const s = await this.get();
      if (s.status !== 302) return s;
    }
    throw new Error('the executor kept redirecting');
  }

  private async read(r: Awaited<ReturnType<Client['req']>>): Promise<Step> {
    const text = await r.text();
    return { status: r.status, location: r.headers.get('location'), body: text ? (JSON.parse(text) as Record<string, any>) : null };
  }
}

/** Identification then password on the default authentication flow; returns the step after the password. */
export async function passwordLogin(w: FlowWalk, user = 'osticket-test', password = 'osticket-test-password'): Promise<Step> {
  const ident = await w.post({ component: 'ak-stage-identification', uid_field: user });
  if (ident.status !== 302) throw new Error(`identification answered ${ident.status} ${JSON.stringify(ident.body)}`);
  const pw = await w.next();
  if (pw.body?.component !== 'ak-stage-password') throw new Error(`expected the password stage, got ${JSON.stringify(pw.body)}`);
  return w.post({ component: 'ak-stage-password', password });
}
