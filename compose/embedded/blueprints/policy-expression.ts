/**
 * Expression policies in the subset the reference provider evaluates. authentik runs a policy's `expression` as the
 * body of a Python function (authentik/policies/expression/evaluator.py PolicyEvaluator: `request`, `ak_message`,
 * `ak_is_group_member`, ...). Nothing is executed here: the source is matched against these forms and refused
 * otherwise (only when the policy is bound to something a login evaluates):
 * - `return True` / `return False`, optionally after `ak_message("...")` lines (the messages the policy adds);
 * - `return ak_is_group_member(request.user, name="<group>")`, optionally negated with `not`;
 * - the password-stage policy of blueprints/default/flow-default-authentication-flow.yaml (the password stage runs
 *   unless the pending user was already authenticated, e.g. by an identification stage with a password field).
 */
import type { PolicyExpression } from './types.ts';

export const SUPPORTED_POLICY_SUBSET =
  '`return True`, `return False` (after optional `ak_message("...")` lines), ' +
  '`return [not] ak_is_group_member(request.user, name="<group>")`, and the default authentication flow\'s password-stage policy';

/** Comments and blank lines removed, each line trimmed. */
function statements(source: string): string[] {
  return source
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

const STRING = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')`;
const MESSAGE = new RegExp(`^ak_message\\(\\s*${STRING}\\s*\\)$`);
const GROUP = new RegExp(`^return\\s+(not\\s+)?ak_is_group_member\\(\\s*request\\.user\\s*,\\s*name\\s*=\\s*${STRING}\\s*\\)$`);

/** blueprints/default/flow-default-authentication-flow.yaml, policy default-authentication-flow-password-stage. */
const PASSWORD_STAGE_POLICY = [
  'flow_plan = request.context.get("flow_plan")',
  'if not flow_plan:',
  'return True',
  'return not hasattr(flow_plan.context.get("pending_user"), "backend")',
];

function unquote(double: string | undefined, single: string | undefined): string {
  return (double ?? single ?? '').replace(/\\(.)/g, '$1');
}

/** The parsed policy, or the reason it is outside the subset. */
export function parsePolicyExpression(source: string): { parsed: PolicyExpression } | { problem: string } {
  const lines = statements(source);
  const norm = lines.map((l) => l.replace(/'/g, '"').replace(/\s+/g, ' '));
  if (norm.length === PASSWORD_STAGE_POLICY.length && norm.every((l, i) => l === PASSWORD_STAGE_POLICY[i])) {
    return { parsed: { kind: 'pending-user-not-authenticated' } };
  }
  const messages: string[] = [];
  let i = 0;
  for (; i < lines.length - 1; i++) {
    const m = MESSAGE.exec(lines[i]!);
    if (!m) return { problem: `"${lines[i]}" is not supported` };
    messages.push(unquote(m[1], m[2]));
  }
  const last = lines[i];
  if (last === undefined) return { problem: 'the expression is empty (it returns None)' };
  const constant = /^return\s+(True|False)$/.exec(last);
  if (constant) return { parsed: { kind: 'constant', value: constant[1] === 'True', messages } };
  const group = GROUP.exec(last);
  if (group) {
    return { parsed: { kind: 'group-member', group: unquote(group[2], group[3]), negate: Boolean(group[1]), messages } };
  }
  return { problem: `"${last}" is not supported` };
}
