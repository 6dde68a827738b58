/**
 * Masks personal data for viewers the policy lets see that a field exists but not
 * its value (support agents looking at a requester). Pure; the same masks are used
 * everywhere, so a masked value never leaks more in one place than in another.
 */

const DOT = '•••';

/** `jane.doe@example.com` → `j•••@example.com`: the first character and the domain. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return DOT;
  const first = Array.from(email.slice(0, at))[0] ?? '';
  return `${first}${DOT}@${email.slice(at + 1)}`;
}

/** `+44 20 7946 0958` → `•••• 58`: the last two digits only. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 4) return DOT;
  return `•••• ${digits.slice(-2)}`;
}
