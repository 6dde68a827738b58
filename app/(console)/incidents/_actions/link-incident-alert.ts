'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { linkIncidentAlert } from '@/lib/dal/incidents';
import { IncidentLinkAlertSchema } from '@/lib/validation/incidents';

/** Links an alert to an incident. */
export const linkIncidentAlertAction = defineAction(
  { op: 'incident.link_alert', input: IncidentLinkAlertSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    await linkIncidentAlert(authz, input.id, input.alertId);
    revalidatePath(`/incidents/${input.id}`);
    return null;
  },
);
