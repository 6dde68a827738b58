import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { revokeUserSessionAction } from '@/app/(console)/sessions/_actions/revoke-user-session';
import { changeUserRoleAction } from '@/app/(console)/users/_actions/change-user-role';
import { deleteUserAction } from '@/app/(console)/users/_actions/delete-user';
import { disableUserAction } from '@/app/(console)/users/_actions/disable-user';
import { grantPrivilegedRoleAction } from '@/app/(console)/users/_actions/grant-privileged-role';
import { inviteUserAction } from '@/app/(console)/users/_actions/invite-user';
import { reactivateUserAction } from '@/app/(console)/users/_actions/reactivate-user';
import { resetUserMfaAction } from '@/app/(console)/users/_actions/reset-user-mfa';
import { revokeUserSessionsAction } from '@/app/(console)/users/_actions/revoke-user-sessions';
import { suspendUserAction } from '@/app/(console)/users/_actions/suspend-user';
import { unlockUserAction } from '@/app/(console)/users/_actions/unlock-user';
import { verifyChain } from '@/lib/audit/verify';
import { hashToken } from '@/lib/auth/tokens';
import { getViewer, type Viewer } from '@/lib/auth/viewer';
import { abilityFor, accessibleWhere, assertDefinedWhere, InvalidPrincipalError, principalOf, scopedWhere } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { listRoleStates } from '@/lib/dal/role-admin';
import { listSessions, revokeUserSession } from '@/lib/dal/session-admin';
import { revokeUserSessions, suspendUser } from '@/lib/dal/user-admin';
import { countUsersByRole, getUserDetail, listUsers } from '@/lib/dal/users';
import { SessionListQuerySchema, UserListQuerySchema } from '@/lib/validation/lists';
import type { PolicyAction, PolicySubject } from '@/policies/rules';
import { CONSOLE_ROLES, ROLES } from '@/policies/roles';
import { operation, type OperationId } from '@/policies/operations';
import { ActionHarness, REFUSAL_CODES, type Caller, type ServerAction } from '../helpers/action-harness';
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

const REASON = 'Integration test of authorization scope';

/** Every user action, with the extra input it needs besides id and reason. */
const USER_ACTIONS: { op: OperationId; action: ServerAction; extra: (target: Caller) => Record<string, unknown> }[] = [
  { op: 'user.suspend', action: suspendUserAction, extra: () => ({}) },
  { op: 'user.reactivate', action: reactivateUserAction, extra: () => ({}) },
  { op: 'user.disable', action: disableUserAction, extra: () => ({}) },
  { op: 'user.delete', action: deleteUserAction, extra: (t) => ({ confirmEmail: t.user!.email }) },
  { op: 'user.reset_mfa', action: resetUserMfaAction, extra: (t) => ({ confirmEmail: t.user!.email }) },
  { op: 'user.unlock', action: unlockUserAction, extra: () => ({}) },
  { op: 'user.revoke_sessions', action: revokeUserSessionsAction, extra: () => ({}) },
  { op: 'user.role_change', action: changeUserRoleAction, extra: () => ({ role: 'auditor' }) },
  { op: 'user.role_grant_privileged', action: grantPrivilegedRoleAction, extra: () => ({ role: 'member' }) },
];

describe.each(testProviders())('authorization scope through the real server actions and DAL on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'scope');
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  async function viewerOf(caller: Caller): Promise<Viewer> {
    const viewer = await h.as(caller, () => getViewer());
    if (!viewer) throw new Error('the caller has no live session');
    return viewer;
  }

  async function allUsers(viewer: Viewer, query: Record<string, string> = {}) {
    const rows: Awaited<ReturnType<typeof listUsers>>['rows'] = [];
    for (let page = 1; ; page++) {
      const result = await listUsers(viewer, UserListQuerySchema.parse({ ...query, page: String(page) }));
      rows.push(...result.rows);
      if (rows.length >= result.total || result.rows.length === 0) return { rows, total: result.total };
    }
  }

  async function allSessions(viewer: Viewer, query: Record<string, string> = {}) {
    const rows: Awaited<ReturnType<typeof listSessions>>['rows'] = [];
    for (let page = 1; ; page++) {
      const result = await listSessions(viewer, SessionListQuerySchema.parse({ ...query, page: String(page) }));
      rows.push(...result.rows);
      if (rows.length >= result.total || result.rows.length === 0) return { rows, total: result.total };
    }
  }

  const noneAllowed = (can: Record<string, boolean>) => Object.values(can).every((v) => v === false);

  describe('T26 an admin cannot reach above or beside itself', () => {
    it.each(USER_ACTIONS.flatMap((a) => (['superadmin', 'admin'] as const).map((role) => [a.op, role, a] as const)))(
      'T26 admin → %s on %s: refused even with a valid proof, audited, nothing changed',
      async (op, role, a) => {
        const admin = await h.caller('admin');
        const target = await h.caller(role, { status: op === 'user.reactivate' ? 'suspended' : 'active', locked: op === 'user.unlock' });
        const input = { id: target.user!.id, reason: REASON, ...a.extra(target) };
        const before = await h.userState(target.user!.id);
        const proof = operation(op).stepUp ? await h.stepUpProof(admin, op, input) : undefined;
        const { result, correlationId } = await h.call(admin, a.action, input, proof ? { stepUpProof: proof } : undefined);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(REFUSAL_CODES).toContain(result.code);
        expect((await h.eventsOf(correlationId)).filter((e) => e.operation === op)).toEqual([
          expect.objectContaining({ outcome: 'denied', actorId: admin.user!.id, targetId: target.user!.id }),
        ]);
        expect(await h.userState(target.user!.id)).toEqual(before);
        if (proof) {
          expect((await h.db.stepUpProof.findUniqueOrThrow({ where: { tokenHash: hashToken(proof) } })).usedAt).toBeNull();
        }
      },
    );

    it.each(['superadmin', 'admin'] as const)("T26 admin revoking a %s's session id: NOT_FOUND, the session still live", async (role) => {
      const admin = await h.caller('admin');
      const owner = await h.caller(role);
      const { result, correlationId } = await h.call(admin, revokeUserSessionAction, { id: owner.sessionId, reason: REASON });
      expect(result).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      expect(await h.db.session.findUniqueOrThrow({ where: { id: owner.sessionId! }, select: { revokedAt: true } })).toEqual({
        revokedAt: null,
      });
      expect(await viewerOf(owner)).toMatchObject({ userId: owner.user!.id });
      expect((await h.eventsOf(correlationId)).filter((e) => e.operation === 'session.revoke_user')).toEqual([
        expect.objectContaining({ outcome: 'denied', reasonCode: 'forbidden', actorId: admin.user!.id, targetId: owner.sessionId }),
      ]);
    });

    it('T26 listSessions: an admin never sees a superadmin’s or another admin’s session; a superadmin does (control)', async () => {
      const admin = await h.caller('admin');
      const superadmin = await h.caller('superadmin');
      const peer = await h.caller('admin');
      const member = await h.caller('member');
      const adminViewer = await viewerOf(admin);

      const seen = await allSessions(adminViewer);
      expect(seen.rows.length).toBe(seen.total);
      const ids = seen.rows.map((r) => r.id);
      expect(ids).toContain(member.sessionId);
      expect(ids).toContain(admin.sessionId);
      expect(ids).not.toContain(superadmin.sessionId);
      expect(ids).not.toContain(peer.sessionId);
      for (const row of seen.rows) {
        expect(row.user.role === 'superadmin' || (row.user.role === 'admin' && row.user.id !== admin.user!.id)).toBe(false);
      }
      expect((await allSessions(adminViewer, { role: 'superadmin' })).total).toBe(0);
      expect((await allSessions(adminViewer, { role: 'admin' })).rows.every((r) => r.user.id === admin.user!.id)).toBe(true);
      expect((await allSessions(adminViewer, { q: superadmin.user!.email })).total).toBe(0);

      const superViewer = await viewerOf(superadmin);
      const all = (await allSessions(superViewer)).rows.map((r) => r.id);
      expect(all).toEqual(expect.arrayContaining([superadmin.sessionId, peer.sessionId, member.sessionId, admin.sessionId]));
    });

    it('T26 listUsers: an admin sees superadmins and peers but may do nothing to them; deleted users never appear; auditors and support see no one', async () => {
      const admin = await h.caller('admin');
      const superadmin = await h.caller('superadmin');
      const peer = await h.caller('admin');
      const member = await h.caller('member');
      const deleted = await h.caller('member');
      await h.db.user.update({ where: { id: deleted.user!.id }, data: { deletedAt: new Date() } });

      const { rows } = await allUsers(await viewerOf(admin));
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(noneAllowed({ ...byId.get(superadmin.user!.id)!.can })).toBe(true);
      expect(noneAllowed({ ...byId.get(peer.user!.id)!.can })).toBe(true);
      expect(noneAllowed({ ...byId.get(admin.user!.id)!.can })).toBe(true);
      expect(byId.get(member.user!.id)!.can).toMatchObject({ suspend: true, disable: true, delete: true, changeRole: true });
      expect(byId.has(deleted.user!.id)).toBe(false);

      for (const role of ['auditor', 'support'] as const) {
        const viewer = await viewerOf(await h.caller(role));
        const result = await listUsers(viewer, UserListQuerySchema.parse({}));
        expect(result).toMatchObject({ rows: [], total: 0, canInvite: false });
        expect(await countUsersByRole(viewer)).toEqual([]);
      }
    });

    it('T26 T30 the DAL’s own WHERE refuses a caller whose ability has no rule for the write (defence behind defineAction)', async () => {
      // The DAL is called directly with what defineAction would hand it, for a
      // caller no rule allows: the target is loaded through accessibleBy in the
      // WHERE, so it must be "not found" and nothing may change.
      for (const role of ['auditor', 'support'] as const) {
        const caller = await h.caller(role);
        const viewer = await viewerOf(caller);
        const target = await h.caller('member');
        const before = await h.userState(target.user!.id);
        const authz = (op: OperationId): Authorization => ({
          viewer,
          ability: abilityFor(viewer),
          op,
          rule: 'test.direct_dal_call',
          reason: REASON,
          ticketRef: null,
          target: null,
          steppedUp: true,
        });
        const head = await h.db.auditEvent.count();
        await expect(h.as(caller, () => suspendUser(authz('user.suspend'), target.user!.id))).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(h.as(caller, () => revokeUserSessions(authz('user.revoke_sessions'), target.user!.id))).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        await expect(h.as(caller, () => revokeUserSession(authz('session.revoke_user'), target.sessionId!))).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        expect(await h.userState(target.user!.id)).toEqual(before);
        expect(await h.db.auditEvent.count()).toBe(head);
      }
    });

    it('T26 getUserDetail: hidden sessions and events stay hidden; an id the viewer cannot read is NOT_FOUND', async () => {
      const admin = await h.caller('admin');
      const superadmin = await h.caller('superadmin');
      const other = await h.caller('superadmin');
      // Another superadmin acts on the superadmin (an event the admin may not read)…
      const unlocked = await h.call(other, unlockUserAction, { id: superadmin.user!.id, reason: REASON });
      expect(unlocked.result).toMatchObject({ ok: true });
      // …and the admin's own refused attempt on it (an event it may read).
      await h.call(admin, unlockUserAction, { id: superadmin.user!.id, reason: REASON });

      const detail = await getUserDetail(await viewerOf(admin), superadmin.user!.id);
      expect(detail.sessions).toEqual([]);
      expect(await h.liveSessions(superadmin.user!.id)).toBe(1);
      expect(noneAllowed({ ...detail.can })).toBe(true);
      expect(detail.recentEvents.length).toBeGreaterThan(0);
      expect(detail.recentEvents.every((e) => e.actorId === admin.user!.id)).toBe(true);

      // Control: the other superadmin sees the session and both events.
      const full = await getUserDetail(await viewerOf(other), superadmin.user!.id);
      expect(full.sessions.map((s) => s.id)).toEqual([superadmin.sessionId]);
      expect(new Set(full.recentEvents.map((e) => e.actorId))).toEqual(new Set([admin.user!.id, other.user!.id]));

      const deleted = await h.caller('member');
      await h.db.user.update({ where: { id: deleted.user!.id }, data: { deletedAt: new Date() } });
      const member = await h.caller('member');
      const adminViewer = await viewerOf(admin);
      await expect(getUserDetail(adminViewer, deleted.user!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(getUserDetail(adminViewer, 'no-such-user-id')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      for (const role of ['auditor', 'support'] as const) {
        const viewer = await viewerOf(await h.caller(role));
        await expect(getUserDetail(viewer, member.user!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(getUserDetail(viewer, viewer.userId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      }
    });
  });

  describe('T27 mass assignment', () => {
    const pollutedJson = (id: string) => JSON.parse(`{"id":"${id}","reason":"${REASON}","__proto__":{"role":"superadmin"}}`) as unknown;

    it.each([
      ['role=superadmin', (id: string) => ({ id, reason: REASON, role: 'superadmin' })],
      ['status', (id: string) => ({ id, reason: REASON, status: 'active' })],
      ['passwordHash', (id: string) => ({ id, reason: REASON, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB' })],
      ['deletedAt', (id: string) => ({ id, reason: REASON, deletedAt: null })],
      ['sessionVersion', (id: string) => ({ id, reason: REASON, sessionVersion: 0 })],
      ['__proto__ (JSON)', pollutedJson],
      ['constructor.prototype', (id: string) => ({ id, reason: REASON, constructor: { prototype: { role: 'superadmin' } } })],
      [
        'FormData with role=superadmin',
        (id: string) =>
          formOf([
            ['id', id],
            ['reason', REASON],
            ['role', 'superadmin'],
          ]),
      ],
      [
        'FormData with a duplicate id',
        (id: string) =>
          formOf([
            ['id', id],
            ['reason', REASON],
            ['id', 'someone-else'],
          ]),
      ],
      [
        'FormData with a duplicate reason',
        (id: string) =>
          formOf([
            ['id', id],
            ['reason', REASON],
            ['reason', 'x'],
          ]),
      ],
      [
        'FormData with __proto__',
        (id: string) =>
          formOf([
            ['id', id],
            ['reason', REASON],
            ['__proto__', 'x'],
          ]),
      ],
    ] as const)('T27 suspend with an extra field (%s) as an admin: VALIDATION, the row unchanged', async (_label, build) => {
      const admin = await h.caller('admin');
      const target = await h.caller('support');
      const before = await h.userState(target.user!.id);
      const { result, correlationId } = await h.call(admin, suspendUserAction, build(target.user!.id));
      expect(result).toMatchObject({ ok: false, code: 'VALIDATION' });
      expect(await h.userState(target.user!.id)).toEqual(before);
      expect((await h.eventsOf(correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
      expect(({} as Record<string, unknown>).role).toBeUndefined();
    });

    it('T27 role change and invite with extra fields: VALIDATION, nothing written', async () => {
      const admin = await h.caller('admin');
      const target = await h.caller('member');
      const before = await h.userState(target.user!.id);
      const changed = await h.call(admin, changeUserRoleAction, {
        id: target.user!.id,
        role: 'support',
        reason: REASON,
        status: 'disabled',
      });
      expect(changed.result).toMatchObject({ ok: false, code: 'VALIDATION' });
      expect(await h.userState(target.user!.id)).toEqual(before);

      const email = `t27-${Date.now()}@int.warden.test`;
      for (const extra of [
        { passwordHash: 'x' },
        { status: 'disabled' },
        { deletedAt: null },
        { id: 'chosen-id' },
        { sessionVersion: 3 },
      ]) {
        const invited = await h.call(admin, inviteUserAction, { email, name: 'Invited', role: 'member', reason: REASON, ...extra });
        expect(invited.result).toMatchObject({ ok: false, code: 'VALIDATION' });
      }
      expect(await h.db.user.count({ where: { email } })).toBe(0);
    });

    it('T27 a successful call returns only its DTO; list rows carry no secrets or hidden fields', async () => {
      const admin = await h.caller('admin');
      const target = await h.caller('member', { password: 'a long enough integration passphrase' });
      const input = { id: target.user!.id, reason: REASON };
      const done = await h.call(admin, suspendUserAction, input, { stepUpProof: await h.stepUpProof(admin, 'user.suspend', input) });
      expect(done.result).toEqual({ ok: true, data: { sessionsEnded: 1 } });

      const viewer = await viewerOf(admin);
      const { rows } = await allUsers(viewer, { q: target.user!.email });
      expect(rows).toHaveLength(1);
      expect(Object.keys(rows[0]!).sort()).toEqual(
        ['id', 'name', 'email', 'role', 'status', 'isInvited', 'isLocked', 'lastActiveAt', 'createdAt', 'can'].sort(),
      );
      const detail = await getUserDetail(viewer, target.user!.id);
      const stored = await h.db.user.findUniqueOrThrow({
        where: { id: target.user!.id },
        select: { passwordHash: true, totpSecretEnc: true },
      });
      const text = JSON.stringify(detail);
      for (const secret of [stored.passwordHash!, stored.totpSecretEnc!, target.user!.totpSecret!]) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/passwordHash|totpSecretEnc|tokenHash|sessionVersion/);
    });
  });

  describe('T30 a principal without a valid id never reaches a query', () => {
    it('T30 principalOf refuses a missing, empty, overlong id and a non-console role', () => {
      for (const bad of [
        { userId: undefined as never, role: 'admin' as const },
        { userId: '', role: 'admin' as const },
        { userId: 'x'.repeat(65), role: 'admin' as const },
        { userId: null as never, role: 'superadmin' as const },
        { userId: 'u1', role: 'member' as never },
        { userId: 'u1', role: undefined as never },
      ]) {
        expect(() => principalOf(bad)).toThrow(InvalidPrincipalError);
        expect(() => abilityFor(bad)).toThrow(InvalidPrincipalError);
      }
      expect(principalOf({ userId: 'u1', role: 'admin' })).toEqual({ id: 'u1', role: 'admin', status: 'active', roleSuspended: false });
    });

    it('T30 assertDefinedWhere refuses undefined anywhere, also nested', () => {
      expect(() => assertDefinedWhere({ id: undefined })).toThrow(/where\.id is undefined/);
      expect(() => assertDefinedWhere({ AND: [{ role: 'admin' }, { user: { is: { id: undefined } } }] })).toThrow(/undefined/);
      expect(() => assertDefinedWhere(undefined)).toThrow();
      expect(() => assertDefinedWhere({ id: { not: 'u1' }, deletedAt: null, createdAt: { lt: new Date() } })).not.toThrow();
    });

    it('T30 scopedWhere of every role, action and subject contains no undefined', () => {
      const ACTIONS: PolicyAction[] = [
        'read',
        'create',
        'update',
        'change_role',
        'grant_privileged_role',
        'suspend',
        'reactivate',
        'disable',
        'delete',
        'reset_mfa',
        'unlock',
        'revoke_sessions',
        'revoke',
        'use_own_session',
        'manage_own_security',
      ];
      const SUBJECTS: PolicySubject[] = ['User', 'Session', 'RoleState', 'AuditEvent', 'Ticket', 'ConfigEntry'];
      const undefinedPaths = (value: unknown, path: string): string[] => {
        if (value === undefined) return [path];
        if (value === null || typeof value !== 'object' || value instanceof Date) return [];
        return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${path}.${k}`));
      };
      let checked = 0;
      for (const role of CONSOLE_ROLES) {
        const ability = abilityFor({ userId: `user-${role}`, role });
        for (const action of ACTIONS) {
          for (const subject of SUBJECTS) {
            const where = scopedWhere(ability, action, subject, { id: { not: 'x' } });
            expect(undefinedPaths(where, 'where'), `${role} ${action} ${subject}`).toEqual([]);
            expect(undefinedPaths(accessibleWhere(ability, action, subject), 'where')).toEqual([]);
            checked += 1;
          }
        }
      }
      expect(checked).toBe(CONSOLE_ROLES.length * ACTIONS.length * SUBJECTS.length);
      expect(() => scopedWhere(abilityFor({ userId: 'u1', role: 'admin' }), 'read', 'User', { id: undefined })).toThrow(/undefined/);
      expect(ROLES).toContain('member');
    });

    it('T30 a Viewer with an empty or missing id is refused by every DAL read before it queries', async () => {
      const real = await viewerOf(await h.caller('superadmin'));
      for (const userId of ['', undefined as never]) {
        const corrupt: Viewer = { ...real, userId };
        await expect(listUsers(corrupt, UserListQuerySchema.parse({}))).rejects.toBeInstanceOf(InvalidPrincipalError);
        await expect(getUserDetail(corrupt, real.userId)).rejects.toBeInstanceOf(InvalidPrincipalError);
        await expect(listSessions(corrupt, SessionListQuerySchema.parse({}))).rejects.toBeInstanceOf(InvalidPrincipalError);
        await expect(listRoleStates(corrupt)).rejects.toBeInstanceOf(InvalidPrincipalError);
        await expect(countUsersByRole(corrupt)).rejects.toBeInstanceOf(InvalidPrincipalError);
      }
    });

    it('T30 a session whose user id the principal schema refuses: the action answers FORBIDDEN (audited invalid_principal) and changes nothing', async () => {
      const odd = await h.createUser({ role: 'admin', id: `u${'x'.repeat(70)}` });
      const caller = await h.signIn(odd);
      const target = await h.caller('member');
      const before = await h.userState(target.user!.id);
      const { result, correlationId } = await h.call(caller, unlockUserAction, { id: target.user!.id, reason: REASON });
      expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await h.userState(target.user!.id)).toEqual(before);
      expect((await h.eventsOf(correlationId)).filter((e) => e.operation === 'user.unlock')).toEqual([
        expect.objectContaining({ outcome: 'denied', reasonCode: 'invalid_principal', actorId: odd.id }),
      ]);
    });
  });

  it('T43 the audit chain verifies after everything above', async () => {
    const chain = await verifyChain(h.db);
    expect(chain).toMatchObject({ ok: true, count: await h.db.auditEvent.count() });
  });
});

function formOf(entries: [string, string][]): FormData {
  const form = new FormData();
  for (const [key, value] of entries) form.append(key, value);
  return form;
}
