/**
 * Scope mapping expressions: a safe subset of authentik's Python.
 *
 * authentik evaluates a scope mapping's `expression` as the body of a Python function with `request`, `user`,
 * `provider`, `token` in scope (authentik/core/expression/evaluator.py, providers/oauth2/models.py ScopeMapping).
 * The reference provider never evaluates anything: it tokenizes and parses exactly the subset below, refuses the
 * rest at load, and interprets the parsed form (claims.ts). `user` is the same object as `request.user`.
 */

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
