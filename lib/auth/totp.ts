import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import { generateSecret, generateSync, generateURI } from 'otplib';
import QRCode from 'qrcode';
import { now } from '@/lib/clock';
import type { Db, Tx } from '@/lib/db';
import { log } from '@/lib/log';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { configuredSecretBox, SecretBoxError, type SecretBox } from './secret-box';

/**
 * Time-based one-time passwords (RFC 6238) for the authenticator-app factor:
 * HMAC-SHA-1, 6 digits, 30-second steps (the parameters every authenticator app
 * supports), the current step ±1 for clock skew (SECURITY.md "TOTP validity", a
 * documented deviation from ASVS V6.5.5), and replay tracking: the last accepted
 * step is stored per user and a code for that step or an earlier one is refused
 * (RFC 6238 §5.2; ASVS V6.5.1; NIST SP 800-63B rev 3 §5.1.4.2).
 *
 * The seed is stored only sealed by lib/auth/secret-box with AAD = user id (T08).
 * These functions neither audit nor count failures: the sign-in flow does both,
 * from the precise reasons returned here.
 */

const { periodSeconds: PERIOD_SECONDS, digits: DIGITS, window: WINDOW } = AUTHENTICATION_POLICY.totp;
/** 20 random bytes = 160 bits, RFC 4226 §4 R6's recommended shared-secret length. */
const SECRET_BYTES = 20;
const CODE_PATTERN = new RegExp(`^[0-9]{${DIGITS}}$`);
/** Unpadded RFC 4648 base32 of at least 20 bytes (32 characters). */
const SECRET_PATTERN = /^[A-Z2-7]{32,}$/;
/** Issuer shown by authenticator apps. */
export const TOTP_ISSUER = 'Warden';

/** Generates a new TOTP seed: 160 random bits, base32 (RFC 4648 §6) without padding. */
export function generateTotpSecret(): string {
  return generateSecret({ length: SECRET_BYTES });
}

/** True when `secret` is an unpadded base32 seed of at least 160 bits. */
export function isTotpSecret(secret: string): boolean {
  return SECRET_PATTERN.test(secret);
}

/**
 * The `otpauth://totp/…` provisioning URI (Google Authenticator key-URI format)
 * for an authenticator app. The issuer is always Warden.
 */
export function totpUri({
  secret,
  accountName,
  issuer = TOTP_ISSUER,
}: {
  secret: string;
  accountName: string;
  issuer?: typeof TOTP_ISSUER;
}): string {
  assertSecret(secret);
  return generateURI({ issuer, label: accountName, secret, algorithm: 'sha1', digits: DIGITS, period: PERIOD_SECONDS });
}

/** A QR code of the provisioning URI, as a `data:image/png;base64,…` URL for an `<img>`. */
export function totpQrDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
}

/** The RFC 6238 time step of `date`: floor(unix seconds / 30). */
export function totpStepAt(date: Date): number {
  return Math.floor(date.getTime() / 1000 / PERIOD_SECONDS);
}

/** The code an authenticator shows at `date` (tests and the demo). */
export function totpCodeAt(secret: string, date: Date): string {
  return codeForStep(secret, totpStepAt(date));
}

/**
 * Verifies a code against the steps T-1, T and T+1 around `at` (the server
 * clock; there is deliberately no way to pass a client-supplied time, ASVS V6.5.8).
 * Returns the matched step, or null. Anything but exactly 6 ASCII digits is
 * refused before any HMAC is computed. Every step in the window is compared in
 * constant time, without an early exit.
 */
export function verifyTotpCode(secret: string, code: string, at: Date): number | null {
  if (!CODE_PATTERN.test(code)) return null;
  assertSecret(secret);
  const current = totpStepAt(at);
  const given = Buffer.from(code, 'ascii');
  let matched: number | null = null;
  for (let step = current - WINDOW; step <= current + WINDOW; step++) {
    const expected = Buffer.from(codeForStep(secret, step), 'ascii');
    if (timingSafeEqual(expected, given) && matched === null) matched = step;
  }
  return matched;
}

/** Options of the database-level functions. */
export interface TotpStoreOptions {
  /** The box that seals and opens seeds; defaults to the one configured from the environment. */
  box?: SecretBox;
}

/** Result of {@link enableTotp}. */
export type EnableTotpResult = { ok: true; step: number } | { ok: false; reason: 'invalid' | 'already_enrolled' };

/**
 * Confirms an enrolment with the first code from the user's app, then stores the
 * seed sealed with AAD = userId, `totpEnabledAt` and `totpLastStep` = the confirmed
 * step, so the enrolment code cannot be replayed as the first sign-in code (T06).
 * Refuses (`already_enrolled`) when the user already has TOTP: disable it first.
 * Run it in the caller's transaction together with the audit event.
 */
export async function enableTotp(
  tx: Tx,
  userId: string,
  secret: string,
  firstCode: string,
  options: TotpStoreOptions = {},
): Promise<EnableTotpResult> {
  assertSecret(secret);
  const at = now();
  const step = verifyTotpCode(secret, firstCode, at);
  if (step === null) return { ok: false, reason: 'invalid' };
  const sealed = (options.box ?? configuredSecretBox()).seal(secret, userId);
  const { count } = await tx.user.updateMany({
    where: { id: userId, totpEnabledAt: null },
    data: { totpSecretEnc: sealed, totpEnabledAt: at, totpLastStep: step },
  });
  return count === 1 ? { ok: true, step } : { ok: false, reason: 'already_enrolled' };
}

/** Why a TOTP code was refused. */
export type ConsumeTotpFailure = 'not_enrolled' | 'invalid' | 'replay' | 'decrypt_failed';

/** Result of {@link consumeTotp}. */
export type ConsumeTotpResult = { ok: true; step: number } | { ok: false; reason: ConsumeTotpFailure };

/**
 * Checks a sign-in (or step-up) code and marks its step used, once (RFC 6238 §5.2;
 * ASVS V6.5.1). The seed is opened with AAD = userId; if it does not open (tampered,
 * moved from another user, unknown or wrong key) the answer is `decrypt_failed`:
 * fail closed, with only the user id and the failure class logged (T08). The step is
 * claimed by a compare-and-set on `totpLastStep`, so of two concurrent requests with
 * the same code exactly one succeeds and the other gets `replay` (T05).
 */
export async function consumeTotp(db: Db | Tx, userId: string, code: string, options: TotpStoreOptions = {}): Promise<ConsumeTotpResult> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { totpSecretEnc: true, totpEnabledAt: true, totpLastStep: true },
  });
  if (!user?.totpSecretEnc || !user.totpEnabledAt) return { ok: false, reason: 'not_enrolled' };

  let secret: string;
  try {
    secret = (options.box ?? configuredSecretBox()).open(user.totpSecretEnc, userId);
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    log.warn({ event: 'totp_decrypt_failed', userId, failure: error.code }, 'stored TOTP seed could not be opened');
    return { ok: false, reason: 'decrypt_failed' };
  }
  if (!isTotpSecret(secret)) {
    log.warn({ event: 'totp_decrypt_failed', userId, failure: 'not_a_seed' }, 'stored TOTP seed could not be opened');
    return { ok: false, reason: 'decrypt_failed' };
  }

  const step = verifyTotpCode(secret, code, now());
  if (step === null) return { ok: false, reason: 'invalid' };
  // Cheap early answer; the compare-and-set below is what actually decides.
  if (user.totpLastStep !== null && step <= user.totpLastStep) return { ok: false, reason: 'replay' };

  // Atomic: the row is claimed only if no step ≥ this one was accepted meanwhile, and
  // only for the seed just verified (a concurrent disable or re-enrolment also loses).
  const { count } = await db.user.updateMany({
    where: {
      id: userId,
      totpSecretEnc: user.totpSecretEnc,
      OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }],
    },
    data: { totpLastStep: step },
  });
  return count === 1 ? { ok: true, step } : { ok: false, reason: 'replay' };
}

/** Removes the authenticator app: clears the sealed seed, the enrolment time and the last step. Audit in the caller's transaction. */
export async function disableTotp(tx: Tx, userId: string): Promise<void> {
  await tx.user.update({
    where: { id: userId },
    data: { totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null },
  });
}

function codeForStep(secret: string, step: number): string {
  return generateSync({ secret, algorithm: 'sha1', digits: DIGITS, period: PERIOD_SECONDS, epoch: step * PERIOD_SECONDS });
}

function assertSecret(secret: string): void {
  // A programming error, not user input: seeds come from generateTotpSecret. The message names no value.
  if (!isTotpSecret(secret)) throw new TypeError('TOTP secret must be unpadded base32 of at least 160 bits');
}
