'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { unassignSelf } from '@/lib/dal/ticket-work';
import { TicketTargetSchema } from '@/lib/validation/tickets';

/** An agent gives a ticket assigned to them back to the unassigned queue. */
export const unassignTicketAction = defineAction(
  { op: 'ticket.unassign_self', input: TicketTargetSchema, target: (i) => i.ticketId },
  async ({ input, authz }) => {
    const result = await unassignSelf(authz, input);
    revalidatePath('/tickets');
    return result;
  },
);
