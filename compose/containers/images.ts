/**
 * Which image each container runs. Every image is overridable by env, so an upgrade is tested by changing one
 * variable (e.g. AUTHENTIK_TAG=2026.8.8). Defaults are the pinned upstream images for machines with a registry;
 * .ci/setup-machine points MYSQL_IMAGE / AUTHENTIK_IMAGE at locally built images on machines without one, and sets
 * OIDC_HARNESS_LOCAL_IMAGES=1 there: then nothing is pulled or built from the network (pullAllowed).
 */
export const DEFAULT_IMAGES = {
  /**
   * authentik.md §9: authentik's compose file uses docker.io/library/postgres:16-alpine (lifecycle/container/compose.yml
   * in 2026.x; docker-compose.yml at the repository root in 2025.12.x and older).
   */
  postgres: 'docker.io/library/postgres:16-alpine',
  /** authentik.md §9: ghcr.io/goauthentik/server, tags YYYY.M.P. */
  authentikImage: 'ghcr.io/goauthentik/server',
  authentikTag: '2026.8.7',
  /** MySQL 8.x (osTicket needs MySQL >= 5.5, osticket.md §9). */
  mysql: 'docker.io/library/mysql:8.4',
  /** Built from compose/containers/osticket/Dockerfile when not overridden (tag: oidc-harness/osticket:<OSTICKET_VERSION>). */
  osticket: 'oidc-harness/osticket:1.18.1',
  /** The Dockerfile's default `ARG OSTICKET_VERSION` (test/containers/osticket-image.test.ts keeps them equal). */
  osticketVersion: '1.18.1',
} as const;

export interface StackImages {
  postgres: string;
  /** Full reference including the tag. */
  authentik: string;
  mysql: string;
  osticket: string;
  /** True when OSTICKET_IMAGE was not set: the image is built from compose/containers/osticket/Dockerfile. */
  buildOsticket: boolean;
  /** Build arguments for that build (OSTICKET_VERSION from the env, when set). */
  osticketBuildArgs: Record<string, string>;
}

/** AUTHENTIK_IMAGE may carry its own tag (oidc-harness/reference-authentik:latest); otherwise AUTHENTIK_TAG is added. */
export function authentikImageRef(env: NodeJS.ProcessEnv = process.env): string {
  const image = env.AUTHENTIK_IMAGE?.trim() || DEFAULT_IMAGES.authentikImage;
  const lastSegment = image.split('/').pop() ?? image;
  if (lastSegment.includes(':') || image.includes('@')) return image;
  return `${image}:${env.AUTHENTIK_TAG?.trim() || DEFAULT_IMAGES.authentikTag}`;
}

export function stackImages(env: NodeJS.ProcessEnv = process.env): StackImages {
  const version = env.OSTICKET_VERSION?.trim();
  return {
    postgres: env.POSTGRES_IMAGE?.trim() || DEFAULT_IMAGES.postgres,
    authentik: authentikImageRef(env),
    mysql: env.MYSQL_IMAGE?.trim() || DEFAULT_IMAGES.mysql,
    osticket: env.OSTICKET_IMAGE?.trim() || (version ? `oidc-harness/osticket:${version}` : DEFAULT_IMAGES.osticket),
    buildOsticket: !env.OSTICKET_IMAGE?.trim(),
    osticketBuildArgs: version ? { OSTICKET_VERSION: version } : {},
  };
}

/**
 * May the stack reach a registry (pull an image that is not present, build the osTicket image, which pulls its base
 * image and downloads osTicket)? Yes by default; no where .ci/setup-machine set OIDC_HARNESS_LOCAL_IMAGES=1 (a
 * machine without a registry), unless OIDC_HARNESS_PULL=1 says otherwise.
 */
export function pullAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OIDC_HARNESS_PULL === '1') return true;
  return env.OIDC_HARNESS_LOCAL_IMAGES !== '1';
}

/** The local stand-in images .ci/setup-machine builds (compose/containers/local-images). */
export const LOCAL_IMAGES = {
  debian: 'oidc-harness/debian:12',
  mariadb: 'oidc-harness/mariadb:10.11',
  referenceAuthentik: 'oidc-harness/reference-authentik:latest',
} as const;

/** True for an AUTHENTIK_IMAGE that is our reference provider, not real authentik. */
export function isReferenceAuthentik(image: string): boolean {
  return image.startsWith('oidc-harness/reference-authentik');
}
