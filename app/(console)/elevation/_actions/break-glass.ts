'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { breakGlass, breakGlassDraft } from '@/lib/dal/elevations';
import { BreakGlassSchema } from '@/lib/validation/elevation';

/**
 * Break-glass: a superadmin's own two-person operations run without an approver
 * for a bounded time. Step-up and a reason; raises a critical alert and opens a
 * mandatory access review in the same transaction.
 */
export const breakGlassAction = defineAction(
  { op: 'elevation.break_glass', input: BreakGlassSchema, draft: (i) => breakGlassDraft(i) },
  async ({ input, authz }) => {
    const result = await breakGlass(authz, input);
    revalidatePath('/', 'layout');
    return result;
  },
);
