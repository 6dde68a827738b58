'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { acknowledgeAlert } from '@/lib/dal/alerts';
import { AlertTargetSchema } from '@/lib/validation/alerts';

/** Acknowledges an open alert (someone is looking into it), with an optional note. */
export const acknowledgeAlertAction = defineAction(
  { op: 'alert.acknowledge', input: AlertTargetSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    await acknowledgeAlert(authz, input.id);
    revalidatePath('/', 'layout');
    return null;
  },
);
