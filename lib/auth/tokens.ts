import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque one-time tokens (session secrets, pending sign-ins, tickets, step-up
 * proofs): 32 random bytes in base64url for the holder, SHA-256 hex in the
 * database (ASVS V7.2.3: ≥ 128 bits; a database copy cannot be replayed).
 */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether a string looks like one of our tokens (43 base64url characters). */
export function isTokenShaped(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}
