/**
 * Shared probes for the container tests: is a Docker engine reachable, and which images can run here. Tests skip
 * with these reasons instead of failing where Docker or an image is missing (no registry on our CI machines). The
 * tests never pull or build from the network unless OIDC_HARNESS_PULL=1 says a registry is reachable.
 */
import { DEFAULT_IMAGES, LOCAL_IMAGES, authentikImageRef, isReferenceAuthentik, stackImages } from '../../compose/containers/images.ts';
import { listStackContainers, stackNetworkExists } from '../../compose/containers/lifecycle.ts';
import { planOsticketImage } from '../../compose/containers/osticket-image.ts';
import { dockerUnavailableReason, imageExists } from '../../compose/containers/stack.ts';

export const dockerReason: string | undefined = await dockerUnavailableReason();
const pull = process.env.OIDC_HARNESS_PULL === '1';

export interface ImageChoice { image: string; reason?: string }

async function pick(envValue: string | undefined, local: string, fallback: string): Promise<ImageChoice> {
  if (dockerReason) return { image: envValue || fallback, reason: dockerReason };
  const image = envValue?.trim() || ((await imageExists(local)) ? local : fallback);
  if (await imageExists(image)) return { image };
  if (pull) return { image }; // the user says a registry is reachable
  return { image, reason: `image ${image} is not present locally and no registry is assumed (run .ci/setup-machine, or set OIDC_HARNESS_PULL=1 where a registry is reachable)` };
}

export const mysql = await pick(process.env.MYSQL_IMAGE, LOCAL_IMAGES.mariadb, DEFAULT_IMAGES.mysql);
export const reference = await pick(
  process.env.AUTHENTIK_IMAGE && isReferenceAuthentik(process.env.AUTHENTIK_IMAGE) ? process.env.AUTHENTIK_IMAGE : undefined,
  LOCAL_IMAGES.referenceAuthentik,
  LOCAL_IMAGES.referenceAuthentik,
);

/** Real authentik (AUTHENTIK_IMAGE when it is not the reference provider, else the pinned default) and PostgreSQL. */
export const realAuthentik: ImageChoice = await (async () => {
  const env = process.env.AUTHENTIK_IMAGE && !isReferenceAuthentik(process.env.AUTHENTIK_IMAGE) ? process.env : { ...process.env, AUTHENTIK_IMAGE: '' };
  const image = authentikImageRef(env);
  if (dockerReason) return { image, reason: dockerReason };
  if (pull) return { image };
  const postgres = stackImages(process.env).postgres;
  for (const [role, name] of [['authentik', image], ['PostgreSQL', postgres]] as const) {
    if (!(await imageExists(name))) return { image, reason: `real ${role} image ${name} is not present locally and no registry is assumed (load it, or set OIDC_HARNESS_PULL=1 where a registry is reachable)` };
  }
  return { image };
})();

/** The osTicket image the stack would run (OSTICKET_IMAGE, or the one built from compose/containers/osticket). */
export const osticket: ImageChoice = await (async () => {
  const images = stackImages(process.env);
  if (dockerReason) return { image: images.osticket, reason: dockerReason };
  const plan = await planOsticketImage(images, { pull });
  return plan.kind === 'missing' ? { image: plan.image, reason: plan.reason } : { image: plan.image };
})();

/** The env for a stack a test starts: it pulls and builds nothing from the network unless OIDC_HARNESS_PULL=1. */
export function stackEnv(over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...over, ...(pull ? {} : { OIDC_HARNESS_LOCAL_IMAGES: '1' }) };
}

/** Every container (running or exited) carrying the stack label, optionally of one stack (asks the same engine as testcontainers). */
export const leftoverContainers = (stackId?: string): Promise<string[]> => listStackContainers(stackId);
export const networkExists = (name: string): Promise<boolean> => stackNetworkExists(name);
