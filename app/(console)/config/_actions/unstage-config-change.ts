'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { configKey } from '@/lib/config/keys';
import { unstageChange } from '@/lib/dal/config';
import { ConfigUnstageSchema } from '@/lib/validation/config';

/** Removes one key from the viewer's pending change set. */
export const unstageConfigChangeAction = defineAction(
  { op: 'config.unstage', input: ConfigUnstageSchema, draft: (i) => ({ key: i.key, tier: configKey(i.key).tier }) },
  async ({ input, authz }) => {
    const result = await unstageChange(authz, input.key);
    revalidatePath('/config');
    return result;
  },
);
