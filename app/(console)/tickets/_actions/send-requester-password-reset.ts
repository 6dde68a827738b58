'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { sendRequesterPasswordReset } from '@/lib/dal/requester-links';
import { RequesterActionSchema } from '@/lib/validation/tickets';

/** Sends a one-hour password-reset link to the requester's address (reason required; the agent never sees it). */
export const sendRequesterPasswordResetAction = defineAction(
  { op: 'ticket.send_requester_password_reset', input: RequesterActionSchema, target: (i) => i.ticketId },
  async ({ input, authz }) => {
    const result = await sendRequesterPasswordReset(authz, { ticketId: input.ticketId });
    revalidatePath(`/tickets/${input.ticketId}`);
    return result;
  },
);
