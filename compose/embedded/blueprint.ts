/**
 * Reads an authentik blueprint (authentik.md §10: `version: 1`, `metadata`, `entries`, custom YAML tags) and resolves
 * it into the typed model the reference provider and the harness use. Real authentik reads the same file
 * (authentik/blueprints/v1/importer.py, authentik/blueprints/v1/common.py for the tags).
 *
 * Tags understood: !Find, !KeyOf, !Env NAME, !Env [NAME, default], !Context, !Format. Any other tag is an error
 * naming the tag and its line. Defaults follow authentik's models (authentik/providers/oauth2/models.py).
 * Scope mappings (`authentik_providers_oauth2.scopemapping`) defined in the file are parsed here; their Python
 * expressions must stay inside a small, explicit subset (parseMappingExpression) and are never evaluated as code.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LineCounter, parseDocument, type CollectionTag, type ScalarTag, type YAMLSeq } from 'yaml';

export type SubMode = 'hashed_user_id' | 'user_id' | 'user_uuid' | 'user_username' | 'user_email' | 'user_upn';
export const SUB_MODES: readonly SubMode[] = ['hashed_user_id', 'user_id', 'user_uuid', 'user_username', 'user_email', 'user_upn'];
export type IssuerMode = 'per_provider' | 'global';
export type MatchingMode = 'strict' | 'regex';

export interface RedirectUri {
  matching_mode: MatchingMode;
  url: string;
  /** 2026.5+: 'authorization' (default) or 'logout'; only 'authorization' entries are used for login. */
  redirect_uri_type: 'authorization' | 'logout';
}

/** managed name -> scope name (authentik blueprints/system/providers-oauth2.yaml, authentik.md §5). */
export const MANAGED_SCOPE_MAPPINGS: Readonly<Record<string, string>> = {
  'goauthentik.io/providers/oauth2/scope-openid': 'openid',
  'goauthentik.io/providers/oauth2/scope-email': 'email',
  'goauthentik.io/providers/oauth2/scope-profile': 'profile',
  'goauthentik.io/providers/oauth2/scope-entitlements': 'entitlements',
  'goauthentik.io/providers/oauth2/scope-offline_access': 'offline_access',
  'goauthentik.io/providers/oauth2/scope-authentik_api': 'goauthentik.io/api',
};

/**
 * The managed default scope mappings with authentik's names and descriptions (blueprints/system/providers-oauth2.yaml).
 * Their claims are built in (claims.ts managedMappingClaims), not parsed from Python.
 */
export const MANAGED_SCOPE_MAPPING_DEFAULTS: Readonly<Record<string, { name: string; description: string }>> = {
  'goauthentik.io/providers/oauth2/scope-openid': { name: "authentik default OAuth Mapping: OpenID 'openid'", description: '' },
  'goauthentik.io/providers/oauth2/scope-email': { name: "authentik default OAuth Mapping: OpenID 'email'", description: 'Email address' },
  'goauthentik.io/providers/oauth2/scope-profile': { name: "authentik default OAuth Mapping: OpenID 'profile'", description: 'General Profile Information' },
  'goauthentik.io/providers/oauth2/scope-entitlements': { name: 'authentik default OAuth Mapping: Application Entitlements', description: 'Application entitlements' },
  'goauthentik.io/providers/oauth2/scope-offline_access': { name: "authentik default OAuth Mapping: OpenID 'offline_access'", description: 'Access to request new tokens without interaction' },
  'goauthentik.io/providers/oauth2/scope-authentik_api': { name: 'authentik default OAuth Mapping: authentik API access', description: 'authentik API Access on behalf of your user' },
};

/** A scope mapping attached to the provider: a managed default, or one the blueprint defines. */
export interface ResolvedScopeMapping {
  /** authentik's unique mapping name. */
  name: string;
  /** The `managed` identifier (the defaults, or a blueprint mapping identified by `managed`), else null. */
  managed: string | null;
  scope_name: string;
  description: string;
  /** The parsed expression of a blueprint-defined mapping; null for the managed defaults (built in). */
  expression: MappingExpression | null;
  /** The blueprint entry's `id`, if any. */
  id: string | null;
}

export interface ResolvedProvider {
  /** The entry's `id` (for !KeyOf). */
  id: string | null;
  name: string;
  client_id: string;
  client_secret: string;
  client_type: 'confidential' | 'public';
  /** Mutable: an empty list gets the first redirect URI seen at authorize (authentik.md §3). */
  redirect_uris: RedirectUri[];
  sub_mode: SubMode;
  issuer_mode: IssuerMode;
  /** Name of the certificate-key pair from !Find, or null when `signing_key` is omitted (HS256). */
  signing_key: string | null;
  encryption_key: string | null;
  /** The attached scope mappings, by `managed` name (the defaults) or mapping name (custom), in blueprint order. */
  property_mappings: string[];
  /** The attached scope mappings themselves, same order, duplicates removed (a many-to-many field). */
  scope_mappings: ResolvedScopeMapping[];
  /** Distinct scope names of those mappings (authentik.md §5): the scopes a client can be granted. */
  scopes: string[];
  /** null when the attribute is absent (model default), [] when set empty (authentik.md §6, 2026.5+). */
  grant_types: string[] | null;
  include_claims_in_id_token: boolean;
  access_code_validity_s: number;
  access_token_validity_s: number;
  refresh_token_validity_s: number;
  authorization_flow: string;
  invalidation_flow: string | null;
  authentication_flow: string | null;
}

export interface ResolvedPolicy {
  id: string | null;
  name: string;
  model: string;
  /** For expression policies: the Python source. */
  expression: string | null;
}

export interface ResolvedPolicyBinding {
  policy: ResolvedPolicy | null;
  user: string | null;
  group: string | null;
  order: number;
  enabled: boolean;
  negate: boolean;
}

export interface ResolvedApplication {
  id: string | null;
  slug: string;
  name: string;
  /** 'any' (authentik default) or 'all'. */
  policy_engine_mode: 'any' | 'all';
  bindings: ResolvedPolicyBinding[];
}

export interface ResolvedUser {
  id: string | null;
  /** Primary key assigned in blueprint order starting at 2 (1 is akadmin in a fresh authentik). */
  pk: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  /** Absent password: the user cannot log in with a password. */
  password: string | null;
  is_active: boolean;
  attributes: Record<string, unknown>;
  groups: string[];
}

export interface ResolvedBlueprint {
  path: string | null;
  name: string;
  provider: ResolvedProvider;
  application: ResolvedApplication;
  users: ResolvedUser[];
  groups: string[];
  /** Flow slugs referenced by !Find [authentik_flows.flow, [slug, ...]]. */
  flows: string[];
}

export interface LoadBlueprintOptions {
  /** Values for !Env; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

// ---------- scope mapping expressions (a safe subset of authentik's Python) ----------
//
// authentik evaluates a scope mapping's `expression` as the body of a Python function with `request`, `user`,
// `provider`, `token` in scope (authentik/core/expression/evaluator.py, providers/oauth2/models.py ScopeMapping).
// The reference provider never evaluates anything: it tokenizes and parses exactly the subset below, refuses the
// rest at load, and interprets the parsed form. `user` is the same object as `request.user`.

/** One value of the returned dict. */
export type MappingValue =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'list'; items: Array<string | number | boolean | null> }
  | { kind: 'user'; field: UserField }
  | { kind: 'attribute'; key: string; fallback: string | number | boolean | null }
  | { kind: 'groups' };

export type UserField = 'email' | 'name' | 'username' | 'pk' | 'uid' | 'uuid';
const USER_FIELDS: readonly UserField[] = ['email', 'name', 'username', 'pk', 'uid', 'uuid'];

/** A parsed custom mapping: `return {key: value, ...}`, keys in source order (a repeated key keeps its first place, last value, as in Python). */
export interface MappingExpression {
  entries: Array<[string, MappingValue]>;
}

/** What the reference provider accepts, for error messages and CONTRACT.md. */
export const SUPPORTED_EXPRESSION_SUBSET =
  'a single `return {...}` (comments allowed) whose keys are string literals and whose values are string or number ' +
  'literals, True, False, None, lists of those, request.user.email/.name/.username/.pk/.uid/.uuid, ' +
  'request.user.attributes.get("key") or .get("key", <literal>), ' +
  'or [group.name for group in request.user.ak_groups.all()] (`user` may stand for `request.user`)';

export class ExpressionError extends Error {
  constructor(readonly problem: string, readonly line: number) {
    super(`${problem} at line ${line}`);
  }
}

type TokKind = 'name' | 'string' | 'number' | 'op' | 'bad' | 'newline' | 'end';
interface Tok {
  kind: TokKind;
  text: string;
  /** Decoded value for strings. */
  value?: string;
  line: number;
  /** Column of the first character (0-based), used to refuse indented statements. */
  col: number;
}

const STRING_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r' };

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  const at = (kind: TokKind, text: string, start: number, value?: string) =>
    toks.push({ kind, text, line, col: start - lineStart, ...(value !== undefined ? { value } : {}) });
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      if (depth === 0 && toks.length && toks[toks.length - 1]!.kind !== 'newline') at('newline', '\n', i);
      i++;
      line++;
      lineStart = i;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '\\' && src[i + 1] === '\n') {
      // explicit line continuation
      i += 2;
      line++;
      lineStart = i;
    } else if (c === '"' || c === "'") {
      if (src.startsWith(c.repeat(3), i)) throw new ExpressionError('triple-quoted strings are not supported', line);
      const start = i;
      let out = '';
      i++;
      for (;;) {
        const ch = src[i];
        if (ch === undefined || ch === '\n') throw new ExpressionError('unterminated string literal', line);
        if (ch === c) break;
        if (ch === '\\') {
          const e = src[i + 1] ?? '';
          if (!(e in STRING_ESCAPES)) throw new ExpressionError(`the string escape \\${e} is not supported`, line);
          out += STRING_ESCAPES[e];
          i += 2;
        } else {
          out += ch;
          i++;
        }
      }
      i++;
      at('string', src.slice(start, i), start, out);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i))!;
      if (/[A-Za-z0-9_]/.test(src[i + m[0].length] ?? '')) throw new ExpressionError(`the number literal ${src.slice(i).split(/[\s,}]/)[0]} is not supported`, line);
      at('number', m[0], i);
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      if (src[i + m[0].length] === '"' || src[i + m[0].length] === "'") {
        throw new ExpressionError(`prefixed string literals (${m[0]}"...") are not supported`, line);
      }
      at('name', m[0], i);
      i += m[0].length;
    } else if ('{}[](),:.-'.includes(c)) {
      if ('{[('.includes(c)) depth++;
      if ('}])'.includes(c)) depth = Math.max(0, depth - 1);
      at('op', c, i);
      i++;
    } else {
      // Operators and other characters are kept as 'bad' tokens so the parser can say where they stand.
      const op = /^(?:\*\*|\/\/|==|!=|<=|>=|[-+*/%=<>!;@&|^~])/.exec(src.slice(i))?.[0] ?? c;
      at('bad', op, i);
      i += op.length;
    }
  }
  if (toks.length && toks[toks.length - 1]!.kind !== 'newline') at('newline', '\n', i);
  toks.push({ kind: 'end', text: '', line, col: 0 });
  return toks;
}

class ExpressionParser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(offset = 0): Tok {
    return this.toks[Math.min(this.pos + offset, this.toks.length - 1)]!;
  }
  private next(): Tok {
    const t = this.peek();
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  private isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.text === text;
  }
  private expectOp(text: string, what: string): void {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text) throw new ExpressionError(`expected "${text}" ${what}, found ${describe(t)}`, t.line);
  }
  private expectName(text: string, what: string): void {
    const t = this.next();
    if (t.kind !== 'name' || t.text !== text) throw new ExpressionError(`expected ${text} ${what}, found ${describe(t)}`, t.line);
  }

  parse(): MappingExpression {
    // Statements are the token runs between top-level newlines.
    const starts: Tok[] = [];
    for (let k = 0; k < this.toks.length; k++) {
      const t = this.toks[k]!;
      if (t.kind !== 'newline' && t.kind !== 'end' && (k === 0 || this.toks[k - 1]!.kind === 'newline')) {
        starts.push(t);
        const after = this.toks[k + 1];
        if (after?.kind === 'bad' && /^[-+*/%&|^@]?=$|^\*\*=$|^\/\/=$/.test(after.text)) throw new ExpressionError('assignments are not supported', after.line);
      }
    }
    // An empty body (or only comments) returns None: authentik skips the mapping (views/userinfo.py get_claims).
    if (starts.length === 0) return { entries: [] };
    for (const s of starts) {
      if (s.kind === 'name' && (s.text === 'import' || s.text === 'from')) throw new ExpressionError('import statements are not supported', s.line);
    }
    if (starts.length > 1) {
      const other = starts.find((s) => s.text !== 'return') ?? starts[1]!;
      throw new ExpressionError(`only one statement is supported, found ${starts.length} (the statement starting with "${other.text}")`, other.line);
    }
    if (starts[0]!.col !== 0) throw new ExpressionError('an indented statement is not valid here', starts[0]!.line);
    this.expectName('return', 'as the only statement');
    if (!this.isOp('{')) throw new ExpressionError(`the return value must be a dict literal {...}, found ${describe(this.peek())}`, this.peek().line);
    const expr = this.dict();
    const rest = this.next();
    if (rest.kind !== 'newline') throw new ExpressionError(`found ${describe(rest)} after the returned dict`, rest.line);
    if (this.peek().kind !== 'end') throw new ExpressionError('unexpected text after the return statement', this.peek().line);
    return expr;
  }

  private dict(): MappingExpression {
    this.expectOp('{', 'to open the dict');
    const entries: Array<[string, MappingValue]> = [];
    while (!this.isOp('}')) {
      const k = this.next();
      if (k.kind !== 'string') throw new ExpressionError(`dict keys must be string literals, found ${describe(k)}`, k.line);
      this.expectOp(':', `after the key "${k.value}"`);
      const v = this.value();
      const existing = entries.findIndex(([key]) => key === k.value);
      if (existing >= 0) entries[existing] = [k.value!, v];
      else entries.push([k.value!, v]);
      if (this.isOp(',')) this.next();
      else if (!this.isOp('}')) throw new ExpressionError(`expected "," or "}" after the value of "${k.value}", found ${describe(this.peek())}`, this.peek().line);
    }
    this.next();
    return { entries };
  }

  private literal(): string | number | boolean | null | undefined {
    const t = this.peek();
    if (t.kind === 'string') return this.next().value!;
    if (t.kind === 'number') return Number(this.next().text);
    if (t.kind === 'op' && t.text === '-' && this.peek(1).kind === 'number') {
      this.next();
      return -Number(this.next().text);
    }
    if (t.kind === 'name' && (t.text === 'True' || t.text === 'False' || t.text === 'None')) {
      this.next();
      return t.text === 'None' ? null : t.text === 'True';
    }
    return undefined;
  }

  /** `request.user` or `user`; returns false (consuming nothing) when the next tokens are neither. */
  private userRef(): boolean {
    const t = this.peek();
    if (t.kind === 'name' && t.text === 'user') {
      this.next();
      return true;
    }
    if (t.kind === 'name' && t.text === 'request' && this.isOp('.', 1) && this.peek(2).kind === 'name' && this.peek(2).text === 'user') {
      this.pos += 3;
      return true;
    }
    return false;
  }

  private value(): MappingValue {
    const start = this.peek();
    const lit = this.literal();
    if (lit !== undefined) return { kind: 'literal', value: lit };
    if (this.userRef()) {
      this.expectOp('.', 'after request.user');
      const f = this.next();
      if (f.kind !== 'name') throw new ExpressionError(`expected an attribute name after request.user., found ${describe(f)}`, f.line);
      if ((USER_FIELDS as readonly string[]).includes(f.text)) {
        if (this.isOp('.') || this.isOp('(') || this.isOp('[')) {
          throw new ExpressionError(`only the plain value of request.user.${f.text} is supported (no methods, calls or indexing)`, f.line);
        }
        return { kind: 'user', field: f.text as UserField };
      }
      if (f.text === 'attributes') {
        this.expectOp('.', 'after request.user.attributes (only .get(...) is supported)');
        this.expectName('get', 'after request.user.attributes. (only .get(...) is supported)');
        this.expectOp('(', 'after attributes.get');
        const key = this.next();
        if (key.kind !== 'string') throw new ExpressionError(`attributes.get needs a string literal key, found ${describe(key)}`, key.line);
        let fallback: string | number | boolean | null = null;
        if (this.isOp(',')) {
          this.next();
          const d = this.literal();
          if (d === undefined) throw new ExpressionError(`the default of attributes.get("${key.value}", ...) must be a literal, found ${describe(this.peek())}`, this.peek().line);
          fallback = d;
        }
        this.expectOp(')', `to close attributes.get("${key.value}"...)`);
        return { kind: 'attribute', key: key.value!, fallback };
      }
      throw new ExpressionError(`request.user.${f.text} is not supported`, f.line);
    }
    if (this.isOp('[')) {
      this.next();
      // a list of literals: [], ["a", 1, True]
      const items: Array<string | number | boolean | null> = [];
      for (let item = this.literal(); item !== undefined || this.isOp(']'); item = this.literal()) {
        if (item === undefined) {
          this.next();
          return { kind: 'list', items };
        }
        items.push(item);
        if (this.isOp(',')) this.next();
        else if (!this.isOp(']')) throw new ExpressionError(`expected "," or "]" in the list, found ${describe(this.peek())}`, this.peek().line);
      }
      if (items.length) throw new ExpressionError(`list items must be literals, found ${describe(this.peek())}`, this.peek().line);
      // [group.name for group in request.user.ak_groups.all()]
      const v = this.next();
      if (v.kind !== 'name') throw new ExpressionError(`a list must hold literals or be [group.name for group in request.user.ak_groups.all()], found ${describe(v)}`, v.line);
      this.expectOp('.', 'in the group list comprehension');
      this.expectName('name', 'in the group list comprehension (group.name)');
      this.expectName('for', 'in the group list comprehension');
      const v2 = this.next();
      if (v2.kind !== 'name' || v2.text !== v.text) throw new ExpressionError(`the comprehension variable must be ${v.text}, found ${describe(v2)}`, v2.line);
      this.expectName('in', 'in the group list comprehension');
      if (!this.userRef()) throw new ExpressionError(`the group list must iterate request.user.ak_groups.all(), found ${describe(this.peek())}`, this.peek().line);
      this.expectOp('.', 'after request.user');
      this.expectName('ak_groups', 'in the group list comprehension');
      this.expectOp('.', 'after request.user.ak_groups');
      this.expectName('all', 'after request.user.ak_groups.');
      this.expectOp('(', 'after ak_groups.all');
      this.expectOp(')', 'after ak_groups.all(');
      this.expectOp(']', 'to close the group list comprehension');
      return { kind: 'groups' };
    }
    if (start.kind === 'name' && this.isOp('(', 1)) throw new ExpressionError(`function calls are not supported (${start.text}(...))`, start.line);
    if (start.kind === 'name') throw new ExpressionError(`the name ${start.text} is not supported`, start.line);
    if (start.kind === 'op' && start.text === '{') throw new ExpressionError('nested dicts are not supported', start.line);
    throw new ExpressionError(`unexpected ${describe(start)} as a value`, start.line);
  }
}

function describe(t: Tok): string {
  if (t.kind === 'end') return 'the end of the expression';
  if (t.kind === 'newline') return 'the end of the line';
  if (t.kind === 'bad') return `the operator "${t.text}" (operators are not supported)`;
  if (t.kind === 'string') return t.text;
  return `"${t.text}"`;
}

/** Parses a scope mapping expression in the supported subset; throws ExpressionError (problem + line) otherwise. */
export function parseMappingExpression(source: string): MappingExpression {
  return new ExpressionParser(tokenize(source)).parse();
}


// ---------- tag markers ----------

class FindRef {
  constructor(readonly model: string, readonly query: Array<[string, unknown]>) {}
}
class KeyOfRef {
  constructor(readonly id: string) {}
}
class EnvRef {
  constructor(readonly name: string, readonly fallback: unknown) {}
}
class ContextRef {
  constructor(readonly key: string, readonly fallback: unknown) {}
}
class FormatRef {
  constructor(readonly format: string, readonly args: unknown[]) {}
}

function seqItems(seq: YAMLSeq): unknown[] {
  return seq.items.map((item) => (item && typeof item === 'object' && 'toJSON' in item ? (item as { toJSON(): unknown }).toJSON() : item));
}

function asPair(value: unknown): [string, unknown] {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string') return [value[0], value[1]];
  throw new Error('!Find expects [model, [field, value], ...]');
}

const TAGS: Array<ScalarTag | CollectionTag> = [
  {
    tag: '!Find',
    collection: 'seq',
    resolve(seq: YAMLSeq) {
      const [model, ...pairs] = seqItems(seq);
      if (typeof model !== 'string') throw new Error('!Find expects the model name first');
      return new FindRef(model, pairs.map(asPair));
    },
  } as CollectionTag,
  { tag: '!KeyOf', resolve: (value: string) => new KeyOfRef(value) } as ScalarTag,
  { tag: '!Env', resolve: (value: string) => new EnvRef(value, null) } as ScalarTag,
  {
    tag: '!Env',
    collection: 'seq',
    resolve(seq: YAMLSeq) {
      const [name, fallback] = seqItems(seq);
      return new EnvRef(String(name), fallback ?? null);
    },
  } as CollectionTag,
  { tag: '!Context', resolve: (value: string) => new ContextRef(value, null) } as ScalarTag,
  {
    tag: '!Context',
    collection: 'seq',
    resolve(seq: YAMLSeq) {
      const [key, fallback] = seqItems(seq);
      return new ContextRef(String(key), fallback ?? null);
    },
  } as CollectionTag,
  {
    tag: '!Format',
    collection: 'seq',
    resolve(seq: YAMLSeq) {
      const [format, ...args] = seqItems(seq);
      return new FormatRef(String(format), args);
    },
  } as CollectionTag,
];

// ---------- resolution ----------

interface RawEntry {
  model?: unknown;
  id?: unknown;
  identifiers?: unknown;
  attrs?: unknown;
  state?: unknown;
}

interface Ctx {
  file: string;
  env: Record<string, string | undefined>;
  context: Record<string, unknown>;
  entryLabel: string;
}

function fail(ctx: Pick<Ctx, 'file' | 'entryLabel'>, problem: string): never {
  throw new Error(`Blueprint ${ctx.file}, ${ctx.entryLabel}: ${problem}.`);
}

/** Resolves !Env/!Context/!Format to plain values; leaves !Find/!KeyOf references for the entry resolvers. */
function evalTags(value: unknown, ctx: Ctx): unknown {
  if (value instanceof EnvRef) {
    // authentik/blueprints/v1/common.py Env.resolve: `getenv(self.key) or self.default` (an empty value falls back).
    const fromEnv = ctx.env[value.name];
    return fromEnv ? fromEnv : value.fallback;
  }
  if (value instanceof ContextRef) {
    return value.key in ctx.context ? ctx.context[value.key] : value.fallback;
  }
  if (value instanceof FormatRef) {
    const args = value.args.map((a) => evalTags(a, ctx));
    let i = 0;
    // Python %-format with %s/%d only (authentik's !Format uses `format % args`).
    return value.format.replace(/%[sd%]/g, (m) => (m === '%%' ? '%' : String(args[i++])));
  }
  if (value instanceof FindRef) {
    return new FindRef(value.model, value.query.map(([k, v]) => [k, evalTags(v, ctx)]));
  }
  if (Array.isArray(value)) return value.map((v) => evalTags(v, ctx));
  if (value && typeof value === 'object' && !(value instanceof KeyOfRef)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evalTags(v, ctx)]));
  }
  return value;
}

function findValue(ref: unknown, model: string, field: string, ctx: Ctx, attr: string): string {
  if (!(ref instanceof FindRef)) fail(ctx, `${attr} must be !Find [${model}, [${field}, ...]]`);
  if (ref.model !== model) fail(ctx, `${attr} refers to model ${ref.model}, expected ${model}`);
  const hit = ref.query.find(([k]) => k === field);
  if (!hit || typeof hit[1] !== 'string') fail(ctx, `${attr} must look up ${model} by ${field}`);
  return hit[1];
}

/** authentik durations are "hours=1;minutes=2" strings (authentik/lib/utils/time.py, timedelta_string_validator). */
export function parseDuration(value: unknown, fallbackS: number, ctx: Ctx, attr: string): number {
  if (value === undefined || value === null) return fallbackS;
  if (typeof value !== 'string') fail(ctx, `${attr} must be a duration string like "minutes=1"`);
  const units: Record<string, number> = { weeks: 604800, days: 86400, hours: 3600, minutes: 60, seconds: 1, microseconds: 1e-6, milliseconds: 1e-3 };
  let total = 0;
  for (const part of value.split(';').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\w+)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m || !(m[1]! in units)) fail(ctx, `${attr} has an invalid duration "${value}"`);
    total += Number(m[2]) * units[m[1]!]!;
  }
  return total;
}

function str(value: unknown, ctx: Ctx, attr: string, fallback?: string): string {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    fail(ctx, `${attr} is required`);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  fail(ctx, `${attr} must be a string`);
}

function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return !['false', '0', 'no', ''].includes(value.toLowerCase());
  return Boolean(value);
}

function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

// ---------- scope mappings ----------

const SCOPE_MAPPING_MODEL = 'authentik_providers_oauth2.scopemapping';
const MAPPING_LOOKUP_FIELDS = ['managed', 'name', 'scope_name'] as const;

/** A scope mapping entry of the blueprint, parsed before the provider is resolved. */
interface MappingDef {
  mapping: ResolvedScopeMapping;
  index: number;
  ctx: Ctx;
  /** Set when the expression is outside the supported subset; reported only if the mapping is attached. */
  problem: ExpressionError | null;
}

/** What the provider's property_mappings can refer to: the managed defaults and the blueprint's own mappings. */
interface MappingCatalog {
  custom: MappingDef[];
  /** Every entry `id` in the file, with its model and position (for !KeyOf). */
  entryIds: Map<string, { model: string; index: number }>;
}

const MANAGED_DEFAULTS: ResolvedScopeMapping[] = Object.entries(MANAGED_SCOPE_MAPPING_DEFAULTS).map(([managed, d]) => ({
  name: d.name, managed, scope_name: MANAGED_SCOPE_MAPPINGS[managed]!, description: d.description, expression: null, id: null,
}));

function parseScopeMappingEntry(entry: RawEntry, index: number, ctx: Ctx, existing: MappingDef[]): MappingDef {
  const ids = obj(evalTags(entry.identifiers, ctx));
  const attrs = obj(evalTags(entry.attrs, ctx));
  if (entry.identifiers === undefined) fail(ctx, '`identifiers` is required');
  const all = { ...attrs, ...ids };
  const managed = all.managed === undefined || all.managed === null ? null : str(all.managed, ctx, 'managed');
  const name = str(all.name, ctx, 'name');
  const clash = MANAGED_DEFAULTS.find((d) => d.managed === managed || d.name === name);
  if (clash) {
    fail(ctx, `it redefines authentik's managed default mapping "${clash.name}", which the reference provider keeps as authentik ships it (the system blueprint re-applies it): give your mapping its own name and attach that instead`);
  }
  const twin = existing.find((d) => d.mapping.name === name || (managed !== null && d.mapping.managed === managed));
  if (twin) fail(ctx, `scope mapping "${name}" is already defined by ${twin.ctx.entryLabel}`);
  const source = str(all.expression, ctx, 'expression');
  let expression: MappingExpression | null = null;
  let problem: ExpressionError | null = null;
  try {
    expression = parseMappingExpression(source);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    problem = e;
  }
  return {
    mapping: {
      name, managed, scope_name: str(all.scope_name, ctx, 'scope_name'), description: str(all.description, ctx, 'description', ''),
      expression, id: typeof entry.id === 'string' ? entry.id : null,
    },
    index, ctx, problem,
  };
}

function describeQuery(query: Array<[string, unknown]>): string {
  return query.map(([k, v]) => `[${k}, ${String(v)}]`).join(', ');
}

/**
 * Resolves one property_mappings item the way authentik's tags do (authentik/blueprints/v1/common.py): !KeyOf takes
 * an entry applied earlier in the same file (entries are applied top to bottom, "KeyOf: failed to find entry with
 * `id` ... and a model instance" otherwise); !Find queries the existing mappings (the managed defaults, and the
 * file's mappings applied before the provider) and takes the first hit, which is ambiguous when several match.
 */
function resolveMappingRef(ref: unknown, attr: string, providerIndex: number, catalog: MappingCatalog, ctx: Ctx): ResolvedScopeMapping {
  const usable = (d: MappingDef): ResolvedScopeMapping => {
    if (d.problem) {
      fail(d.ctx, `the expression of scope mapping "${d.mapping.name}" is not supported by the reference provider (${d.problem.problem} at line ${d.problem.line} of the expression); supported: ${SUPPORTED_EXPRESSION_SUBSET}`);
    }
    return d.mapping;
  };
  const later = (what: string, d: MappingDef): never =>
    fail(ctx, `${attr} refers to ${what}, which ${d.ctx.entryLabel} defines after the provider; authentik applies entries top to bottom, so move the scope mapping above the provider`);

  if (ref instanceof KeyOfRef) {
    const target = catalog.entryIds.get(ref.id);
    if (!target) fail(ctx, `${attr} is !KeyOf ${ref.id}, but no entry has the id "${ref.id}"`);
    if (target.model !== SCOPE_MAPPING_MODEL) fail(ctx, `${attr} is !KeyOf ${ref.id}, which is a ${target.model || 'model-less'} entry, not a ${SCOPE_MAPPING_MODEL}`);
    const def = catalog.custom.find((d) => d.index === target.index)!;
    if (def.index > providerIndex) later(`!KeyOf ${ref.id}`, def);
    return usable(def);
  }
  if (!(ref instanceof FindRef)) {
    fail(ctx, `${attr} must be !KeyOf <scope mapping entry id> or !Find [${SCOPE_MAPPING_MODEL}, [managed|name|scope_name, ...]]`);
  }
  if (ref.model !== SCOPE_MAPPING_MODEL) fail(ctx, `${attr} refers to model ${ref.model}, expected ${SCOPE_MAPPING_MODEL}`);
  if (ref.query.length === 0) fail(ctx, `${attr} must look up ${SCOPE_MAPPING_MODEL} by managed, name or scope_name`);
  for (const [field, value] of ref.query) {
    if (!(MAPPING_LOOKUP_FIELDS as readonly string[]).includes(field)) {
      fail(ctx, `${attr} looks up ${SCOPE_MAPPING_MODEL} by ${field}; the reference provider supports managed, name and scope_name`);
    }
    if (typeof value !== 'string') fail(ctx, `${attr} must look up ${field} by a string value`);
  }
  const matches = (m: ResolvedScopeMapping) => ref.query.every(([f, v]) => m[f as (typeof MAPPING_LOOKUP_FIELDS)[number]] === v);
  const earlier = catalog.custom.filter((d) => d.index < providerIndex && matches(d.mapping));
  const hits: Array<ResolvedScopeMapping | MappingDef> = [...MANAGED_DEFAULTS.filter(matches), ...earlier];
  if (hits.length > 1) {
    const names = hits.map((h) => `"${'mapping' in h ? h.mapping.name : h.name}"`).join(', ');
    fail(ctx, `${attr} (!Find ${describeQuery(ref.query)}) matches ${hits.length} scope mappings (${names}) and authentik would take whichever comes first: look it up by name or use !KeyOf`);
  }
  if (hits.length === 0) {
    const afterwards = catalog.custom.find((d) => d.index > providerIndex && matches(d.mapping));
    if (afterwards) later(`!Find ${describeQuery(ref.query)}`, afterwards);
    const managed = ref.query.find(([f]) => f === 'managed');
    if (managed && ref.query.length === 1) fail(ctx, `${attr} refers to unknown managed scope mapping "${String(managed[1])}"`);
    fail(ctx, `${attr} refers to unknown scope mapping ${describeQuery(ref.query)} (known: the managed defaults and the scope mappings defined above the provider)`);
  }
  const hit = hits[0]!;
  return 'mapping' in hit ? usable(hit) : hit;
}

function resolveProvider(
  entry: RawEntry,
  attrs: Record<string, unknown>,
  ids: Record<string, unknown>,
  ctx: Ctx,
  flows: Set<string>,
  placement: { index: number; catalog: MappingCatalog },
): ResolvedProvider {
  const all = { ...attrs, ...ids };
  const flowSlug = (key: string, required: boolean): string | null => {
    const v = all[key];
    if (v === undefined || v === null) {
      if (required) fail(ctx, `${key} is required`);
      return null;
    }
    const slug = findValue(v, 'authentik_flows.flow', 'slug', ctx, key);
    flows.add(slug);
    return slug;
  };
  const keypair = (key: string): string | null => {
    const v = all[key];
    if (v === undefined || v === null) return null;
    return findValue(v, 'authentik_crypto.certificatekeypair', 'name', ctx, key);
  };

  const rawRedirects = all.redirect_uris ?? [];
  if (!Array.isArray(rawRedirects)) fail(ctx, 'redirect_uris must be a list of {matching_mode, url}');
  const redirect_uris = rawRedirects.map((r, i): RedirectUri => {
    const o = obj(r);
    const mode = o.matching_mode ?? 'strict';
    if (mode !== 'strict' && mode !== 'regex') fail(ctx, `redirect_uris[${i}].matching_mode must be strict or regex`);
    const type = o.redirect_uri_type ?? 'authorization';
    if (type !== 'authorization' && type !== 'logout') fail(ctx, `redirect_uris[${i}].redirect_uri_type must be authorization or logout`);
    return { matching_mode: mode, url: str(o.url, ctx, `redirect_uris[${i}].url`), redirect_uri_type: type };
  });

  const rawMappings = all.property_mappings ?? [];
  if (!Array.isArray(rawMappings)) fail(ctx, 'property_mappings must be a list');
  // A many-to-many field: the same mapping attached twice counts once.
  const scope_mappings = [...new Set(rawMappings.map((m, i) => resolveMappingRef(m, `property_mappings[${i}]`, placement.index, placement.catalog, ctx)))];
  const property_mappings = scope_mappings.map((m) => m.managed ?? m.name);

  const subMode = all.sub_mode ?? 'hashed_user_id';
  if (!SUB_MODES.includes(subMode as SubMode)) fail(ctx, `sub_mode "${String(subMode)}" is not one of ${SUB_MODES.join(', ')}`);
  const issuerMode = all.issuer_mode ?? 'per_provider';
  if (issuerMode !== 'per_provider' && issuerMode !== 'global') fail(ctx, 'issuer_mode must be per_provider or global');
  const clientType = all.client_type ?? 'confidential';
  if (clientType !== 'confidential' && clientType !== 'public') fail(ctx, 'client_type must be confidential or public');
  let grant_types: string[] | null = null;
  if (all.grant_types !== undefined && all.grant_types !== null) {
    if (!Array.isArray(all.grant_types)) fail(ctx, 'grant_types must be a list');
    grant_types = all.grant_types.map((g) => str(g, ctx, 'grant_types[]'));
  }

  // client_id / client_secret: real authentik generates them when omitted; the reference needs them fixed.
  return {
    id: typeof entry.id === 'string' ? entry.id : null,
    name: str(all.name, ctx, 'name'),
    client_id: str(all.client_id, ctx, 'client_id (the reference provider needs a fixed client_id)'),
    client_secret: str(all.client_secret, ctx, 'client_secret', ''),
    client_type: clientType,
    redirect_uris,
    sub_mode: subMode as SubMode,
    issuer_mode: issuerMode,
    signing_key: keypair('signing_key'),
    encryption_key: keypair('encryption_key'),
    property_mappings,
    scope_mappings,
    scopes: [...new Set(scope_mappings.map((m) => m.scope_name))],
    grant_types,
    include_claims_in_id_token: bool(all.include_claims_in_id_token, true),
    access_code_validity_s: parseDuration(all.access_code_validity, 60, ctx, 'access_code_validity'),
    access_token_validity_s: parseDuration(all.access_token_validity, 3600, ctx, 'access_token_validity'),
    refresh_token_validity_s: parseDuration(all.refresh_token_validity, 30 * 86400, ctx, 'refresh_token_validity'),
    authorization_flow: flowSlug('authorization_flow', true)!,
    invalidation_flow: flowSlug('invalidation_flow', false),
    authentication_flow: flowSlug('authentication_flow', false),
  };
}

function uuidFrom(seed: string): string {
  // Stable per blueprint user, formatted like a UUIDv4 (authentik's user.uuid is random; stable is friendlier for tests).
  let h = 0x811c9dc5;
  const bytes: number[] = [];
  for (let round = 0; round < 16; round++) {
    for (const ch of `${seed}:${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    bytes.push(h & 0xff);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const IGNORED_MODELS = new Set([
  'authentik_blueprints.metaapplyblueprint',
  'authentik_crypto.certificatekeypair',
  'authentik_flows.flow',
  'authentik_core.token',
]);

export function parseBlueprint(text: string, file: string, options: LoadBlueprintOptions = {}): ResolvedBlueprint {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { customTags: TAGS, lineCounter, prettyErrors: true });
  const label = { file, entryLabel: 'document' };
  for (const err of doc.errors) {
    const line = err.linePos?.[0]?.line;
    fail(label, `YAML syntax error${line ? ` at line ${line}` : ''}: ${err.message.split('\n')[0]}`);
  }
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED') {
      const tag = /Unresolved tag: (\S+)/.exec(w.message)?.[1] ?? 'unknown';
      fail(label, `unsupported tag ${tag} at line ${w.linePos?.[0]?.line ?? '?'} (supported: !Find, !KeyOf, !Env, !Context, !Format)`);
    }
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    fail(label, (e as Error).message);
  }
  const top = obj(root);
  if (top.version !== 1) fail(label, '`version: 1` is required');
  if (!Array.isArray(top.entries)) fail(label, '`entries` must be a list');
  const metadata = obj(top.metadata);
  const ctxBase = { file, env: options.env ?? process.env, context: obj(top.context) };

  const flows = new Set<string>();
  const providers: ResolvedProvider[] = [];
  const apps: Array<{ app: ResolvedApplication; providerRef: unknown; ctx: Ctx }> = [];
  const users: ResolvedUser[] = [];
  const groups: string[] = [];
  const policies = new Map<string, ResolvedPolicy>();
  const bindings: Array<{ target: unknown; binding: Omit<ResolvedPolicyBinding, 'policy'> & { policyRef: unknown }; ctx: Ctx }> = [];

  const entryCtx = (entry: RawEntry, index: number): Ctx => {
    const model = typeof entry.model === 'string' ? entry.model : '';
    return { ...ctxBase, entryLabel: `entry ${index + 1}${model ? ` (${model}${typeof entry.id === 'string' ? ` "${entry.id}"` : ''})` : ''}` };
  };
  // First pass: entry ids and the file's scope mappings, so the provider's property_mappings can be resolved (and a
  // reference to a mapping defined below the provider named as such).
  const catalog: MappingCatalog = { custom: [], entryIds: new Map() };
  top.entries.forEach((rawEntry: unknown, index: number) => {
    const entry = obj(rawEntry) as RawEntry;
    if (entry.state === 'absent') return;
    const model = typeof entry.model === 'string' ? entry.model : '';
    if (typeof entry.id === 'string' && !catalog.entryIds.has(entry.id)) catalog.entryIds.set(entry.id, { model, index });
    if (model === SCOPE_MAPPING_MODEL) catalog.custom.push(parseScopeMappingEntry(entry, index, entryCtx(entry, index), catalog.custom));
  });

  top.entries.forEach((rawEntry: unknown, index: number) => {
    const entry = obj(rawEntry) as RawEntry;
    const model = typeof entry.model === 'string' ? entry.model : '';
    const ctx = entryCtx(entry, index);
    if (!model) fail(ctx, '`model` is required');
    const state = entry.state ?? 'present';
    if (!['present', 'created', 'must_created', 'absent'].includes(String(state))) fail(ctx, `state "${String(state)}" is invalid`);
    if (state === 'absent') return;
    if (model === SCOPE_MAPPING_MODEL) return; // parsed in the first pass
    const ids = obj(evalTags(entry.identifiers, ctx));
    const attrs = obj(evalTags(entry.attrs, ctx));
    if (entry.identifiers === undefined) fail(ctx, '`identifiers` is required');
    const all = { ...attrs, ...ids };
    switch (model) {
      case 'authentik_providers_oauth2.oauth2provider':
        providers.push(resolveProvider(entry, attrs, ids, ctx, flows, { index, catalog }));
        break;
      case 'authentik_core.application': {
        const engine = all.policy_engine_mode ?? 'any';
        if (engine !== 'any' && engine !== 'all') fail(ctx, 'policy_engine_mode must be any or all');
        apps.push({
          app: { id: typeof entry.id === 'string' ? entry.id : null, slug: str(all.slug, ctx, 'slug'), name: str(all.name, ctx, 'name'), policy_engine_mode: engine, bindings: [] },
          providerRef: all.provider,
          ctx,
        });
        break;
      }
      case 'authentik_core.user': {
        const username = str(all.username, ctx, 'username');
        const userGroups = Array.isArray(all.groups) ? all.groups.map((g) => (g instanceof FindRef ? String(g.query[0]?.[1] ?? '') : String(g))) : [];
        users.push({
          id: typeof entry.id === 'string' ? entry.id : null,
          pk: users.length + 2,
          uuid: uuidFrom(username),
          username,
          name: str(all.name, ctx, 'name', ''),
          email: str(all.email, ctx, 'email', ''),
          password: all.password === undefined || all.password === null ? null : str(all.password, ctx, 'password'),
          is_active: bool(all.is_active, true),
          attributes: obj(all.attributes),
          groups: userGroups,
        });
        break;
      }
      case 'authentik_core.group':
        groups.push(str(all.name, ctx, 'name'));
        break;
      case 'authentik_policies_expression.expressionpolicy':
      case 'authentik_policies_dummy.dummypolicy': {
        const id = typeof entry.id === 'string' ? entry.id : `#${index}`;
        policies.set(id, {
          id: typeof entry.id === 'string' ? entry.id : null,
          name: str(all.name, ctx, 'name'),
          model,
          expression: model.endsWith('expressionpolicy') ? str(all.expression, ctx, 'expression') : null,
        });
        break;
      }
      case 'authentik_policies.policybinding':
        bindings.push({
          target: all.target,
          binding: {
            policyRef: all.policy ?? null,
            user: all.user === undefined || all.user === null ? null : String(all.user instanceof FindRef ? all.user.query[0]?.[1] : all.user),
            group: all.group === undefined || all.group === null ? null : String(all.group instanceof FindRef ? all.group.query[0]?.[1] : all.group),
            order: Number(all.order ?? 0),
            enabled: bool(all.enabled, true),
            negate: bool(all.negate, false),
          },
          ctx,
        });
        break;
      default:
        if (!IGNORED_MODELS.has(model)) fail(ctx, `model ${model} is not supported by the reference provider`);
    }
  });

  const docCtx = { ...ctxBase, entryLabel: 'document' };
  if (providers.length !== 1) fail(docCtx, `expected exactly one authentik_providers_oauth2.oauth2provider entry, found ${providers.length}`);
  if (apps.length !== 1) fail(docCtx, `expected exactly one authentik_core.application entry, found ${apps.length}`);
  const provider = providers[0]!;
  const { app, providerRef, ctx: appCtx } = apps[0]!;
  if (!(providerRef instanceof KeyOfRef) || providerRef.id !== provider.id) {
    fail(appCtx, `provider must be !KeyOf ${provider.id ?? '<the provider entry id>'}`);
  }
  if (['authorize', 'token', 'device', 'userinfo', 'introspect', 'revoke'].includes(app.slug)) {
    fail(appCtx, `slug "${app.slug}" is reserved (authentik/core/models.py Application.reserved_slugs)`);
  }
  for (const { target, binding, ctx } of bindings) {
    if (!(target instanceof KeyOfRef) || target.id !== app.id) fail(ctx, `target must be !KeyOf ${app.id ?? '<the application entry id>'}`);
    let policy: ResolvedPolicy | null = null;
    if (binding.policyRef !== null) {
      if (!(binding.policyRef instanceof KeyOfRef) || !policies.has(binding.policyRef.id)) fail(ctx, 'policy must be !KeyOf <a policy entry id>');
      policy = policies.get(binding.policyRef.id)!;
    }
    const { policyRef: _unused, ...rest } = binding;
    app.bindings.push({ ...rest, policy });
  }
  app.bindings.sort((a, b) => a.order - b.order);

  return {
    path: null,
    name: typeof metadata.name === 'string' ? metadata.name : basename(file),
    provider,
    application: app,
    users,
    groups,
    flows: [...flows],
  };
}

/** Loads and resolves a blueprint file. Throws an Error with one sentence (file, entry, problem) on bad input. */
export function loadBlueprint(path: string, options: LoadBlueprintOptions = {}): ResolvedBlueprint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`Blueprint ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  return { ...parseBlueprint(text, path, options), path };
}
