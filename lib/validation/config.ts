import { z } from 'zod';
import { CONFIG_KEY_IDS, configKey, parseConfigInput } from '@/lib/config/keys';
import { ReasonFields } from './reason';
import { RecordIdSchema } from './users';

/**
 * Configuration inputs. A staged value arrives as the text of the form and is
 * turned into a typed value by the key's own schema (lib/config/keys.ts), so a
 * bad value comes back as a field error on `value` and nothing is staged.
 */
export const ConfigKeySchema = z.enum(CONFIG_KEY_IDS, { error: 'Choose a configuration key.' });

export const ConfigStageSchema = z
  .strictObject({
    key: ConfigKeySchema,
    mode: z.enum(['set', 'reset', 'rollback']),
    value: z.string().max(10_000, { error: 'At most 10,000 characters.' }).optional(),
    revisionId: RecordIdSchema.optional(),
  })
  .transform((input, ctx) => {
    if (input.mode === 'set') {
      const parsed = parseConfigInput(configKey(input.key), input.value ?? '');
      if (!parsed.ok) {
        ctx.addIssue({ code: 'custom', path: ['value'], message: parsed.message });
        return z.NEVER;
      }
      return { key: input.key, mode: 'set' as const, value: parsed.value };
    }
    if (input.mode === 'rollback') {
      if (!input.revisionId) {
        ctx.addIssue({ code: 'custom', path: ['revisionId'], message: 'Choose the revision to restore.' });
        return z.NEVER;
      }
      return { key: input.key, mode: 'rollback' as const, revisionId: input.revisionId };
    }
    return { key: input.key, mode: 'reset' as const };
  });
export type ConfigStageInput = z.input<typeof ConfigStageSchema>;

export const ConfigUnstageSchema = z.strictObject({ key: ConfigKeySchema });

export const ChangeSetDigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'Review the change set again.' });

export const ConfigApplySchema = z.strictObject({
  changeSetId: RecordIdSchema,
  digest: ChangeSetDigestSchema,
  ...ReasonFields,
});
export type ConfigApplyInput = z.input<typeof ConfigApplySchema>;
