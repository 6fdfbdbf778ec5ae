/**
 * osTicket's own logins, agent and end user, driven once per run through its web pages (helpers/osticket/web-driver.ts,
 * osticket.md §4, §5, §11) and shared by the checks that judge them and by the judgements they contradict.
 */
import { loginThroughOsticket, type OsticketLoginResult, type OsticketSide } from '../../osticket/web-driver.ts';
import type { CheckContext } from '../context.ts';

const key = (side: OsticketSide) => `osticket-server-login:${side}`;

export function osticketLogin(ctx: CheckContext, side: OsticketSide): Promise<OsticketLoginResult> {
  return ctx.once(key(side), async () => {
    await ctx.osticketLogin(); // one login at a time; the protocol-level login first
    const actor = ctx.http.actor(`osticket-${side}-browser`, { fresh: true });
    return loginThroughOsticket(actor, { baseUrl: ctx.target.osticketServer!.baseUrl, side, creds: ctx.target.user, label: `osticket ${side}` });
  });
}

/**
 * The osTicket logins of this run that already ended signed in (no new requests). A signed-in login proves that
 * osTicket decrypted its Client Secret, authentik accepted it, and its redirect_uri is registered.
 */
export async function signedInSides(ctx: CheckContext): Promise<OsticketSide[]> {
  const out: OsticketSide[] = [];
  for (const side of ['agent', 'user'] as const) {
    const r = await ctx.peek<OsticketLoginResult>(key(side));
    if (r?.kind === 'signed-in') out.push(side);
  }
  return out;
}
