import { z } from 'zod';
import { EmailSchema } from './auth';
import { ReasonFields } from './reason';

/** "Was this email address involved?" — the address to look for and why. */
export const PersonalDataLookupSchema = z.strictObject({ email: EmailSchema, ...ReasonFields });
export type PersonalDataLookupInput = z.input<typeof PersonalDataLookupSchema>;
