/**
 * What a stage view sees and how it ends (authentik/flows/stage.py StageView / ChallengeStageView, and the executor's
 * callbacks in flows/views/executor.py): stage_ok (the next stage, or the flow is done), stage_invalid (access
 * denied, or a restart per the binding's invalid_response_action), a challenge (200 JSON), or an invalid response
 * (the same challenge with `response_errors`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedFlow } from '../blueprints/index.ts';
import type { FrontContext } from '../context.ts';
import type { AkSession, FlowPlan, PlannedBinding } from '../sessions.ts';

/** An error the executor turns into `ak-stage-flow-error` without logging it as unexpected. */
export class ExecutorError extends Error {}

/** A DRF error list: field -> [{string, code}]. */
export type ResponseErrors = Record<string, Array<{ string: string; code: string }>>;

/** One executor call: the request, its session and the flow it names. */
export interface FlowCall {
  fc: FrontContext;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: AkSession;
  flow: ResolvedFlow;
  requestId: string;
}

export interface Execution extends FlowCall {
  plan: FlowPlan;
  current: PlannedBinding;
  /** Sends a challenge: flow_info and, for user-info challenges, pending_user and its avatar are added. */
  challenge(data: Record<string, unknown>, opts?: { withUserInfo?: boolean }): void;
  /** challenge_invalid: the challenge again with response_errors (or a restart, per invalid_response_action). */
  invalid(data: Record<string, unknown>, errors: ResponseErrors, opts?: { withUserInfo?: boolean }): void;
  stageOk(): Promise<void>;
  stageInvalid(message?: string): void;
  /** Sends any JSON answer as is (xak-flow-redirect built by a stage, for example). */
  respond(value: unknown): void;
}

export interface StageView {
  /** The `component` a POST to this stage must carry; null for stages that are not challenges. */
  component: string | null;
  get(x: Execution): void | Promise<void>;
  /** Absent: a POST runs `get` (StageView.dispatch). */
  post?(x: Execution, body: Record<string, unknown>): void | Promise<void>;
}

export function fieldError(field: string, string: string, code: string): ResponseErrors {
  return { [field]: [{ string, code }] };
}

/** DRF CharField checks for a required field: missing, null, blank, not a string. */
export function requiredString(body: Record<string, unknown>, field: string, opts: { allowBlank?: boolean } = {}): { value: string } | { errors: ResponseErrors } {
  const v = body[field];
  if (v === undefined) return { errors: fieldError(field, 'This field is required.', 'required') };
  if (v === null) return { errors: fieldError(field, 'This field may not be null.', 'null') };
  if (typeof v !== 'string' && typeof v !== 'number') return { errors: fieldError(field, 'Not a valid string.', 'invalid') };
  const s = String(v);
  if (s === '' && !opts.allowBlank) return { errors: fieldError(field, 'This field may not be blank.', 'blank') };
  return { value: s };
}
