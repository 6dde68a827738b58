'use server';

import { defineAction } from '@/lib/authz/define-action';
import { acceptInvitation } from '@/lib/dal/invitations';
import { AcceptInvitationSchema } from '@/lib/validation/users';

/** Sets the password of an invited account with its one-time link (public; the token is the credential). */
export const acceptInvitationAction = defineAction({ op: 'user.invite_accept', input: AcceptInvitationSchema }, async ({ input }) => {
  await acceptInvitation(input.token, input.password);
  return null;
});
