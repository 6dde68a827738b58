'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { unlockRequester } from '@/lib/dal/ticket-work';
import { RequesterActionSchema } from '@/lib/validation/tickets';

/** Unlocks the requester's account for the agent assigned to their open ticket (reason required). */
export const unlockRequesterAction = defineAction(
  { op: 'ticket.unlock_requester', input: RequesterActionSchema, target: (i) => i.ticketId },
  async ({ input, authz }) => {
    const result = await unlockRequester(authz, { ticketId: input.ticketId });
    revalidatePath(`/tickets/${input.ticketId}`);
    return result;
  },
);
