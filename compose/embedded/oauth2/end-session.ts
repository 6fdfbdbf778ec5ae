/**
 * End session (authentik/providers/oauth2/views/end_session.py EndSessionView): plans the provider's invalidation
 * flow and redirects to it.
 */
import type { ServerResponse } from 'node:http';
import type { FrontContext } from '../context.ts';
import { send } from '../http-util.ts';

export const DEFAULT_PROVIDER_INVALIDATION_FLOW = 'default-provider-invalidation-flow';

export function handleEndSession(fc: FrontContext, res: ServerResponse): void {
  send(res, 302, '', { Location: `/if/flow/${fc.provider.invalidation_flow ?? DEFAULT_PROVIDER_INVALIDATION_FLOW}/` });
}
