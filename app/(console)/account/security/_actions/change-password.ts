'use server';

import { defineAction } from '@/lib/authz/define-action';
import { changePasswordForViewer } from '@/lib/dal/account-security';
import { ChangePasswordSchema } from '@/lib/validation/auth';

/** Changes the viewer's password (step-up, current password re-checked). */
export const changePasswordAction = defineAction(
  { op: 'account.password_change', input: ChangePasswordSchema },
  async ({ input, authz }) => {
    return authz ? changePasswordForViewer(authz, input) : { otherSessionsEnded: 0 };
  },
);
