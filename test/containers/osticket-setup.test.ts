/**
 * The parts of the osTicket set-up that do not need osTicket itself: which plugin install paths a container's
 * include/plugins holds (scanned as PluginManager::allInfos does: a .phar file, or a folder with plugin.php), PHP's
 * display settings where the container has no php, PHP output at the start of a page, and the stack refusing to start
 * (before any container) when the osTicket image or another image is missing and nothing may be pulled.
 * The scan runs in a real container of the local Debian image with a made-up include/plugins tree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenericContainer, type StartedTestContainer } from 'testcontainers';
import { LOCAL_IMAGES } from '../../compose/containers/images.ts';
import { beginStack, type StackRun } from '../../compose/containers/lifecycle.ts';
import { displayErrorsOff, readPhpDisplaySettings, readPluginPaths } from '../../compose/containers/osticket-setup.ts';
import { imageExists, startStack } from '../../compose/containers/stack.ts';
import { phpMessageAtStart } from '../../helpers/osticket/php-output.ts';
import { dockerReason, leftoverContainers, mysql as mysqlImage, osticket, reference, stackEnv } from './docker-env.ts';

describe('PHP output at the start of a page', () => {
  it('finds the first PHP message with html_errors on and off, and nothing in a normal page', () => {
    const html = '<br />\n<b>Deprecated</b>:  Return type of ArrayObjectWrapper::offsetGet($x) should be compatible with ArrayAccess::offsetGet(mixed $offset): mixed in <b>/var/www/html/include/class.util.php</b> on line <b>12</b><br />\n<!DOCTYPE html>';
    expect(phpMessageAtStart(html)).toBe('Deprecated: Return type of ArrayObjectWrapper::offsetGet($x) should be compatible with ArrayAccess::offsetGet(mixed $offset): mixed in /var/www/html/include/class.util.php on line 12');
    expect(phpMessageAtStart('\nWarning: session_start(): Session cannot be started after headers have already been sent in /x.php on line 3\n<html>')).toMatch(/^Warning: session_start\(\)/);
    expect(phpMessageAtStart('<!DOCTYPE html>\n<html><body>Deprecated: not PHP output</body></html>')).toBeUndefined();
    expect(phpMessageAtStart('<html></html>')).toBeUndefined();
  });

  it("reads PHP's display_errors values the way ini_get reports them", () => {
    for (const off of ['', '0', 'Off', 'stderr']) expect(displayErrorsOff(off)).toBe(true);
    for (const on of ['1', 'On', 'stdout']) expect(displayErrorsOff(on)).toBe(false);
  });
});

const debianReason = dockerReason ?? ((await imageExists(LOCAL_IMAGES.debian)) ? undefined : `${LOCAL_IMAGES.debian} is not present (run .ci/setup-machine)`);

describe.skipIf(Boolean(debianReason))(`plugin install paths read in a container${debianReason ? `: skipped, ${debianReason}` : ''}`, () => {
  let run: StackRun;
  let c: StartedTestContainer;
  beforeAll(async () => {
    run = await beginStack({ progress: () => undefined, name: 'plugin-paths' });
    const dir = '/var/www/html/include/plugins';
    c = await run.start('plugins', new GenericContainer(LOCAL_IMAGES.debian)
      .withCommand(['sleep', '300'])
      .withCopyContentToContainer([
        { content: 'phar bytes', target: `${dir}/auth-oauth2.phar` },
        { content: '<?php return [];', target: `${dir}/auth-ldap/plugin.php` },
        { content: 'no plugin.php here', target: `${dir}/half-copied/README` },
        { content: 'notes', target: `${dir}/notes.txt` },
        { content: '<?php return [];', target: `${dir}/with space/plugin.php` },
      ]), LOCAL_IMAGES.debian);
  }, 60_000);
  afterAll(async () => {
    const id = run?.id;
    await run?.stop();
    if (id) expect(await leftoverContainers(id)).toEqual([]);
  }, 60_000);

  it('lists .phar files and folders with plugin.php, relative to include/, as osTicket records them', async () => {
    expect(await readPluginPaths(c)).toEqual(['plugins/auth-ldap', 'plugins/auth-oauth2.phar', 'plugins/with space']);
  });

  it('a container without a php CLI gives no PHP settings (and no error)', async () => {
    expect(await readPhpDisplaySettings(c)).toBeUndefined();
  });
});

const localReason = mysqlImage.reason ?? reference.reason;

describe.skipIf(Boolean(localReason))(`the stack refuses before starting anything${localReason ? `: skipped, ${localReason}` : ''}`, () => {
  // The stack's first progress line is its network's creation: no line, no network and no container.
  it.runIf(Boolean(osticket.reason))('osTicket required but no osTicket image: the error names it, nothing was started', async () => {
    const lines: string[] = [];
    await expect(startStack({ env: stackEnv({ MYSQL_IMAGE: mysqlImage.image, AUTHENTIK_IMAGE: reference.image }), osticket: 'required', progress: (l) => lines.push(l) }))
      .rejects.toThrow(`the stack needs an osTicket image: ${osticket.reason}`);
    expect(lines).toEqual([]);
  });

  it('an image that is not present, where pulling is off: named, nothing pulled, nothing started', async () => {
    const lines: string[] = [];
    await expect(startStack({ env: stackEnv({ MYSQL_IMAGE: 'oidc-harness/no-such-image:0', AUTHENTIK_IMAGE: reference.image, OIDC_HARNESS_LOCAL_IMAGES: '1', OIDC_HARNESS_PULL: '' }), osticket: false, progress: (l) => lines.push(l) }))
      .rejects.toThrow('MySQL image oidc-harness/no-such-image:0 not present in the local Docker engine, and pulling is off here');
    expect(lines).toEqual([]);
    expect(await imageExists('oidc-harness/no-such-image:0')).toBe(false);
  });
});
