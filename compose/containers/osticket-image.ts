/**
 * Which osTicket image the stack runs, decided before any container starts, and why not when there is none:
 * - OSTICKET_IMAGE: used as given (pulled by Testcontainers when absent and pulling is allowed);
 * - otherwise oidc-harness/osticket:<version>, built from compose/containers/osticket/ and keyed by its inputs
 *   (built-image.ts): reused while its inputs label matches, rebuilt when the Dockerfile, a copied file or a build
 *   argument changed.
 * Building needs the network (the Dockerfile's base image, osTicket's release zip and the plugin phar), so where
 * pulling is not allowed (OIDC_HARNESS_LOCAL_IMAGES=1, images.ts pullAllowed) a missing or stale image is reported
 * with the exact image names, never built.
 */
import { readFileSync } from 'node:fs';
import { dockerfileBaseImages, ensureBuiltImage, imageInputsKey, inspectBuiltImage } from './built-image.ts';
import type { StackImages } from './images.ts';
import { packagePath } from '../../helpers/package-root.ts';

// Located from the package folder: the same build files whether the sources or the compiled dist/ run.
export const OSTICKET_CONTEXT = `${packagePath('compose', 'containers', 'osticket')}/`;

export type OsticketImagePlan =
  | { kind: 'use'; image: string; why: string }
  | { kind: 'pull'; image: string; why: string }
  | { kind: 'build'; image: string; why: string; buildArgs: Record<string, string> }
  | { kind: 'missing'; image: string; reason: string };

/** What the plan needs from the engine (injectable for tests). */
export interface ImageLookup {
  /** The image's inputs label ('' when it has none), or undefined when the engine has no such image. */
  inputsOf(image: string): Promise<string | undefined>;
}

export const engineLookup: ImageLookup = {
  inputsOf: async (image) => {
    const i = await inspectBuiltImage(image);
    return i ? (i.inputs ?? '') : undefined;
  },
};

export async function planOsticketImage(
  images: Pick<StackImages, 'osticket' | 'buildOsticket' | 'osticketBuildArgs'>,
  opts: { pull: boolean; lookup?: ImageLookup; context?: string },
): Promise<OsticketImagePlan> {
  const lookup = opts.lookup ?? engineLookup;
  const image = images.osticket;
  const present = await lookup.inputsOf(image);
  if (!images.buildOsticket) {
    if (present !== undefined) return { kind: 'use', image, why: `OSTICKET_IMAGE=${image}, present locally` };
    if (opts.pull) return { kind: 'pull', image, why: `OSTICKET_IMAGE=${image}, not present locally: Testcontainers pulls it` };
    return { kind: 'missing', image, reason: `osTicket image ${image} (OSTICKET_IMAGE) is not present in the local Docker engine, and pulling is off here (OIDC_HARNESS_LOCAL_IMAGES=1; OIDC_HARNESS_PULL=1 allows it)` };
  }
  const context = opts.context ?? OSTICKET_CONTEXT;
  const key = imageInputsKey(context, images.osticketBuildArgs);
  if (present === key) return { kind: 'use', image, why: `${image} built from the current compose/containers/osticket inputs (${key})` };
  const state = present === undefined ? 'is not present' : `was built from other inputs (${present || 'no inputs label'}; now ${key})`;
  if (opts.pull) return { kind: 'build', image, why: `${image} ${state}: building it from compose/containers/osticket/Dockerfile`, buildArgs: images.osticketBuildArgs };
  const bases = dockerfileBaseImages(readFileSync(`${context}Dockerfile`, 'utf8'), images.osticketBuildArgs);
  return {
    kind: 'missing',
    image,
    reason:
      `osTicket image ${image} ${state}, and it cannot be built here: compose/containers/osticket/Dockerfile needs its base image ` +
      `${bases.join(', ')} and downloads osTicket's release and the auth-oauth2 phar, and pulling is off (OIDC_HARNESS_LOCAL_IMAGES=1); ` +
      'set OSTICKET_IMAGE to an osTicket image present locally, or OIDC_HARNESS_PULL=1 where a registry is reachable',
  };
}

/** Carries out a plan's build step (a no-op for the other kinds). */
export async function realiseOsticketPlan(plan: OsticketImagePlan, progress: (line: string) => void, context = OSTICKET_CONTEXT): Promise<void> {
  if (plan.kind !== 'build') return;
  progress(`osticket: ${plan.why} (first time only, a few minutes)`);
  const began = Date.now();
  const r = await ensureBuiltImage({ context, tag: plan.image, buildArgs: plan.buildArgs, progress: (l) => progress(`osticket build: ${l}`) });
  progress(`osticket: image ${r.built ? 'built' : 'already current'} in ${((Date.now() - began) / 1000).toFixed(0)}s (inputs ${r.key})`);
}
