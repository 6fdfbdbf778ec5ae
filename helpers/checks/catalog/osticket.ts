/**
 * Checks that need a running osTicket (containers stack, or live with an osTicket URL): filled in by the
 * osTicket web driver (helpers/osticket). Until a target has an osTicket server they skip with the reason.
 */
import type { CheckDef } from '../engine.ts';

export const osticketChecks: CheckDef[] = [];
