'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { assignTicket } from '@/lib/dal/ticket-work';
import { TicketAssignSchema } from '@/lib/validation/tickets';

/** Assigns a ticket to a support agent, reassigns it, or returns it to the queue (admins). */
export const assignTicketAction = defineAction(
  { op: 'ticket.assign', input: TicketAssignSchema, target: (i) => i.ticketId },
  async ({ input, authz }) => {
    const result = await assignTicket(authz, { ticketId: input.ticketId, assigneeId: input.assigneeId });
    revalidatePath('/tickets');
    return result;
  },
);
