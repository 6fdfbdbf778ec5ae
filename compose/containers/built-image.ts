/**
 * Images this harness builds from a folder of ours are never stale: each is labelled with a hash of its inputs
 * (every file of the build context, the Dockerfile included, and the build arguments), the way .ci/setup-machine
 * keys the local images (label `oidc-harness.inputs`), and rebuilt when the hash of the current inputs differs.
 *
 * Builds go through the Docker engine's API (dockerode, as testcontainers reaches it), so the build's own error
 * line is reported (testcontainers' builder drops it) and the label is set on the image.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runtimeClient } from './lifecycle.ts';

/** The label that carries the inputs hash (the same name .ci/setup-machine uses). */
export const INPUTS_LABEL = 'oidc-harness.inputs';

/** Every regular file under `dir`, as POSIX paths relative to it, sorted (byte order). */
export function contextFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** 16 hex characters over the context's files (names and contents) and the build arguments. */
export function imageInputsKey(contextDir: string, buildArgs: Record<string, string> = {}): string {
  const h = createHash('sha256');
  for (const rel of contextFiles(contextDir)) {
    h.update(`file ${rel}\0`);
    h.update(readFileSync(join(contextDir, rel)));
    h.update('\0');
  }
  for (const [k, v] of Object.entries(buildArgs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`arg ${k}=${v}\0`);
  return h.digest('hex').slice(0, 16);
}

/** The image names a Dockerfile builds FROM (ARG defaults and build args substituted; stage names left out). */
export function dockerfileBaseImages(dockerfileText: string, buildArgs: Record<string, string> = {}): string[] {
  const args: Record<string, string> = {};
  const stages = new Set<string>();
  const bases: string[] = [];
  for (const raw of dockerfileText.split(/\r?\n/)) {
    const line = raw.trim();
    const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?/i.exec(line);
    if (arg) args[arg[1]!] = buildArgs[arg[1]!] ?? arg[2] ?? '';
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      const image = from[1]!.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n: string) => args[n] ?? '');
      if (!stages.has(image) && image !== 'scratch') bases.push(image);
      if (from[2]) stages.add(from[2]);
    }
  }
  return bases;
}

interface ImageApi {
  getImage(name: string): { inspect(): Promise<{ Id: string; Config?: { Labels?: Record<string, string> | null } }>; remove(o?: object): Promise<unknown> };
  buildImage(ctx: { context: string; src: string[] }, opts: object): Promise<NodeJS.ReadableStream>;
  modem: { followProgress(s: NodeJS.ReadableStream, done: (err: Error | null, out: BuildLine[]) => void, each?: (l: BuildLine) => void): void };
}
interface BuildLine { stream?: string; error?: string; errorDetail?: { message?: string } }

async function imageApi(): Promise<ImageApi> {
  const client = await runtimeClient();
  const api = (client.image as unknown as { dockerode?: ImageApi }).dockerode;
  if (!api) throw new Error('cannot build images: no dockerode handle in this testcontainers version');
  return api;
}

/** The image's id and its inputs label, or undefined when the engine has no such image. */
export async function inspectBuiltImage(image: string): Promise<{ id: string; inputs?: string } | undefined> {
  try {
    const info = await (await imageApi()).getImage(image).inspect();
    return { id: info.Id, inputs: info.Config?.Labels?.[INPUTS_LABEL] };
  } catch {
    return undefined;
  }
}

export interface BuildRequest {
  /** Folder sent as the build context (its Dockerfile at the top). */
  context: string;
  /** Tag to build, e.g. oidc-harness/osticket:1.18.1. */
  tag: string;
  buildArgs?: Record<string, string>;
  /** Progress lines (one per build step). */
  progress?: (line: string) => void;
}

/**
 * Builds `tag` from `context` unless an image of that tag already carries the current inputs hash. Returns what it
 * did. A failed build throws with the build's own error line; the replaced image is removed when nothing uses it.
 */
export async function ensureBuiltImage(req: BuildRequest): Promise<{ built: boolean; key: string; reason: string }> {
  const buildArgs = req.buildArgs ?? {};
  const key = imageInputsKey(req.context, buildArgs);
  const before = await inspectBuiltImage(req.tag);
  if (before?.inputs === key) return { built: false, key, reason: `${req.tag} is up to date (inputs ${key})` };
  const reason = before ? `${req.tag} was built from other inputs (${before.inputs ?? 'no inputs label'}, now ${key})` : `${req.tag} is not present`;
  const api = await imageApi();
  const stream = await api.buildImage(
    { context: req.context, src: contextFiles(req.context) },
    { t: req.tag, buildargs: buildArgs, labels: { [INPUTS_LABEL]: key }, rm: true, forcerm: true },
  );
  const lines = await new Promise<BuildLine[]>((resolve, reject) => {
    api.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out)), (l) => {
      const step = l.stream?.trim();
      if (step && /^Step \d+\/\d+ :/.test(step)) req.progress?.(step.slice(0, 160));
    });
  });
  const failed = lines.find((l) => l.error || l.errorDetail);
  if (failed) {
    const tail = lines.map((l) => l.stream?.trim()).filter((s): s is string => Boolean(s)).slice(-5);
    throw new Error(`building ${req.tag} from ${req.context} failed: ${failed.errorDetail?.message ?? failed.error}${tail.length ? `\n--- last build output ---\n${tail.join('\n')}` : ''}`);
  }
  const after = await inspectBuiltImage(req.tag);
  if (after?.inputs !== key) throw new Error(`building ${req.tag} reported success, but the engine has no such image with inputs ${key}`);
  if (before && before.id !== after.id) await api.getImage(before.id).remove().catch(() => undefined);
  return { built: true, key, reason };
}
