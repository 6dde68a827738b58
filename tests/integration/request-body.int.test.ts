import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signInAction } from '@/app/(auth)/sign-in/_actions/sign-in';
import { changeUserRoleAction } from '@/app/(console)/users/_actions/change-user-role';
import { suspendUserAction } from '@/app/(console)/users/_actions/suspend-user';
import { ActionHarness, type Caller, type ServerAction } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const REASON = 'Integration test of malformed request bodies';
const PASSWORD = 'a long enough integration passphrase';
const TWO_MB = 2 * 1024 * 1024;

/** An object nested `levels` deep, built without recursion. */
function nested(levels: number, leaf: unknown): Record<string, unknown> {
  let value: unknown = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value as Record<string, unknown>;
}

type Polluted = { polluted?: unknown; isAdmin?: unknown };

/**
 * SECURITY.md T36 at the integration layer: oversized and malformed inputs to
 * real server actions (huge arrays, 10,000-level nesting, prototype-pollution
 * keys at any depth, wrong types, a 2 MB string) are refused as VALIDATION,
 * quickly, before the session is even read, with nothing changed, nothing
 * audited and no prototype polluted. Next.js's own 1 MB request limit (413) is
 * the e2e half (e2e/security/requests.spec.ts).
 */
describe.each(testProviders())('malformed server-action bodies (%s)', (provider) => {
  let h: ActionHarness;
  let admin: Caller;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'body');
    admin = await h.caller('admin');
  }, 120_000);
  afterAll(async () => {
    await h?.cleanup();
  });
  afterEach(() => {
    // Whatever a test sent, no prototype anywhere was touched.
    expect(({} as Polluted).polluted).toBeUndefined();
    expect(({} as Polluted).isAdmin).toBeUndefined();
    expect((Object.prototype as Polluted).polluted).toBeUndefined();
    expect(([] as unknown as Polluted).polluted).toBeUndefined();
  });

  /** Calls `action` with `input`; asserts VALIDATION within `ms`, the target unchanged, nothing audited. */
  async function refused(action: ServerAction, input: unknown, targetId: string, ms = 2000) {
    const before = await h.userState(targetId);
    const events = await h.db.auditEvent.count();
    const started = performance.now();
    const { result, correlationId } = await h.call(admin, action, input);
    const took = performance.now() - started;
    expect(result).toMatchObject({ ok: false, code: 'VALIDATION', correlationId });
    expect(took).toBeLessThan(ms);
    expect(await h.userState(targetId)).toEqual(before);
    expect(await h.db.auditEvent.count()).toBe(events);
    return result;
  }

  it('T36 huge arrays are refused quickly', async () => {
    const target = await h.caller('support');
    const id = target.user!.id;
    await refused(suspendUserAction, { id, reason: REASON, extra: Array.from({ length: 1_000_000 }, (_, i) => i) }, id);
    await refused(suspendUserAction, { id: Array.from({ length: 100_000 }, () => id), reason: REASON }, id);
    await refused(changeUserRoleAction, { id, role: Array(50_000).fill('superadmin'), reason: REASON }, id);
  });

  it('T36 10,000 levels of nesting are refused quickly, without a stack overflow', async () => {
    const target = await h.caller('support');
    const id = target.user!.id;
    await refused(suspendUserAction, { id, reason: REASON, deep: nested(10_000, 'x') }, id);
    await refused(suspendUserAction, { ...nested(10_000, id), reason: REASON }, id);
    // Deep arrays too.
    let arrays: unknown = id;
    for (let i = 0; i < 10_000; i++) arrays = [arrays];
    await refused(suspendUserAction, { id: arrays, reason: REASON }, id);
  });

  it('T36 __proto__, constructor and prototype keys are refused at any depth and pollute nothing', async () => {
    const target = await h.caller('support');
    const id = target.user!.id;
    const payloads = [
      `{"id":"${id}","reason":"${REASON}","__proto__":{"polluted":"yes","isAdmin":true}}`,
      `{"id":"${id}","reason":"${REASON}","constructor":{"prototype":{"polluted":"yes"}}}`,
      `{"id":"${id}","reason":"${REASON}","meta":{"__proto__":{"polluted":"yes"}}}`,
      `{"id":"${id}","reason":"${REASON}","list":[{"constructor":{"prototype":{"isAdmin":true}}}]}`,
      `{"id":"${id}","reason":"${REASON}","prototype":{"polluted":"yes"}}`,
    ];
    for (const json of payloads) await refused(suspendUserAction, JSON.parse(json), id);

    const form = new FormData();
    form.set('id', id);
    form.set('reason', REASON);
    form.set('__proto__', 'polluted');
    await refused(suspendUserAction, form, id);
    const forged = new FormData();
    forged.set('id', id);
    forged.set('constructor', 'x');
    await refused(suspendUserAction, forged, id);
  });

  it('T36 wrong types are refused by the strict schema', async () => {
    const target = await h.caller('support');
    const id = target.user!.id;
    for (const input of [
      { id: 42, reason: REASON },
      { id: { $ne: null }, reason: REASON },
      { id: [id], reason: REASON },
      { id, reason: { toString: REASON } },
      { id, reason: REASON, unexpected: true },
      { id: null, reason: REASON },
      { id: true, reason: REASON },
    ]) {
      await refused(suspendUserAction, input, id);
    }
    for (const role of ['root', 7, ['admin'], { role: 'superadmin' }, 'superadmin ']) {
      await refused(changeUserRoleAction, { id, role, reason: REASON }, id);
    }
    // Non-object bodies: a string, an array, a number.
    for (const input of ['id', [id, REASON], 12]) {
      await refused(suspendUserAction, input, id);
    }
  });

  it('T36 a 2 MB string is refused quickly, in any field and as a whole FormData field', async () => {
    const target = await h.caller('support');
    const id = target.user!.id;
    const big = 'A'.repeat(TWO_MB);
    await refused(suspendUserAction, { id, reason: big }, id);
    await refused(suspendUserAction, { id: big, reason: REASON }, id);
    const form = new FormData();
    form.set('id', id);
    form.set('reason', big);
    await refused(suspendUserAction, form, id);
    // A pathological string of combining marks and bidi controls is just too long too.
    await refused(suspendUserAction, { id, reason: '\u0301\u202e'.repeat(TWO_MB / 2) }, id);
  });

  it('T36 the anonymous sign-in action refuses a 2 MB password before any hashing or audit', async () => {
    const user = await h.createUser({ role: 'admin', password: PASSWORD });
    const events = await h.db.auditEvent.count();
    const started = performance.now();
    const { result } = await h.call(h.anonymous(), signInAction, { email: user.email, password: 'p'.repeat(TWO_MB) });
    expect(result).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await h.db.auditEvent.count()).toBe(events);
    expect(await h.db.user.findUniqueOrThrow({ where: { id: user.id }, select: { failedLoginCount: true } })).toEqual({
      failedLoginCount: 0,
    });
  });
});
