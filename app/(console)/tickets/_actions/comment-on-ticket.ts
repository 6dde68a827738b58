'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { commentOnTicket } from '@/lib/dal/ticket-work';
import { TicketCommentSchema } from '@/lib/validation/tickets';

/** Adds a reply to the requester or an internal note. */
export const commentOnTicketAction = defineAction(
  { op: 'ticket.comment', input: TicketCommentSchema, target: (i) => i.ticketId },
  async ({ input, authz }) => {
    const result = await commentOnTicket(authz, input);
    revalidatePath(`/tickets/${input.ticketId}`);
    return result;
  },
);
