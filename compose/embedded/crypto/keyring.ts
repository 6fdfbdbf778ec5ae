/**
 * The key pairs an install has, by name (authentik_crypto.certificatekeypair), generated lazily so that the
 * reference provider starts listening at once: RSA-4096 takes seconds (authentik/crypto/builder.py), and nothing
 * needs a key before the first JWKS request or the first token. Generation starts in the background at start
 * (`warm`); `get` waits for it.
 *
 * "authentik Self-signed Certificate" always exists (authentik/crypto/apps.py creates it at startup, RSA 4096).
 * A pair with `certificate_data` and `key_data` uses that material; a pair without (what `ak export_blueprint`
 * writes: the serializer's key fields are write-only) gets a generated test key of the spec the operator gives
 * (`--key-type NAME=TYPE`), RSA 4096 by default, and the start-up notes say which keys were generated and of what type.
 */
import type { ResolvedKeyPair } from '../blueprints/index.ts';
import type { ProfileFeatures } from '../profiles.ts';
import { buildKeyPair, DEFAULT_KEY_SPEC, describeKeySpec, loadKeyPair, type CertificateKeyPair, type KeySpec } from './keypairs.ts';

/** authentik/crypto/apps.py MANAGED_KEY / builder defaults. */
export const SELF_SIGNED_NAME = 'authentik Self-signed Certificate';

export interface KeyRingOptions {
  kidStyle: ProfileFeatures['kidStyle'];
  /** Written into generated certificates' issuer (builder.py: CN=authentik <version>). */
  version: string;
  /** Key specs for pairs that come without key material, by name (default RSA 4096). */
  specs?: Readonly<Record<string, KeySpec>>;
  /**
   * Makes a key pair (default buildKeyPair: a new key at every start). A cache of generated test keys plugs in here
   * (key-cache.ts); it must return a pair of the given spec whose kid follows kidStyle.
   */
  build?: (name: string, spec: KeySpec, kidStyle: ProfileFeatures['kidStyle'], version: string) => Promise<CertificateKeyPair>;
}

interface Entry {
  spec: KeySpec;
  ready: CertificateKeyPair | null;
  pending: Promise<CertificateKeyPair> | null;
  make: () => Promise<CertificateKeyPair>;
}

export class KeyRing {
  private readonly entries = new Map<string, Entry>();
  /** One line per generated key, for the start-up output. */
  readonly notes: string[] = [];

  constructor(pairs: readonly ResolvedKeyPair[], private readonly o: KeyRingOptions) {
    const build = o.build ?? buildKeyPair;
    const generated = (name: string, spec: KeySpec): Entry => ({ spec, ready: null, pending: null, make: () => build(name, spec, o.kidStyle, o.version) });
    this.entries.set(SELF_SIGNED_NAME, generated(SELF_SIGNED_NAME, DEFAULT_KEY_SPEC));
    for (const p of pairs) {
      if (p.certificate_data && p.key_data) {
        const kp = loadKeyPair(p.name, p.certificate_data, p.key_data, o.kidStyle);
        this.entries.set(p.name, { spec: kp.spec, ready: kp, pending: null, make: async () => kp });
      } else {
        const given = o.specs?.[p.name];
        const spec = given ?? DEFAULT_KEY_SPEC;
        if (p.name !== SELF_SIGNED_NAME || given) this.entries.set(p.name, generated(p.name, spec));
        const why = given ? 'as --key-type says' : p.name === SELF_SIGNED_NAME
          ? 'as authentik makes it (crypto/apps.py, builder.py)'
          : `authentik's builder default; the export does not say the real key's type: give it with --key-type "${p.name}=ec-p256" (or rsa-2048, ...)`;
        this.notes.push(`key pair "${p.name}" has no key material in the blueprint (an export carries key pairs by name only): serving a generated ${describeKeySpec(spec)} test key (${why}), so its kid and signatures differ from the real install's`);
      }
    }
    for (const name of Object.keys(o.specs ?? {})) {
      const known = [...this.entries.keys()].map((k) => `"${k}"`).join(', ');
      if (!this.entries.has(name)) throw new Error(`--key-type names the key pair "${name}", which the blueprint does not have (its key pairs: ${known})`);
      if (this.entries.get(name)!.ready) throw new Error(`--key-type names the key pair "${name}", whose key material the blueprint gives (${describeKeySpec(this.entries.get(name)!.spec)})`);
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The key's kind, known without generating it (discovery's alg needs no key). */
  spec(name: string): KeySpec {
    const e = this.entries.get(name);
    if (!e) throw new Error(`no key pair named "${name}"`);
    return e.spec;
  }

  /** The key pair; generated on first use (or by warm). */
  get(name: string): Promise<CertificateKeyPair> {
    const e = this.entries.get(name);
    if (!e) return Promise.reject(new Error(`no key pair named "${name}"`));
    if (e.ready) return Promise.resolve(e.ready);
    e.pending ??= e.make().then((kp) => (e.ready = kp));
    return e.pending;
  }

  /** Starts generating these keys in the background; failures surface at the first get. */
  warm(names: Iterable<string>): void {
    for (const name of names) if (this.entries.has(name)) this.get(name).catch(() => undefined);
  }
}
