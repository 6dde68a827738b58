import 'server-only';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { now } from '@/lib/clock';
import type { Db, Tx } from '@/lib/db';
import { authSecret } from '@/lib/env';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';

/**
 * Single-use recovery codes: the fallback when the authenticator is lost
 * (NIST SP 800-63B rev 3 §5.1.2 look-up secrets). With fewer than 64 bits per code,
 * §5.1.2.2 requires rate limiting: the sign-in flow's shared failure counter (T07).
 *
 * A code is 12 characters of Crockford's base32 alphabet (no i, l, o, u), shown as
 * `xxxx-xxxx-xxxx`: 60 random bits each. Only a keyed hash is stored,
 * HMAC-SHA-256 (RFC 2104) under a key derived from AUTH_SECRET by HKDF-SHA-256
 * (RFC 5869, info "warden.recovery-codes.v1"), so a copy of the database does not
 * reveal or let anyone test codes offline. Changing AUTH_SECRET invalidates every
 * stored code. These functions neither audit nor count failures: the caller does.
 */

/** Crockford base32: digits and lowercase letters without i, l, o, u (32 symbols, so `byte & 31` is uniform). */
export const RECOVERY_CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUPS = 3;
const GROUP_LENGTH = 4;
const CODE_LENGTH = GROUPS * GROUP_LENGTH;
/** Bits of entropy per code: 12 symbols × 5 bits. */
export const RECOVERY_CODE_BITS = CODE_LENGTH * 5;
const NORMALIZED_PATTERN = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{${CODE_LENGTH}}$`);
/** Longest input looked at; anything longer is refused before any work. */
const MAX_INPUT_LENGTH = 64;
const HMAC_KEY_INFO = 'warden.recovery-codes.v1';

/** Creates one code, `xxxx-xxxx-xxxx`, from 60 uniformly random bits. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) {
    if (i > 0 && i % GROUP_LENGTH === 0) code += '-';
    code += RECOVERY_CODE_ALPHABET[(bytes[i] ?? 0) & 31];
  }
  return code;
}

/**
 * Normalizes what a user typed: lowercase, without dashes and whitespace, with
 * Crockford's look-alikes mapped (o → 0, i and l → 1; none of them is ever issued).
 * Returns null when the result is not 12 symbols of the alphabet.
 */
export function normalizeRecoveryCode(input: string): string | null {
  if (input.length > MAX_INPUT_LENGTH) return null;
  const normalized = input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  return NORMALIZED_PATTERN.test(normalized) ? normalized : null;
}

/** HMAC-SHA-256 of a normalized code under `key`, hex. */
export function hashRecoveryCode(normalized: string, key: Uint8Array): string {
  return createHmac('sha256', key).update(normalized, 'utf8').digest('hex');
}

/** The HMAC key: HKDF-SHA-256 (RFC 5869) of `secret`, empty salt, info "warden.recovery-codes.v1". */
export function deriveRecoveryCodeKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), HMAC_KEY_INFO, 32));
}

let cachedKey: Buffer | undefined;

function recoveryCodeKey(): Buffer {
  cachedKey ??= deriveRecoveryCodeKey(authSecret());
  return cachedKey;
}

/**
 * Replaces the user's recovery codes with a fresh set of 10 and returns them in
 * plaintext, once: only their keyed hashes are stored. The previous set (used or
 * not) is deleted in the same transaction, so it stops working at commit. Sets
 * `recoveryCodesAt`. Audit in the caller's transaction.
 */
export async function generateRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: AUTHENTICATION_POLICY.recoveryCodes.count }, newRecoveryCode);
  const key = recoveryCodeKey();
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({
    data: codes.map((code) => ({ userId, codeHash: hashRecoveryCode(code.replace(/-/g, ''), key) })),
  });
  await tx.user.update({ where: { id: userId }, data: { recoveryCodesAt: now() } });
  return codes;
}

/** Result of {@link consumeRecoveryCode}. */
export type ConsumeRecoveryCodeResult = { ok: true; remaining: number } | { ok: false; reason: 'invalid' };

/**
 * Uses one recovery code of `userId`. The code is marked used by an atomic
 * conditional update (`usedAt` still null), so it works once even under concurrent
 * requests; a wrong, used or another user's code is `invalid`. On success sets
 * `recoveryCodeUsedAt` (the security page warns until acknowledged) and returns
 * how many unused codes remain. Pass a transaction to commit this with the audit event.
 */
export async function consumeRecoveryCode(db: Db | Tx, userId: string, input: string): Promise<ConsumeRecoveryCodeResult> {
  const normalized = normalizeRecoveryCode(input);
  if (normalized === null) return { ok: false, reason: 'invalid' };
  const at = now();
  const { count } = await db.recoveryCode.updateMany({
    where: { userId, codeHash: hashRecoveryCode(normalized, recoveryCodeKey()), usedAt: null },
    data: { usedAt: at },
  });
  if (count !== 1) return { ok: false, reason: 'invalid' };
  await db.user.update({ where: { id: userId }, data: { recoveryCodeUsedAt: at } });
  return { ok: true, remaining: await countRemainingRecoveryCodes(db, userId) };
}

/** How many unused recovery codes the user has left. */
export function countRemainingRecoveryCodes(db: Db | Tx, userId: string): Promise<number> {
  return db.recoveryCode.count({ where: { userId, usedAt: null } });
}
