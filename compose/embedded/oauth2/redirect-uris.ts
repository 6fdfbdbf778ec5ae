/** Redirect URI matching (authentik/providers/oauth2/views/authorize.py check_redirect_uri, authentik.md §3). */
import type { FrontContext } from '../context.ts';
import type { RedirectUri } from '../blueprints/index.ts';
import { pythonFullmatch } from '../python-re.ts';

/** The entries used for login: all of them before 2026.5, the `authorization` ones since. */
export function loginRedirectUris(fc: FrontContext): RedirectUri[] {
  return fc.provider.redirect_uris.filter((r) => !fc.features.redirectUriTypes || r.redirect_uri_type === 'authorization');
}

/** Strict equality or Python re.fullmatch; a bad regex never matches. */
export function redirectAllowed(fc: FrontContext, uri: string): boolean {
  return loginRedirectUris(fc).some((r) => {
    if (r.matching_mode === 'strict') return r.url === uri;
    return pythonFullmatch(r.url, uri);
  });
}
