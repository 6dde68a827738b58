import { describe, expect, it } from 'vitest';
import { maskEmail, maskPhone } from './mask';

describe('masking personal data', () => {
  it('keeps the first character and the domain of an email address', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j•••@example.com');
    expect(maskEmail('Ö@example.org')).toBe('Ö•••@example.org');
    expect(maskEmail('😀x@example.org')).toBe('😀•••@example.org');
    expect(maskEmail('not-an-address')).toBe('•••');
    expect(maskEmail('@example.com')).toBe('•••');
  });

  it('keeps the last two digits of a phone number', () => {
    expect(maskPhone('+44 20 7946 0958')).toBe('•••• 58');
    expect(maskPhone('(555) 010-0199')).toBe('•••• 99');
    expect(maskPhone('12')).toBe('•••');
  });
});
