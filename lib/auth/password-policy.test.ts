import { describe, expect, it } from 'vitest';
import { NewPasswordSchema } from '@/lib/validation/auth';
import { BREACHED_PASSWORD_MESSAGE, passwordProblem, PREDICTABLE_PASSWORD_MESSAGE } from './password-policy';

describe('T03 password blocklist and predictability (pure)', () => {
  it('T03 breached values are refused whatever their case, spacing or look-alike digits', () => {
    for (const p of [
      'correct horse battery staple',
      'CorrectHorseBatteryStaple',
      'qwertyuiopasdfghjkl',
      'trustno1trustno1',
      '1q2w3e4r5t6y7u8i',
    ])
      expect(passwordProblem(p), p).toBe(BREACHED_PASSWORD_MESSAGE);
  });

  it('T03 values built from common words, the product name, digits and repeats are refused', () => {
    for (const p of [
      'Password1234567!',
      'Warden2026Warden2026',
      'aaaaaaaaaaaaaaaa',
      'P@ssw0rd!P@ssw0rd!',
      'summer2026summer!',
      'admin admin admin 2026',
    ])
      expect(passwordProblem(p), p).toBe(PREDICTABLE_PASSWORD_MESSAGE);
  });

  it('T03 context words of the person count as common words', () => {
    expect(passwordProblem('jordanna 1987 jordanna 1987')).toBe(null);
    expect(passwordProblem('jordanna 1987 jordanna 1987', ['jordanna'])).toBe(PREDICTABLE_PASSWORD_MESSAGE);
  });

  it('T03 passphrases, Unicode and emoji pass; no message names a character class', () => {
    for (const p of [
      'amber kite sols',
      'Grüße aus Köln 🚲 am Rhein',
      '🔐🌍🚲🐎🎹🌵🍋🦊🐙🎈🧭🪁🌋🍄🦉',
      'plain lowercase words only here',
      'καλημέρα από την Αθήνα',
    ])
      expect(passwordProblem(p), p).toBe(null);
    for (const m of [BREACHED_PASSWORD_MESSAGE, PREDICTABLE_PASSWORD_MESSAGE])
      expect(m).not.toMatch(/upper|lower|digit|number|symbol|special/i);
  });

  it('T03 NewPasswordSchema applies length (code points) and the blocklist', () => {
    expect(NewPasswordSchema.safeParse('amber kite sols').success).toBe(true);
    expect(NewPasswordSchema.safeParse('amber kite sol').success).toBe(false);
    const r = NewPasswordSchema.safeParse('Warden2026Warden2026');
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual([PREDICTABLE_PASSWORD_MESSAGE]);
  });
});
