/**
 * Small helpers shared by the blueprint loader and the model families: the entry context used in error messages
 * (one sentence: file, entry, problem), and value coercions with authentik's defaults.
 */
import { FindRef } from './tags.ts';

/** One entry of the file as written (before its tags are resolved). */
export interface RawEntry {
  model?: unknown;
  id?: unknown;
  identifiers?: unknown;
  attrs?: unknown;
  state?: unknown;
}

export interface Ctx {
  file: string;
  env: Record<string, string | undefined>;
  context: Record<string, unknown>;
  entryLabel: string;
}

export function fail(ctx: Pick<Ctx, 'file' | 'entryLabel'>, problem: string): never {
  throw new Error(`Blueprint ${ctx.file}, ${ctx.entryLabel}: ${problem}.`);
}


export function findValue(ref: unknown, model: string, field: string, ctx: Ctx, attr: string): string {
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

export function str(value: unknown, ctx: Ctx, attr: string, fallback?: string): string {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    fail(ctx, `${attr} is required`);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  fail(ctx, `${attr} must be a string`);
}

export function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return !['false', '0', 'no', ''].includes(value.toLowerCase());
  return Boolean(value);
}

export function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}


export function describeQuery(query: Array<[string, unknown]>): string {
  return query.map(([k, v]) => `[${k}, ${String(v)}]`).join(', ');
}

