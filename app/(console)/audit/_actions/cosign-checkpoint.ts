'use server';

import { revalidatePath } from 'next/cache';
import { parseCosignatureText, UploadCosignatureSchema } from '@/lib/validation/witness';
import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { acceptCosignature } from '@/lib/dal/witnesses';

/**
 * Uploads a cosignature made offline (`warden-witness.mjs cosign`). It is stored
 * only if it verifies under a registered, unrevoked witness key over the digest
 * stored for its seq; the refusal says why. A valid signature over another digest
 * is a fork claim: refused and recorded as a security event.
 */
export const cosignCheckpointAction = defineAction(
  { op: 'checkpoint.cosign', input: UploadCosignatureSchema, draft: () => ({}) },
  async ({ input, authz }) => {
    const parsed = parseCosignatureText(input.cosignature);
    if (!parsed.ok) throw new ActionError('VALIDATION', parsed.message, { cosignature: [parsed.message] });
    const outcome = await acceptCosignature(parsed.value, { via: 'console', authz });
    if (outcome.status === 'refused') {
      throw new ActionError(outcome.reason === 'fork_claim' ? 'CONFLICT' : 'VALIDATION', outcome.message, {
        cosignature: [outcome.message],
      });
    }
    revalidatePath('/audit/integrity');
    return { status: outcome.status, seq: outcome.seq, witnessKeyId: outcome.witnessKeyId };
  },
);
