/**
 * Issue 8 item 10: where osTicket lives is one input. The guide blueprint registers osTicket's callback through
 * authentik's own `!Env [OSTICKET_REDIRECT_URI, <guide URL>]` (authentik/blueprints/v1/common.py Env.resolve:
 * `getenv(key) or default`), so `serve-reference --redirect-uri`, the embedded target's `osticket.redirectUri`
 * (`run --redirect-uri`, OSTICKET_REDIRECT_URI) and the containers stack (the worker's environment) all reach the
 * provider's Redirect URIs without editing YAML or replacing strings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BLUEPRINT_PATH, loadBlueprint, VARIANTS_DIR } from '../../compose/embedded/index.ts';
import { stackBlueprint } from '../../compose/containers/stack.ts';
import { CATALOG } from '../../helpers/checks/catalog/index.ts';
import { runChecks } from '../../helpers/checks/engine.ts';
import { createHttp } from '../../helpers/http/index.ts';
import { resolveTarget } from '../../helpers/target.ts';
import { childEnv, runCli, serveReference, variantPath, type ServedReference } from '../cli/cli-process.ts';
import { patience } from '../support/patience.ts';

const GUIDE_URI = 'https://osticket.company/osticket/api/auth/oauth2';
const OTHER = 'http://helpdesk.internal:8080/support/api/auth/oauth2';

describe('the guide blueprint takes the Redirect URI from !Env OSTICKET_REDIRECT_URI', () => {
  const uris = (path: string, env: Record<string, string>) => loadBlueprint(path, { env }).provider.redirect_uris.map((r) => `${r.matching_mode} ${r.url}`);

  it('the guide registers the environment value, else its documented default; an empty value falls back as in authentik', () => {
    expect(uris(DEFAULT_BLUEPRINT_PATH, { OSTICKET_REDIRECT_URI: OTHER })).toEqual([`strict ${OTHER}`]);
    expect(uris(DEFAULT_BLUEPRINT_PATH, {})).toEqual([`strict ${GUIDE_URI}`]);
    expect(uris(DEFAULT_BLUEPRINT_PATH, { OSTICKET_REDIRECT_URI: '' })).toEqual([`strict ${GUIDE_URI}`]);
  });

  it("variants keep their one fault on top of it (the trailing slash through !Format), the fixed ones ignore it", () => {
    expect(uris(`${VARIANTS_DIR}/redirect-trailing-slash.yaml`, { OSTICKET_REDIRECT_URI: OTHER })).toEqual([`strict ${OTHER}/`]);
    expect(uris(`${VARIANTS_DIR}/sub-mode-hashed.yaml`, { OSTICKET_REDIRECT_URI: OTHER })).toEqual([`strict ${OTHER}`]);
    expect(uris(`${VARIANTS_DIR}/redirect-other-path.yaml`, { OSTICKET_REDIRECT_URI: OTHER })).toEqual(['strict https://osticket.company/osticket/api/auth/ext']);
  });

  it('the containers stack ships the blueprint unchanged (no string replacement)', () => {
    expect(stackBlueprint()).toContain('url: !Env [OSTICKET_REDIRECT_URI, https://osticket.company/osticket/api/auth/oauth2]');
  });
});

describe('embedded target: osticket.redirectUri is registered by the provider too', () => {
  it('a run with osTicket elsewhere passes (provider and osTicket side agree)', async () => {
    const target = await resolveTarget({ osticket: { redirectUri: OTHER } });
    try {
      expect(target.osticket.redirectUri).toBe(OTHER);
      const run = await runChecks(target, CATALOG);
      expect(run.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.actual ?? ''}`)).toEqual([]);
      expect(run.results.find((r) => r.id === 'redirect-uri.configured-exact')?.expected).toBe(`${OTHER}?code=…&state=…`);
    } finally {
      await target.close?.();
    }
  });

  it('a Redirect URI that is not a URL is refused before anything starts', async () => {
    await expect(resolveTarget({ osticket: { redirectUri: 'not a url' } })).rejects.toThrow(/osticket\.redirectUri .* must be an absolute http\(s\) URL.*not "not a url"/);
  });
});

describe('serve-reference --redirect-uri', { timeout: patience(60_000) }, () => {
  const served: ServedReference[] = [];
  afterAll(() => Promise.all(served.map((s) => s.stop())));

  it('registers it: the authorize request with it goes on to the login flow, the guide URL is refused', async () => {
    const s = await serveReference(['--redirect-uri', OTHER]);
    served.push(s);
    expect(s.output().stdout).toContain(`redirect:   ${OTHER} (strict)`);
    const http = createHttp({ timeoutMs: patience(5_000) });
    try {
      const authorize = (uri: string) =>
        http.actor('probe', { fresh: true }).request(`${s.url}/application/o/authorize/?${new URLSearchParams({ client_id: 'osticket-harness-client', redirect_uri: uri, response_type: 'code', scope: 'openid', state: 's' })}`);
      expect((await authorize(OTHER)).status).toBe(302);
      expect((await authorize(GUIDE_URI)).status).toBe(400);
    } finally {
      await http.close();
    }
  });

  it('a blueprint that does not read OSTICKET_REDIRECT_URI: exit 2 with one sentence, not a silent no-op', async () => {
    const r = await runCli(['serve-reference', '--port', '0', '--blueprint', variantPath('redirect-other-path'), '--redirect-uri', OTHER], { env: childEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--redirect-uri has no effect: the blueprint .*redirect-other-path\.yaml registers https:\/\/osticket\.company\/osticket\/api\/auth\/ext \(strict\) and does not read OSTICKET_REDIRECT_URI/);
  });

  it('a --redirect-uri that is not a URL: exit 2', async () => {
    const r = await runCli(['serve-reference', '--port', '0', '--redirect-uri', 'nope'], { env: childEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--redirect-uri is not a valid URL/);
  });
});
