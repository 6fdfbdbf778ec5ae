/**
 * Which image each container runs. Every image is overridable by env, so an upgrade is tested by changing one
 * variable (e.g. AUTHENTIK_TAG=2026.8.8). Defaults are the pinned upstream images for machines with a registry;
 * .ci/setup-machine points MYSQL_IMAGE / AUTHENTIK_IMAGE at locally built images on machines without one.
 */
export const DEFAULT_IMAGES = {
  /** authentik.md §9: lifecycle/container/compose.yml uses docker.io/library/postgres:16-alpine. */
  postgres: 'docker.io/library/postgres:16-alpine',
  /** authentik.md §9: ghcr.io/goauthentik/server, tags YYYY.M.P. */
  authentikImage: 'ghcr.io/goauthentik/server',
  authentikTag: '2026.8.7',
  /** MySQL 8.x (osTicket needs MySQL >= 5.5, osticket.md §9). */
  mysql: 'docker.io/library/mysql:8.4',
  /** Built from compose/containers/osticket/Dockerfile when not overridden. */
  osticket: 'oidc-harness/osticket:1.18.1',
} as const;

export interface StackImages {
  postgres: string;
  /** Full reference including the tag. */
  authentik: string;
  mysql: string;
  osticket: string;
  /** True when OSTICKET_IMAGE was not set: the image is built from compose/containers/osticket/Dockerfile. */
  buildOsticket: boolean;
}

/** AUTHENTIK_IMAGE may carry its own tag (oidc-harness/reference-authentik:latest); otherwise AUTHENTIK_TAG is added. */
export function authentikImageRef(env: NodeJS.ProcessEnv = process.env): string {
  const image = env.AUTHENTIK_IMAGE?.trim() || DEFAULT_IMAGES.authentikImage;
  const lastSegment = image.split('/').pop() ?? image;
  if (lastSegment.includes(':') || image.includes('@')) return image;
  return `${image}:${env.AUTHENTIK_TAG?.trim() || DEFAULT_IMAGES.authentikTag}`;
}

export function stackImages(env: NodeJS.ProcessEnv = process.env): StackImages {
  return {
    postgres: env.POSTGRES_IMAGE?.trim() || DEFAULT_IMAGES.postgres,
    authentik: authentikImageRef(env),
    mysql: env.MYSQL_IMAGE?.trim() || DEFAULT_IMAGES.mysql,
    osticket: env.OSTICKET_IMAGE?.trim() || DEFAULT_IMAGES.osticket,
    buildOsticket: !env.OSTICKET_IMAGE?.trim(),
  };
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
