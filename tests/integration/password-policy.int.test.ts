import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { changePasswordAction } from '@/app/(console)/account/security/_actions/change-password';
import { signInAction } from '@/app/(auth)/sign-in/_actions/sign-in';
import { verifyChain } from '@/lib/audit/verify';
import { BREACHED_PASSWORD_MESSAGE, PREDICTABLE_PASSWORD_MESSAGE } from '@/lib/auth/password-policy';
import { verifyPassword } from '@/lib/auth/password';
import { GENERIC_SIGN_IN_ERROR, PASSWORD_MAX, PASSWORD_MIN } from '@/lib/validation/auth';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

// lib/env validates and caches process.env on first use, which happens while the
// imports above load (lib/log): the deployment is fixed before them.
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
// Only the framework's request scope is replaced (tests/helpers/action-harness.ts).
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const CURRENT = 'the current passphrase of this account';

/** Anything that reads like a composition rule ("add a digit", "an uppercase letter", "a symbol"…). */
const COMPOSITION = /upper|lower|capital|digit|number|numeral|symbol|special|character class|mix of/i;

/**
 * T03 (ASVS V6.2.1, 6.2.4, 6.2.5, 6.2.8, 6.2.9, 6.2.12, V11.4.2; NIST 800-63B-4 §3.1.1.2):
 * passwords are set through the real change-password server action (with its
 * step-up) and tried through the real sign-in action. 15 to 128 code points, any
 * characters; breached, common and predictable values refused; no composition
 * rules; argon2id with no 72-byte truncation; no expiry.
 */
describe.each(testProviders())('T03 password policy on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'pwpolicy');
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  const input = (newPassword: string) => ({ currentPassword: CURRENT, newPassword, confirmPassword: newPassword, signOutOthers: false });

  /** A console user whose password is CURRENT, signed in. */
  const newCaller = () => h.caller('support', { password: CURRENT });

  /** Tries to set `pw`; returns the action's result and whether the stored hash changed. */
  async function setPassword(caller: Caller, pw: string) {
    const before = (await h.userState(caller.user!.id)).passwordHash;
    const stepUpProof = await h.stepUpProof(caller, 'account.password_change', input(pw));
    const { result, correlationId } = await h.call(caller, changePasswordAction, input(pw), { stepUpProof });
    const after = (await h.userState(caller.user!.id)).passwordHash;
    return { result, correlationId, changed: before !== after, hash: after };
  }

  /** A refused value: VALIDATION on newPassword, no composition wording, the hash and trail untouched. */
  async function expectRefused(pw: string, message?: string) {
    const caller = await newCaller();
    const before = await h.userState(caller.user!.id);
    const { result, correlationId } = await h.call(caller, changePasswordAction, input(pw));
    expect(result.ok, pw).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('VALIDATION');
    const messages = [result.message, ...(result.fieldErrors?.newPassword ?? [])];
    expect(result.fieldErrors?.newPassword?.length, pw).toBeGreaterThan(0);
    if (message) expect(result.fieldErrors?.newPassword).toContain(message);
    for (const m of messages) expect(m).not.toMatch(COMPOSITION);
    expect(await h.userState(caller.user!.id)).toEqual(before);
    const events = await h.eventsOf(correlationId);
    expect(events.filter((e) => e.operation === 'account.password_change' && e.outcome === 'success')).toEqual([]);
  }

  /** An accepted value: the change is audited, the stored hash is argon2id and verifies. */
  async function expectAccepted(pw: string) {
    const caller = await newCaller();
    const { result, correlationId, changed, hash } = await setPassword(caller, pw);
    expect(result, pw).toMatchObject({ ok: true });
    expect(changed).toBe(true);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash!, pw)).toBe(true);
    const events = await h.eventsOf(correlationId);
    expect(events.filter((e) => e.operation === 'account.password_change' && e.outcome === 'success')).toHaveLength(1);
    // Nothing of the password reaches the trail.
    for (const e of events) expect(JSON.stringify(e)).not.toContain(pw);
    return caller;
  }

  const signIn = (email: string, password: string) => h.call(h.anonymous(), signInAction, { email, password });

  // 20 emoji: 20 code points, 40 UTF-16 units, 80 UTF-8 bytes (4 each).
  const EMOJI = '🔐🌍🚲🐎🎹🌵🍋🦊🐙🎈🧭🪁🌋🍄🦉🐢🌻🎲🪐🧊';
  const emoji = (n: number) => [...EMOJI].slice(0, n).join('');

  it('T03 14 code points are refused, 15 and 128 accepted, 129 refused; length counts code points, not UTF-16 units', async () => {
    expect(PASSWORD_MIN).toBe(15);
    expect(PASSWORD_MAX).toBe(128);
    await expectRefused('amber kite sol', 'Use at least 15 characters.');
    // 14 emoji are 28 UTF-16 units, but 14 characters: refused.
    await expectRefused(emoji(14), 'Use at least 15 characters.');
    await expectAccepted('amber kite sols');
    await expectAccepted(emoji(15));
    const long = 'velvet harbour lantern '.repeat(6).slice(0, 128);
    expect([...long]).toHaveLength(128);
    await expectAccepted(long);
    await expectRefused(`${long}s`, 'Use at most 128 characters.');
  });

  it('T03 a Unicode passphrase with spaces and emoji is accepted and signs in, also typed in another normal form', async () => {
    const pw = 'Grüße aus Köln 🚲 am Rhein';
    const caller = await expectAccepted(pw);
    const email = caller.user!.email;
    expect((await signIn(email, pw)).result).toMatchObject({ ok: true, data: { redirectTo: '/sign-in/verify' } });
    // The same text with decomposed umlauts (as some keyboards send it) is the same password.
    expect(pw.normalize('NFD')).not.toBe(pw);
    expect((await signIn(email, pw.normalize('NFD'))).result).toMatchObject({ ok: true });
  });

  it('T03 all lower case, no digit, no symbol is fine: there are no composition rules', async () => {
    await expectAccepted('plain lowercase words only here');
  });

  it('T03 breached and commonly used values are refused with a plain reason, never a composition rule', async () => {
    await expectRefused('correct horse battery staple', BREACHED_PASSWORD_MESSAGE);
    await expectRefused('qwertyuiopasdfghjkl', BREACHED_PASSWORD_MESSAGE);
    await expectRefused('iloveyou12345678', BREACHED_PASSWORD_MESSAGE);
  });

  it('T03 Password1234567!, the product name with a year, and repeated characters are refused as predictable', async () => {
    await expectRefused('Password1234567!', PREDICTABLE_PASSWORD_MESSAGE);
    await expectRefused('Warden2026Warden2026', PREDICTABLE_PASSWORD_MESSAGE);
    await expectRefused('warden 2026 warden!', PREDICTABLE_PASSWORD_MESSAGE);
    await expectRefused('aaaaaaaaaaaaaaaaaaaa', PREDICTABLE_PASSWORD_MESSAGE);
    await expectRefused('P@ssw0rd!P@ssw0rd!', PREDICTABLE_PASSWORD_MESSAGE);
  });

  it('T03 a password of 80 bytes does not sign in with only its first 72 bytes (argon2id, no bcrypt truncation)', async () => {
    const ascii = 'a deliberately long passphrase so that argon2id must see all of its eighty bytes';
    expect(Buffer.byteLength(ascii)).toBe(80);
    for (const pw of [ascii, EMOJI]) {
      expect(Buffer.byteLength(pw)).toBe(80);
      const caller = await expectAccepted(pw);
      const email = caller.user!.email;
      const prefix = Buffer.from(pw).subarray(0, 72).toString('utf8');
      expect(Buffer.byteLength(prefix)).toBe(72);
      expect(pw.startsWith(prefix)).toBe(true);

      const refused = await signIn(email, prefix);
      expect(refused.result).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS', message: GENERIC_SIGN_IN_ERROR });
      expect(await h.eventsOf(refused.correlationId)).toEqual([
        expect.objectContaining({ operation: 'auth.sign_in', outcome: 'failure', reasonCode: 'bad_password', targetId: caller.user!.id }),
      ]);
      // Only the whole password works.
      expect((await signIn(email, pw)).result).toMatchObject({ ok: true, data: { redirectTo: '/sign-in/verify' } });
    }
  });

  it('T03 the stored hash is argon2id with its own salt, and the account has no password expiry', async () => {
    const a = await expectAccepted('same passphrase for two people');
    const b = await expectAccepted('same passphrase for two people');
    const rows = await h.db.user.findMany({ where: { id: { in: [a.user!.id, b.user!.id] } } });
    const [ha, hb] = rows.map((r) => r.passwordHash!);
    expect(ha).toMatch(/^\$argon2id\$/);
    expect(ha).not.toBe(hb);
    // The salt (the 4th PHC field) is at least 16 bytes (base64 without padding: 22 characters).
    expect(ha!.split('$')[4]!.length).toBeGreaterThanOrEqual(22);
    // No expiry, rotation or "must change" field on the account.
    for (const key of Object.keys(rows[0]!)) expect(key).not.toMatch(/expir|rotat|mustchange|passwordchanged|passwordset/i);
  });

  it('T03 the audit chain verifies after every change above', async () => {
    expect(await verifyChain(h.db)).toMatchObject({ ok: true });
  });
});
