'use server';

import { defineAction } from '@/lib/authz/define-action';
import { ChangeRoleSchema } from '@/lib/validation/users';

/**
 * Grants or removes the admin or superadmin role. The catalog demands a second
 * person's approval, so defineAction refuses every call with APPROVAL_REQUIRED
 * (audited) after the rule, reason and step-up checks; the handler below is only
 * reachable once an approval workflow exists to satisfy that gate.
 */
export const grantPrivilegedRoleAction = defineAction(
  { op: 'user.role_grant_privileged', input: ChangeRoleSchema, target: (i) => i.id, after: (i, before) => ({ ...before, role: i.role }) },
  async () => {
    throw new Error('user.role_grant_privileged ran without an approval');
  },
);
