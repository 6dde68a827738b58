'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { setTicketStatus } from '@/lib/dal/ticket-work';
import { TicketStatusSchema } from '@/lib/validation/tickets';

/** Moves a ticket to another status (closing is final). */
export const setTicketStatusAction = defineAction(
  { op: 'ticket.set_status', input: TicketStatusSchema, target: (i) => i.ticketId },
  async ({ input, authz }) => {
    const result = await setTicketStatus(authz, input);
    revalidatePath('/tickets');
    return result;
  },
);
