import 'server-only';
import { hash, verify } from '@node-rs/argon2';

/**
 * Password hashing with argon2id (SECURITY.md "Password storage"; ASVS V11.4.2).
 * Parameters are OWASP's minimum for argon2id: m = 19 MiB, t = 2, p = 1
 * (≈ 95 ms to hash, ≈ 40 ms to verify on the reference machine). Unlike bcrypt
 * there is no 72-byte truncation (ASVS V6.2.8).
 */
const ARGON2ID = 2; // Algorithm.Argon2id in @node-rs/argon2 (a const enum, not importable here)
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), OPTIONS);
}

/** Verifies a password against a stored PHC string. A malformed hash verifies as false. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password.normalize('NFC'));
  } catch {
    return false;
  }
}

// A real hash of a random value, computed once, so that a sign-in for an unknown
// account costs the same argon2 verification as one for a known account (T02).
let dummyHash: Promise<string> | undefined;

/** Spends one verification's worth of time and always answers false. */
export async function dummyVerify(password: string): Promise<false> {
  dummyHash ??= hashPassword(`dummy-${crypto.randomUUID()}`);
  await verifyPassword(await dummyHash, password);
  return false;
}
