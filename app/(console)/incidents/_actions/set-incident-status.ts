'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { setIncidentStatus } from '@/lib/dal/incidents';
import { IncidentStatusSchema } from '@/lib/validation/incidents';

/** Marks an incident contained, or open again. */
export const setIncidentStatusAction = defineAction(
  { op: 'incident.set_status', input: IncidentStatusSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    await setIncidentStatus(authz, input.id, input.status);
    revalidatePath('/incidents');
    return null;
  },
);
