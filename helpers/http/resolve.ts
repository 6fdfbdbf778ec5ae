/**
 * The host:port resolution map: `{"authentik.company:443": "127.0.0.1:9443"}`. The URL (and so the Host header,
 * the cookie domain, TLS SNI and the certificate name check) keeps the original name; only the TCP connection goes
 * to the mapped address. Keys may omit the port ("authentik" = any port); values may omit it (same port).
 */
import { buildConnector } from 'undici';
import type { ConnectionOptions } from 'node:tls';

export type ResolutionMap = Record<string, string>;

export interface ResolvedAddress {
  host: string;
  port: number;
}

export function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/** Validates the map; throws a plain Error with a one-line message on a malformed entry (bad config input). */
export function parseResolutionMap(map: ResolutionMap | undefined): Map<string, ResolvedAddress | { host: string; port?: undefined }> {
  const out = new Map<string, ResolvedAddress | { host: string; port?: undefined }>();
  for (const [key, value] of Object.entries(map ?? {})) {
    const k = splitHostPort(key);
    const v = splitHostPort(value);
    if (!k || !k.host) throw new Error(`resolution map key "${key}" is not host or host:port`);
    if (!v || !v.host) throw new Error(`resolution map value "${value}" for "${key}" is not ip or ip:port`);
    out.set(k.port === undefined ? k.host.toLowerCase() : `${k.host.toLowerCase()}:${k.port}`, v);
  }
  return out;
}

function splitHostPort(s: string): { host: string; port?: number } | undefined {
  const t = s.trim();
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(t) ?? /^([^:]+)(?::(\d+))?$/.exec(t);
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) return undefined;
  return { host: m[1]!, port };
}

export class Resolver {
  readonly #map: ReturnType<typeof parseResolutionMap>;
  constructor(map: ResolutionMap | undefined) {
    this.#map = parseResolutionMap(map);
  }

  /** Where a connection for hostname:port really goes, or undefined when the map does not rewrite it. */
  lookup(hostname: string, port: number): ResolvedAddress | undefined {
    const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const hit = this.#map.get(`${h}:${port}`) ?? this.#map.get(h);
    if (!hit) return undefined;
    return { host: hit.host, port: hit.port ?? port };
  }

  /** For messages: "127.0.0.1:9443 (authentik.company:443)" or "authentik.company:443". */
  describe(url: URL): string {
    const port = Number(url.port) || defaultPort(url.protocol);
    const orig = `${url.hostname}:${port}`;
    const to = this.lookup(url.hostname, port);
    return to ? `${to.host}:${to.port} (${orig})` : orig;
  }

  get size(): number {
    return this.#map.size;
  }
}

type Connector = ReturnType<typeof buildConnector>;

/**
 * An undici connector that dials the mapped ip:port but keeps TLS servername = the URL's host, so SNI and the
 * certificate name check use the original name (Node checks identity against `servername`).
 */
export function mappedConnector(resolver: Resolver, tls: ConnectionOptions & { timeout?: number }): Connector {
  const base = buildConnector({ ...tls, timeout: tls.timeout ?? 10_000 } as Parameters<typeof buildConnector>[0]);
  return (options, callback) => {
    const port = Number(options.port) || defaultPort(options.protocol);
    const to = resolver.lookup(options.hostname, port);
    if (!to) return base(options, callback);
    const servername = options.servername || (isIp(options.hostname) ? undefined : options.hostname);
    return base({ ...options, hostname: to.host, port: String(to.port), servername }, callback);
  };
}

function isIp(h: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(':');
}
