import { z } from 'zod';

/** Console passwords: 15 to 128 code points, any characters, no composition rules (NIST 800-63B-4 §3.1.1.2). */
export const PASSWORD_MIN = 15;
export const PASSWORD_MAX = 128;

export const EmailSchema = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .toLowerCase()
  .max(254, { error: 'That email address is too long.' })
  .pipe(z.email({ error: 'Enter a valid email address.' }));

/** Sign-in input. The password is not length-checked here: a wrong one is simply wrong. */
export const SignInSchema = z.strictObject({
  email: EmailSchema,
  password: z.string({ error: 'Enter your password.' }).min(1, { error: 'Enter your password.' }).max(1024),
  callbackUrl: z.string().max(2048).optional(),
});
export type SignInInput = z.infer<typeof SignInSchema>;

/** A password a person may set (length counted in code points, not UTF-16 units). */
export const NewPasswordSchema = z
  .string()
  .refine((p) => [...p].length >= PASSWORD_MIN, { error: `Use at least ${PASSWORD_MIN} characters.` })
  .refine((p) => [...p].length <= PASSWORD_MAX, { error: `Use at most ${PASSWORD_MAX} characters.` });

export const SessionIdSchema = z.strictObject({
  sessionId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+$/i, { error: 'Invalid session id.' }),
});
export type SessionIdInput = z.infer<typeof SessionIdSchema>;

export const EmptySchema = z.strictObject({});
