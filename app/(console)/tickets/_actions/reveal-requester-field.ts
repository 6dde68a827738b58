'use server';

import { defineAction } from '@/lib/authz/define-action';
import { revealRequesterField } from '@/lib/dal/ticket-work';
import { RevealRequesterFieldSchema } from '@/lib/validation/tickets';

/** Reveals a masked field of the requester of an open ticket assigned to the viewer (reason required, audited). */
export const revealRequesterFieldAction = defineAction(
  { op: 'ticket.reveal_requester_field', input: RevealRequesterFieldSchema, target: (i) => i.ticketId },
  async ({ input, authz }) => revealRequesterField(authz, { ticketId: input.ticketId, field: input.field }),
);
