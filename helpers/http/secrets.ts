/**
 * Runtime registry of secret values (client secret, passwords, codes, tokens, cookie values). Every text that
 * reaches the transcript, an error message or a report passes through `redact()`, which replaces each registered
 * value (and its URL-encoded spellings) by `[redacted:<label>]`.
 */
export class Secrets {
  /** value -> label; a Map keeps insertion order, redact() sorts by length so longer values win. */
  readonly #values = new Map<string, string>();
  #sorted: Array<[string, string]> | undefined;
  /** The values given to add() (their spellings are in #values). */
  readonly #added = new Set<string>();

  /** Values shorter than this are ignored: redacting "1" or "ab" would shred unrelated text. */
  static readonly MIN_LENGTH = 4;

  /** Registers a secret (and its percent- and form-encoded spellings). Returns the value for chaining. */
  add(value: string | undefined | null, label = 'secret'): string | undefined {
    if (typeof value !== 'string' || value.length < Secrets.MIN_LENGTH) return value ?? undefined;
    // Added already (the client secret and the password are added at every request that carries them).
    if (this.#added.has(value)) return value;
    this.#added.add(value);
    for (const spelling of spellings(value)) {
      if (!this.#values.has(spelling)) {
        this.#values.set(spelling, label);
        this.#sorted = undefined;
      }
    }
    return value;
  }

  has(value: string): boolean {
    return this.#values.has(value);
  }

  get size(): number {
    return this.#values.size;
  }

  /** The raw registered values (for self-tests that grep outputs). Never print these. */
  values(): string[] {
    return [...this.#values.keys()];
  }

  redact(text: string): string {
    if (!text || this.#values.size === 0) return text;
    this.#sorted ??= [...this.#values.entries()].sort((a, b) => b[0].length - a[0].length);
    let out = text;
    for (const [value, label] of this.#sorted) {
      if (out.includes(value)) out = out.split(value).join(`[redacted:${label}]`);
    }
    return out;
  }
}

function spellings(value: string): string[] {
  const out = new Set<string>([value]);
  out.add(encodeURIComponent(value));
  out.add(new URLSearchParams({ v: value }).toString().slice(2)); // form encoding: space -> '+'
  // PHP rawurlencode / RFC 3986 also encodes !'()*
  out.add(encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
  return [...out].filter((s) => s.length >= Secrets.MIN_LENGTH);
}
