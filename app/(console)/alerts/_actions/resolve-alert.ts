'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { resolveAlert } from '@/lib/dal/alerts';
import { AlertTargetSchema } from '@/lib/validation/alerts';

/** Resolves an alert, with the note that says why. */
export const resolveAlertAction = defineAction(
  { op: 'alert.resolve', input: AlertTargetSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    await resolveAlert(authz, input.id);
    revalidatePath('/', 'layout');
    return null;
  },
);
