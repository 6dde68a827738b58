'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { inviteUser } from '@/lib/dal/invitations';
import { env } from '@/lib/env';
import { InviteUserSchema } from '@/lib/validation/users';

/**
 * Invites a user (step-up): creates the account without a password and returns
 * the one-time link, shown once. The token travels in the URL fragment, which
 * browsers never send to a server, log or Referer.
 */
export const inviteUserAction = defineAction(
  { op: 'user.invite', input: InviteUserSchema, draft: (i) => ({ id: 'new', role: i.role, status: 'active', deletedAt: null }) },
  async ({ input, authz }) => {
    const invitation = await inviteUser(authz, { email: input.email, name: input.name, role: input.role });
    revalidatePath('/users');
    return {
      userId: invitation.userId,
      link: `${new URL('/invite', env().APP_URL).toString()}#${invitation.token}`,
      expiresAt: invitation.expiresAt,
    };
  },
);
