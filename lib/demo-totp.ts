import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The demo accounts' TOTP secrets: derived from the email so the README can list
 * them and anyone can add them to an authenticator app. Demo data only — a real
 * account's secret is random and never leaves the enrolment page.
 */
export function demoTotpSecret(email: string): string {
  const bytes = createHash('sha256').update(`warden-demo-totp:${email}`).digest().subarray(0, 20);
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i + 5 <= bits.length; i += 5) out += BASE32[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}
