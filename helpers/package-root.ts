/**
 * The package's own folder (the one holding its package.json), found from this module's location so it is the same
 * whether the TypeScript sources run (helpers/…) or the JavaScript compiled into dist/ (dist/helpers/…), in a
 * clone, a global npm install or the reference-provider image. Files that ship beside the code and are read at run
 * time (the blueprints, package.json, the container build files) are located from here, never from dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'oidc-harness';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === NAME) return dir;
      } catch {
        // not ours (or unreadable): keep looking upwards
      }
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the ${NAME} package folder above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the package, e.g. packagePath('compose', 'blueprints', 'osticket.yaml'). */
export const packagePath = (...parts: string[]): string => join(PACKAGE_ROOT, ...parts);
