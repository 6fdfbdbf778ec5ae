/**
 * osTicket's stored Client Secret, judged once per run: read from MySQL (read-only, osticket.md §6), decrypted with
 * the SECRET_SALT given to the harness (include/class.crypto.php), and shown to authentik's token endpoint with a
 * code that cannot exist. What each probe proves (authentik.md §6, §13):
 *   - the token endpoint checks redirect_uri against the provider's list before the code, so an unregistered
 *     redirect_uri answers invalid_client whatever the secret: invalid_client alone does not prove a wrong secret;
 *   - with a registered redirect_uri, invalid_grant (the made-up code) proves the secret right, invalid_client wrong.
 * So the secret probe always uses a redirect_uri authorize accepts (osTicket's own if registered, else the one given
 * to the harness, else a neighbour of osTicket's), and an unregistered stored redirect_uri is its own finding.
 * Nothing is issued: the code does not exist.
 */
import type { Connection } from 'mysql2/promise';
import { readPluginConfig, type PluginConfig, type PluginInstanceConfig } from '../../osticket/plugin-config.ts';
import { decryptOsticketSecret } from '../../osticket/secret-crypto.ts';
import type { CheckContext } from '../context.ts';
import { fail, skip, type Outcome } from '../engine.ts';
import { nearMiss } from './near-misses.ts';
import { signedInSides } from './osticket-logins.ts';
import { judgeRedirectRefusal, probeRedirect } from './shared.ts';

export function pluginConfig(ctx: CheckContext): Promise<PluginConfig | { error: string }> {
  return ctx.once('osticket-plugin-config', async () => {
    const db = ctx.target.osticketServer?.db;
    if (!db) return { error: 'no osTicket database credentials given (osticket.db)' };
    let conn: Connection | undefined;
    try {
      // mysql2 is loaded only for a target with osTicket's database (issue 12: heavy modules on demand).
      const { default: mysql } = await import('mysql2/promise');
      conn = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, connectTimeout: 5_000 });
      return await readPluginConfig(conn, { prefix: db.prefix });
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { error: `cannot read osTicket's database at ${db.host}:${db.port}: ${err.code ?? ''} ${ctx.http.secrets.redact(err.message ?? '')}`.trim() };
    } finally {
      await conn?.end().catch(() => undefined);
    }
  });
}

/** The enabled SSO instances (auth_type `autho` is email authorization, not a login). */
export function enabledInstances(cfg: PluginConfig): PluginInstanceConfig[] {
  return cfg.instances.filter((i) => i.pluginActive && i.instanceEnabled && i.settings.auth_type !== 'autho');
}

export type SecretVerdict =
  /** Not checked: no SECRET_SALT given, no database, or no registered redirect_uri to probe with. */
  | { kind: 'unchecked'; why: string }
  | { kind: 'undecryptable' }
  /** The stored redirect_uri is not registered (whatever the secret). */
  | { kind: 'redirect-unregistered'; redirectUri: string; secret: 'accepted' | 'refused' | 'unchecked' }
  | { kind: 'accepted'; via: string }
  | { kind: 'refused'; via: string; seen: string };

export interface StoredSecret {
  instance: string;
  verdict: SecretVerdict;
  evidence: number[];
}

/** One token request with the stored secret and a code that cannot exist: the error code, or the status. */
async function tokenProbe(ctx: CheckContext, i: PluginInstanceConfig, secret: string, redirectUri: string): Promise<{ error?: string; status: number; exchangeId: number }> {
  const res = await ctx.rpServer.request(ctx.target.osticket.tokenUrl, {
    method: 'POST',
    label: 'probe: token (osTicket stored secret)',
    form: { client_id: i.settings.clientId ?? '', client_secret: secret, redirect_uri: redirectUri, grant_type: 'authorization_code', code: 'oidc-harness-probe-no-such-code' },
  });
  const err = (res.json as { error?: unknown } | undefined)?.error;
  return { status: res.status, exchangeId: res.exchangeId, ...(typeof err === 'string' ? { error: err } : {}) };
}

/** The first of osTicket's redirect_uri, the harness's, and osTicket's neighbours that authorize accepts. */
async function registeredRedirect(ctx: CheckContext, stored: string): Promise<string | undefined> {
  const neighbours = (['trailing-slash', 'other-path'] as const).map((id) => nearMiss(stored, id)).flatMap((m) => ('uri' in m ? [m.uri] : []));
  for (const uri of [...new Set([stored, ctx.target.osticket.redirectUri, ...neighbours])]) {
    if (uri && (await probeRedirect(ctx, uri)).verdict === 'accepted') return uri;
  }
  return undefined;
}

async function judgeInstance(ctx: CheckContext, i: PluginInstanceConfig, salt: string): Promise<SecretVerdict> {
  const secret = i.settings.clientSecretStored ? decryptOsticketSecret(i.settings.clientSecretStored, salt, i.namespace) : undefined;
  if (!secret) return { kind: 'undecryptable' };
  ctx.http.secrets.add(secret, 'client_secret');
  if (i.settings.clientId !== ctx.target.osticket.clientId) return { kind: 'unchecked', why: "the stored Client Id is not the one given to the harness (see osticket.authorize-request-matches)" };
  const stored = i.settings.redirectUri ?? '';
  const registered = await registeredRedirect(ctx, stored);
  let secretVerdict: SecretVerdict;
  if (!registered) secretVerdict = { kind: 'unchecked', why: 'authentik accepts none of the Redirect URIs known here, so a token request cannot tell a wrong secret apart' };
  else {
    const p = await tokenProbe(ctx, i, secret, registered);
    const seen = `HTTP ${p.status} ${p.error ?? ''}`.trim();
    secretVerdict = p.error === 'invalid_grant' ? { kind: 'accepted', via: registered } : p.error === 'invalid_client' ? { kind: 'refused', via: registered, seen } : { kind: 'unchecked', why: `the token endpoint answered ${seen}` };
  }
  if (registered === stored) return secretVerdict;
  const secretState = secretVerdict.kind === 'accepted' || secretVerdict.kind === 'refused' ? secretVerdict.kind : 'unchecked';
  return { kind: 'redirect-unregistered', redirectUri: stored, secret: secretState };
}

/** Every enabled instance's stored secret, judged once per run (memoised; the evidence is the probes it sent). */
export function storedSecrets(ctx: CheckContext): Promise<StoredSecret[] | { unchecked: string }> {
  return ctx.once('osticket-stored-secrets', async () => {
    const salt = ctx.target.osticketServer?.db?.secretSalt;
    if (!salt) return { unchecked: 'no SECRET_SALT given (osticket.db.secretSaltFile)' };
    const cfg = await pluginConfig(ctx);
    if ('error' in cfg) return { unchecked: cfg.error };
    ctx.http.secrets.add(salt, 'secret_salt');
    const out: StoredSecret[] = [];
    for (const i of enabledInstances(cfg)) {
      const mark = ctx.mark();
      const verdict = await judgeInstance(ctx, i, salt);
      out.push({ instance: i.name, verdict, evidence: ctx.evidenceSince(mark) });
    }
    return out;
  });
}

/**
 * The outcome for a stored secret, or undefined when it is fine or unchecked. A cause contradicted by this run's
 * evidence is not ranked: an osTicket login that signed in proves osTicket decrypts its secret and authentik takes
 * it, so a secret the harness cannot decrypt means the SECRET_SALT given to the harness is wrong (its input).
 */
export async function judgeStoredSecret(ctx: CheckContext, s: StoredSecret): Promise<Outcome | undefined> {
  const v = s.verdict;
  const passed = await signedInSides(ctx);
  const proof = passed.length ? `osTicket's ${passed.join(' and ')} login in this run signed in` : '';
  const evidence = s.evidence;
  switch (v.kind) {
    case 'undecryptable':
      if (proof) {
        return fail('harness-secret-salt-wrong', { expected: 'the stored Client Secret decrypts with the SECRET_SALT given', actual: `${s.instance}: not decryptable with it, yet ${proof}`, detail: `${proof}, so osTicket decrypts its Client Secret; the SECRET_SALT given to the harness does not`, evidence });
      }
      return fail('osticket-secret-undecryptable', { expected: 'a Client Secret osTicket can decrypt', actual: `${s.instance}: not decryptable with SECRET_SALT`, detail: `the Client Secret stored in instance "${s.instance}" does not decrypt with the SECRET_SALT given to the harness; if that is osTicket's SECRET_SALT, osTicket cannot decrypt it either and sends client_secret=0`, evidence });
    case 'redirect-unregistered': {
      const j = await judgeRedirectRefusal(ctx, v.redirectUri);
      const secretNote = v.secret === 'unchecked' ? 'the stored Client Secret could not be checked' : `the stored Client Secret is ${v.secret} (probed with a registered redirect_uri)`;
      return fail(j.diagnosis, { expected: `${v.redirectUri} registered in authentik`, actual: `${s.instance}: ${j.detail}; ${secretNote}`, detail: `${j.detail}; ${secretNote}`, fix: j.fix, evidence });
    }
    case 'refused':
      if (proof) return skip(`the stored Client Secret was refused by a probe, yet ${proof}: contradicting evidence, not judged`, { evidence });
      return fail('client-secret-mismatch', { expected: 'authentik accepts the stored Client Secret (invalid_grant for a made-up code)', actual: `${v.seen} with the registered redirect_uri ${v.via}`, detail: `the Client Secret stored in osTicket instance "${s.instance}" is refused by authentik with a registered redirect_uri`, evidence });
    default:
      return undefined;
  }
}

/** A one-line note on the stored secret for a passing check. */
export function secretNote(s: StoredSecret): string {
  const v = s.verdict;
  if (v.kind === 'accepted') return `${s.instance}: stored secret accepted (invalid_grant with the registered redirect_uri ${v.via})`;
  if (v.kind === 'unchecked') return `${s.instance}: stored secret not checked (${v.why})`;
  return `${s.instance}: ${v.kind}`;
}

/** For osTicket's silent failure: the stored secret's cause, when the run proves one and nothing contradicts it. */
export async function storedSecretCause(ctx: CheckContext): Promise<'osticket-secret-undecryptable' | 'client-secret-mismatch' | undefined> {
  const all = await storedSecrets(ctx);
  if (!Array.isArray(all) || (await signedInSides(ctx)).length) return undefined;
  if (all.some((s) => s.verdict.kind === 'undecryptable')) return 'osticket-secret-undecryptable';
  if (all.some((s) => s.verdict.kind === 'refused')) return 'client-secret-mismatch';
  return undefined;
}
