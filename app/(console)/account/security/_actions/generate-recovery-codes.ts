'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { regenerateRecoveryCodesForViewer } from '@/lib/dal/account-security';
import { EmptySchema } from '@/lib/validation/auth';

/** Replaces the viewer's recovery codes (step-up); the new ones are shown once. */
export const generateRecoveryCodesAction = defineAction(
  { op: 'account.recovery_codes_generate', input: EmptySchema },
  async ({ authz }) => {
    const codes = authz ? await regenerateRecoveryCodesForViewer(authz) : [];
    revalidatePath('/account/security');
    return { codes };
  },
);
