/**
 * Checks that need a running osTicket (containers stack, or live with --osticket): its SSO link, the authorize
 * request it really sends, agent and end-user logins end to end through authentik (osticket.md §4, §5, §11), and
 * its plugin configuration read from MySQL (read-only; osticket.md §6). Elsewhere the engine skips them.
 */
import mysql from 'mysql2/promise';
import type { DiagnosisId } from '../../diagnosis/catalog.ts';
import { osticketScopeParam } from '../../oidc/index.ts';
import { lintPluginConfig, readPluginConfig, type PluginConfig } from '../../osticket/plugin-config.ts';
import { decryptOsticketSecret } from '../../osticket/secret-crypto.ts';
import { loginThroughOsticket, readLoginPage, type OsticketLoginResult, type OsticketSide } from '../../osticket/web-driver.ts';
import type { CheckContext, CodeFact } from '../context.ts';
import { fail, pass, skip, type CheckDef, type Outcome } from '../engine.ts';
import { judgeLogin } from './shared.ts';

function osticketLogin(ctx: CheckContext, side: OsticketSide): Promise<OsticketLoginResult> {
  return ctx.once(`osticket-server-login:${side}`, async () => {
    await ctx.osticketLogin(); // one login at a time; the protocol-level login first
    const actor = ctx.http.actor(`osticket-${side}-browser`, { fresh: true });
    return loginThroughOsticket(actor, { baseUrl: ctx.target.osticketServer!.baseUrl, side, creds: ctx.target.user, label: `osticket ${side}` });
  });
}

/** Turns an osTicket login result into a check outcome with the cause an operator can act on. */
async function judgeOsticketLogin(ctx: CheckContext, r: OsticketLoginResult): Promise<Outcome> {
  const evidence = r.exchangeIds;
  switch (r.kind) {
    case 'signed-in':
      return pass({ actual: `signed in: ${r.session.markers.join(', ')} on ${new URL(r.session.url).pathname}`, evidence });
    case 'no-sso-link':
      return fail('sso-link-missing', { expected: 'an "Sign in with …" link', actual: r.detail, detail: r.detail, evidence });
    case 'trigger-failed':
      return fail('sso-link-missing', { expected: '302 to the Authorization Endpoint', actual: r.detail, detail: r.detail, evidence });
    case 'authentik-failed': {
      const fact: CodeFact = {
        settings: ctx.target.osticket,
        state: '',
        scope: r.authorizeRequest?.scope ?? '',
        authorizeUrl: new URL(r.authorizeRequest?.url ?? ctx.target.osticket.authorizeUrl),
        outcome: r.authentik,
        evidence,
      };
      if (r.authentik.kind === 'callback') {
        fact.error = r.authentik.url.searchParams.get('error') ?? undefined;
        fact.errorDescription = r.authentik.url.searchParams.get('error_description') ?? undefined;
      }
      const j = await judgeLogin(ctx, fact);
      return fail(j?.diagnosis ?? 'authentik-flow-error', { expected: 'authentik sends the browser back with a code', actual: j?.detail ?? r.authentik.kind, detail: j?.detail, evidence });
    }
    case 'silent-failure': {
      if (r.noLocalAccount) return fail('agent-missing', { expected: 'an agent whose email is the user\'s', actual: r.noLocalAccount.message, detail: `osTicket says "${r.noLocalAccount.message}"`, evidence });
      if (r.callbackHostMismatch) return fail('osticket-session-host-mismatch', { expected: 'the callback on the host the login started on', actual: r.location, evidence });
      return fail(await silentCause(ctx, r), { expected: 'osTicket signs the user in', actual: `callback answered ${r.callbackStatus} to ${r.location} (osTicket's silent failure)${r.loginMessage ? `; login page: "${r.loginMessage}"` : ''}`, evidence });
    }
    case 'not-signed-in':
      return fail(await silentCause(ctx, r), { expected: 'a signed-in session', actual: `${r.session.url}: ${r.session.markers.join(', ')}`, evidence });
    case 'transport':
      return fail('authentik-unreachable', { expected: 'osTicket reachable', actual: r.error.message, detail: `${r.step}: ${r.error.message}`, evidence });
    case 'unexpected':
      if (r.step.includes('callback') && (r.status === 404 || r.status === 400)) {
        return fail('callback-not-routed', { expected: '302 from /api/auth/oauth2', actual: `HTTP ${r.status}`, detail: r.detail, evidence });
      }
      return fail('osticket-login-failed-silently', { expected: 'osTicket signs the user in', actual: r.detail, detail: `${r.step}: ${r.detail}`, evidence });
  }
}

/**
 * osTicket swallows every callback exception (osticket.md §3), so the cause is inferred: first from the authorize
 * request osTicket really sent (its Scopes / Client Id / Redirect URI), then from this run's protocol-level login
 * (the same requests osTicket makes, with the settings the harness was given). Without either, the generic one.
 */
async function silentCause(ctx: CheckContext, r: OsticketLoginResult): Promise<DiagnosisId> {
  const a = r.authorizeRequest;
  if (a?.scope?.includes(',')) return 'scopes-comma-separated';
  if (a && !(a.scope ?? '').split(/\s+/).includes('openid')) return 'scopes-missing-openid';
  if (a && a.clientId !== ctx.target.osticket.clientId) return 'osticket-client-id-mismatch';
  const fact = await ctx.osticketLogin();
  if (fact.token && !fact.token.ok) return fact.token.error === 'invalid_client' ? 'client-secret-mismatch' : 'token-endpoint-error';
  if (fact.userinfo && !fact.userinfo.ok) return 'userinfo-error';
  if (fact.userinfo?.ok && typeof fact.userinfo.claims.email !== 'string') return 'scope-mapping-email-missing';
  return 'osticket-login-failed-silently';
}

function pluginConfig(ctx: CheckContext): Promise<PluginConfig | { error: string }> {
  return ctx.once('osticket-plugin-config', async () => {
    const db = ctx.target.osticketServer?.db;
    if (!db) return { error: 'no osTicket database credentials given (osticket.db)' };
    let conn: mysql.Connection | undefined;
    try {
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

export const osticketChecks: CheckDef[] = [
  {
    id: 'osticket.sso-link-shown',
    area: 'osticket',
    title: 'The staff and client login pages show the "Sign in with …" link',
    spec: 'include/class.auth.php (renderExternalLink); osticket.md §4 Buttons',
    severity: 'critical',
    needsOsticketServer: true,
    async run(ctx) {
      const base = ctx.target.osticketServer!.baseUrl;
      const missing: string[] = [];
      const evidence: number[] = [];
      for (const side of ['agent', 'user'] as const) {
        const page = await readLoginPage(ctx.http.actor(`osticket-${side}-page`, { fresh: true }), base, side, `osticket ${side} login page`);
        evidence.push(page.exchangeId);
        if (!page.links.length) missing.push(`${side === 'agent' ? '/scp/login.php' : '/login.php'} (HTTP ${page.status})`);
      }
      if (missing.length) return fail('sso-link-missing', { expected: 'an a.external-sign-in link on both login pages', actual: `none on ${missing.join(' and ')}`, evidence });
      return pass({ actual: 'link on /scp/login.php and /login.php', evidence });
    },
  },
  {
    id: 'osticket.authorize-request-matches',
    area: 'osticket',
    title: "The authorize request osTicket really sends matches authentik's registration (client id, redirect URI, scopes)",
    spec: 'auth-oauth2/oauth2.php triggerAuth (getAuthorizationUrl); osticket.md §2, §11',
    severity: 'critical',
    needsOsticketServer: true,
    async run(ctx) {
      const r = await osticketLogin(ctx, 'agent');
      const a = r.authorizeRequest;
      if (!a) return skip(`osTicket sent no authorize request (${r.kind}; see osticket.sso-link-shown)`, { evidence: r.exchangeIds });
      const o = ctx.target.osticket;
      if (a.clientId !== o.clientId) return fail('osticket-client-id-mismatch', { expected: o.clientId, actual: String(a.clientId), evidence: r.exchangeIds });
      if (a.redirectUri !== o.redirectUri) return fail('osticket-redirect-uri-differs', { expected: o.redirectUri, actual: String(a.redirectUri), evidence: r.exchangeIds });
      if ((a.scope ?? '').includes(',')) return fail('scopes-comma-separated', { expected: 'email openid profile', actual: `scope=${a.scope}`, evidence: r.exchangeIds });
      if (!(a.scope ?? '').split(/\s+/).includes('openid')) return fail('scopes-missing-openid', { expected: 'openid among the scopes', actual: `scope=${a.scope}`, evidence: r.exchangeIds });
      const want = osticketScopeParam(o.scopes);
      return pass({ actual: `client_id ok, redirect_uri ${a.redirectUri}, scope=${a.scope}${a.scope !== want ? ` (configured here: ${want})` : ''}`, evidence: r.exchangeIds });
    },
  },
  {
    id: 'osticket.agent-login',
    area: 'osticket',
    title: 'An agent whose email is the user\'s signs in to /scp/ through authentik',
    spec: 'auth-oauth2/oauth2.php OAuth2StaffAuthBackend::signIn; osticket.md §3 Agents, §5',
    severity: 'critical',
    needsOsticketServer: true,
    async run(ctx) {
      return judgeOsticketLogin(ctx, await osticketLogin(ctx, 'agent'));
    },
  },
  {
    id: 'osticket.user-login',
    area: 'osticket',
    title: 'An end user signs in to the client portal through authentik',
    spec: 'auth-oauth2/oauth2.php OAuth2UserAuthBackend::signIn; osticket.md §3 End users, §5',
    severity: 'major',
    needsOsticketServer: true,
    async run(ctx) {
      return judgeOsticketLogin(ctx, await osticketLogin(ctx, 'user'));
    },
  },
  {
    id: 'osticket.plugin-config',
    area: 'osticket',
    title: 'The plugin configuration in MySQL has clean endpoints, the exact callback, space-separated scopes and a decryptable secret',
    spec: 'auth-oauth2/config.php; include/class.crypto.php; osticket.md §6 (read-only)',
    severity: 'major',
    needsOsticketServer: true,
    async run(ctx) {
      const cfg = await pluginConfig(ctx);
      if ('error' in cfg) return skip(cfg.error);
      const enabled = cfg.instances.filter((i) => i.pluginActive && i.instanceEnabled && i.settings.auth_type !== 'autho');
      if (enabled.length === 0) return fail('sso-link-missing', { expected: 'an enabled auth-oauth2 instance', actual: `${cfg.instances.length} instance(s), none enabled` });
      // A recorded install path with no plugin behind it loads nothing (include/class.plugin.php getInfoForPath).
      const onDisk = ctx.target.osticketServer?.pluginPaths;
      const lost = onDisk ? enabled.find((i) => !onDisk.includes(i.installPath)) : undefined;
      if (lost && onDisk) return fail('osticket-plugin-path-missing', { expected: `include/${lost.installPath} on osTicket's disk`, actual: `not there; include/plugins holds ${onDisk.join(', ') || 'no plugin'}`, detail: `${lost.name}: install path ${lost.installPath}` });
      const salt0 = ctx.target.osticketServer?.db?.secretSalt;
      const findings = enabled.flatMap((i) => lintPluginConfig(i.settings, { namespace: i.namespace, ...(salt0 ? { secretSalt: salt0 } : {}) }).map((f) => ({ ...f, instance: i.name })));
      if (enabled.every((i) => i.settings.auth_target === 'none' || i.settings.auth_target === undefined)) {
        return fail('sso-link-missing', { expected: 'Authentication Target agents/users/all', actual: 'none' });
      }
      if (findings.length) {
        const f = findings[0]!;
        return fail(f.diagnosis, { expected: 'no findings', actual: findings.map((x) => `${x.instance}: ${x.message}`).join('; '), detail: f.message });
      }
      // With SECRET_SALT the stored secret can be decrypted and shown to authentik: a token request with a code
      // that cannot exist is refused with invalid_grant when the client authenticates, invalid_client when not
      // (views/token.py checks the client before the code, authentik.md §6). Read-only: nothing is issued.
      const salt = ctx.target.osticketServer?.db?.secretSalt;
      const notes: string[] = [];
      if (salt) {
        ctx.http.secrets.add(salt, 'secret_salt');
        for (const i of enabled) {
          const secret = i.settings.clientSecretStored ? decryptOsticketSecret(i.settings.clientSecretStored, salt, i.namespace) : undefined;
          if (!secret) return fail('osticket-secret-undecryptable', { expected: 'a Client Secret osTicket can decrypt', actual: `${i.name}: not decryptable with SECRET_SALT` });
          ctx.http.secrets.add(secret, 'client_secret');
          const res = await ctx.rpServer.request(ctx.target.osticket.tokenUrl, {
            method: 'POST',
            label: 'probe: token (osTicket stored secret)',
            form: { client_id: i.settings.clientId ?? '', client_secret: secret, redirect_uri: i.settings.redirectUri ?? '', grant_type: 'authorization_code', code: 'oidc-harness-probe-no-such-code' },
          });
          const err = typeof (res.json as { error?: unknown } | undefined)?.error === 'string' ? (res.json as { error: string }).error : undefined;
          if (err === 'invalid_client') return fail('client-secret-mismatch', { expected: 'authentik accepts the stored Client Secret (invalid_grant for a made-up code)', actual: `HTTP ${res.status} invalid_client`, detail: `the Client Secret stored in osTicket instance "${i.name}" is refused by authentik` });
          notes.push(`${i.name}: stored secret accepted (HTTP ${res.status} ${err ?? ''})`);
        }
      } else notes.push('stored secret not checked against authentik (no SECRET_SALT given)');
      return pass({ actual: enabled.map((i) => `${i.name}: ${i.settings.urlAuthorize}, scopes "${i.settings.scopes}"`).concat(notes).join('; ') });
    },
  },
];
