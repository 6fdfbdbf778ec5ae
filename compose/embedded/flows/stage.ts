/**
 * What a stage view sees and answers (authentik/flows/stage.py StageView / ChallengeStageView): the executor
 * request, the plan, and the two ways a stage ends: stage_ok (302 to the executor itself while stages remain) or a
 * challenge (200 JSON).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FrontContext } from '../context.ts';
import { send, sendJson } from '../http-util.ts';
import type { AkSession, FlowPlan } from '../sessions.ts';

/** An error the executor turns into `ak-stage-flow-error` without logging it as unexpected. */
export class ExecutorError extends Error {}

export interface StageRequest {
  fc: FrontContext;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: AkSession;
  plan: FlowPlan;
  requestId: string;
}

export interface StageView {
  /** The `component` a POST to this stage must carry; null when the stage takes no POST. */
  component: string | null;
  get(r: StageRequest): void | Promise<void>;
  post?(r: StageRequest, body: Record<string, unknown>): void | Promise<void>;
}

/** 200 JSON: a challenge, a redirect challenge or an access-denied challenge. */
export function respond(r: StageRequest, value: unknown): void {
  sendJson(r.res, 200, value);
}

/** stage_ok while stages remain: a raw 302 to the same executor URL, empty body (flows/views/executor.py). */
export function stageOk(r: StageRequest): void {
  r.plan.index++;
  send(r.res, 302, '', { Location: r.url.pathname + r.url.search });
}

/** challenge_invalid: the same challenge with `response_errors` (flows/stage.py). */
export function withErrors(challenge: Record<string, unknown>, field: string, string: string, code: string): Record<string, unknown> {
  return { ...challenge, response_errors: { [field]: [{ string, code }] } };
}
