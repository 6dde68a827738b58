'use server';

import { defineAction } from '@/lib/authz/define-action';
import { lookupPersonalData } from '@/lib/dal/audit-lookup';
import { PersonalDataLookupSchema } from '@/lib/validation/audit';

/** Checks whether an email address appears in the trail (by its digest); audited, reason required. */
export const lookupPersonalDataAction = defineAction(
  { op: 'audit.pii_lookup', input: PersonalDataLookupSchema, draft: () => ({}) },
  async ({ input, authz }) => lookupPersonalData(authz, input.email),
);
