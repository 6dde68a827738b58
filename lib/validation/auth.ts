import { z } from 'zod';
import { passwordProblem } from '@/lib/auth/password-policy';
import { STEP_UP_OPERATION_IDS } from '@/policies/operations';

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

/** A password a person may set (length counted in code points, not UTF-16 units; not breached or predictable). */
export const NewPasswordSchema = z
  .string()
  .refine((p) => [...p].length >= PASSWORD_MIN, { error: `Use at least ${PASSWORD_MIN} characters.` })
  .refine((p) => [...p].length <= PASSWORD_MAX, { error: `Use at most ${PASSWORD_MAX} characters.` })
  // Breached, common and predictable values (T03; lib/auth/password-policy). Never composition rules.
  .superRefine((p, ctx) => {
    const length = [...p].length;
    const problem = length >= PASSWORD_MIN && length <= PASSWORD_MAX ? passwordProblem(p) : null;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * Setting a password with a one-time link (an invitation or a password reset):
 * the link's token, the new password and its confirmation. One shape for both,
 * so one form serves both pages.
 */
export function passwordLinkSchema(token: z.ZodString) {
  return z
    .strictObject({ token, password: NewPasswordSchema, confirm: z.string().max(1024) })
    .refine((v) => v.password === v.confirm, { error: 'The two passwords do not match.', path: ['confirm'] });
}
export type PasswordLinkSchema = ReturnType<typeof passwordLinkSchema>;
export type PasswordLinkInput = z.input<PasswordLinkSchema>;

export const SessionIdSchema = z.strictObject({
  sessionId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+$/i, { error: 'Invalid session id.' }),
});
export type SessionIdInput = z.infer<typeof SessionIdSchema>;

export const EmptySchema = z.strictObject({});

/** A TOTP code (6 digits; spaces allowed while typing) or a recovery code (xxxx-xxxx-xxxx). */
export const SecondFactorSchema = z.strictObject({
  method: z.enum(['totp', 'recovery']),
  code: z
    .string({ error: 'Enter the code.' })
    .trim()
    .min(1, { error: 'Enter the code.' })
    .max(32, { error: 'That code is too long.' })
    .transform((c) => c.replace(/\s+/g, '')),
});
export type SecondFactorInput = z.infer<typeof SecondFactorSchema>;

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Unpadded base64url in its one canonical spelling (RFC 4648 §3.5): no padding, no
 * length of 4n + 1, and no set bits after the last byte. Decoders ignore those bits,
 * so without this rule one value has up to 16 spellings and a changed character
 * (the last of authenticatorData, 'Q' → 'R') would still verify. Equivalent to
 * `Buffer.from(s, 'base64url').toString('base64url') === s`, without Buffer (this
 * module also runs in the browser). Browsers' WebAuthn output is canonical:
 * @simplewebauthn/browser encodes with btoa and strips the '='.
 */
export function isCanonicalBase64url(s: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return false;
  const rest = s.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  // 2 characters carry 1 byte and 4 spare bits; 3 characters carry 2 bytes and 2 spare bits.
  return (BASE64URL_ALPHABET.indexOf(s[s.length - 1]!) & (rest === 2 ? 0x0f : 0x03)) === 0;
}

const b64url = (max: number) => z.string().max(max).refine(isCanonicalBase64url, { error: 'Malformed credential data.' });

/** A WebAuthn assertion as @simplewebauthn/browser returns it (AuthenticationResponseJSON), size-capped, binary values canonical base64url. */
export const AuthenticationResponseSchema = z.object({
  id: b64url(1024),
  rawId: b64url(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64url(4096),
    authenticatorData: b64url(4096),
    signature: b64url(2048),
    userHandle: b64url(1024).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

/** A WebAuthn attestation as @simplewebauthn/browser returns it (RegistrationResponseJSON), size-capped, binary values canonical base64url. */
export const RegistrationResponseSchema = z.object({
  id: b64url(1024),
  rawId: b64url(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64url(4096),
    attestationObject: b64url(16384),
    authenticatorData: b64url(4096).optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url(4096).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

export const PasskeySignInStartSchema = z.strictObject({ mode: z.enum(['pending', 'usernameless']) });
export const PasskeySignInFinishSchema = z.strictObject({
  mode: z.enum(['pending', 'usernameless']),
  response: AuthenticationResponseSchema,
});

/** The one message every refused sign-in gets (T02): it never says which part was wrong. */
export const GENERIC_SIGN_IN_ERROR = 'The email or password is incorrect, or this account cannot sign in.';

/** Operations whose step-up a client may ask for: exactly the catalog's step-up operations. */
export const STEP_UP_OPERATIONS = STEP_UP_OPERATION_IDS;

/** The input an operation will be called with, as JSON (≤ 8 KiB once serialized). */
const StepUpTargetInput = z
  .record(z.string().max(64), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 8192, { error: 'The request is too large.' });

export const BeginStepUpSchema = z.strictObject({ operation: z.enum(STEP_UP_OPERATIONS), input: StepUpTargetInput });
export const CompleteStepUpSchema = z.strictObject({
  operation: z.enum(STEP_UP_OPERATIONS),
  input: StepUpTargetInput,
  evidence: z.discriminatedUnion('method', [
    z.strictObject({ method: z.literal('passkey'), response: AuthenticationResponseSchema }),
    z.strictObject({
      method: z.literal('totp'),
      challengeId: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
      code: z
        .string()
        .trim()
        .regex(/^\d{6}$/, { error: 'Enter the 6-digit code.' }),
    }),
  ]),
});

export const EnableTotpSchema = z.strictObject({
  sealed: z.string().min(10).max(1024),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, { error: 'Enter the 6-digit code from your app.' }),
});
export const PasskeyNameSchema = z.strictObject({
  name: z.string().trim().min(1, { error: 'Give the passkey a name.' }).max(64, { error: 'Use at most 64 characters.' }),
});
export const FinishPasskeyRegistrationSchema = z.strictObject({
  name: z.string().trim().min(1).max(64),
  response: RegistrationResponseSchema,
});
export const PasskeyIdSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+$/i),
});

export const ChangePasswordSchema = z
  .strictObject({
    currentPassword: z.string().min(1, { error: 'Enter your current password.' }).max(1024),
    newPassword: NewPasswordSchema,
    confirmPassword: z.string().max(1024),
    signOutOthers: z.boolean().default(true),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { error: 'The two new passwords differ.', path: ['confirmPassword'] })
  .refine((v) => v.newPassword !== v.currentPassword, { error: 'Choose a password you are not using now.', path: ['newPassword'] });
export type ChangePasswordInput = z.input<typeof ChangePasswordSchema>;
export const RenamePasskeySchema = z.strictObject({
  id: PasskeyIdSchema.shape.id,
  name: PasskeyNameSchema.shape.name,
});
