'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { requestRequesterMfaReset } from '@/lib/dal/ticket-work';
import { RequesterActionSchema } from '@/lib/validation/tickets';

/** Asks an administrator to reset the requester's second factors (reason required). */
export const requestRequesterMfaResetAction = defineAction(
  { op: 'ticket.request_requester_mfa_reset', input: RequesterActionSchema, target: (i) => i.ticketId },
  async ({ input, authz }) => {
    const result = await requestRequesterMfaReset(authz, { ticketId: input.ticketId });
    revalidatePath(`/tickets/${input.ticketId}`);
    return result;
  },
);
