import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signInAction } from '@/app/(auth)/sign-in/_actions/sign-in';
import { beginStepUpAction } from '@/app/(console)/_actions/begin-step-up';
import { revokeOtherSessionsAction } from '@/app/(console)/account/sessions/_actions/revoke-other-sessions';
import { reactivateRoleAction } from '@/app/(console)/roles/_actions/reactivate-role';
import { suspendRoleAction } from '@/app/(console)/roles/_actions/suspend-role';
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
import { getViewer } from '@/lib/auth/viewer';
import { log } from '@/lib/log';
import { POLICY_VERSION } from '@/lib/policy-version';
import { OPERATIONS, operation, signatureRequired, type OperationDefinition, type OperationId } from '@/policies/operations';
import type { Role } from '@/policies/roles';
import { ActionHarness, REFUSAL_CODES, type ServerAction } from '../helpers/action-harness';
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

const REASON = 'Integration test of user administration';
const PASSWORD = 'a long enough integration passphrase';

/** A target of a destructive operation: the input naming it, and what must not change when the call is refused. */
interface Prepared {
  input: Record<string, unknown>;
  snapshot: () => Promise<unknown>;
}

interface Destructive {
  op: OperationId;
  action: ServerAction;
  /** The least role the policy lets do it (T24: with that role but no step-up proof). */
  allowed: 'admin' | 'superadmin';
  prepare: (h: ActionHarness) => Promise<Prepared>;
}

async function memberTarget(
  h: ActionHarness,
  opts: { status?: 'active' | 'suspended'; locked?: boolean; confirm?: boolean; extra?: Record<string, unknown> } = {},
): Promise<Prepared> {
  const target = await h.caller('member', { status: opts.status, locked: opts.locked });
  const user = target.user!;
  return {
    input: { id: user.id, reason: REASON, ...(opts.confirm ? { confirmEmail: user.email } : {}), ...opts.extra },
    snapshot: () => h.userState(user.id),
  };
}

async function roleTarget(h: ActionHarness, role: Role, suspended: boolean): Promise<Prepared> {
  await h.setRoleSuspended(role, suspended);
  return {
    input: { role, reason: REASON },
    snapshot: async () => (await h.db.roleState.findUnique({ where: { role }, select: { suspended: true } }))?.suspended ?? false,
  };
}

/** Every destructive operation, with a target that a permitted caller could really change. */
const DESTRUCTIVE: Destructive[] = [
  { op: 'user.suspend', action: suspendUserAction, allowed: 'admin', prepare: (h) => memberTarget(h) },
  { op: 'user.reactivate', action: reactivateUserAction, allowed: 'admin', prepare: (h) => memberTarget(h, { status: 'suspended' }) },
  { op: 'user.disable', action: disableUserAction, allowed: 'admin', prepare: (h) => memberTarget(h) },
  { op: 'user.delete', action: deleteUserAction, allowed: 'admin', prepare: (h) => memberTarget(h, { confirm: true }) },
  { op: 'user.reset_mfa', action: resetUserMfaAction, allowed: 'admin', prepare: (h) => memberTarget(h, { confirm: true }) },
  { op: 'user.unlock', action: unlockUserAction, allowed: 'admin', prepare: (h) => memberTarget(h, { locked: true }) },
  { op: 'user.revoke_sessions', action: revokeUserSessionsAction, allowed: 'admin', prepare: (h) => memberTarget(h) },
  {
    op: 'user.role_change',
    action: changeUserRoleAction,
    allowed: 'admin',
    prepare: (h) => memberTarget(h, { extra: { role: 'support' } }),
  },
  {
    op: 'user.role_grant_privileged',
    action: grantPrivilegedRoleAction,
    allowed: 'superadmin',
    prepare: (h) => memberTarget(h, { extra: { role: 'admin' } }),
  },
  {
    op: 'session.revoke_user',
    action: revokeUserSessionAction,
    allowed: 'admin',
    prepare: async (h) => {
      const owner = await h.caller('member');
      const id = owner.sessionId!;
      return {
        input: { id, reason: REASON },
        snapshot: () => h.db.session.findUniqueOrThrow({ where: { id }, select: { revokedAt: true } }),
      };
    },
  },
  { op: 'role.suspend', action: suspendRoleAction, allowed: 'superadmin', prepare: (h) => roleTarget(h, 'admin', false) },
  { op: 'role.reactivate', action: reactivateRoleAction, allowed: 'superadmin', prepare: (h) => roleTarget(h, 'admin', true) },
  {
    op: 'user.invite',
    action: inviteUserAction,
    allowed: 'admin',
    prepare: async (h) => {
      const email = `invited-${Math.random().toString(36).slice(2, 10)}@int.warden.test`;
      return {
        input: { email, name: 'Invited person', role: 'member', reason: REASON },
        snapshot: () => h.db.user.count({ where: { email } }),
      };
    },
  },
];

/** Polls until `check` holds (at most 10 s). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting for a condition');
}

/** The input as an HTML form would post it (T24: "curl-style" posts carry FormData). */
function asFormData(input: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(input)) form.append(key, String(value));
  return form;
}

describe.each(testProviders())('user administration through the real server actions on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'useradmin');
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  async function resetRoles() {
    await h.db.roleState.updateMany({ data: { suspended: false, suspendedAt: null } });
  }

  /** The single event `op` wrote under this correlation id. */
  async function onlyEventOf(correlationId: string, op: OperationId) {
    const events = (await h.eventsOf(correlationId)).filter((e) => e.operation === op);
    expect(events).toHaveLength(1);
    return events[0]!;
  }

  async function proofUnspent(proof: string) {
    const row = await h.db.stepUpProof.findUniqueOrThrow({ where: { tokenHash: hashToken(proof) }, select: { usedAt: true } });
    expect(row.usedAt).toBeNull();
  }

  describe('T24 a destructive action posted directly with a permitted role but no step-up proof', () => {
    const stepUpOps = DESTRUCTIVE.filter((d) => operation(d.op).stepUp && operation(d.op).approval === 'none');

    it('T24 covers every step-up operation on a record or a new record, and HS31 every operation on one', () => {
      const onRecords = (Object.values(OPERATIONS) as OperationDefinition[]).filter(
        // Audited reads (readOnly) change nothing, so they are not destructive; the matrix test covers them.
        // Ticket operations have their own suite (tests/integration/support-desk.int.test.ts); configuration,
        // approvals and key rotation theirs (config, approvals, key-rotation-approval), and the T25 matrix
        // posts each of their step-up cells without a proof first (STEP_UP_REQUIRED, nothing changed).
        (o) =>
          o.audience === 'viewer' &&
          (o.target === 'record' || o.target === 'draft') &&
          !o.readOnly &&
          ['User', 'Session', 'RoleState'].includes(o.ability?.[1] ?? '') &&
          // Ending every session at once is containment (incidents.int.test.ts, operation-limits.int.test.ts).
          o.id !== 'session.revoke_all',
      );
      expect(DESTRUCTIVE.map((d) => d.op).sort()).toEqual(onRecords.map((o) => o.id).sort());
      expect(stepUpOps.map((d) => d.op).sort()).toEqual(
        onRecords
          .filter((o) => o.stepUp && o.approval === 'none')
          .map((o) => o.id)
          .sort(),
      );
    });

    it.each(stepUpOps.map((d) => [d.op, d] as const))('T24 %s: STEP_UP_REQUIRED, audited, nothing changed', async (_op, d) => {
      try {
        const caller = await h.caller(d.allowed);
        const target = await d.prepare(h);
        const before = await target.snapshot();

        const bare = await h.call(caller, d.action, asFormData(target.input));
        expect(bare.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
        expect(await onlyEventOf(bare.correlationId, d.op)).toMatchObject({
          outcome: 'denied',
          reasonCode: 'step_up_required',
          actorId: caller.user!.id,
          actorRole: d.allowed,
          policyVersion: POLICY_VERSION,
        });

        // A real proof, but for a different input (another reason), is no proof for this one.
        const elsewhere = await h.stepUpProof(caller, d.op, { ...target.input, reason: `${REASON} (another call)` });
        const mismatched = await h.call(caller, d.action, asFormData(target.input), { stepUpProof: elsewhere });
        expect(mismatched.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
        await proofUnspent(elsewhere);
        // A made-up proof neither.
        const forged = await h.call(caller, d.action, asFormData(target.input), { stepUpProof: 'A'.repeat(43) });
        expect(forged.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });

        expect(await target.snapshot()).toEqual(before);
      } finally {
        await resetRoles();
      }
    });
  });

  describe('T24 HS31 every destructive operation as a lower role', () => {
    it.each(DESTRUCTIVE.flatMap((d) => (['support', 'auditor'] as const).map((role) => [d.op, role, d] as const)))(
      'T24 HS31 %s as %s: refused, audited with the op and the role, nothing changed (even with a valid proof)',
      async (op, role, d) => {
        try {
          const caller = await h.caller(role);
          const target = await d.prepare(h);
          const before = await target.snapshot();
          const proof = operation(op).stepUp ? await h.stepUpProof(caller, op, target.input) : undefined;
          const { result, correlationId } = await h.call(caller, d.action, target.input, proof ? { stepUpProof: proof } : undefined);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(REFUSAL_CODES).toContain(result.code);
          expect(await onlyEventOf(correlationId, op)).toMatchObject({
            outcome: 'denied',
            reasonCode: expect.stringMatching(/^(forbidden|not_found)$/),
            actorId: caller.user!.id,
            actorRole: role,
            actorSessionId: caller.sessionId,
          });
          expect((await h.eventsOf(correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
          expect(await target.snapshot()).toEqual(before);
          if (proof) await proofUnspent(proof);
        } finally {
          await resetRoles();
        }
      },
    );
  });

  describe('T19 revoking and disabling take effect at once', () => {
    it('T19 after "revoke all sessions" every cookie of X is refused; after "disable" X cannot sign in again', async () => {
      const admin = await h.caller('admin');
      const x = await h.createUser({ role: 'auditor', password: PASSWORD });
      const browserB = await h.signIn(x);
      const browserC = await h.signIn(x);

      // X's session works before: an action that needs a viewer succeeds.
      const probe = { operation: 'user.suspend', input: { id: admin.user!.id, reason: REASON } };
      expect((await h.call(browserB, beginStepUpAction, probe)).result).toMatchObject({ ok: true });

      const revokeInput = { id: x.id, reason: REASON };
      const revoked = await h.call(admin, revokeUserSessionsAction, revokeInput, {
        stepUpProof: await h.stepUpProof(admin, 'user.revoke_sessions', revokeInput),
      });
      expect(revoked.result).toEqual({ ok: true, data: { sessionsEnded: 2 } });
      const revokeEvent = await onlyEventOf(revoked.correlationId, 'user.revoke_sessions');
      expect(revokeEvent).toMatchObject({ outcome: 'success', actorId: admin.user!.id, targetId: x.id, reason: REASON });
      expect(JSON.parse(revokeEvent.details)).toMatchObject({ sessionsEnded: 2, stepUp: true });

      for (const browser of [browserB, browserC]) {
        for (const [action, input] of [
          [beginStepUpAction, probe],
          [revokeOtherSessionsAction, {}],
          [suspendUserAction, { id: admin.user!.id, reason: REASON }],
        ] as const) {
          expect((await h.call(browser, action as ServerAction, input)).result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
        }
        expect(await h.as(browser, () => getViewer())).toBeNull();
      }

      // X signs in again (a new session), and the password still works.
      const browserD = await h.signIn(x);
      expect(await h.as(browserD, () => getViewer())).toMatchObject({ userId: x.id, sessionId: browserD.sessionId });
      const signInBefore = await h.call(h.anonymous(), signInAction, { email: x.email, password: PASSWORD });
      expect(signInBefore.result).toEqual({ ok: true, data: { redirectTo: '/sign-in/verify' } });

      const disableInput = { id: x.id, reason: REASON };
      const disabled = await h.call(admin, disableUserAction, disableInput, {
        stepUpProof: await h.stepUpProof(admin, 'user.disable', disableInput),
      });
      expect(disabled.result).toEqual({ ok: true, data: { sessionsEnded: 1 } });
      const disableEvent = await onlyEventOf(disabled.correlationId, 'user.disable');
      expect(JSON.parse(disableEvent.details)).toMatchObject({
        sessionsEnded: 1,
        before: { status: 'active' },
        after: { status: 'disabled' },
      });

      expect((await h.call(browserD, beginStepUpAction, probe)).result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
      expect(await h.as(browserD, () => getViewer())).toBeNull();

      // The right password no longer signs X in; the answer is the generic one, the cause is in the trail.
      const signInAfter = await h.call(h.anonymous(), signInAction, { email: x.email, password: PASSWORD });
      expect(signInAfter.result).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS' });
      expect(await onlyEventOf(signInAfter.correlationId, 'auth.sign_in')).toMatchObject({
        outcome: 'denied',
        reasonCode: 'account_disabled',
        targetId: x.id,
      });
      expect(await h.liveSessions(x.id)).toBe(0);
    });
  });

  describe('T19 an action already in flight', () => {
    // PostgreSQL only: the action is held at the audit chain lock (a row lock) while
    // its session is revoked. SQLite has one writer and this client one connection,
    // so a second transaction cannot be open while the action waits.
    it.skipIf(provider === 'sqlite')(
      'T19 an action past its session check fails when its session is revoked before it commits',
      async () => {
        const x = await h.caller('admin');
        const target = await h.caller('member');
        const input = { id: target.user!.id, reason: REASON };
        const proof = await h.stepUpProof(x, 'user.suspend', input);
        const before = await h.userState(target.user!.id);
        let inFlight: ReturnType<typeof h.call> | undefined;
        await h.db.$transaction(
          async (tx) => {
            await tx.$executeRaw`UPDATE "AuditLock" SET "appends" = "appends" WHERE "id" = 1`;
            inFlight = h.call(x, suspendUserAction, input, { stepUpProof: proof });
            // Spent proof = the action passed getViewer and the step-up check; it now waits for the lock.
            await until(async () => (await h.db.stepUpProof.findUniqueOrThrow({ where: { tokenHash: hashToken(proof) } })).usedAt !== null);
            await tx.session.update({ where: { id: x.sessionId! }, data: { revokedAt: new Date(), revokedReason: 'revoked_by_admin' } });
          },
          { timeout: 20_000 },
        );
        const { result } = await inFlight!;
        expect(result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
        expect(await h.userState(target.user!.id)).toEqual(before);
      },
    );
  });

  describe('T42 a failing audit write rolls the whole change back', () => {
    /** Captures what actions log at error level (the fallback channel), by correlation id. */
    function captureErrorLogs() {
      const errors: { correlationId: unknown; obj: unknown; msg: unknown }[] = [];
      const realChild = log.child.bind(log);
      const spy = vi.spyOn(log, 'child').mockImplementation((bindings, options) => {
        const child = realChild(bindings, options);
        child.error = ((obj: unknown, msg: unknown) => {
          errors.push({ correlationId: bindings.correlationId, obj, msg });
        }) as typeof child.error;
        return child;
      });
      return { errors, restore: () => spy.mockRestore() };
    }

    const INJECTIONS = {
      /** The append's lock row is gone: appends refuse (lock_row_missing) before anything is written. */
      'the audit lock row is missing': {
        install: async (h: ActionHarness) => {
          const row = await h.db.auditLock.findUniqueOrThrow({ where: { id: 1 } });
          await h.db.$executeRawUnsafe('DELETE FROM "AuditLock"');
          return async () => {
            await h.db.auditLock.create({ data: row });
          };
        },
      },
      /** The INSERT of the event itself fails, after the user and session rows were already changed in the transaction. */
      'the audit INSERT fails': {
        install: async (h: ActionHarness) => {
          if (h.provider === 'sqlite') {
            await h.db.$executeRawUnsafe(
              'CREATE TRIGGER "t42_audit_insert_fails" BEFORE INSERT ON "AuditEvent" BEGIN SELECT RAISE(ABORT, \'t42 injected audit failure\'); END',
            );
            return async () => {
              await h.db.$executeRawUnsafe('DROP TRIGGER "t42_audit_insert_fails"');
            };
          }
          await h.db.$executeRawUnsafe(
            "CREATE FUNCTION t42_audit_insert_fails() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 't42 injected audit failure'; END $$",
          );
          await h.db.$executeRawUnsafe(
            'CREATE TRIGGER t42_audit_insert_fails BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION t42_audit_insert_fails()',
          );
          return async () => {
            await h.db.$executeRawUnsafe('DROP TRIGGER t42_audit_insert_fails ON "AuditEvent"');
            await h.db.$executeRawUnsafe('DROP FUNCTION t42_audit_insert_fails()');
          };
        },
      },
    } as const;

    const CASES = [
      { op: 'user.delete', action: deleteUserAction, confirm: true },
      { op: 'user.revoke_sessions', action: revokeUserSessionsAction, confirm: false },
    ] as const;

    it.each(CASES.flatMap((c) => Object.keys(INJECTIONS).map((how) => [c.op, how as keyof typeof INJECTIONS, c] as const)))(
      'T42 %s when %s: INTERNAL with a correlation id, nothing changed, the failure logged',
      async (op, how, c) => {
        const admin = await h.caller('admin');
        // A critical operation is passkey-signed: the passkey exists before the counts below.
        if (signatureRequired(operation(op))) await h.ensurePasskey(admin);
        const target = await h.caller('support');
        await h.signIn(target.user!);
        const input = { id: target.user!.id, reason: REASON, ...(c.confirm ? { confirmEmail: target.user!.email } : {}) };
        const before = await h.userState(target.user!.id);
        const head = await h.db.auditEvent.count();
        // The proof is obtained while the trail still works (issuing one is audited too).
        const proof = await h.stepUpProof(admin, op, input);
        const headWithProof = await h.db.auditEvent.count();
        expect(headWithProof).toBe(head + 1);

        const logs = captureErrorLogs();
        const uninstall = await INJECTIONS[how].install(h);
        let called: Awaited<ReturnType<typeof h.call>>;
        try {
          called = await h.call(admin, c.action as ServerAction, input, { stepUpProof: proof });
        } finally {
          await uninstall();
          logs.restore();
        }

        const { result, correlationId } = called;
        expect(result).toMatchObject({ ok: false, code: 'INTERNAL', correlationId });
        if (!result.ok) {
          expect(result.message).toContain(correlationId);
          expect(result.message).not.toMatch(/t42|AuditLock|AuditEvent|lock_row_missing|trigger|prisma|sql|Error:|\n\s+at /i);
          expect(Object.keys(result).sort()).toEqual(['code', 'correlationId', 'message', 'ok']);
        }
        expect(await h.userState(target.user!.id)).toEqual(before);
        expect(await h.liveSessions(target.user!.id)).toBe(2);
        expect(await h.db.auditEvent.count()).toBe(headWithProof);
        expect(logs.errors).toEqual([
          expect.objectContaining({ correlationId, msg: 'action failed', obj: expect.objectContaining({ op }) }),
        ]);

        // With the trail working again, the same operation goes through (with a fresh proof: the first was spent).
        const again = await h.call(admin, c.action as ServerAction, input, { stepUpProof: await h.stepUpProof(admin, op, input) });
        expect(again.result).toMatchObject({ ok: true });
        expect(await h.liveSessions(target.user!.id)).toBe(0);
      },
    );
  });

  describe('T28 T43 superadmins and privileged roles', () => {
    const grant = { action: grantPrivilegedRoleAction, op: 'user.role_grant_privileged' } as const;
    const change = { action: changeUserRoleAction, op: 'user.role_change' } as const;
    it.each([
      // An admin may not grant a privileged role, through either door.
      { name: 'an admin grants superadmin', by: 'admin', on: 'member', ...grant, role: 'superadmin', code: 'FORBIDDEN' },
      {
        name: 'an admin makes a member superadmin by a role change',
        by: 'admin',
        on: 'member',
        ...change,
        role: 'superadmin',
        code: 'FORBIDDEN',
      },
      { name: 'an admin makes a member admin by a role change', by: 'admin', on: 'member', ...change, role: 'admin', code: 'FORBIDDEN' },
      { name: 'an admin demotes a superadmin', by: 'admin', on: 'superadmin', ...change, role: 'auditor', code: 'NOT_FOUND|FORBIDDEN' },
      // A superadmin's grant needs a second person: the call only freezes a request (approvals.int.test.ts approves them).
      { name: 'a superadmin grants admin', by: 'superadmin', on: 'member', ...grant, role: 'admin', code: 'APPROVAL_REQUIRED' },
      {
        name: 'a superadmin demotes another superadmin',
        by: 'superadmin',
        on: 'superadmin',
        ...grant,
        role: 'admin',
        code: 'APPROVAL_REQUIRED',
      },
      // Nobody changes their own role.
      { name: 'an admin changes its own role', by: 'admin', on: 'self', ...change, role: 'auditor', code: 'FORBIDDEN' },
      { name: 'a superadmin changes its own role', by: 'superadmin', on: 'self', ...grant, role: 'admin', code: 'FORBIDDEN' },
      { name: 'an auditor changes its own role', by: 'auditor', on: 'self', ...change, role: 'support', code: 'NOT_FOUND|FORBIDDEN' },
    ] as const)('T28 $name → $code, audited, nothing changed', async ({ by, on, action, op, role, code }) => {
      const caller = await h.caller(by);
      const target = on === 'self' ? caller : await h.caller(on);
      const input = { id: target.user!.id, role, reason: REASON };
      if (signatureRequired(operation(op))) await h.ensurePasskey(caller);
      const before = await h.userState(target.user!.id);
      const proof = await h.stepUpProof(caller, op, input);
      const { result, correlationId } = await h.call(caller, action as ServerAction, input, { stepUpProof: proof });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(code.split('|')).toContain(result.code);
      if (code === 'APPROVAL_REQUIRED') {
        // The requester's step-up was spent on the request; nothing else happened.
        const id = (result as { approval?: { id: string } }).approval?.id;
        expect(await h.db.approvalRequest.findUniqueOrThrow({ where: { id: id ?? '-' } })).toMatchObject({
          operation: op,
          status: 'pending',
          requesterId: caller.user!.id,
          beneficiaryId: target.user!.id,
        });
        expect((await h.eventsOf(correlationId)).filter((e) => e.operation === op)).toEqual([]);
        expect(await onlyEventOf(correlationId, 'approval.request' as OperationId)).toMatchObject({
          outcome: 'success',
          actorId: caller.user!.id,
          targetType: 'ApprovalRequest',
          targetId: id,
        });
      } else {
        expect(await onlyEventOf(correlationId, op)).toMatchObject({
          outcome: 'denied',
          actorId: caller.user!.id,
          reasonCode: expect.stringMatching(/^(forbidden|not_found)$/),
        });
        await proofUnspent(proof);
      }
      expect(await h.userState(target.user!.id)).toEqual(before);
    });

    const PAIRS = [
      ['suspend', 'suspend'],
      ['disable', 'disable'],
      ['delete', 'delete'],
      ['suspend', 'delete'],
      ['disable', 'suspend'],
    ] as const;
    const REMOVALS = {
      suspend: { op: 'user.suspend', action: suspendUserAction },
      disable: { op: 'user.disable', action: disableUserAction },
      delete: { op: 'user.delete', action: deleteUserAction },
    } as const;

    it.each(PAIRS)(
      'T28 T43 the last two active superadmins remove each other at once (A %s B ‖ B %s A): at most one succeeds',
      async (aDoes, bDoes) => {
        // Exactly two active superadmins in the whole database.
        await h.db.user.updateMany({ where: { role: 'superadmin', status: 'active' }, data: { status: 'disabled' } });
        const a = await h.caller('superadmin');
        const b = await h.caller('superadmin');
        expect(await h.db.user.count({ where: { role: 'superadmin', status: 'active', deletedAt: null } })).toBe(2);

        const plan = [
          { by: a, on: b, ...REMOVALS[aDoes] },
          { by: b, on: a, ...REMOVALS[bDoes] },
        ];
        const calls = await Promise.all(
          plan.map(async (p) => {
            const input = {
              id: p.on.user!.id,
              reason: REASON,
              ...(p.op === 'user.delete' ? { confirmEmail: p.on.user!.email } : {}),
            };
            return { ...p, input, proof: await h.stepUpProof(p.by, p.op, input) };
          }),
        );
        const results = await Promise.all(calls.map((c) => h.call(c.by, c.action as ServerAction, c.input, { stepUpProof: c.proof })));

        const succeeded = results.filter((r) => r.result.ok);
        expect(succeeded.length).toBeLessThanOrEqual(1);
        for (const r of results) {
          if (!r.result.ok) expect(['CONFLICT', 'UNAUTHENTICATED']).toContain(r.result.code);
        }
        expect(await h.db.user.count({ where: { role: 'superadmin', status: 'active', deletedAt: null } })).toBeGreaterThanOrEqual(1);
        // The trail says the same as the rows: one success at most, for the removal that happened.
        const successes = (await Promise.all(results.map((r) => h.eventsOf(r.correlationId))))
          .flat()
          .filter((e) => e.outcome === 'success');
        expect(successes).toHaveLength(succeeded.length);
      },
    );
  });

  it('T43 the audit chain verifies after everything above', async () => {
    const chain = await verifyChain(h.db);
    expect(chain).toMatchObject({ ok: true, count: await h.db.auditEvent.count() });
  });
});
