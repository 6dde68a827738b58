import { z } from 'zod';
import { EmailSchema } from './auth';
import { ReasonFields } from './reason';

/** "Was this email address involved?" — the address to look for and why. */
/** Asking for a signing-key rotation: only the reason (the key is the one configured). */
export const KeyRotationRequestSchema = z.strictObject({ ...ReasonFields });

export const PersonalDataLookupSchema = z.strictObject({ email: EmailSchema, ...ReasonFields });
export type PersonalDataLookupInput = z.input<typeof PersonalDataLookupSchema>;
