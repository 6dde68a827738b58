'use server';

import { revalidatePath } from 'next/cache';
import { RevokeWitnessSchema } from '@/lib/validation/witness';
import { defineAction } from '@/lib/authz/define-action';
import { revokeWitnessKey } from '@/lib/dal/witnesses';

/** Revokes a witness key (reason and step-up): its earlier cosignatures stay, new ones are refused. */
export const revokeWitnessAction = defineAction(
  { op: 'witness.revoke', input: RevokeWitnessSchema, draft: () => ({}) },
  async ({ input, authz }) => {
    const result = await revokeWitnessKey(authz, { keyId: input.keyId });
    revalidatePath('/audit/integrity');
    return result;
  },
);
