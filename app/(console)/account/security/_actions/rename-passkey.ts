'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { renamePasskeyForViewer } from '@/lib/dal/account-security';
import { RenamePasskeySchema } from '@/lib/validation/auth';

/** Renames one of the viewer's passkeys. */
export const renamePasskeyAction = defineAction({ op: 'account.passkey_rename', input: RenamePasskeySchema }, async ({ input, viewer }) => {
  if (viewer) await renamePasskeyForViewer(viewer, input.id, input.name);
  revalidatePath('/account/security');
  return null;
});
