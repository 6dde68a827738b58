'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { openIncident } from '@/lib/dal/incidents';
import { OpenIncidentSchema } from '@/lib/validation/incidents';

/** Opens an incident (from an alert, which it links, or by hand); the audit head is sealed into it. */
export const openIncidentAction = defineAction(
  { op: 'incident.open', input: OpenIncidentSchema, draft: (i) => ({ severity: i.severity, status: 'open' }) },
  async ({ input, authz }) => {
    const result = await openIncident(authz, input);
    revalidatePath('/', 'layout');
    return result;
  },
);
