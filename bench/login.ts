/**
 * One osTicket-style login, the unit the bench times: authorize → authentik's flow (identification, password) →
 * code at the Redirect URI → token (client_secret_post) → userinfo → ID-token verification against the JWKS.
 * The front channel is either the harness's headless flow-executor driver or a person in Chromium
 * (bench/chromium.ts); the back channel is the harness's osTicket client profile and jose verification in both,
 * so the two are the same login and what is timed is what a run does.
 */
import { loginThroughAuthentik } from '../helpers/authentik/index.ts';
import type { Http } from '../helpers/http/index.ts';
import { buildOsticketAuthorizeUrl, osticketTokenRequest, osticketUserinfo, verifyJwt } from '../helpers/oidc/index.ts';
import type { Target } from '../helpers/target-types.ts';

export interface LoginSetup {
  target: Target;
  issuer: string;
  jwks: unknown;
}

/** Discovery and JWKS, fetched once (as a run does) and shared by every login of the bench. */
export async function loginSetup(target: Target, http: Http): Promise<LoginSetup> {
  const probe = http.actor('probe');
  const discovery = await probe.request(target.discoveryUrl);
  const md = discovery.json as { issuer?: string; jwks_uri?: string } | undefined;
  if (discovery.status !== 200 || !md?.issuer || !md.jwks_uri) throw new Error(`discovery at ${target.discoveryUrl} answered ${discovery.status}`);
  const jwks = await probe.request(md.jwks_uri);
  if (jwks.status !== 200) throw new Error(`the JWKS answered ${jwks.status}`);
  return { target, issuer: md.issuer, jwks: jwks.json };
}

/** The back channel of a login that reached the callback: token, userinfo, ID-token verification. Throws on any miss. */
export async function redeem(http: Http, s: LoginSetup, callback: URL, state: string, server = 'osticket-server'): Promise<void> {
  const settings = s.target.osticket;
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== state) throw new Error('callback without a code or with the wrong state');
  const token = await osticketTokenRequest(http.actor(server), settings, code);
  if (!token.ok) throw new Error(`token: ${token.detail}`);
  const ui = await osticketUserinfo(http.actor(server), settings, token.token.access_token);
  if (!ui.ok) throw new Error(`userinfo: ${ui.detail}`);
  const v = await verifyJwt(token.token.id_token, { jwks: s.jwks, clientSecret: settings.clientSecret, issuer: s.issuer, audience: settings.clientId });
  if (v.signature !== 'valid' || v.claimsErrors.length) throw new Error(`id_token: ${v.signature} ${v.claimsErrors.map((c) => c.claim).join(',')}`);
}

/** One headless login in a fresh browser jar (actor `name`), end to end. */
export async function headlessLogin(http: Http, s: LoginSetup, name = 'browser'): Promise<void> {
  const settings = s.target.osticket;
  const req = buildOsticketAuthorizeUrl(settings);
  const out = await loginThroughAuthentik(http.actor(name, { fresh: true }), req.url, s.target.user, { redirectUri: settings.redirectUri });
  if (out.kind !== 'callback') throw new Error(`login ended in ${out.kind}`);
  await redeem(http, s, out.url, req.state, `${name}-server`);
}
