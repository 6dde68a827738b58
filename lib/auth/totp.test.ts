import { describe, expect, it } from 'vitest';
import { generateTotpSecret, isTotpSecret, totpCodeAt, totpQrDataUrl, totpStepAt, totpUri, verifyTotpCode } from './totp';

/** RFC 6238 Appendix B's SHA-1 seed, "12345678901234567890", in base32. */
const RFC_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const SECONDS = 1000;
const STEP_MS = 30 * SECONDS;

describe('TOTP codes (RFC 6238)', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ])('matches the RFC 6238 Appendix B SHA-1 vector at T=%i (last 6 digits)', (unix, code) => {
    expect(totpCodeAt(RFC_SEED, new Date(unix * SECONDS))).toBe(code);
  });

  it('totpStepAt is floor(unix / 30)', () => {
    expect(totpStepAt(new Date(0))).toBe(0);
    expect(totpStepAt(new Date(29_999))).toBe(0);
    expect(totpStepAt(new Date(30_000))).toBe(1);
    expect(totpStepAt(new Date(1111111109 * SECONDS))).toBe(37037036);
  });

  it('generates 160-bit base32 seeds, each different', () => {
    const seeds = Array.from({ length: 20 }, generateTotpSecret);
    for (const seed of seeds) {
      expect(seed).toMatch(/^[A-Z2-7]{32}$/);
      expect(isTotpSecret(seed)).toBe(true);
    }
    expect(new Set(seeds).size).toBe(seeds.length);
  });

  it('builds an otpauth URI with issuer Warden, SHA1, 6 digits, 30 s', () => {
    const uri = new URL(totpUri({ secret: RFC_SEED, accountName: 'ada@example.test', issuer: 'Warden' }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Warden:ada@example.test');
    expect(uri.searchParams.get('secret')).toBe(RFC_SEED);
    expect(uri.searchParams.get('issuer')).toBe('Warden');
    expect(uri.searchParams.get('period') ?? '30').toBe('30');
    expect(uri.searchParams.get('digits') ?? '6').toBe('6');
    expect((uri.searchParams.get('algorithm') ?? 'SHA1').toUpperCase()).toBe('SHA1');
  });

  it('renders the URI as a PNG data URL', async () => {
    const dataUrl = await totpQrDataUrl(totpUri({ secret: RFC_SEED, accountName: 'ada@example.test' }));
    expect(dataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  });

  it('refuses a seed that is not 160-bit base32', () => {
    expect(() => totpUri({ secret: 'JBSWY3DPEHPK3PXP', accountName: 'a' })).toThrow(TypeError);
    expect(() => verifyTotpCode('not-a-seed', '123456', new Date())).toThrow(TypeError);
  });
});

describe('T06 TOTP window with a fixed clock', () => {
  // The middle of a step, 2026-01-01T00:00:15Z.
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, 15));
  const T = totpStepAt(at);
  const codeAtOffset = (steps: number) => totpCodeAt(RFC_SEED, new Date(at.getTime() + steps * STEP_MS));

  it('the five codes around T are distinct (so each case below is meaningful)', () => {
    const codes = [-2, -1, 0, 1, 2].map(codeAtOffset);
    expect(new Set(codes).size).toBe(5);
  });

  it.each([
    ['T-1', -1],
    ['T', 0],
    ['T+1', 1],
  ])('T06 accepts the code for step %s and reports that step', (_label, offset) => {
    expect(verifyTotpCode(RFC_SEED, codeAtOffset(offset), at)).toBe(T + offset);
  });

  it.each([
    ['T-2', -2],
    ['T+2', 2],
    ['T-3', -3],
    ['T+3', 3],
    ['T-10', -10],
    ['T+10', 10],
  ])('T06 refuses the code for step %s', (_label, offset) => {
    expect(verifyTotpCode(RFC_SEED, codeAtOffset(offset), at)).toBeNull();
  });

  it('T06 the window is step-based at both edges of the current step', () => {
    const start = new Date(T * STEP_MS);
    const end = new Date(T * STEP_MS + STEP_MS - 1);
    expect(verifyTotpCode(RFC_SEED, codeAtOffset(-1), start)).toBe(T - 1);
    expect(verifyTotpCode(RFC_SEED, codeAtOffset(-2), start)).toBeNull();
    expect(verifyTotpCode(RFC_SEED, codeAtOffset(1), end)).toBe(T + 1);
    expect(verifyTotpCode(RFC_SEED, codeAtOffset(2), end)).toBeNull();
  });

  it('T06 verification has no client-supplied time: only the server time `at` decides', () => {
    // The signature is (secret, code, serverTime); a code valid at another time is refused now.
    expect(verifyTotpCode.length).toBe(3);
    const farFuture = totpCodeAt(RFC_SEED, new Date(at.getTime() + 3600 * SECONDS));
    expect(verifyTotpCode(RFC_SEED, farFuture, at)).toBeNull();
  });

  it.each([
    ['5 digits', (c: string) => c.slice(0, 5)],
    ['7 digits', (c: string) => `${c}0`],
    ['8 digits', (c: string) => `${c}00`],
    ['leading space', (c: string) => ` ${c}`],
    ['trailing newline', (c: string) => `${c}\n`],
    ['inner space', (c: string) => `${c.slice(0, 3)} ${c.slice(3)}`],
    ['letters', () => 'abcdef'],
    ['sign', (c: string) => `+${c.slice(1)}`],
    ['Arabic-Indic digits', (c: string) => c.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)))],
    ['fullwidth digits', (c: string) => c.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
    ['empty', () => ''],
  ])('T06 refuses %s before computing', (_name, mangle) => {
    expect(verifyTotpCode(RFC_SEED, mangle(codeAtOffset(0)), at)).toBeNull();
  });
});
