/**
 * The near misses of osTicket's Redirect URI that authentik must refuse (DESIGN.md "Redirect URI"; authentik.md §3:
 * strict = string equality, regex = fullmatch). Each differs from the registered URI in exactly one respect, built
 * on the string itself (never through WHATWG URL setters, which silently ignore a host they cannot parse, such as
 * `evil-127.0.0.1`), for every host shape users have: names and IDNs, IPv4, IPv6 literals, `localhost`, explicit
 * ports. A miss that cannot be built (or would equal the registered URI) says why, so its check skips instead of
 * comparing a URI with itself.
 */

/** osTicket's callback route; its form refuses any other ending (auth-oauth2/config.php validator, osticket.md §1). */
export const CALLBACK_SUFFIX = '/api/auth/oauth2';

export const NEAR_MISS_KINDS = [
  { id: 'trailing-slash', title: 'trailing slash' },
  { id: 'other-path', title: 'other path (/api/auth/ext)' },
  { id: 'scheme', title: 'other scheme (http/https swapped)' },
  { id: 'host', title: 'other host' },
  { id: 'case', title: 'upper case path' },
  { id: 'extra-query', title: 'extra query parameter' },
] as const;
export type NearMissId = (typeof NEAR_MISS_KINDS)[number]['id'];

export type NearMiss = { id: NearMissId; title: string } & ({ uri: string } | { unbuildable: string });

/** scheme://[userinfo@]host[:port] path ?query #fragment, split without normalising anything. */
interface UriParts {
  scheme: string;
  userinfo: string;
  host: string;
  port: string;
  path: string;
  query: string;
  fragment: string;
}

const URI_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?(\[[^\]]*\]|[^:/?#]*)(:\d*)?([^?#]*)(\?[^#]*)?(#.*)?$/;

function split(uri: string): UriParts | undefined {
  const m = URI_RE.exec(uri);
  if (!m) return undefined;
  return { scheme: m[1]!, userinfo: m[2] !== undefined ? `${m[2]}@` : '', host: m[3]!, port: m[4] ?? '', path: m[5] ?? '', query: m[6] ?? '', fragment: m[7] ?? '' };
}

const join = (p: UriParts) => `${p.scheme}://${p.userinfo}${p.host}${p.port}${p.path}${p.query}${p.fragment}`;

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Another host of the same shape: a neighbouring IPv4 or IPv6 address (an `evil-` prefix on an address is no host
 * at all), else the name with an `evil-` label prefix (names, IDNs, `localhost`).
 */
function otherHost(host: string, hostname: string): string | { unbuildable: string } {
  if (host.startsWith('[')) {
    // WHATWG URL prints IPv6 compressed ("[::1]"); change the last group.
    const groups = hostname.slice(1, -1).split(':');
    const last = groups.at(-1) ?? '';
    if (last.includes('.')) return { unbuildable: `the IPv6 address ${host} ends in an embedded IPv4 part` };
    const n = last === '' ? 0 : parseInt(last, 16);
    groups[groups.length - 1] = (n === 0xffff ? n - 1 : n + 1).toString(16);
    return `[${groups.join(':')}]`;
  }
  const v4 = IPV4.exec(hostname);
  if (v4) {
    const last = Number(v4[4]);
    return `${v4[1]}.${v4[2]}.${v4[3]}.${last === 255 ? 254 : last + 1}`;
  }
  if (!host) return { unbuildable: 'the URI has no host' };
  return `evil-${host}`;
}

function build(id: NearMissId, configured: string, p: UriParts, u: URL): string | { unbuildable: string } {
  switch (id) {
    case 'trailing-slash':
      return join({ ...p, path: `${p.path}/` });
    case 'other-path':
      return join({ ...p, path: p.path.endsWith(CALLBACK_SUFFIX) ? p.path.slice(0, -CALLBACK_SUFFIX.length) + '/api/auth/ext' : `${p.path.replace(/\/$/, '')}/api/auth/ext` });
    case 'scheme': {
      const s = p.scheme.toLowerCase();
      if (s !== 'http' && s !== 'https') return { unbuildable: `the scheme ${p.scheme} is neither http nor https` };
      return join({ ...p, scheme: s === 'https' ? 'http' : 'https' });
    }
    case 'host': {
      const h = otherHost(p.host, u.hostname);
      return typeof h === 'string' ? join({ ...p, host: h }) : h;
    }
    case 'case': {
      const upper = p.path.toUpperCase();
      if (upper === p.path) return { unbuildable: `the path "${p.path || '/'}" has no lower-case letter to change` };
      return join({ ...p, path: upper });
    }
    case 'extra-query':
      return `${configured.replace(/#.*$/, '')}${p.query ? '&' : '?'}next=https://evil.example/`;
  }
}

/** Every near miss of `configured`, each with its URI or the reason it cannot be built. */
export function nearMisses(configured: string): NearMiss[] {
  const parts = split(configured);
  const url = parse(configured);
  return NEAR_MISS_KINDS.map(({ id, title }): NearMiss => {
    if (!parts || !url) return { id, title, unbuildable: `the Redirect URI ${JSON.stringify(configured)} is not an absolute URL` };
    const built = build(id, configured, parts, url);
    if (typeof built !== 'string') return { id, title, ...built };
    const builtUrl = parse(built);
    // Never compare a URI with itself: the miss must parse, and differ from the registration as a string and as a URL.
    if (!builtUrl) return { id, title, unbuildable: `${JSON.stringify(built)} is not a URL` };
    if (built === configured || builtUrl.href === url.href) return { id, title, unbuildable: `it would equal the registered ${configured}` };
    return { id, title, uri: built };
  });
}

export function nearMiss(configured: string, id: NearMissId): NearMiss {
  return nearMisses(configured).find((m) => m.id === id)!;
}
