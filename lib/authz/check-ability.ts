import 'server-only';
import type { z } from 'zod';
import type { Viewer } from '@/lib/auth/viewer';
import { unsafeLoadSubjectForDecision } from '@/lib/dal/subjects';
import type { OperationDefinition } from '@/policies/operations';
import { decide, type PolicyAbility } from './ability';

/** What checkAbility needs of an action's spec. */
export interface AbilitySpec<S extends z.ZodType> {
  target?: (input: z.infer<S>) => string;
  draft?: (input: z.infer<S>) => Record<string, unknown>;
  after?: (input: z.infer<S>, before: Record<string, unknown>) => Record<string, unknown>;
}

export type CheckOutcome = 'allowed' | 'missing' | 'hidden' | 'forbidden';

/**
 * The ability check on the record itself: loaded for "record" operations, built
 * from the input for "draft" ones, the viewer's own account for "self" ones. A
 * record the viewer may not even read is reported as missing (unauthorized looks
 * like not found); one it may read but not change is "forbidden".
 */
export async function checkAbility<S extends z.ZodType>(
  op: OperationDefinition,
  spec: AbilitySpec<S>,
  input: z.infer<S>,
  viewer: Viewer,
  ability: PolicyAbility,
): Promise<{
  outcome: CheckOutcome;
  rule: string;
  record: Record<string, unknown> | null;
  targetRef: { type: string; id: string } | null;
  /** For a refused approval request the viewer can see: it is no longer waiting (so the refusal is not about their role). */
  decided?: boolean;
}> {
  const [action, type] = op.ability ?? ['read', 'User'];
  if (op.target === 'self') {
    const self = { id: viewer.userId, role: viewer.role, status: 'active', deletedAt: null };
    const d = decide(ability, action, type, self);
    return { outcome: d.allowed ? 'allowed' : 'forbidden', rule: d.rule, record: null, targetRef: { type: 'User', id: viewer.userId } };
  }
  if (op.target === 'draft') {
    const draft = spec.draft!(input);
    const d = decide(ability, action, type, draft);
    return { outcome: d.allowed ? 'allowed' : 'forbidden', rule: d.rule, record: draft, targetRef: null };
  }
  const id = spec.target!(input);
  const targetRef = { type, id };
  const record = await unsafeLoadSubjectForDecision(type, id);
  if (!record) return { outcome: 'missing', rule: 'authz.not_found', record: null, targetRef };
  const before = decide(ability, action, type, record);
  const after = before.allowed && spec.after ? decide(ability, action, type, spec.after(input, record)) : before;
  if (before.allowed && after.allowed) return { outcome: 'allowed', rule: before.rule, record, targetRef };
  const visible = decide(ability, 'read', type, record).allowed;
  const refusal = before.allowed ? after : before;
  return {
    outcome: visible ? 'forbidden' : 'hidden',
    rule: refusal.rule,
    record: null,
    targetRef,
    decided: visible && isDecided(type, record),
  };
}

/** An approval request that is no longer pending: acting on it is refused whoever you are. */
function isDecided(type: string, record: Record<string, unknown>): boolean {
  return type === 'ApprovalRequest' && record.status !== 'pending';
}
