'use server';

import { revalidatePath } from 'next/cache';
import { parseWitnessPublicKey } from '@/lib/audit/witness-format';
import { RegisterWitnessSchema } from '@/lib/validation/witness';
import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { registerWitnessKey } from '@/lib/dal/witnesses';

/**
 * Registers an auditor-held witness public key (made offline with
 * `warden-witness.mjs keygen`; the private key never comes here), with a reason
 * and a step-up. Its cosignatures of checkpoints are accepted from then on.
 */
export const registerWitnessAction = defineAction(
  { op: 'witness.register', input: RegisterWitnessSchema, draft: () => ({}) },
  async ({ input, authz }) => {
    const key = parseWitnessPublicKey(input.publicKey);
    if (!key.ok) throw new ActionError('VALIDATION', key.message, { publicKey: [key.message] });
    const result = await registerWitnessKey(authz, { name: input.name, publicKey: key.publicKey, keyId: key.keyId });
    revalidatePath('/audit/integrity');
    return result;
  },
);
