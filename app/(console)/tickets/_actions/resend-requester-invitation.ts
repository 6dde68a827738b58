'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { resendRequesterInvitation } from '@/lib/dal/requester-links';
import { RequesterActionSchema } from '@/lib/validation/tickets';

/** Sends a new invitation link to the requester's address (the agent never sees it). */
export const resendRequesterInvitationAction = defineAction(
  { op: 'ticket.resend_requester_invitation', input: RequesterActionSchema, target: (i) => i.ticketId },
  async ({ input, authz }) => {
    const result = await resendRequesterInvitation(authz, { ticketId: input.ticketId });
    revalidatePath(`/tickets/${input.ticketId}`);
    return result;
  },
);
