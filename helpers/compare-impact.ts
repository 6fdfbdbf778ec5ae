/**
 * What a difference in what the integration sees means, as data: each rule matches an observed path (helpers/checks/
 * observe.ts) and says whether the change breaks osTicket, breaks other OIDC clients, or is harmless, and why. The
 * reasons rest on what osTicket's plugin reads (osticket.md §2-§3: only the userinfo response, matched on email; the
 * ID token is never read; the endpoints are typed into osTicket, not discovered). First matching rule wins; a path
 * no rule knows is breaking for other clients until someone classifies it. Extend RULES (or pass your own) to add
 * knowledge, e.g. known upgrade changes.
 */
export type Impact = 'breaking-osticket' | 'breaking-other-clients' | 'harmless';
export interface Classified {
  impact: Impact;
  reason: string;
}
export interface ImpactRule {
  path: RegExp;
  classify(change: { path: string; from: unknown; to: unknown; added: string[]; removed: string[] }): Classified;
}

/** Observed values that are sets written as space-separated strings (authentik joins a Python set: any order). */
export const SET_STRINGS: readonly RegExp[] = [/^tokenResponse\.scope$/];

const OSTICKET_IGNORES_ID_TOKEN = 'osTicket never reads the ID token (osticket.md §2); clients that verify it are affected';
const is = (impact: Impact, reason: string): Classified => ({ impact, reason });
const list = (xs: string[]) => xs.join(', ');

/** Claims osTicket maps from userinfo (the guide: User Identifier and Email Address = email, Given Name = name). */
const OSTICKET_CLAIMS = ['email', 'name'];

function claimSet(added: string[], removed: string[], osticketReads: string[], ignored: Record<string, string> = {}): Classified {
  const lost = removed.filter((c) => !(c in ignored));
  const hurtsOsticket = lost.filter((c) => osticketReads.includes(c));
  if (hurtsOsticket.length) return is('breaking-osticket', `osTicket maps ${list(hurtsOsticket)} from userinfo (osticket.md §3), now missing`);
  if (lost.length) return is('breaking-other-clients', `${list(lost)} no longer sent; osTicket does not read ${lost.length > 1 ? 'them' : 'it'}, other clients may`);
  const notes = [...added, ...removed].filter((c) => c in ignored).map((c) => `${c}: ${ignored[c]}`);
  return is('harmless', [added.length ? `new: ${list(added)}` : '', ...notes].filter(Boolean).join('; ') || 'same set');
}

export const RULES: readonly ImpactRule[] = [
  { path: /^userinfo\.values\.email$/, classify: () => is('breaking-osticket', 'osTicket matches agents and end users by the userinfo email (osticket.md §3)') },
  { path: /^userinfo\.values\.name$/, classify: () => is('breaking-osticket', "the guide maps osTicket's Given Name to name: users osTicket creates get another name") },
  { path: /^userinfo\.values\.sub$/, classify: () => is('breaking-other-clients', 'osTicket matches on email, never on sub (osticket.md §3); clients that key accounts on sub see a new user') },
  { path: /^userinfo\.values\.email_verified$/, classify: () => is('breaking-other-clients', 'osTicket ignores email_verified; apps that require a verified email refuse the user') },
  { path: /^userinfo\.values\./, classify: ({ path }) => is('breaking-other-clients', `osTicket does not read ${path.split('.').pop()}; other clients may`) },
  { path: /^userinfo\.claims$/, classify: ({ added, removed }) => claimSet(added, removed, OSTICKET_CLAIMS) },
  { path: /^userinfo\.(status|error)$/, classify: () => is('breaking-osticket', "osTicket's Resource Details request is answered differently (its login needs HTTP 200 JSON)") },
  {
    path: /^tokenResponse\.scope$/,
    classify: ({ removed, added }) => {
      if (removed.includes('openid')) return is('breaking-osticket', 'openid no longer granted: userinfo refuses the token (403), osTicket cannot log anyone in');
      const lost = removed.filter((s) => s === 'email' || s === 'profile');
      if (lost.length) return is('breaking-osticket', `${list(lost)} no longer granted: userinfo lacks the claims osTicket maps`);
      if (removed.length) return is('breaking-other-clients', `${list(removed)} no longer granted`);
      return is('harmless', added.length ? `also granted: ${list(added)}` : 'same scopes (order is a Python set order, authentik.md §13)');
    },
  },
  { path: /^tokenResponse\.expires_in$/, classify: () => is('harmless', 'osTicket uses the access token once, right after the exchange') },
  { path: /^tokenResponse\./, classify: ({ path }) => is('breaking-other-clients', `osTicket reads only access_token from the token response (osticket.md §2); ${path.split('.').pop()} matters to other clients`) },
  { path: /^idToken\.claims$/, classify: ({ added, removed }) => claimSet(added, removed, [], { jti: 'a token id nothing in this integration reads (osTicket ignores the ID token; authentik adds it from 2026.2.0, authentik.md §13)' }) },
  { path: /^idToken\./, classify: () => is('breaking-other-clients', OSTICKET_IGNORES_ID_TOKEN) },
  { path: /^accessToken\./, classify: () => is('breaking-other-clients', 'osTicket treats the access token as opaque (Bearer to userinfo); resource servers that verify it are affected') },
  { path: /^discovery\.(authorization_endpoint|token_endpoint|userinfo_endpoint)$/, classify: () => is('breaking-osticket', "osTicket is given these URLs in its Authorization / Token / Resource Details Endpoint fields, not by discovery: they must be changed there") },
  {
    path: /^discovery\.\w+$/,
    classify: ({ path, added, removed, from, to }) => {
      if (Array.isArray(from) || Array.isArray(to)) {
        if (removed.length) return is('breaking-other-clients', `no longer advertised: ${list(removed)} (osTicket does not use discovery)`);
        return is('harmless', `also advertised: ${list(added)}`);
      }
      return is('breaking-other-clients', `${path.split('.').pop()} changed; osTicket does not use discovery, clients that do are affected`);
    },
  },
  {
    path: /^discoveryMembers$/,
    classify: ({ added, removed }) =>
      removed.length
        ? is('breaking-other-clients', `no longer in discovery: ${list(removed)} (osTicket does not use discovery)`)
        : is('harmless', `new in discovery: ${list(added)} (osTicket does not use discovery)`),
  },
  { path: /^jwks\.keys\[\d+\]\.kidLength$/, classify: () => is('harmless', 'the key id format changed (authentik 2026.2: base64url of SHA-512); clients look keys up by kid, whatever its shape') },
  { path: /^jwks\./, classify: () => is('breaking-other-clients', 'the signing keys changed; osTicket ignores them, clients that verify tokens are affected') },
  {
    path: /^scopeSent$/,
    classify: ({ to }) =>
      typeof to === 'string' && (to.includes(',') || !to.split(/\s+/).includes('openid'))
        ? is('breaking-osticket', "osTicket's Scopes field now sends a scope authentik cannot grant (commas, or no openid)")
        : is('harmless', "osTicket's Scopes field changed, still space-separated with openid"),
  },
];

const words = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : []);

/** The impact of one observed change, by the first matching rule (breaking for other clients when none matches). */
export function classifyChange(path: string, from: unknown, to: unknown, rules: readonly ImpactRule[] = RULES): Classified {
  const a = words(from);
  const b = words(to);
  const change = { path, from, to, added: b.filter((x) => !a.includes(x)), removed: a.filter((x) => !b.includes(x)) };
  const rule = rules.find((r) => r.path.test(path));
  return rule ? rule.classify(change) : is('breaking-other-clients', 'no rule classifies this path yet: review it');
}
