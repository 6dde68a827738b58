'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { endElevation } from '@/lib/dal/elevations';
import { EndElevationSchema } from '@/lib/validation/elevation';

/** Ends an elevation before its expiry: its holder, or a superadmin. */
export const endElevationAction = defineAction(
  { op: 'elevation.end', input: EndElevationSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    const result = await endElevation(authz, input.id);
    revalidatePath('/', 'layout');
    return result;
  },
);
