// Pure (no server-only marker): the witness forms, actions and routes share these schemas.
import { z } from 'zod';
import { ReasonFields } from '@/lib/validation/reason';
import { CosignatureSchema, parseWitnessPublicKey } from '@/lib/audit/witness-format';

/** Register a witness key: a name people recognise and the public key warden-witness.mjs printed. */
export const RegisterWitnessSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(2, { error: 'Give the witness a name (2 characters or more).' })
    .max(80, { error: 'Keep the name under 80 characters.' }),
  publicKey: z
    .string()
    .trim()
    .max(200, { error: 'That is too long for a public key.' })
    .superRefine((v, ctx) => {
      const parsed = parseWitnessPublicKey(v);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
    })
    .transform((v) => {
      const parsed = parseWitnessPublicKey(v);
      return parsed.ok ? parsed.publicKey : v;
    }),
  ...ReasonFields,
});

/** Revoke a witness key by its id. */
export const RevokeWitnessSchema = z.strictObject({
  keyId: z.string().regex(/^[0-9a-f]{16}$/, { error: 'Not a witness key id.' }),
  ...ReasonFields,
});

/** Upload a cosignature from the console: the JSON text warden-witness.mjs cosign printed. */
export const UploadCosignatureSchema = z.strictObject({
  cosignature: z
    .string()
    .trim()
    .min(1, { error: 'Paste the cosignature JSON.' })
    .max(2000, { error: 'A cosignature is a few hundred characters; this is too long.' }),
});

/** Parses the pasted JSON text into a cosignature, or says why not. */
export function parseCosignatureText(
  text: string,
): { ok: true; value: z.infer<typeof CosignatureSchema> } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'That is not JSON: paste the one line warden-witness.mjs cosign printed.' };
  }
  const parsed = CosignatureSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'cosignature';
    return { ok: false, message: `Not a warden.cosignature.v1 cosignature: ${field} ${issue?.message ?? 'is invalid'}.` };
  }
  return { ok: true, value: parsed.data };
}

/** The largest checkpoint seq the database holds (a 32-bit signed integer column, as AuditEvent.seq). */
export const CHECKPOINT_SEQ_MAX = 2_147_483_647;

/** GET /api/audit/checkpoints query: ?after=<seq>&limit=<n>. */
export const CheckpointListQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).max(CHECKPOINT_SEQ_MAX).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
