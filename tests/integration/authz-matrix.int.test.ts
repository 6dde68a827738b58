import fs from 'node:fs';
import path from 'node:path';
import { lookupPersonalDataAction } from '@/app/(console)/audit/_actions/lookup-personal-data';
import { verifyTrailAction } from '@/app/(console)/audit/_actions/verify-trail';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { beginStepUpAction } from '@/app/(console)/_actions/begin-step-up';
import { completeStepUpAction } from '@/app/(console)/_actions/complete-step-up';
import { signOutAction } from '@/app/(console)/_actions/sign-out';
import { beginPasskeyRegistrationAction } from '@/app/(console)/account/security/_actions/begin-passkey-registration';
import { changePasswordAction } from '@/app/(console)/account/security/_actions/change-password';
import { disableTotpAction } from '@/app/(console)/account/security/_actions/disable-totp';
import { enableTotpAction } from '@/app/(console)/account/security/_actions/enable-totp';
import { finishPasskeyRegistrationAction } from '@/app/(console)/account/security/_actions/finish-passkey-registration';
import { generateRecoveryCodesAction } from '@/app/(console)/account/security/_actions/generate-recovery-codes';
import { removePasskeyAction } from '@/app/(console)/account/security/_actions/remove-passkey';
import { renamePasskeyAction } from '@/app/(console)/account/security/_actions/rename-passkey';
import { revokeOtherSessionsAction } from '@/app/(console)/account/sessions/_actions/revoke-other-sessions';
import { revokeSessionAction } from '@/app/(console)/account/sessions/_actions/revoke-session';
import { reactivateRoleAction } from '@/app/(console)/roles/_actions/reactivate-role';
import { suspendRoleAction } from '@/app/(console)/roles/_actions/suspend-role';
import { assignTicketAction } from '@/app/(console)/tickets/_actions/assign-ticket';
import { commentOnTicketAction } from '@/app/(console)/tickets/_actions/comment-on-ticket';
import { requestRequesterMfaResetAction } from '@/app/(console)/tickets/_actions/request-requester-mfa-reset';
import { resendRequesterInvitationAction } from '@/app/(console)/tickets/_actions/resend-requester-invitation';
import { revealRequesterFieldAction } from '@/app/(console)/tickets/_actions/reveal-requester-field';
import { sendRequesterPasswordResetAction } from '@/app/(console)/tickets/_actions/send-requester-password-reset';
import { setTicketStatusAction } from '@/app/(console)/tickets/_actions/set-ticket-status';
import { unassignTicketAction } from '@/app/(console)/tickets/_actions/unassign-ticket';
import { unlockRequesterAction } from '@/app/(console)/tickets/_actions/unlock-requester';
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
import { hashPassword } from '@/lib/auth/password';
import { hashToken } from '@/lib/auth/tokens';
import { POLICY_VERSION } from '@/lib/policy-version';
import { computeMatrix, MATRIX_PRINCIPALS, principalFor, scopesFor, type MatrixPrincipal, type MatrixScope } from '@/policies/matrix';
import { OPERATIONS, operation, type OperationDefinition, type OperationId } from '@/policies/operations';
import type { Role } from '@/policies/roles';
import { ActionHarness, REFUSAL_CODES, type Caller, type ServerAction } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

// lib/env validates and caches process.env on first use, which happens while the
// imports above load (lib/log): the deployment is fixed before them. The outbox
// (links sent to requesters) is a fresh directory of this run, which the app creates.
const OUTBOX = vi.hoisted(() => {
  const outbox = `${process.env.TMPDIR ?? '/tmp'}/warden-outbox-t25-${globalThis.crypto.randomUUID()}`;
  vi.stubEnv('WARDEN_OUTBOX_DIR', outbox);
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
  return outbox;
});
// Only the framework's request scope is replaced (tests/helpers/action-harness.ts).
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

/**
 * T25: every cell of policies/matrix.ts (role × operation × scope) run through
 * the real server action, against a real database, on every provider. The
 * matrix is the expectation; the action, its DAL transaction and its audit
 * event are what is checked.
 */

const REASON = 'T25 matrix: checking the decision';

/** Every catalog operation on a record or a new record, and the server action that performs it. */
const RECORD_ACTIONS: Record<string, ServerAction> = {
  'user.invite': inviteUserAction,
  'user.role_change': changeUserRoleAction,
  'user.role_grant_privileged': grantPrivilegedRoleAction,
  'user.suspend': suspendUserAction,
  'user.reactivate': reactivateUserAction,
  'user.disable': disableUserAction,
  'user.delete': deleteUserAction,
  'user.reset_mfa': resetUserMfaAction,
  'user.unlock': unlockUserAction,
  'user.revoke_sessions': revokeUserSessionsAction,
  'session.revoke_user': revokeUserSessionAction,
  'role.suspend': suspendRoleAction,
  'role.reactivate': reactivateRoleAction,
  'audit.pii_lookup': lookupPersonalDataAction,
  'audit.verify': verifyTrailAction,
  'ticket.comment': commentOnTicketAction,
  'ticket.set_status': setTicketStatusAction,
  'ticket.assign': assignTicketAction,
  'ticket.unassign_self': unassignTicketAction,
  'ticket.reveal_requester_field': revealRequesterFieldAction,
  'ticket.unlock_requester': unlockRequesterAction,
  'ticket.request_requester_mfa_reset': requestRequesterMfaResetAction,
  'ticket.resend_requester_invitation': resendRequesterInvitationAction,
  'ticket.send_requester_password_reset': sendRequesterPasswordResetAction,
};

/**
 * Operations on the caller's own account, each action with a well-formed input
 * (so that the refusal comes from authentication, not from validation). Their
 * success paths are tested with the account pages; here the columns that must
 * get nothing are checked.
 */
const SELF_ACTIONS: Record<string, { name: string; action: ServerAction; input: (c: Caller) => unknown }[]> = {
  'auth.sign_out': [{ name: 'signOutAction', action: signOutAction, input: () => ({}) }],
  'auth.step_up': [
    {
      name: 'beginStepUpAction',
      action: beginStepUpAction,
      input: () => ({ operation: 'user.suspend', input: { id: 'someone', reason: REASON } }),
    },
    {
      name: 'completeStepUpAction',
      action: completeStepUpAction,
      input: () => ({
        operation: 'user.suspend',
        input: { id: 'someone', reason: REASON },
        evidence: { method: 'totp', challengeId: 'A'.repeat(43), code: '123456' },
      }),
    },
  ],
  'session.revoke_own': [
    { name: 'revokeSessionAction', action: revokeSessionAction, input: (c) => ({ sessionId: c.sessionId ?? 'nosession1' }) },
  ],
  'session.revoke_own_others': [{ name: 'revokeOtherSessionsAction', action: revokeOtherSessionsAction, input: () => ({}) }],
  'account.totp_enable': [
    { name: 'enableTotpAction', action: enableTotpAction, input: () => ({ sealed: 'v1:k0:sealed-seed', code: '123456' }) },
  ],
  'account.totp_disable': [{ name: 'disableTotpAction', action: disableTotpAction, input: () => ({}) }],
  'account.passkey_register': [
    { name: 'beginPasskeyRegistrationAction', action: beginPasskeyRegistrationAction, input: () => ({ name: 'Laptop' }) },
  ],
  'account.passkey_register_finish': [
    {
      name: 'finishPasskeyRegistrationAction',
      action: finishPasskeyRegistrationAction,
      input: () => ({
        name: 'Laptop',
        response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' } },
      }),
    },
  ],
  'account.passkey_rename': [{ name: 'renamePasskeyAction', action: renamePasskeyAction, input: () => ({ id: 'passkey1', name: 'Desk' }) }],
  'account.passkey_remove': [{ name: 'removePasskeyAction', action: removePasskeyAction, input: () => ({ id: 'passkey1' }) }],
  'account.recovery_codes_generate': [{ name: 'generateRecoveryCodesAction', action: generateRecoveryCodesAction, input: () => ({}) }],
  'account.password_change': [
    {
      name: 'changePasswordAction',
      action: changePasswordAction,
      input: () => ({
        currentPassword: 'the current passphrase',
        newPassword: 'a brand new long passphrase',
        confirmPassword: 'a brand new long passphrase',
        signOutOthers: true,
      }),
    },
  ],
};

// The anonymous operations (auth.sign_in, auth.second_factor, user.invite_accept,
// account.password_reset) have one "public" cell each, allowed for every column:
// the token or the credentials are what is checked, in their own test files.
const ALL_OPS = Object.values(OPERATIONS) as OperationDefinition[];
const RECORD_OPS = ALL_OPS.filter((o) => o.audience === 'viewer' && (o.target === 'record' || o.target === 'draft')).map(
  (o) => o.id as OperationId,
);
const SELF_OPS = ALL_OPS.filter((o) => o.audience === 'viewer' && o.target === 'self').map((o) => o.id as OperationId);

const CELLS = computeMatrix();
function cellOf(op: OperationId, scope: string, principal: MatrixPrincipal) {
  const cell = CELLS.find((c) => c.op === op && c.scope === scope && c.principal === principal);
  if (!cell) throw new Error(`policies/matrix has no cell for ${op} / ${scope} / ${principal}`);
  return cell;
}

/** Columns whose caller has a live console session (the others are refused before any rule). */
const LIVE_COLUMNS: readonly MatrixPrincipal[] = ['superadmin', 'admin', 'auditor', 'support'];
/** Columns with a session cookie that the session check must refuse, and anonymous. */
const REFUSED_COLUMNS: readonly MatrixPrincipal[] = ['member', 'suspended-role', 'disabled-user', 'anonymous'];

interface UserState {
  role: string;
  status: string;
  deletedAt: Date | null;
  totpEnabledAt: Date | null;
  totpSecretEnc: string | null;
  lockedAt: Date | null;
  failedLoginCount: number;
  sessions: { id: string; revokedAt: Date | null; revokedReason: string | null }[];
}

function allSessionsEnded(state: UserState, reason: string) {
  expect(state.sessions.length).toBeGreaterThan(0);
  for (const s of state.sessions) expect(s).toMatchObject({ revokedAt: expect.any(Date), revokedReason: reason });
}

/** What each user operation visibly does to its target. */
const USER_EFFECTS: Record<string, (s: UserState, input: Record<string, unknown>) => void> = {
  'user.suspend': (s) => {
    expect(s.status).toBe('suspended');
    allSessionsEnded(s, 'user_suspended');
  },
  'user.reactivate': (s) => expect(s.status).toBe('active'),
  'user.disable': (s) => {
    expect(s.status).toBe('disabled');
    allSessionsEnded(s, 'user_disabled');
  },
  'user.delete': (s) => {
    expect(s.deletedAt).toBeInstanceOf(Date);
    allSessionsEnded(s, 'user_deleted');
  },
  'user.reset_mfa': (s) => {
    expect(s).toMatchObject({ totpEnabledAt: null, totpSecretEnc: null });
    allSessionsEnded(s, 'mfa_reset');
  },
  'user.unlock': (s) => expect(s).toMatchObject({ lockedAt: null, failedLoginCount: 0 }),
  'user.revoke_sessions': (s) => {
    expect(s.status).toBe('active');
    allSessionsEnded(s, 'revoked_by_admin');
  },
  'user.role_change': (s, input) => {
    expect(s.role).toBe(input.role);
    allSessionsEnded(s, 'role_changed');
  },
};

/** A message in the outbox (lib/outbox/spool.ts): its file, headers and body. */
interface SpooledMessage {
  file: string;
  headers: Record<string, string>;
  body: string;
}

/** Every message in the outbox addressed to `to`, oldest first. */
function messagesTo(to: string): SpooledMessage[] {
  if (!fs.existsSync(OUTBOX)) return [];
  return fs
    .readdirSync(OUTBOX)
    .filter((n) => n.endsWith('.eml'))
    .sort()
    .map((file) => {
      const raw = fs.readFileSync(path.join(OUTBOX, file), 'utf8');
      const split = raw.indexOf('\r\n\r\n');
      const headers = Object.fromEntries(
        raw
          .slice(0, split)
          .split('\r\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
      );
      return { file, headers, body: raw.slice(split + 4) };
    })
    .filter((m) => m.headers.To === to);
}

const HOUR_MS = 60 * 60 * 1000;

/** One argon2id hash for every requester that must "have a password" (hashing per cell would be slow). */
let someoneElsesPasswordHash: Promise<string> | undefined;

interface Target {
  input: Record<string, unknown>;
  /** Everything the operation could change about the target, minus side effects of the caller's own session check. */
  snapshot: () => Promise<unknown>;
  /** Checks the change a successful call made. */
  assertChanged: (data: unknown) => Promise<void>;
}

// The outbox of this run holds (test) links: it goes with the run.
afterAll(() => fs.rmSync(OUTBOX, { recursive: true, force: true }));

describe.each(testProviders())('T25 authorization matrix through the real server actions on %s', (provider) => {
  let h: ActionHarness;
  const counts = { deny: 0, 'step-up': 0, approval: 0, allow: 0 };

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 't25');
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  /** A fresh caller for a column. The suspended-role column suspends the support role until the cell ends. */
  async function principal(column: MatrixPrincipal): Promise<Caller> {
    switch (column) {
      case 'anonymous':
        return h.anonymous();
      case 'suspended-role': {
        const caller = await h.caller('support');
        await h.setRoleSuspended('support', true);
        return caller;
      }
      case 'disabled-user':
        return h.caller('admin', { status: 'disabled' });
      default:
        return h.caller(column);
    }
  }

  async function userTarget(op: OperationId, scope: MatrixScope, column: MatrixPrincipal, caller: Caller): Promise<Target> {
    const user =
      scope.self && caller.user
        ? caller.user
        : (
            await h.caller(scope.targetRole ?? 'member', {
              status: op === 'user.reactivate' ? 'suspended' : 'active',
              locked: op === 'user.unlock',
            })
          ).user!;
    // A second session of the target, so "its sessions end" is visible even when the target is the caller.
    if (user === caller.user) await h.signIn(user);
    const input: Record<string, unknown> = { id: user.id, reason: REASON };
    if (op === 'user.delete' || op === 'user.reset_mfa') input.confirmEmail = user.email;
    if (op === 'user.role_change' || op === 'user.role_grant_privileged') input.role = scope.after!(principalFor(column)).role as Role;
    const state = async (): Promise<UserState> => {
      const s = await h.userState(user.id);
      // The caller's own session may be ended by the session check (an inactive caller): not the operation's doing.
      return { ...s, sessions: s.sessions.filter((x) => x.id !== caller.sessionId) };
    };
    return {
      input,
      snapshot: state,
      assertChanged: async () => USER_EFFECTS[op]!(await state(), input),
    };
  }

  async function sessionTarget(scope: MatrixScope, caller: Caller): Promise<Target> {
    // "own session": another session of the caller (the one making the call must stay usable for the call).
    const owner = scope.self && caller.user ? await h.signIn(caller.user) : await h.caller(scope.targetRole ?? 'member');
    const id = owner.sessionId!;
    const state = () => h.db.session.findUniqueOrThrow({ where: { id }, select: { revokedAt: true, revokedReason: true } });
    return {
      input: { id, reason: REASON },
      snapshot: state,
      assertChanged: async () => expect(await state()).toMatchObject({ revokedAt: expect.any(Date), revokedReason: 'revoked_by_admin' }),
    };
  }

  async function roleTarget(op: OperationId, scope: MatrixScope, expectSuccess: boolean): Promise<Target> {
    const role = scope.targetRole!;
    // Reactivating needs a suspended role to succeed.
    if (op === 'role.reactivate' && expectSuccess) await h.setRoleSuspended(role, true);
    const state = async () => (await h.db.roleState.findUnique({ where: { role }, select: { suspended: true } }))?.suspended ?? false;
    return {
      input: { role, reason: REASON },
      snapshot: state,
      assertChanged: async (data) => {
        expect(await state()).toBe(op === 'role.suspend');
        expect(data).toEqual({ holders: await h.db.user.count({ where: { role, status: 'active', deletedAt: null } }) });
      },
    };
  }

  /** Verifying the trail changes nothing but the trail: its effect is its own audit event, carrying the result. */
  function verifyTarget(caller: Caller): Target {
    const verifications = () =>
      h.db.auditEvent.count({ where: { operation: 'audit.verify', outcome: 'success', actorId: caller.user?.id ?? '-' } });
    return {
      input: {},
      snapshot: verifications,
      assertChanged: async (data) => {
        expect(data).toMatchObject({ ok: true, finding: null });
        const event = await h.db.auditEvent.findFirstOrThrow({
          where: { operation: 'audit.verify', actorId: caller.user!.id },
          orderBy: { seq: 'desc' },
        });
        expect(JSON.parse(event.details)).toMatchObject({ intact: true });
      },
    };
  }

  /** A personal-data lookup changes nothing but the trail: its effect is its own audit event. */
  function lookupTarget(caller: Caller): Target {
    const email = `t25-lookup-${Math.random().toString(36).slice(2, 10)}@int.warden.test`;
    const lookups = () =>
      h.db.auditEvent.count({ where: { operation: 'audit.pii_lookup', outcome: 'success', actorId: caller.user?.id ?? '-' } });
    return {
      input: { email, reason: REASON },
      snapshot: lookups,
      assertChanged: async (data) => {
        expect(data).toMatchObject({ total: 0, events: [], digest: expect.stringMatching(/^hmac-sha256:[0-9a-f]{32}$/) });
        const event = await h.db.auditEvent.findFirstOrThrow({
          where: { operation: 'audit.pii_lookup', actorId: caller.user!.id },
          orderBy: { seq: 'desc' },
        });
        expect(event.details.includes(email)).toBe(false);
      },
    };
  }

  function inviteTarget(scope: MatrixScope, caller: Caller): Target {
    const role = scope.targetRole!;
    const email = `t25-invited-${role}-${Math.random().toString(36).slice(2, 10)}@int.warden.test`;
    return {
      input: { email, name: 'Invited person', role, reason: REASON },
      snapshot: () => h.db.user.count({ where: { email } }),
      assertChanged: async (data) => {
        const user = await h.db.user.findUniqueOrThrow({
          where: { email },
          select: { id: true, role: true, status: true, passwordHash: true, invitations: { select: { createdById: true, usedAt: true } } },
        });
        expect(user).toMatchObject({ role, status: 'active', passwordHash: null });
        expect(user.invitations).toEqual([{ createdById: caller.user!.id, usedAt: null }]);
        expect(data).toMatchObject({ userId: user.id, link: expect.stringMatching(/^http:\/\/localhost:3000\/invite#[A-Za-z0-9_-]{43}$/) });
      },
    };
  }

  /** Ticket numbers are unique across the whole database: a counter per run. */
  let nextTicketNumber = 100_000 + Math.floor(Math.random() * 100_000);

  /** The ticket of a scope's name (policies/matrix.ts TICKET_SCOPES): its status and whose it is. */
  function ticketShape(scope: MatrixScope): { status: string; assignee: 'caller' | 'other' | null } {
    const status = ['open', 'pending', 'resolved', 'closed'].find(
      (s) => scope.name.startsWith(`a ${s} `) || scope.name.startsWith(`an ${s} `),
    );
    if (!status) throw new Error(`unknown ticket scope: ${scope.name}`);
    if (scope.name.endsWith('assigned to them')) return { status, assignee: 'caller' };
    if (scope.name.endsWith('assigned to another agent')) return { status, assignee: 'other' };
    if (scope.name.endsWith('unassigned ticket')) return { status, assignee: null };
    throw new Error(`unknown ticket scope: ${scope.name}`);
  }

  /**
   * A fresh member requester and a fresh ticket per cell, shaped as the scope says.
   * Everything the ticket operations could change is in the snapshot: the ticket,
   * its conversation, the requester's account, (for the audited read) the caller's
   * successful reveals, MFA-reset requests, invitation and reset links, and the
   * messages spooled to the requester.
   */
  async function ticketTarget(op: OperationId, scope: MatrixScope, caller: Caller): Promise<Target> {
    const shape = ticketShape(scope);
    const requester = await h.createUser({
      role: 'member',
      mfa: op === 'ticket.request_requester_mfa_reset',
      locked: op === 'ticket.unlock_requester',
    });
    const resetOp = op === 'ticket.send_requester_password_reset';
    const inviteOp = op === 'ticket.resend_requester_invitation';
    // A reset needs a password to replace; a new invitation needs an account that never set one.
    if (resetOp) someoneElsesPasswordHash ??= hashPassword('a requester passphrase of some length');
    await h.db.user.update({
      where: { id: requester.id },
      data: { phone: '+44 20 7946 0958', ...(resetOp ? { passwordHash: await someoneElsesPasswordHash } : {}) },
    });
    // An earlier, still unused link of the same kind: a successful send revokes it, a refused one leaves it.
    const earlier = {
      userId: requester.id,
      tokenHash: hashToken(`earlier-${op}-${requester.id}`),
      expiresAt: new Date(Date.now() + HOUR_MS / 2),
    };
    const earlierLinkId = inviteOp
      ? (await h.db.invitation.create({ data: earlier, select: { id: true } })).id
      : resetOp
        ? (await h.db.passwordReset.create({ data: earlier, select: { id: true } })).id
        : null;
    // "Assigned to them" for a caller without an account (anonymous): some agent, so the ticket exists all the same.
    const assigneeId =
      shape.assignee === 'caller'
        ? (caller.user?.id ?? (await h.createUser({ role: 'support' })).id)
        : shape.assignee === 'other'
          ? (await h.createUser({ role: 'support' })).id
          : null;
    const at = new Date();
    const ticket = await h.db.ticket.create({
      data: {
        number: nextTicketNumber++,
        requesterId: requester.id,
        subject: `T25 ${op} · ${scope.name}`,
        body: 'The matrix needs a ticket.',
        status: shape.status,
        assigneeId,
        resolvedAt: shape.status === 'resolved' || shape.status === 'closed' ? at : null,
        closedAt: shape.status === 'closed' ? at : null,
      },
      select: { id: true },
    });
    const ticketId = ticket.id;
    let input: Record<string, unknown>;
    let newAssigneeId: string | null = null;
    switch (op) {
      case 'ticket.comment':
        input = { ticketId, kind: 'internal', body: 'matrix' };
        break;
      case 'ticket.set_status':
        input = { ticketId, status: shape.status === 'pending' ? 'open' : 'pending' };
        break;
      case 'ticket.assign':
        newAssigneeId = (await h.createUser({ role: 'support' })).id;
        input = { ticketId, assigneeId: newAssigneeId, reason: REASON };
        break;
      case 'ticket.unassign_self':
        input = { ticketId };
        break;
      case 'ticket.reveal_requester_field':
        input = { ticketId, field: 'email', reason: REASON };
        break;
      case 'ticket.unlock_requester':
      case 'ticket.request_requester_mfa_reset':
      case 'ticket.resend_requester_invitation':
      case 'ticket.send_requester_password_reset':
        input = { ticketId, reason: REASON };
        break;
      default:
        throw new Error(`no ticket input for ${op}`);
    }
    const ticketState = () =>
      h.db.ticket.findUniqueOrThrow({
        where: { id: ticketId },
        select: {
          status: true,
          assigneeId: true,
          resolvedAt: true,
          closedAt: true,
          lastActivityAt: true,
          comments: { select: { id: true, kind: true, body: true, authorId: true }, orderBy: { id: 'asc' } },
        },
      });
    const requesterState = () =>
      h.db.user.findUniqueOrThrow({
        where: { id: requester.id },
        select: {
          email: true,
          phone: true,
          status: true,
          lockedAt: true,
          lockedUntil: true,
          failedLoginCount: true,
          totpEnabledAt: true,
          totpSecretEnc: true,
          sessionVersion: true,
          passwordHash: true,
        },
      });
    const reveals = () =>
      h.db.auditEvent.count({
        where: { operation: 'ticket.reveal_requester_field', outcome: 'success', targetType: 'User', targetId: requester.id },
      });
    const mfaResetRequests = () =>
      h.db.mfaResetRequest.findMany({
        where: { userId: requester.id },
        select: { id: true, ticketId: true, requestedById: true, reason: true, status: true },
      });
    const linkFields = { id: true, tokenHash: true, createdById: true, expiresAt: true, usedAt: true, revokedAt: true } as const;
    const invitations = () => h.db.invitation.findMany({ where: { userId: requester.id }, select: linkFields, orderBy: { id: 'asc' } });
    const passwordResets = () =>
      h.db.passwordReset.findMany({ where: { userId: requester.id }, select: { ...linkFields, ticketId: true }, orderBy: { id: 'asc' } });
    const snapshot = async () => ({
      ticket: await ticketState(),
      requester: await requesterState(),
      reveals: await reveals(),
      mfaResetRequests: await mfaResetRequests(),
      invitations: await invitations(),
      passwordResets: await passwordResets(),
      mail: messagesTo(requester.email).map((m) => m.file),
    });
    const before = await snapshot();
    const newComments = async () => {
      const after = await ticketState();
      const known = new Set(before.ticket.comments.map((c) => c.id));
      return after.comments.filter((c) => !known.has(c.id));
    };
    return {
      input,
      snapshot,
      assertChanged: async (data) => {
        const t = await ticketState();
        const r = await requesterState();
        switch (op) {
          case 'ticket.comment': {
            const added = await newComments();
            expect(added).toEqual([expect.objectContaining({ kind: 'internal', body: 'matrix', authorId: caller.user!.id })]);
            expect(data).toEqual({ id: added[0]!.id });
            expect(t).toMatchObject({ status: shape.status, assigneeId });
            break;
          }
          case 'ticket.set_status':
            expect(t.status).toBe(input.status);
            expect(t.assigneeId).toBe(assigneeId);
            expect(await newComments()).toEqual([expect.objectContaining({ kind: 'system', authorId: caller.user!.id })]);
            break;
          case 'ticket.assign':
            expect(t).toMatchObject({ status: shape.status, assigneeId: newAssigneeId });
            expect(await newComments()).toEqual([expect.objectContaining({ kind: 'system', authorId: caller.user!.id })]);
            break;
          case 'ticket.unassign_self':
            expect(t).toMatchObject({ status: shape.status, assigneeId: null });
            expect(await newComments()).toEqual([expect.objectContaining({ kind: 'system', authorId: caller.user!.id })]);
            break;
          case 'ticket.reveal_requester_field': {
            expect(data).toEqual({ field: 'email', value: requester.email });
            // An audited read: nothing but the trail changed, and the trail has no value.
            expect(t).toEqual(before.ticket);
            expect(r).toEqual(before.requester);
            const event = await h.db.auditEvent.findFirstOrThrow({
              where: { operation: op, actorId: caller.user!.id, outcome: 'success' },
              orderBy: { seq: 'desc' },
            });
            expect(event).toMatchObject({ targetType: 'User', targetId: requester.id });
            expect(event.details.includes(requester.email)).toBe(false);
            expect(event.details.includes('@')).toBe(false);
            break;
          }
          case 'ticket.unlock_requester':
            expect(r).toMatchObject({ lockedAt: null, lockedUntil: null, failedLoginCount: 0 });
            expect(t).toMatchObject({ status: shape.status, assigneeId });
            expect(await newComments()).toEqual([expect.objectContaining({ kind: 'system', authorId: caller.user!.id })]);
            break;
          case 'ticket.request_requester_mfa_reset': {
            const requests = await mfaResetRequests();
            expect(requests).toEqual([
              { id: expect.any(String), ticketId, requestedById: caller.user!.id, reason: REASON, status: 'pending' },
            ]);
            expect(data).toEqual({ requestId: requests[0]!.id });
            // Only a request: the second factors themselves are untouched until an administrator resets them.
            expect(r).toEqual(before.requester);
            expect(await newComments()).toEqual([expect.objectContaining({ kind: 'system', authorId: caller.user!.id })]);
            break;
          }
          case 'ticket.resend_requester_invitation':
          case 'ticket.send_requester_password_reset': {
            const links = inviteOp ? await invitations() : await passwordResets();
            expect(links.find((l) => l.id === earlierLinkId)?.revokedAt).toBeInstanceOf(Date);
            const fresh = links.filter((l) => l.id !== earlierLinkId);
            expect(fresh).toEqual([
              expect.objectContaining({ createdById: caller.user!.id, usedAt: null, revokedAt: null, ...(resetOp ? { ticketId } : {}) }),
            ]);
            const link = fresh[0]!;
            const ttl = inviteOp ? 72 * HOUR_MS : HOUR_MS;
            expect(Math.abs(link.expiresAt.getTime() - (Date.now() + ttl))).toBeLessThan(60_000);
            expect(data).toEqual({ expiresAt: link.expiresAt });
            // One message, to the requester, carrying the one token whose hash is stored.
            const mail = messagesTo(requester.email).filter((m) => !before.mail.includes(m.file));
            expect(mail).toHaveLength(1);
            expect(mail[0]!.headers.To).toBe(requester.email);
            const token = mail[0]!.body.match(inviteOp ? /\/invite#([A-Za-z0-9_-]{43})/ : /\/reset-password#([A-Za-z0-9_-]{43})/)?.[1];
            expect(token).toEqual(expect.any(String));
            expect(link.tokenHash).toBe(hashToken(token!));
            expect(JSON.stringify(link)).not.toContain(token);
            expect(JSON.stringify(data)).not.toContain(token);
            const event = await h.db.auditEvent.findFirstOrThrow({
              where: { operation: op, actorId: caller.user!.id, outcome: 'success' },
              orderBy: { seq: 'desc' },
            });
            expect(event).toMatchObject({ targetType: 'User', targetId: requester.id });
            expect(JSON.stringify(event)).not.toContain(token);
            expect(event.details.includes(requester.email)).toBe(false);
            // Nothing about the account itself changes until the requester uses the link.
            expect(r).toEqual(before.requester);
            expect(t).toMatchObject({ status: shape.status, assigneeId });
            expect(await newComments()).toEqual([expect.objectContaining({ kind: 'system', authorId: caller.user!.id })]);
            break;
          }
          default:
            throw new Error(`no effect check for ${op}`);
        }
      },
    };
  }

  async function targetFor(op: OperationId, scope: MatrixScope, column: MatrixPrincipal, caller: Caller, expectSuccess: boolean) {
    const def = operation(op);
    if (op === 'audit.verify') return verifyTarget(caller);
    if (def.target === 'draft') return def.ability?.[1] === 'AuditEvent' ? lookupTarget(caller) : inviteTarget(scope, caller);
    if (def.ability?.[1] === 'RoleState') return roleTarget(op, scope, expectSuccess);
    if (def.ability?.[1] === 'Session') return sessionTarget(scope, caller);
    if (def.ability?.[1] === 'Ticket') return ticketTarget(op, scope, caller);
    return userTarget(op, scope, column, caller);
  }

  async function proofUnspent(proof: string) {
    const row = await h.db.stepUpProof.findUniqueOrThrow({ where: { tokenHash: hashToken(proof) }, select: { usedAt: true } });
    expect(row.usedAt).toBeNull();
  }

  async function runCell(op: OperationId, scope: MatrixScope, column: MatrixPrincipal) {
    const cell = cellOf(op, scope.name, column);
    const def = operation(op);
    const action = RECORD_ACTIONS[op]!;
    counts[cell.decision] += 1;
    try {
      const caller = await principal(column);
      const live = LIVE_COLUMNS.includes(column);
      const target = await targetFor(op, scope, column, caller, cell.decision === 'step-up' || cell.decision === 'allow');
      const before = await target.snapshot();
      const actor = live ? { actorId: caller.user!.id, actorRole: caller.user!.role, actorSessionId: caller.sessionId } : {};

      if (cell.decision === 'deny' || cell.decision === 'approval') {
        // Even a valid proof for exactly this call changes nothing.
        const proof = live && def.stepUp ? await h.stepUpProof(caller, op, target.input) : undefined;
        const { result, correlationId } = await h.call(caller, action, target.input, proof ? { stepUpProof: proof } : undefined);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        if (cell.decision === 'approval') expect(result.code).toBe('APPROVAL_REQUIRED');
        else expect(REFUSAL_CODES).toContain(result.code);
        if (!live) expect(result.code).toBe('UNAUTHENTICATED');
        expect(await target.snapshot()).toEqual(before);
        if (proof) await proofUnspent(proof);
        const events = (await h.eventsOf(correlationId)).filter((e) => e.operation === op);
        if (live) {
          expect(events).toEqual([
            expect.objectContaining({
              ...actor,
              outcome: 'denied',
              reasonCode: cell.decision === 'approval' ? 'approval_required' : expect.stringMatching(/^(forbidden|not_found)$/),
              decision: cell.rule,
              policyVersion: POLICY_VERSION,
            }),
          ]);
        } else {
          // No viewer, so nobody to attribute a denial to; certainly no success.
          expect(events).toEqual([]);
        }
        return;
      }

      if (cell.decision === 'step-up') {
        const first = await h.call(caller, action, target.input);
        expect(first.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
        expect(await target.snapshot()).toEqual(before);
        expect((await h.eventsOf(first.correlationId)).filter((e) => e.operation === op)).toEqual([
          expect.objectContaining({ ...actor, outcome: 'denied', reasonCode: 'step_up_required', decision: cell.rule }),
        ]);
      }
      const proof = cell.decision === 'step-up' ? await h.stepUpProof(caller, op, target.input) : undefined;
      const { result, correlationId } = await h.call(caller, action, target.input, proof ? { stepUpProof: proof } : undefined);
      expect(result).toMatchObject({ ok: true });
      const events = await h.eventsOf(correlationId);
      expect(events).toEqual([
        expect.objectContaining({
          ...actor,
          operation: op,
          outcome: 'success',
          decision: cell.rule,
          reason: def.reason === 'none' ? null : REASON,
          policyVersion: POLICY_VERSION,
        }),
      ]);
      expect(JSON.parse(events[0]!.details)).toMatchObject({ stepUp: cell.decision === 'step-up' });
      if (result.ok) await target.assertChanged(result.data);
    } finally {
      // Role states changed by the cell (the suspended-role column, role operations) are restored for the next one.
      await h.db.roleState.updateMany({ data: { suspended: false, suspendedAt: null } });
    }
  }

  it('T25 every record or draft operation of the catalog has a server action here, and every self operation a refusal check', () => {
    expect(Object.keys(RECORD_ACTIONS).sort()).toEqual([...RECORD_OPS].sort());
    expect(Object.keys(SELF_ACTIONS).sort()).toEqual([...SELF_OPS].sort());
  });

  for (const op of RECORD_OPS) {
    describe(op, () => {
      for (const scope of scopesFor(operation(op))) {
        it.each(MATRIX_PRINCIPALS.map((p) => [p, cellOf(op, scope.name, p).decision] as const))(
          `T25 ${op} · ${scope.name} · %s → %s`,
          async (column) => runCell(op, scope, column),
        );
      }
    });
  }

  describe('self operations', () => {
    for (const op of SELF_OPS) {
      for (const entry of SELF_ACTIONS[op] ?? []) {
        it.each(REFUSED_COLUMNS)(`T25 ${op} (${entry.name}) · own account · %s → deny`, async (column) => {
          expect(cellOf(op, 'own account', column).decision).toBe('deny');
          try {
            const caller = await principal(column);
            const head = await h.db.auditEvent.count();
            const { result, correlationId } = await h.call(caller, entry.action, entry.input(caller));
            expect(result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
            const events = await h.eventsOf(correlationId);
            expect(events.filter((e) => e.outcome === 'success' && e.operation !== 'session.end')).toEqual([]);
            // Only the session check's own bookkeeping (the caller's session ended) may have been written.
            const written = await h.db.auditEvent.findMany({ where: { seq: { gt: head } }, select: { operation: true } });
            expect(written.every((e) => e.operation === 'session.end')).toBe(true);
            if (caller.sessionId) {
              expect(await h.db.session.findUniqueOrThrow({ where: { id: caller.sessionId }, select: { revokedAt: true } })).toEqual({
                revokedAt: expect.any(Date),
              });
            }
          } finally {
            await h.db.roleState.updateMany({ data: { suspended: false, suspendedAt: null } });
          }
        });
      }
    }
  });

  it('T25 the cells above covered every decision kind, and the audit chain verifies', async () => {
    expect(counts.deny).toBeGreaterThan(0);
    expect(counts['step-up']).toBeGreaterThan(0);
    expect(counts.approval).toBeGreaterThan(0);
    expect(counts.allow).toBeGreaterThan(0);
    const total = counts.deny + counts['step-up'] + counts.approval + counts.allow;
    expect(total).toBe(CELLS.filter((c) => RECORD_OPS.includes(c.op)).length);
    const chain = await verifyChain(h.db);
    expect(chain).toMatchObject({ ok: true, count: await h.db.auditEvent.count() });
  });
});
