'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { applyChangeSet } from '@/lib/dal/config';
import { ConfigApplySchema } from '@/lib/validation/config';

/** Applies the reviewed change set when its highest tier is normal. */
export const applyConfigChangesAction = defineAction(
  { op: 'config.apply', input: ConfigApplySchema, draft: () => ({ tier: 'normal' }) },
  async ({ input, authz }) => {
    const result = await applyChangeSet(authz, input);
    revalidatePath('/', 'layout');
    return result;
  },
);
