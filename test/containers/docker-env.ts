/**
 * Shared probes for the container tests: is a Docker engine reachable, and which images can run here. Tests skip
 * with these reasons instead of failing where Docker or an image is missing (no registry on our CI machines).
 */
import { DEFAULT_IMAGES, LOCAL_IMAGES, authentikImageRef, isReferenceAuthentik } from '../../compose/containers/images.ts';
import { listStackContainers, stackNetworkExists } from '../../compose/containers/lifecycle.ts';
import { dockerUnavailableReason, imageExists } from '../../compose/containers/stack.ts';

export const dockerReason: string | undefined = await dockerUnavailableReason();

async function pick(envValue: string | undefined, local: string, fallback: string): Promise<{ image: string; reason?: string }> {
  if (dockerReason) return { image: envValue || fallback, reason: dockerReason };
  const image = envValue?.trim() || ((await imageExists(local)) ? local : fallback);
  if (await imageExists(image)) return { image };
  if (process.env.OIDC_HARNESS_PULL === '1') return { image }; // the user says a registry is reachable
  return { image, reason: `image ${image} is not present locally and no registry is assumed (run .ci/setup-machine, or set OIDC_HARNESS_PULL=1 where a registry is reachable)` };
}

export const mysql = await pick(process.env.MYSQL_IMAGE, LOCAL_IMAGES.mariadb, DEFAULT_IMAGES.mysql);
export const reference = await pick(
  process.env.AUTHENTIK_IMAGE && isReferenceAuthentik(process.env.AUTHENTIK_IMAGE) ? process.env.AUTHENTIK_IMAGE : undefined,
  LOCAL_IMAGES.referenceAuthentik,
  LOCAL_IMAGES.referenceAuthentik,
);

/** The real-stack images: authentik (not the reference), osTicket. */
export async function realStackReason(): Promise<string | undefined> {
  if (dockerReason) return dockerReason;
  const ak = authentikImageRef();
  if (isReferenceAuthentik(ak)) return `real authentik image not available: AUTHENTIK_IMAGE=${ak} is the reference provider (no registry reachable here); set AUTHENTIK_IMAGE to a real authentik image, e.g. ${DEFAULT_IMAGES.authentikImage}`;
  if (!(await imageExists(ak)) && process.env.OIDC_HARNESS_PULL !== '1') return `real authentik image not available: ${ak} is not present locally and no registry is assumed; pull it or set OIDC_HARNESS_PULL=1`;
  const ost = process.env.OSTICKET_IMAGE?.trim() || DEFAULT_IMAGES.osticket;
  if (!(await imageExists(ost)) && process.env.OIDC_HARNESS_PULL !== '1') return `real osTicket image not available: no registry reachable to build ${ost} from compose/containers/osticket/Dockerfile; set OSTICKET_IMAGE (or OIDC_HARNESS_PULL=1 to build it)`;
  return undefined;
}

/** Every container (running or exited) carrying the stack label, optionally of one stack (asks the same engine as testcontainers). */
export const leftoverContainers = (stackId?: string): Promise<string[]> => listStackContainers(stackId);
export const networkExists = (name: string): Promise<boolean> => stackNetworkExists(name);
