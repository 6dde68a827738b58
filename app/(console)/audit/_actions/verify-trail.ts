'use server';

import { defineAction } from '@/lib/authz/define-action';
import { verifyTrailNow } from '@/lib/dal/audit-verify';
import { EmptySchema } from '@/lib/validation/auth';

/** Verifies the whole trail now (auditors, superadmins); the verification is recorded with its result. */
export const verifyTrailAction = defineAction({ op: 'audit.verify', input: EmptySchema, draft: () => ({}) }, async ({ authz }) =>
  verifyTrailNow(authz),
);
