'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { approveRequest } from '@/lib/dal/approvals';
import { ApproveRequestSchema } from '@/lib/validation/approvals';

/**
 * Approves another person's request: the step-up is bound to this request id
 * and the digest the approver reviewed; the frozen change then runs once, as
 * the requester, with the policy checked again.
 */
export const approveRequestAction = defineAction(
  { op: 'approval.approve', input: ApproveRequestSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    const outcome = await approveRequest(authz, input);
    revalidatePath('/', 'layout');
    return outcome.status === 'executed' ? { status: 'executed' as const } : outcome;
  },
);
