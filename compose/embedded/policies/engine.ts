/**
 * The policy engine for an application's bindings (authentik/policies/engine.py PolicyEngine; policy_engine_mode
 * any/all; a binding to a user or group passes for that user or members of that group; negate inverts).
 * Expression policies: only `return True` / `return False` (CONTRACT.md).
 */
import type { ResolvedApplication, ResolvedUser } from '../blueprints/index.ts';

export function policyDecision(app: ResolvedApplication, user: ResolvedUser): { passing: boolean; messages: string[] } {
  const bindings = app.bindings.filter((b) => b.enabled);
  if (bindings.length === 0) return { passing: true, messages: [] };
  const results = bindings.map((b) => {
    let passing: boolean;
    if (b.policy) {
      const expr = (b.policy.expression ?? 'return True').trim();
      if (/^return\s+True$/.test(expr)) passing = true;
      else if (/^return\s+False$/.test(expr)) passing = false;
      else throw new Error(`the reference provider only evaluates expression policies "return True" / "return False" (policy ${b.policy.name})`);
    } else if (b.user) {
      passing = b.user === user.username || b.user === String(user.pk);
    } else if (b.group) {
      passing = user.groups.includes(b.group);
    } else {
      passing = false;
    }
    return b.negate ? !passing : passing;
  });
  const passing = app.policy_engine_mode === 'all' ? results.every(Boolean) : results.some(Boolean);
  return { passing, messages: [] };
}
