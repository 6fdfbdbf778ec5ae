/**
 * The blueprint YAML tags (authentik/blueprints/v1/common.py): !Find, !KeyOf, !Env NAME, !Env [NAME, default],
 * !Context, !Format. The YAML parser turns each into a marker object; evalTags resolves the value tags (!Env,
 * !Context, !Format) and leaves the references (!Find, !KeyOf) for the model families to resolve.
 */
import type { CollectionTag, ScalarTag, YAMLSeq } from 'yaml';
import type { Ctx } from './values.ts';

/** Named in the error for any other tag. */
export const SUPPORTED_TAGS = '!Find, !KeyOf, !Env, !Context, !Format';

export class FindRef {
  constructor(readonly model: string, readonly query: Array<[string, unknown]>) {}
}
export class KeyOfRef {
  constructor(readonly id: string) {}
}
export class EnvRef {
  constructor(readonly name: string, readonly fallback: unknown) {}
}
export class ContextRef {
  constructor(readonly key: string, readonly fallback: unknown) {}
}
export class FormatRef {
  constructor(readonly format: string, readonly args: unknown[]) {}
}

function seqItems(seq: YAMLSeq): unknown[] {
  return seq.items.map((item) => (item && typeof item === 'object' && 'toJSON' in item ? (item as { toJSON(): unknown }).toJSON() : item));
}

function asPair(value: unknown): [string, unknown] {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string') return [value[0], value[1]];
  throw new Error('!Find expects [model, [field, value], ...]');
}

export const TAGS: Array<ScalarTag | CollectionTag> = [
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

/** Resolves !Env/!Context/!Format to plain values; leaves !Find/!KeyOf references for the entry resolvers. */
export function evalTags(value: unknown, ctx: Ctx): unknown {
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
