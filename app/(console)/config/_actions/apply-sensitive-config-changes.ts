'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { applyChangeSet } from '@/lib/dal/config';
import { ConfigApplySchema } from '@/lib/validation/config';

/** Applies the reviewed change set when it includes sensitive keys (step-up and reason). */
export const applySensitiveConfigChangesAction = defineAction(
  { op: 'config.apply_sensitive', input: ConfigApplySchema, draft: () => ({ tier: 'sensitive' }) },
  async ({ input, authz }) => {
    const result = await applyChangeSet(authz, input);
    revalidatePath('/', 'layout');
    return result;
  },
);
