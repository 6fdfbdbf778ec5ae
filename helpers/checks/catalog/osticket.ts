/**
 * Checks that need a running osTicket (containers stack, or live with --osticket): its SSO link, the authorize
 * request it really sends, agent and end-user logins end to end through authentik (osticket.md §4, §5, §11), and
 * its plugin configuration read from MySQL (read-only; osticket.md §6). Elsewhere the engine skips them.
 */
import { osticketScopeParam } from '../../oidc/index.ts';
import { lintPluginConfig } from '../../osticket/plugin-config.ts';
import { readLoginPage } from '../../osticket/web-driver.ts';
import { fail, pass, skip, type CheckDef } from '../engine.ts';
import { judgeObservedRedirect, judgeOsticketLogin, noAuthorizeRequestReason, osticketCallback } from './osticket-judge.ts';
import { osticketLogin } from './osticket-logins.ts';
import { enabledInstances, judgeStoredSecret, pluginConfig, secretNote, storedSecrets } from './osticket-secret.ts';
import { probeRedirect } from './shared.ts';

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
      const evidence = r.exchangeIds;
      if (!a) return skip(noAuthorizeRequestReason(r), { evidence });
      const o = ctx.target.osticket;
      if (a.clientId !== o.clientId) return fail('osticket-client-id-mismatch', { expected: o.clientId, actual: String(a.clientId), evidence });
      if (a.redirectUri !== o.redirectUri) {
        const sent = a.redirectUri ?? '';
        const probe = await probeRedirect(ctx, sent);
        if (probe.verdict === 'accepted') {
          return fail('harness-redirect-uri-differs', { expected: `redirect_uri=${o.redirectUri} (given to the harness)`, actual: `redirect_uri=${sent}, which authentik accepts`, detail: `osTicket sends redirect_uri=${sent}; the harness was given ${o.redirectUri}`, fix: `give the harness --redirect-uri ${sent}.`, evidence });
        }
        const j = await judgeObservedRedirect(ctx, sent);
        return fail(j.diagnosis, { expected: `a redirect_uri authentik accepts (osTicket's callback here: ${osticketCallback(ctx)})`, actual: `redirect_uri=${sent}: ${probe.seen}`, detail: j.detail, fix: j.fix, evidence });
      }
      if ((a.scope ?? '').includes(',')) return fail('scopes-comma-separated', { expected: 'email openid profile', actual: `scope=${a.scope}`, evidence });
      if (!(a.scope ?? '').split(/\s+/).includes('openid')) return fail('scopes-missing-openid', { expected: 'openid among the scopes', actual: `scope=${a.scope}`, evidence });
      const want = osticketScopeParam(o.scopes);
      return pass({ actual: `client_id ok, redirect_uri ${a.redirectUri}, scope=${a.scope}${a.scope !== want ? ` (configured here: ${want})` : ''}`, evidence });
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
      const enabled = enabledInstances(cfg);
      if (enabled.length === 0) return fail('sso-link-missing', { expected: 'an enabled auth-oauth2 instance', actual: `${cfg.instances.length} instance(s), none enabled` });
      // A recorded install path with no plugin behind it loads nothing (include/class.plugin.php getInfoForPath).
      const onDisk = ctx.target.osticketServer?.pluginPaths;
      const lost = onDisk ? enabled.find((i) => !onDisk.includes(i.installPath)) : undefined;
      if (lost && onDisk) return fail('osticket-plugin-path-missing', { expected: `include/${lost.installPath} on osTicket's disk`, actual: `not there; include/plugins holds ${onDisk.join(', ') || 'no plugin'}`, detail: `${lost.name}: install path ${lost.installPath}` });
      // Decryption is judged with the stored-secret probes below (against this run's evidence), not by the lint.
      const findings = enabled.flatMap((i) => lintPluginConfig(i.settings, { namespace: i.namespace }).map((f) => ({ ...f, instance: i.name })));
      if (enabled.every((i) => i.settings.auth_target === 'none' || i.settings.auth_target === undefined)) {
        return fail('sso-link-missing', { expected: 'Authentication Target agents/users/all', actual: 'none' });
      }
      if (findings.length) {
        const f = findings[0]!;
        return fail(f.diagnosis, { expected: 'no findings', actual: findings.map((x) => `${x.instance}: ${x.message}`).join('; '), detail: f.message });
      }
      const secrets = await storedSecrets(ctx);
      const notes: string[] = [];
      if (!Array.isArray(secrets)) notes.push(`stored secret not checked against authentik (${secrets.unchecked})`);
      else {
        for (const s of secrets) {
          const judged = await judgeStoredSecret(ctx, s);
          if (judged) return judged;
          notes.push(secretNote(s));
        }
      }
      return pass({ actual: enabled.map((i) => `${i.name}: ${i.settings.urlAuthorize}, scopes "${i.settings.scopes}"`).concat(notes).join('; ') });
    },
  },
];
