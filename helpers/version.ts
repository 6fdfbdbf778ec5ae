/** The harness's own version (package.json), for `--version` and every report. */
import { readFileSync } from 'node:fs';
import { packagePath } from './package-root.ts';

export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
