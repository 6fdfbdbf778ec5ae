/**
 * The shared login and the Redirect URI property (authentik.md §3, §8; osticket.md §2, §11; RFC 6749 §3.1.2,
 * §4.1.3; OIDC Core §3.1.2.1). The near-miss probes are anonymous authorize requests: read-only, since authentik
 * refuses them before any login.
 */
import { fail, pass, skip, type CheckDef } from '../engine.ts';
import { NEAR_MISS_KINDS, nearMiss } from './near-misses.ts';
import { judgeLogin, probeRedirect } from './shared.ts';

export const loginChecks: CheckDef[] = [
  {
    id: 'login.completes',
    area: 'login',
    title: "osTicket's authorize request, logged in through authentik's flow executor, comes back with a code",
    spec: 'authentik.md §8 (flow executor); osticket.md §2 (the plugin\'s authorize request)',
    severity: 'critical',
    async run(ctx) {
      const fact = await ctx.osticketLogin();
      const judged = await judgeLogin(ctx, fact);
      if (judged) return fail(judged.diagnosis, { expected: `a redirect to ${fact.settings.redirectUri}?code=…&state=…`, actual: judged.detail, detail: judged.detail, fix: judged.fix, evidence: fact.evidence });
      const o = fact.outcome;
      const steps = 'steps' in o ? o.steps.length : 0;
      return pass({ actual: `code received after ${steps} requests (${o.kind === 'callback' ? `${o.consent} consent, via ${o.via}` : ''})`, evidence: fact.evidence });
    },
  },
];

export const redirectChecks: CheckDef[] = [
  {
    id: 'redirect-uri.configured-exact',
    area: 'redirect-uri',
    title: "The final redirect is exactly osTicket's Redirect URI with code and state",
    spec: 'RFC 6749 §4.1.2; authentik/providers/oauth2/views/authorize.py (check_redirect_uri, strict)',
    severity: 'critical',
    async run(ctx) {
      const fact = await ctx.osticketLogin();
      const o = fact.outcome;
      const want = fact.settings.redirectUri;
      if (o.kind === 'authorize-error-page' && /redirect uri/i.test(o.title)) {
        const judged = await judgeLogin(ctx, fact);
        return fail(judged!.diagnosis, { expected: `${want} accepted`, actual: `400 "${o.title}"`, detail: judged!.detail, fix: judged!.fix, evidence: fact.evidence });
      }
      if (o.kind !== 'callback' || !fact.code) return skip('the login did not reach the callback for another reason (see login.completes)');
      const got = new URL(o.url.href);
      const params = new URLSearchParams(got.search);
      params.delete('code');
      params.delete('state');
      params.delete('iss');
      const base = `${got.origin}${got.pathname}${params.size ? `?${params}` : ''}`;
      // Both as URLs: the callback was parsed (an IDN host reads as punycode), the configured string was not.
      if (base !== normalised(want)) {
        return fail('redirect-uri-regex-too-broad', { expected: want, actual: base, detail: `authentik redirected to ${base}, not to the configured ${want}` });
      }
      return pass({ expected: `${want}?code=…&state=…`, actual: `${base}?code=[redacted]&state=${fact.returnedState ?? ''}` });
    },
  },
  ...NEAR_MISS_KINDS.map(
    (m): CheckDef => ({
      id: `redirect-uri.near-miss.${m.id}`,
      area: 'redirect-uri',
      title: `A near miss (${m.title}) is refused with the error page, no redirect`,
      spec: 'RFC 6749 §3.1.2.3, §4.1.2.1 (do not redirect to an unregistered URI); authentik.md §3 (strict = string equality, regex = fullmatch)',
      severity: 'major',
      probe: true,
      async run(ctx) {
        // The shared login runs first: with an empty Redirect URIs list authentik saves the first URI it sees (§3).
        const shared = await ctx.osticketLogin();
        // A probe's answer means something only when the Authorization Endpoint works at all: a loop, a server error
        // or an off-host redirect would make every near miss look "accepted" (issue 9 §3).
        if (!shared.code && shared.outcome.kind !== 'authorize-error-page') {
          const j = await judgeLogin(ctx, shared);
          if (j && !j.diagnosis.startsWith('redirect-uri') && j.diagnosis !== 'policy-denies-user' && j.diagnosis !== 'authorization-flow-denies' && j.diagnosis !== 'harness-wrong-password') return skip('the Authorization Endpoint does not work (see login.completes)');
        }
        const configured = ctx.target.osticket.redirectUri;
        const miss = nearMiss(configured, m.id);
        if (!('uri' in miss)) return skip(`no ${m.title} near miss of ${configured} can be built: ${miss.unbuildable}`);
        const probe = await probeRedirect(ctx, miss.uri);
        const evidence = probe.exchangeId ? [probe.exchangeId] : [];
        if (probe.verdict === 'refused') return pass({ expected: '400 "Redirect URI Error"', actual: probe.seen, evidence });
        if (probe.verdict === 'client-unknown') return skip('authentik does not know the client id (see login.completes)', { evidence });
        if (probe.verdict === 'other') return fail('redirect-uri-regex-too-broad', { expected: '400 "Redirect URI Error"', actual: probe.seen, detail: `redirect_uri=${miss.uri} got ${probe.seen}`, evidence });
        // Accepted: tell a mis-registration of the real callback apart from a registration that is too broad.
        const fact = await ctx.osticketLogin();
        const refusedOwn = fact.outcome.kind === 'authorize-error-page';
        const diagnosis = refusedOwn && m.id === 'trailing-slash' ? 'redirect-uri-trailing-slash' : refusedOwn && m.id === 'other-path' ? 'redirect-uri-other-path' : 'redirect-uri-regex-too-broad';
        return fail(diagnosis, { expected: '400 "Redirect URI Error"', actual: probe.seen, detail: `redirect_uri=${miss.uri} was accepted (${probe.seen})`, evidence });
      },
    }),
  ),
];

function normalised(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.origin}${u.pathname}${u.search}`;
  } catch {
    return uri;
  }
}
