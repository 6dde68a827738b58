'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { closeIncident } from '@/lib/dal/incidents';
import { CloseIncidentSchema } from '@/lib/validation/incidents';

/** Closes an incident with its post-incident review; the audit head is sealed again. */
export const closeIncidentAction = defineAction(
  { op: 'incident.close', input: CloseIncidentSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    await closeIncident(authz, input.id, { whatHappened: input.whatHappened, impact: input.impact, followUps: input.followUps });
    revalidatePath('/', 'layout');
    return null;
  },
);
