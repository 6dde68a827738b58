'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { configKey } from '@/lib/config/keys';
import { stageChange } from '@/lib/dal/config';
import { ConfigStageSchema } from '@/lib/validation/config';

/**
 * Adds one key's new value (or its default, or an earlier revision's value) to
 * the viewer's pending change set. The value is validated by the key's own
 * schema; a secret is sealed at once. Nothing takes effect until the change set
 * is applied (or approved).
 */
export const stageConfigChangeAction = defineAction(
  { op: 'config.stage', input: ConfigStageSchema, draft: (i) => ({ key: i.key, tier: configKey(i.key).tier }) },
  async ({ input, authz }) => {
    const result = await stageChange(authz, input);
    revalidatePath('/config');
    return result;
  },
);
