/**
 * Discovery: the document osTicket's settings must agree with (authentik.md §1; OIDC Discovery 1.0 §3, §4.3).
 */
import { fail, pass, skip, type CheckDef } from '../engine.ts';
import { expectedIssuer, isObject } from '../context.ts';
import { STRAY } from './shared.ts';
import { inspectJwt } from '../../oidc/index.ts';
import type { CheckContext } from '../context.ts';

/** The alg of the shared login's ID token, when there is one (the facts are shared: no extra request). */
async function sharedIdTokenAlg(ctx: CheckContext): Promise<string | undefined> {
  const fact = await ctx.osticketLogin();
  const t = fact.token?.ok ? fact.token.token.id_token : undefined;
  return t ? inspectJwt(t).alg : undefined;
}


export const discoveryChecks: CheckDef[] = [
  {
    id: 'discovery.reachable',
    area: 'discovery',
    title: 'Discovery document is served as JSON',
    spec: 'OIDC Discovery 1.0 §4; authentik/providers/oauth2/views/provider.py (ProviderInfoView)',
    severity: 'critical',
    async run(ctx) {
      const d = await ctx.discovery();
      if (d.httpError) throw d.httpError; // unreachable authentik: a network diagnosis, and the run cannot go on
      if (!d.ok && (d.status ?? 0) >= 500) return fail('server-error', { expected: 'HTTP 200 with a JSON object', actual: d.problem, detail: `${d.url}: ${d.problem}` });
      if (!d.ok) return fail(d.status === 200 ? 'discovery-malformed' : 'discovery-unreachable', { expected: 'HTTP 200 with a JSON object', actual: d.problem, detail: `${d.url}: ${d.problem}` });
      if (!isObject(d.json)) return fail('discovery-malformed', { expected: 'a JSON object', actual: typeof d.json });
      return pass({ actual: `HTTP 200, ${Object.keys(d.json).length} fields` });
    },
  },
  {
    id: 'discovery.issuer-matches',
    area: 'discovery',
    title: 'issuer equals the discovery URL base exactly (trailing slash included)',
    spec: 'OIDC Discovery 1.0 §4.3; authentik/providers/oauth2/models.py (get_issuer)',
    severity: 'major',
    async run(ctx) {
      const md = await ctx.metadata();
      if (!md) return skip('no discovery document');
      const want = expectedIssuer(ctx.target);
      const got = md.issuer;
      ctx.measurements['discovery.issuer'] = String(got);
      if (got === want) return pass({ expected: want, actual: String(got) });
      const root = `${new URL(want).origin}/`;
      if (got === root) return fail('issuer-mode-global', { expected: want, actual: String(got), detail: `issuer is the bare authentik URL ${root}` });
      return fail('issuer-mismatch', { expected: want, actual: String(got), detail: `issuer "${String(got)}" is not "${want}"` });
    },
  },
  {
    id: 'discovery.endpoints-match-osticket',
    area: 'discovery',
    title: "osTicket's Authorization, Token and Resource Details Endpoints equal discovery's",
    spec: 'osticket.md §1 (urlAuthorize, urlAccessToken, urlResourceOwnerDetails); authentik.md §1 (trailing slashes, APPEND_SLASH=False)',
    severity: 'critical',
    async run(ctx) {
      const md = await ctx.metadata();
      if (!md) return skip('no discovery document');
      const o = ctx.target.osticket;
      const pairs: Array<[string, string, unknown]> = [
        ['Authorization Endpoint', o.authorizeUrl, md.authorization_endpoint],
        ['Token Endpoint', o.tokenUrl, md.token_endpoint],
        ['Resource Details Endpoint', o.userinfoUrl, md.userinfo_endpoint],
      ];
      const bad = pairs.filter(([, mine, theirs]) => mine !== theirs);
      if (bad.length === 0) return pass({ actual: pairs.map(([, m]) => m).join(', ') });
      const stray = bad.find(([, mine]) => STRAY.test(mine));
      const expected = bad.map(([f, , t]) => `${f} = ${String(t)}`).join('; ');
      const actual = bad.map(([f, m]) => `${f} = ${JSON.stringify(m)}`).join('; ');
      if (stray) return fail('endpoint-stray-character', { expected, actual, detail: `osTicket's ${stray[0]} is ${JSON.stringify(stray[1])}` });
      return fail('endpoint-mismatch', { expected, actual, detail: bad.map(([f]) => f).join(', ') + ' differ from discovery' });
    },
  },
  {
    id: 'discovery.response-type-code',
    area: 'discovery',
    title: 'response_types_supported includes "code" (the plugin uses the code flow)',
    spec: 'OIDC Discovery 1.0 §3 (response_types_supported); osticket.md §2 (response_type=code)',
    severity: 'major',
    async run(ctx) {
      const md = await ctx.metadata();
      if (!md) return skip('no discovery document');
      const v = md.response_types_supported;
      if (Array.isArray(v) && v.includes('code')) return pass({ actual: JSON.stringify(v) });
      return fail('discovery-malformed', { expected: 'an array containing "code"', actual: JSON.stringify(v) });
    },
  },
  {
    id: 'discovery.client-secret-post',
    area: 'discovery',
    title: 'token_endpoint_auth_methods_supported includes client_secret_post (what the plugin uses)',
    spec: 'OIDC Discovery 1.0 §3; osticket.md §2 (league PostAuthOptionProvider)',
    severity: 'major',
    async run(ctx) {
      const md = await ctx.metadata();
      if (!md) return skip('no discovery document');
      const v = md.token_endpoint_auth_methods_supported;
      // OIDC Discovery: when omitted, the default is client_secret_basic only.
      if (Array.isArray(v) && v.includes('client_secret_post')) return pass({ actual: JSON.stringify(v) });
      return fail('client-auth-method-unsupported', { expected: 'an array containing "client_secret_post"', actual: JSON.stringify(v) });
    },
  },
  {
    id: 'discovery.jwks',
    area: 'discovery',
    title: 'JWKS is reachable and well-formed (a non-empty "keys" array)',
    spec: 'RFC 7517 §5; authentik/providers/oauth2/views/jwks.py ({} without a signing key)',
    severity: 'major',
    async run(ctx) {
      const md = await ctx.metadata();
      if (!md) return skip('no discovery document');
      const j = await ctx.jwks();
      if (!j.url) return fail('jwks-malformed', { expected: 'a jwks_uri in discovery', actual: 'none' });
      if (j.httpError) throw j.httpError; // no answer, or one too large: the transport's own diagnosis
      if (!j.ok && (j.status ?? 0) >= 500) return fail('server-error', { expected: 'HTTP 200 JSON', actual: j.problem, detail: `${j.url}: ${j.problem}` });
      if (!j.ok && j.status === 200) return fail('jwks-malformed', { expected: 'a JSON object with "keys"', actual: j.problem, detail: `${j.url}: ${j.problem}` });
      if (!j.ok) return fail('jwks-unreachable', { expected: 'HTTP 200 JSON', actual: j.problem, detail: `${j.url}: ${j.problem}` });
      if (!isObject(j.json)) return fail('jwks-malformed', { expected: 'a JSON object', actual: JSON.stringify(j.json)?.slice(0, 80) });
      const keys = j.json.keys;
      if (keys === undefined && Object.keys(j.json).length === 0) {
        // authentik serves exactly `{}` when the provider has no signing key (authentik.md §4), and then signs HS256.
        // With asymmetric tokens, {} is a broken JWKS, not a missing key (a cause only when the evidence says so).
        const alg = await sharedIdTokenAlg(ctx);
        if (alg && !/^HS/.test(alg)) return fail('jwks-malformed', { expected: `{"keys":[…]} with the ${alg} key`, actual: '{}', detail: `the JWKS is {} while the ID token is ${alg}` });
        return fail('no-signing-key', { expected: '{"keys":[…]}', actual: '{}', detail: 'the JWKS is {} (no "keys" member)' });
      }
      if (!Array.isArray(keys) || keys.length === 0) return fail('jwks-malformed', { expected: 'a non-empty "keys" array', actual: JSON.stringify(keys)?.slice(0, 80) });
      const bad = keys.filter((k) => !isObject(k) || typeof k.kty !== 'string' || typeof k.kid !== 'string');
      if (bad.length) return fail('jwks-malformed', { expected: 'every key with kty and kid', actual: `${bad.length} of ${keys.length} keys lack kty or kid` });
      // One key per kid and use: authentik publishes a key pair that signs and encrypts twice, as "sig" and as
      // "enc", with the same kid (p/o2/views/jwks.py get_keys), which RFC 7517 §4.5 allows (the same key).
      const kids = keys.map((k) => `${String((k as Record<string, unknown>).kid)}\u0000${String((k as Record<string, unknown>).use ?? '')}`);
      const dup = kids.find((k, i) => kids.indexOf(k) !== i)?.split('\u0000')[0];
      if (dup) return fail('jwks-malformed', { expected: 'one key per kid (RFC 7517 §4.5)', actual: `kid ${dup.slice(0, 24)} appears twice`, detail: `duplicate kid ${dup.slice(0, 24)}` });
      const asym = keys.filter((k) => ['RSA', 'EC', 'OKP'].includes(String((k as Record<string, unknown>).kty)));
      if (asym.length === 0) return fail('jwks-malformed', { expected: 'a public key (kty RSA or EC)', actual: `only ${[...new Set(keys.map((k) => String((k as Record<string, unknown>).kty)))].join(', ')} keys`, detail: 'the JWKS publishes no public key (a symmetric key must never be published)' });
      return pass({ actual: keys.map((k) => `${String((k as Record<string, unknown>).kty)} ${String((k as Record<string, unknown>).alg ?? '')} ${String((k as Record<string, unknown>).use ?? '')}`.trim()).join(', ') });
    },
  },
];
