import fs from 'node:fs';
import path from 'node:path';
import { lookupPersonalDataAction } from '@/app/(console)/audit/_actions/lookup-personal-data';
import { verifyTrailAction } from '@/app/(console)/audit/_actions/verify-trail';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { beginStepUpAction } from '@/app/(console)/_actions/begin-step-up';
import { completeStepUpAction } from '@/app/(console)/_actions/complete-step-up';
import { signOutAction } from '@/app/(console)/_actions/sign-out';
import { acknowledgeAlertAction } from '@/app/(console)/alerts/_actions/acknowledge-alert';
import { resolveAlertAction } from '@/app/(console)/alerts/_actions/resolve-alert';
import { approveRequestAction } from '@/app/(console)/approvals/_actions/approve-request';
import { addIncidentNoteAction } from '@/app/(console)/incidents/_actions/add-incident-note';
import { closeIncidentAction } from '@/app/(console)/incidents/_actions/close-incident';
import { linkIncidentAlertAction } from '@/app/(console)/incidents/_actions/link-incident-alert';
import { openIncidentAction } from '@/app/(console)/incidents/_actions/open-incident';
import { revokeAllSessionsAction } from '@/app/(console)/incidents/_actions/revoke-all-sessions';
import { setIncidentStatusAction } from '@/app/(console)/incidents/_actions/set-incident-status';
import { setLockdownAction } from '@/app/(console)/incidents/_actions/set-lockdown';
import { cancelRequestAction } from '@/app/(console)/approvals/_actions/cancel-request';
import { rejectRequestAction } from '@/app/(console)/approvals/_actions/reject-request';
import { authorizeKeyRotationAction } from '@/app/(console)/audit/_actions/authorize-key-rotation';
import { cosignCheckpointAction } from '@/app/(console)/audit/_actions/cosign-checkpoint';
import { registerWitnessAction } from '@/app/(console)/audit/_actions/register-witness';
import { revokeWitnessAction } from '@/app/(console)/audit/_actions/revoke-witness';
import { applyConfigChangesAction } from '@/app/(console)/config/_actions/apply-config-changes';
import { applySensitiveConfigChangesAction } from '@/app/(console)/config/_actions/apply-sensitive-config-changes';
import { requestCriticalConfigChangesAction } from '@/app/(console)/config/_actions/request-critical-config-changes';
import { stageConfigChangeAction } from '@/app/(console)/config/_actions/stage-config-change';
import { unstageConfigChangeAction } from '@/app/(console)/config/_actions/unstage-config-change';
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
import { approvalDigest } from '@/lib/approvals/digest';
import { canonicalize } from '@/lib/audit/canonical-json';
import { CHECKPOINT_FORMAT, rawPublicKey, signCheckpoint } from '@/lib/audit/checkpoint-format';
import { loadSigningKey } from '@/lib/audit/key-store';
import { COSIGNATURE_FORMAT, cosignatureMessage, witnessKeyIdOf } from '@/lib/audit/witness-format';
import { verifyChain } from '@/lib/audit/verify';
import { hashPassword } from '@/lib/auth/password';
import { hashToken } from '@/lib/auth/tokens';
import { configKey, configValueAsInput, type ConfigKey, type ConfigTier } from '@/lib/config/keys';
import { changeSetDigest } from '@/lib/dal/config';
import { POLICY_VERSION } from '@/lib/policy-version';
import {
  applyTierOf,
  computeMatrix,
  MATRIX_PRINCIPALS,
  principalFor,
  scopesFor,
  type MatrixDecision,
  type MatrixPrincipal,
  type MatrixScope,
} from '@/policies/matrix';
import { OPERATIONS, operation, signatureRequired, type OperationDefinition, type OperationId } from '@/policies/operations';
import { isConsoleRole, type Role } from '@/policies/roles';
import { ActionHarness, REFUSAL_CODES, type Caller, type ServerAction } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';
import { breakGlassAction } from '@/app/(console)/elevation/_actions/break-glass';
import { endElevationAction } from '@/app/(console)/elevation/_actions/end-elevation';
import { requestElevationAction } from '@/app/(console)/elevation/_actions/request-elevation';
import { decideKeepAction } from '@/app/(console)/access/reviews/_actions/decide-keep';
import { signOffReviewAction } from '@/app/(console)/access/reviews/_actions/sign-off-review';
import { startReviewAction } from '@/app/(console)/access/reviews/_actions/start-review';

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
  // A checkpoint signing key of this run only: authorizing its rotation (a two-person
  // request) needs one to be configured.
  const { privateKey } = process.getBuiltinModule('node:crypto').generateKeyPairSync('ed25519');
  vi.stubEnv('WARDEN_AUDIT_SIGNING_KEY', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  vi.stubEnv('WARDEN_AUDIT_SIGNING_KEY_FILE', undefined);
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
  'audit.authorize_key_rotation': authorizeKeyRotationAction,
  'witness.register': registerWitnessAction,
  'witness.revoke': revokeWitnessAction,
  'checkpoint.cosign': cosignCheckpointAction,
  'ticket.comment': commentOnTicketAction,
  'ticket.set_status': setTicketStatusAction,
  'ticket.assign': assignTicketAction,
  'ticket.unassign_self': unassignTicketAction,
  'ticket.reveal_requester_field': revealRequesterFieldAction,
  'ticket.unlock_requester': unlockRequesterAction,
  'ticket.request_requester_mfa_reset': requestRequesterMfaResetAction,
  'ticket.resend_requester_invitation': resendRequesterInvitationAction,
  'ticket.send_requester_password_reset': sendRequesterPasswordResetAction,
  'config.stage': stageConfigChangeAction,
  'config.unstage': unstageConfigChangeAction,
  'config.apply': applyConfigChangesAction,
  'config.apply_sensitive': applySensitiveConfigChangesAction,
  'config.apply_critical': requestCriticalConfigChangesAction,
  'approval.approve': approveRequestAction,
  'approval.reject': rejectRequestAction,
  'approval.cancel': cancelRequestAction,
  'elevation.request': requestElevationAction,
  'elevation.break_glass': breakGlassAction,
  'elevation.end': endElevationAction,
  'review.start': startReviewAction,
  'review.decide': decideKeepAction,
  'review.sign_off': signOffReviewAction,
  'alert.acknowledge': acknowledgeAlertAction,
  'alert.resolve': resolveAlertAction,
  'incident.open': openIncidentAction,
  'incident.note': addIncidentNoteAction,
  'incident.link_alert': linkIncidentAlertAction,
  'incident.set_status': setIncidentStatusAction,
  'incident.close': closeIncidentAction,
  'session.revoke_all': revokeAllSessionsAction,
  'system.lockdown': setLockdownAction,
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
  /**
   * A two-person operation: checks what freezing the request may change (the
   * target's own record may point at its request). Default: nothing of the snapshot.
   */
  assertRequested?: (before: unknown, approvalId: string) => Promise<void>;
  /** The events a successful call writes after the operation's own (an approval: the approved operation, as its requester). */
  followingEvents?: unknown[];
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

  /** A fresh Ed25519 witness key (the private half stays in the test, as on an auditor's machine). */
  function newWitnessKey() {
    const { privateKey, publicKey } = process.getBuiltinModule('node:crypto').generateKeyPairSync('ed25519');
    const raw = rawPublicKey(publicKey);
    return { privateKey, publicKey: raw.toString('base64url'), keyId: witnessKeyIdOf(raw) };
  }

  /** Witness operations (issue 13): register a new key, revoke a registered one, upload a cosignature of a real checkpoint. */
  async function witnessTarget(op: OperationId, caller: Caller): Promise<Target> {
    const w = newWitnessKey();
    const row = (id: string) => h.db.witnessKey.findUnique({ where: { id } });
    if (op === 'witness.register') {
      return {
        input: { name: 'T25 witness', publicKey: w.publicKey, reason: REASON },
        snapshot: () => row(w.keyId),
        assertChanged: async () => expect(await row(w.keyId)).toMatchObject({ registeredById: caller.user!.id, revokedAt: null }),
      };
    }
    await h.db.witnessKey.create({
      data: { id: w.keyId, publicKey: w.publicKey, name: 'T25 witness', registeredById: 'usr_t25', registeredAt: new Date() },
    });
    if (op === 'witness.revoke') {
      return {
        input: { keyId: w.keyId, reason: REASON },
        snapshot: () => row(w.keyId),
        assertChanged: async () => expect(await row(w.keyId)).toMatchObject({ revokedById: caller.user!.id, revokedAt: expect.any(Date) }),
      };
    }
    // checkpoint.cosign: a checkpoint of the current head, signed with this run's key, then the witness's cosignature of it.
    const head = (await h.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!;
    let checkpoint = await h.db.auditCheckpoint.findUnique({ where: { seq: head.seq } });
    if (!checkpoint) {
      const key = loadSigningKey()!;
      const last = await h.db.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' } });
      const ts = new Date();
      const stored = signCheckpoint(
        {
          format: CHECKPOINT_FORMAT,
          seq: head.seq,
          headHash: head.hash,
          ts: ts.toISOString(),
          keyId: key.keyId,
          prev: last?.digest ?? null,
        },
        key.privateKey,
      );
      checkpoint = await h.db.auditCheckpoint.create({
        data: {
          seq: stored.seq,
          headHash: stored.headHash,
          ts,
          keyId: stored.keyId,
          prev: stored.prev,
          digest: stored.digest,
          signature: stored.signature,
        },
      });
    }
    const cp = checkpoint;
    const ts = new Date().toISOString();
    const message = cosignatureMessage({ digest: cp.digest, seq: cp.seq, ts });
    const signature = process.getBuiltinModule('node:crypto').sign(null, message, w.privateKey).toString('base64url');
    const cosignature = { format: COSIGNATURE_FORMAT, seq: cp.seq, digest: cp.digest, witnessKeyId: w.keyId, ts, signature };
    const rows = () => h.db.checkpointCosignature.findMany({ where: { witnessKeyId: w.keyId } });
    return {
      input: { cosignature: JSON.stringify(cosignature) },
      snapshot: rows,
      assertChanged: async (data) => {
        expect(data).toEqual({ status: 'accepted', seq: cp.seq, witnessKeyId: w.keyId });
        expect(await rows()).toEqual([expect.objectContaining({ checkpointSeq: cp.seq, digest: cp.digest, signature })]);
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

  /** One key per tier (lib/config/keys.ts); every change stages the key's default, so applying it changes no behaviour. */
  const CONFIG_KEY_OF_TIER: Record<ConfigTier, ConfigKey> = {
    normal: 'tickets.page_size',
    sensitive: 'invitations.ttl',
    critical: 'session.absolute_lifetime',
  };
  const ITEM_SELECT = { key: true, tier: true, kind: true, value: true, fingerprint: true, baseVersion: true, rollbackOfId: true } as const;

  /** The tier a config scope names: "a normal key", "a change set whose highest tier is critical". */
  function configTierOf(scope: MatrixScope): ConfigTier {
    const tier = (['normal', 'sensitive', 'critical'] as const).find((t) => scope.name === `a ${t} key` || scope.name.endsWith(` ${t}`));
    if (!tier) throw new Error(`unknown config scope: ${scope.name}`);
    return tier;
  }

  /** The form text of a key's default (what a person would type to set it). */
  const defaultText = (key: ConfigKey) => configValueAsInput(configKey(key), configKey(key).default);

  async function entryVersion(key: ConfigKey): Promise<number> {
    return (await h.db.configEntry.findUnique({ where: { key }, select: { version: true } }))?.version ?? 0;
  }

  /** The caller's draft with the key of `tier`, staged through the real action (the caller may propose). */
  async function stagedDraft(caller: Caller, tier: ConfigTier): Promise<{ changeSetId: string; digest: string }> {
    const { result } = await h.call(caller, stageConfigChangeAction, {
      key: CONFIG_KEY_OF_TIER[tier],
      mode: 'set',
      value: defaultText(CONFIG_KEY_OF_TIER[tier]),
    });
    expect(result).toMatchObject({ ok: true });
    const set = await h.db.configChangeSet.findFirstOrThrow({
      where: { authorId: caller.user!.id, status: 'draft' },
      select: { id: true, items: { select: ITEM_SELECT } },
    });
    return { changeSetId: set.id, digest: changeSetDigest(set.items) };
  }

  /** A change set of `authorId` with the key of `tier`, written directly (for callers who may not stage one). */
  async function insertedChangeSet(authorId: string, tier: ConfigTier, status: 'draft' | 'pending_approval' = 'draft') {
    const key = CONFIG_KEY_OF_TIER[tier];
    const def = configKey(key);
    const at = new Date();
    const set = await h.db.configChangeSet.create({
      data: {
        authorId,
        status,
        createdAt: at,
        updatedAt: at,
        items: {
          create: [
            { key, tier: def.tier, kind: 'set', value: canonicalize(def.default), baseVersion: await entryVersion(key), createdAt: at },
          ],
        },
      },
      select: { id: true, items: { select: ITEM_SELECT } },
    });
    return { changeSetId: set.id, digest: changeSetDigest(set.items) };
  }

  interface RequestRef {
    id: string;
    digest: string;
    changeSetId: string;
    requesterId: string;
  }

  /** A real two-person request: `requester` stages a critical key and submits it with a step-up and a reason. */
  async function requestedCriticalChange(requester: Caller): Promise<RequestRef> {
    const input = { ...(await stagedDraft(requester, 'critical')), reason: REASON };
    const stepUpProof = await h.stepUpProof(requester, 'config.apply_critical', input);
    const { result } = await h.call(requester, requestCriticalConfigChangesAction, input, { stepUpProof });
    expect(result).toMatchObject({ ok: false, code: 'APPROVAL_REQUIRED', approval: { id: expect.any(String) } });
    const id = (result as { approval: { id: string } }).approval.id;
    const { digest } = await h.db.approvalRequest.findUniqueOrThrow({ where: { id }, select: { digest: true } });
    return { id, digest, changeSetId: input.changeSetId, requesterId: requester.user!.id };
  }

  /**
   * A pending request of someone who may not make one through the console,
   * written as lib/dal/approvals.ts requestApproval freezes it (its digest over
   * operation, input and baseline is consistent).
   */
  async function insertedCriticalRequest(requester: { id: string; role: string }, sessionId: string | null): Promise<RequestRef> {
    const key = CONFIG_KEY_OF_TIER.critical;
    const set = await insertedChangeSet(requester.id, 'critical', 'pending_approval');
    const input = { ...set, reason: REASON };
    const baseline = { changeSetId: set.changeSetId, versions: [{ key, version: await entryVersion(key) }] };
    const digest = approvalDigest('config.apply_critical', input, baseline);
    const at = new Date();
    const request = await h.db.approvalRequest.create({
      data: {
        operation: 'config.apply_critical',
        input: JSON.stringify(input),
        baseline: JSON.stringify(baseline),
        digest,
        summary: JSON.stringify({ title: 'Change 1 configuration key', changes: [] }),
        requesterId: requester.id,
        requesterRole: requester.role,
        requesterSessionId: sessionId ?? 'no-session',
        targetType: 'ConfigChangeSet',
        targetId: set.changeSetId,
        reason: REASON,
        createdAt: at,
        expiresAt: new Date(at.getTime() + 24 * HOUR_MS),
      },
      select: { id: true },
    });
    await h.db.configChangeSet.update({
      where: { id: set.changeSetId },
      data: { approvalId: request.id, tier: 'critical', digest: set.digest, reason: REASON, submittedAt: at },
    });
    return { id: request.id, digest, changeSetId: set.changeSetId, requesterId: requester.id };
  }

  /** config.stage / config.unstage: a key of the scope's tier, and (to unstage) the caller's draft holding it. */
  async function configKeyTarget(op: OperationId, scope: MatrixScope, caller: Caller, expectSuccess: boolean): Promise<Target> {
    const tier = configTierOf(scope);
    const key = CONFIG_KEY_OF_TIER[tier];
    const author = caller.user?.id ?? null;
    if (op === 'config.unstage') {
      if (expectSuccess) await stagedDraft(caller, tier);
      else if (author) await insertedChangeSet(author, tier);
    }
    const input = op === 'config.stage' ? { key, mode: 'set', value: defaultText(key) } : { key };
    const changeSets = async () =>
      author
        ? h.db.configChangeSet.findMany({
            where: { authorId: author },
            select: { id: true, status: true, items: { select: ITEM_SELECT } },
            orderBy: { createdAt: 'asc' },
          })
        : [];
    const entry = () => h.db.configEntry.findUnique({ where: { key } });
    const snapshot = async () => ({ changeSets: await changeSets(), entry: await entry() });
    const before = await snapshot();
    return {
      input,
      snapshot,
      assertChanged: async (data) => {
        const after = await snapshot();
        // Nothing takes effect: only the caller's pending changes move.
        expect(after.entry).toEqual(before.entry);
        const item = {
          key,
          tier,
          kind: 'set',
          value: canonicalize(configKey(key).default),
          fingerprint: null,
          baseVersion: before.entry?.version ?? 0,
          rollbackOfId: null,
        };
        if (op === 'config.stage') {
          expect(before.changeSets).toEqual([]);
          expect(after.changeSets).toEqual([{ id: expect.any(String), status: 'draft', items: [item] }]);
          expect(data).toEqual({ changeSetId: after.changeSets[0]!.id, items: 1 });
        } else {
          expect(before.changeSets).toEqual([{ id: expect.any(String), status: 'draft', items: [item] }]);
          // The last item gone, the draft is discarded.
          expect(after.changeSets).toEqual([{ id: before.changeSets[0]!.id, status: 'discarded', items: [] }]);
          expect(data).toEqual({ items: 0 });
        }
      },
    };
  }

  /**
   * config.apply*: a change set whose highest tier is the operation's, the
   * caller's own (staged through the action when they may propose; written
   * directly otherwise; someone's for an anonymous caller).
   */
  async function applyTarget(op: OperationId, caller: Caller, decision: MatrixDecision): Promise<Target> {
    const tier = applyTierOf(op);
    const key = CONFIG_KEY_OF_TIER[tier];
    const set =
      decision === 'deny'
        ? await insertedChangeSet(caller.user?.id ?? (await h.createUser({ role: 'admin' })).id, tier)
        : await stagedDraft(caller, tier);
    const input = { ...set, reason: REASON };
    const changeSet = () =>
      h.db.configChangeSet.findUniqueOrThrow({
        where: { id: set.changeSetId },
        select: { status: true, approvalId: true, appliedAt: true, reason: true, items: { select: ITEM_SELECT } },
      });
    const entry = () => h.db.configEntry.findUnique({ where: { key } });
    const revisions = () =>
      h.db.configRevision.findMany({
        where: { key },
        select: { id: true, version: true, kind: true, changeSetId: true, approvalId: true, authorId: true, reason: true },
        orderBy: { version: 'asc' },
      });
    const snapshot = async () => ({ changeSet: await changeSet(), entry: await entry(), revisions: await revisions() });
    const before = await snapshot();
    return {
      input,
      snapshot,
      assertRequested: async (_before, approvalId) => {
        const after = await snapshot();
        // Frozen for the second person: out of the drafts, linked to its request; nothing applied.
        expect(after.entry).toEqual(before.entry);
        expect(after.revisions).toEqual(before.revisions);
        expect(after.changeSet).toEqual({ ...before.changeSet, status: 'pending_approval', approvalId, reason: REASON });
      },
      assertChanged: async (data) => {
        const after = await snapshot();
        const version = (before.entry?.version ?? 0) + 1;
        expect(after.entry).toMatchObject({
          key,
          tier,
          value: canonicalize(configKey(key).default),
          version,
          updatedById: caller.user!.id,
        });
        const added = after.revisions.filter((r) => !before.revisions.some((b) => b.id === r.id));
        expect(added).toEqual([
          {
            id: expect.any(String),
            version,
            kind: 'set',
            changeSetId: set.changeSetId,
            approvalId: null,
            authorId: caller.user!.id,
            reason: REASON,
          },
        ]);
        expect(after.changeSet).toMatchObject({ status: 'applied', appliedAt: expect.any(Date), reason: REASON });
        expect(data).toEqual({ applied: 1, revisions: [added[0]!.id] });
      },
    };
  }

  /**
   * approval.*: a request shaped as the scope says. Someone else's is a real
   * request of a fresh admin (a critical configuration change); a decided one
   * was then approved and executed by a fresh superadmin. The caller's own is
   * made through the console when their role may ask, and written directly
   * otherwise.
   */
  async function approvalTarget(op: OperationId, scope: MatrixScope, column: MatrixPrincipal, caller: Caller): Promise<Target> {
    let request: RequestRef;
    if (scope.name === 'their own pending request') {
      request =
        column === 'superadmin' || column === 'admin'
          ? await requestedCriticalChange(caller)
          : await insertedCriticalRequest(caller.user ?? (await h.createUser({ role: 'admin' })), caller.sessionId);
    } else {
      request = await requestedCriticalChange(await h.caller('admin'));
      if (scope.name === 'a decided request by someone else') {
        const approver = await h.caller('superadmin');
        const decision = { id: request.id, digest: request.digest, reason: REASON };
        const stepUpProof = await h.stepUpProof(approver, 'approval.approve', decision);
        const { result } = await h.call(approver, approveRequestAction, decision, { stepUpProof });
        expect(result).toEqual({ ok: true, data: { status: 'executed' } });
      } else if (scope.name !== 'a pending request by someone else') {
        throw new Error(`unknown approval scope: ${scope.name}`);
      }
    }
    const key = CONFIG_KEY_OF_TIER.critical;
    const requestState = () =>
      h.db.approvalRequest.findUniqueOrThrow({
        where: { id: request.id },
        select: {
          status: true,
          digest: true,
          approverId: true,
          approverSessionId: true,
          decidedAt: true,
          decisionNote: true,
          executedAt: true,
          failureReason: true,
          decisionSeq: true,
          executionSeq: true,
        },
      });
    const changeSet = () =>
      h.db.configChangeSet.findUniqueOrThrow({
        where: { id: request.changeSetId },
        select: { status: true, approvalId: true, appliedAt: true, submittedAt: true },
      });
    const entry = () => h.db.configEntry.findUnique({ where: { key } });
    const revisions = () =>
      h.db.configRevision.findMany({
        where: { key },
        select: { id: true, version: true, changeSetId: true, approvalId: true, authorId: true, reason: true },
        orderBy: { version: 'asc' },
      });
    const snapshot = async () => ({
      request: await requestState(),
      changeSet: await changeSet(),
      entry: await entry(),
      revisions: await revisions(),
    });
    const before = await snapshot();
    const input: Record<string, unknown> =
      op === 'approval.approve' ? { id: request.id, digest: request.digest, reason: REASON } : { id: request.id, reason: REASON };
    return {
      input,
      snapshot,
      followingEvents:
        op === 'approval.approve'
          ? [
              // The approved change runs as its requester, and its event carries the approval.
              expect.objectContaining({
                operation: 'config.apply_critical',
                outcome: 'success',
                actorId: request.requesterId,
                targetType: 'ConfigChangeSet',
                targetId: request.changeSetId,
                reason: REASON,
                policyVersion: POLICY_VERSION,
              }),
            ]
          : [],
      assertChanged: async (data) => {
        const after = await snapshot();
        const decided = { decidedAt: expect.any(Date), decisionNote: REASON, decisionSeq: expect.any(Number) };
        switch (op) {
          case 'approval.approve': {
            expect(data).toEqual({ status: 'executed' });
            expect(after.request).toMatchObject({
              ...decided,
              status: 'executed',
              approverId: caller.user!.id,
              approverSessionId: caller.sessionId,
              executedAt: expect.any(Date),
              executionSeq: expect.any(Number),
              failureReason: null,
            });
            expect(after.changeSet).toMatchObject({ status: 'applied', appliedAt: expect.any(Date), approvalId: request.id });
            const version = (before.entry?.version ?? 0) + 1;
            expect(after.entry).toMatchObject({ version, value: canonicalize(configKey(key).default), updatedById: request.requesterId });
            const added = after.revisions.filter((r) => !before.revisions.some((b) => b.id === r.id));
            expect(added).toEqual([
              {
                id: expect.any(String),
                version,
                changeSetId: request.changeSetId,
                approvalId: request.id,
                authorId: request.requesterId,
                reason: REASON,
              },
            ]);
            const execution = await h.db.auditEvent.findUniqueOrThrow({ where: { seq: after.request.executionSeq! } });
            expect(execution).toMatchObject({ operation: 'config.apply_critical', actorId: request.requesterId });
            expect(JSON.parse(execution.details)).toMatchObject({
              approval: { id: request.id, digest: request.digest, approverId: caller.user!.id, decisionSeq: after.request.decisionSeq },
            });
            break;
          }
          case 'approval.reject':
            expect(data).toBeNull();
            expect(after.request).toMatchObject({ ...decided, status: 'rejected', approverId: caller.user!.id, executedAt: null });
            // The frozen change set can never run now.
            expect(after.changeSet).toMatchObject({ status: 'voided', appliedAt: null });
            expect(after.entry).toEqual(before.entry);
            expect(after.revisions).toEqual(before.revisions);
            break;
          case 'approval.cancel':
            expect(data).toBeNull();
            expect(after.request).toMatchObject({ ...decided, status: 'cancelled', approverId: null, executedAt: null });
            // Withdrawn: the change set is the requester's draft again, to edit.
            expect(after.changeSet).toMatchObject({ status: 'draft', approvalId: null, submittedAt: null, appliedAt: null });
            expect(after.entry).toEqual(before.entry);
            expect(after.revisions).toEqual(before.revisions);
            break;
          default:
            throw new Error(`no effect check for ${op}`);
        }
      },
    };
  }

  /** Authorizing a key rotation changes nothing but the trail and its request; it is never allowed without a second person. */
  async function keyRotationTarget(): Promise<Target> {
    const snapshot = async () => ({
      authorizations: await h.db.approvalRequest.count({ where: { operation: 'audit.authorize_key_rotation', status: 'executed' } }),
      events: await h.db.auditEvent.count({ where: { operation: 'audit.authorize_key_rotation', outcome: 'success' } }),
    });
    return {
      input: { reason: REASON },
      snapshot,
      assertChanged: () => Promise.reject(new Error('audit.authorize_key_rotation never runs without an approval')),
    };
  }

  /** An alert in the scope's status ("an open alert", …): acknowledging or resolving it moves its status, with who and the note. */
  async function alertTarget(op: OperationId, scope: MatrixScope, caller: Caller): Promise<Target> {
    const status = (['open', 'acknowledged', 'resolved'] as const).find((st) => scope.name === `an ${st} alert`);
    if (!status) throw new Error(`unknown alert scope: ${scope.name}`);
    const at = new Date();
    const alert = await h.db.alert.create({
      data: {
        rule: 'privilege.mass_change',
        severity: 'critical',
        dedupeKey: `actor:t25-${Math.random().toString(36).slice(2, 10)}`,
        status,
        summary: 'T25 matrix alert',
        eventSeqs: '[]',
        createdAt: at,
        updatedAt: at,
        ...(status === 'resolved' ? { resolvedAt: at } : {}),
      },
      select: { id: true },
    });
    const state = () =>
      h.db.alert.findUniqueOrThrow({
        where: { id: alert.id },
        select: { status: true, acknowledgedById: true, acknowledgeNote: true, resolvedById: true, resolveNote: true },
      });
    return {
      input: { id: alert.id, reason: REASON },
      snapshot: state,
      assertChanged: async (data) => {
        expect(data).toBeNull();
        expect(await state()).toMatchObject(
          op === 'alert.acknowledge'
            ? { status: 'acknowledged', acknowledgedById: caller.user!.id, acknowledgeNote: REASON }
            : { status: 'resolved', resolvedById: caller.user!.id, resolveNote: REASON },
        );
      },
    };
  }

  /** An alert row as the monitor would have raised it (for incidents to link). */
  async function someAlert(): Promise<string> {
    const at = new Date();
    const alert = await h.db.alert.create({
      data: {
        rule: 'privilege.mass_change',
        severity: 'critical',
        dedupeKey: `actor:t25-${Math.random().toString(36).slice(2, 10)}`,
        status: 'open',
        summary: 'T25 matrix alert',
        eventSeqs: '[]',
        createdAt: at,
        updatedAt: at,
      },
      select: { id: true },
    });
    return alert.id;
  }

  /** The latest successful event of `op` by the caller (the one the cell's call wrote). */
  const lastSuccess = (op: OperationId, caller: Caller) =>
    h.db.auditEvent.findFirstOrThrow({ where: { operation: op, actorId: caller.user!.id, outcome: 'success' }, orderBy: { seq: 'desc' } });

  const INCIDENT_LINK_SELECT = { kind: true, alertId: true, eventSeq: true, note: true, authorId: true } as const;

  /** incident.open: a new incident, found afterwards by its unique title; the audit head before its event is sealed into it. */
  function newIncidentTarget(caller: Caller): Target {
    const title = `T25 incident ${Math.random().toString(36).slice(2, 10)}`;
    return {
      input: { title, severity: 'high', reason: REASON },
      snapshot: () => h.db.incident.count({ where: { title } }),
      assertChanged: async (data) => {
        const row = await h.db.incident.findFirstOrThrow({
          where: { title },
          include: { links: { select: INCIDENT_LINK_SELECT } },
        });
        expect(data).toEqual({ id: row.id, number: row.number });
        const event = await lastSuccess('incident.open', caller);
        expect(event).toMatchObject({ targetType: 'Incident', targetId: row.id });
        expect(row).toMatchObject({
          severity: 'high',
          status: 'open',
          ownerId: caller.user!.id,
          openedById: caller.user!.id,
          openHeadSeq: event.seq - 1,
          openHeadHash: event.prevHash,
        });
        expect(row.links).toEqual([{ kind: 'event', alertId: null, eventSeq: event.seq, note: null, authorId: caller.user!.id }]);
      },
    };
  }

  const INCIDENT_REVIEW = {
    whatHappened: 'The matrix closed this incident to check the decision.',
    impact: 'None at all.',
    followUps: 'Nothing to follow up.',
  };

  /** incident.note / link_alert / set_status / close: an incident in the scope's status ("an open incident", …), written directly. */
  async function incidentTarget(op: OperationId, scope: MatrixScope, caller: Caller): Promise<Target> {
    const status = (['open', 'contained', 'closed'] as const).find((st) => scope.name === `a${st === 'open' ? 'n' : ''} ${st} incident`);
    if (!status) throw new Error(`unknown incident scope: ${scope.name}`);
    const opener = await h.createUser({ role: 'admin' });
    const at = new Date();
    const last = await h.db.incident.findFirst({ orderBy: { number: 'desc' }, select: { number: true } });
    const incident = await h.db.incident.create({
      data: {
        number: (last?.number ?? 0) + 1,
        title: `T25 ${op} · ${scope.name}`,
        severity: 'high',
        status,
        ownerId: opener.id,
        openedById: opener.id,
        openedAt: at,
        openHeadSeq: 0,
        openHeadHash: '',
        updatedAt: at,
        ...(status === 'closed'
          ? { closedAt: at, closedById: opener.id, review: JSON.stringify(INCIDENT_REVIEW), closeHeadSeq: 0, closeHeadHash: '' }
          : {}),
      },
      select: { id: true },
    });
    const id = incident.id;
    let input: Record<string, unknown>;
    switch (op) {
      case 'incident.note':
        input = { id, note: 'T25 matrix note' };
        break;
      case 'incident.link_alert':
        input = { id, alertId: await someAlert() };
        break;
      case 'incident.set_status':
        input = { id, status: status === 'contained' ? 'open' : 'contained', reason: REASON };
        break;
      case 'incident.close':
        input = { id, ...INCIDENT_REVIEW };
        break;
      default:
        throw new Error(`no incident input for ${op}`);
    }
    const snapshot = () =>
      h.db.incident.findUniqueOrThrow({
        where: { id },
        select: {
          status: true,
          updatedAt: true,
          closedAt: true,
          closedById: true,
          review: true,
          closeHeadSeq: true,
          closeHeadHash: true,
          links: { select: INCIDENT_LINK_SELECT, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
        },
      });
    return {
      input,
      snapshot,
      assertChanged: async (data) => {
        expect(data).toBeNull();
        const after = await snapshot();
        const event = await lastSuccess(op, caller);
        expect(event).toMatchObject({ targetType: 'Incident', targetId: id });
        const eventLink = { kind: 'event', alertId: null, eventSeq: event.seq, note: null, authorId: caller.user!.id };
        const by = caller.user!.id;
        switch (op) {
          case 'incident.note':
            expect(after.status).toBe(status);
            expect(after.links).toEqual([
              { kind: 'note', alertId: null, eventSeq: null, note: 'T25 matrix note', authorId: by },
              eventLink,
            ]);
            break;
          case 'incident.link_alert':
            expect(after.status).toBe(status);
            expect(after.links).toEqual([{ kind: 'alert', alertId: input.alertId, eventSeq: null, note: null, authorId: by }, eventLink]);
            break;
          case 'incident.set_status':
            expect(after.status).toBe(input.status);
            expect(after.links).toEqual([eventLink]);
            expect(JSON.parse(event.details)).toMatchObject({ before: status, after: input.status });
            break;
          case 'incident.close':
            expect(after).toMatchObject({
              status: 'closed',
              closedAt: expect.any(Date),
              closedById: by,
              closeHeadSeq: event.seq - 1,
              closeHeadHash: event.prevHash,
            });
            expect(JSON.parse(after.review!)).toEqual(INCIDENT_REVIEW);
            expect(after.links).toEqual([eventLink]);
            break;
          default:
            throw new Error(`no effect check for ${op}`);
        }
      },
    };
  }

  /**
   * session.revoke_all: bystanders with live sessions (a superadmin and a member).
   * The snapshot is every live session but the caller's (a refused caller's own
   * may be ended by the session check); success leaves only the caller's.
   */
  async function revokeAllTarget(caller: Caller): Promise<Target> {
    const bystanders = [await h.caller('superadmin'), await h.caller('member')];
    const live = () =>
      h.db.session.findMany({
        where: { revokedAt: null, ...(caller.sessionId ? { id: { not: caller.sessionId } } : {}) },
        select: { id: true },
        orderBy: { id: 'asc' },
      });
    return {
      input: { reason: REASON },
      snapshot: live,
      assertChanged: async (data) => {
        expect(await live()).toEqual([]);
        expect(await h.db.session.findUniqueOrThrow({ where: { id: caller.sessionId! }, select: { revokedAt: true } })).toEqual({
          revokedAt: null,
        });
        for (const b of bystanders) {
          expect(await h.db.session.findUniqueOrThrow({ where: { id: b.sessionId! }, select: { revokedReason: true } })).toEqual({
            revokedReason: 'revoked_globally',
          });
        }
        const event = await lastSuccess('session.revoke_all', caller);
        expect(data).toEqual({ sessionsEnded: JSON.parse(event.details).sessionsEnded });
        expect((data as { sessionsEnded: number }).sessionsEnded).toBeGreaterThanOrEqual(bystanders.length);
      },
    };
  }

  /** system.lockdown: turning it on (read-only); the cell's cleanup lifts it again. */
  function lockdownTarget(caller: Caller): Target {
    const state = () =>
      h.db.systemState.findUnique({ where: { id: 'lockdown' }, select: { enabled: true, mode: true, byId: true, reason: true } });
    return {
      input: { enabled: true, mode: 'read_only', reason: REASON },
      snapshot: state,
      assertChanged: async (data) => {
        expect(data).toEqual({ sessionsEnded: 0 });
        expect(await state()).toEqual({ enabled: true, mode: 'read_only', byId: caller.user!.id, reason: REASON });
        expect(JSON.parse((await lastSuccess('system.lockdown', caller)).details)).toMatchObject({
          before: { enabled: false, mode: null },
          after: { enabled: true, mode: 'read_only' },
        });
      },
    };
  }

  /** The caller's elevations and requests: asking changes neither until a second person approves. */
  async function elevationRequestTarget(scope: MatrixScope, caller: Caller): Promise<Target> {
    const other = scope.self ? null : (await h.caller('support')).user!;
    const userId = other?.id ?? caller.user?.id ?? 'nobody';
    // Inputs must be well formed whoever calls (validation comes first): a console role for callers without one.
    const own = caller.user && isConsoleRole(caller.user.role) ? caller.user.role : 'support';
    const input = { userId, baseRole: own, scope: 'role', role: scope.targetRole ?? 'superadmin', minutes: 10, reason: REASON };
    const snapshot = () => h.db.elevation.findMany({ where: { userId }, select: { id: true, status: true } });
    return {
      input,
      snapshot,
      assertChanged: () => Promise.reject(new Error('elevation.request never runs without an approval')),
    };
  }

  /** Break-glass starts at once for the superadmin themselves and opens a mandatory review. */
  async function breakGlassTarget(caller: Caller): Promise<Target> {
    const userId = caller.user?.id ?? 'nobody';
    const snapshot = () => h.db.elevation.findMany({ where: { userId }, select: { id: true, status: true, scope: true } });
    return {
      input: { userId, minutes: 10, reason: REASON },
      snapshot,
      assertChanged: async (data) => {
        const rows = await h.db.elevation.findMany({ where: { userId } });
        expect(rows).toEqual([expect.objectContaining({ scope: 'break_glass', status: 'active', baseRole: 'superadmin' })]);
        const review = await h.db.accessReview.findUniqueOrThrow({ where: { id: rows[0]!.reviewId! }, include: { items: true } });
        expect(review).toMatchObject({ kind: 'break_glass', status: 'open' });
        expect(review.items.map((i) => i.userId)).toEqual([userId]);
        expect(data).toMatchObject({ id: rows[0]!.id, reviewId: review.id });
      },
    };
  }

  /** An elevation shaped as the scope says (its holder's own role lent, so the caller's rights do not change). */
  async function elevationEndTarget(scope: MatrixScope, caller: Caller): Promise<Target> {
    const holder = scope.self && caller.user ? caller.user : (await h.caller('support')).user!;
    const active = scope.name !== 'an elevation that has ended';
    const at = Date.now();
    const row = await h.db.elevation.create({
      data: {
        userId: holder.id,
        baseRole: holder.role,
        role: holder.role,
        scope: 'role',
        reason: REASON,
        status: active ? 'active' : 'expired',
        startsAt: new Date(at - 60_000),
        expiresAt: new Date(at + (active ? HOUR_MS : -1000)),
        ...(active ? {} : { endedAt: new Date(at - 1000), endReason: 'expired' }),
      },
    });
    const state = () =>
      h.db.elevation.findUniqueOrThrow({ where: { id: row.id }, select: { status: true, endedAt: true, endReason: true } });
    return {
      input: { id: row.id, reason: REASON },
      snapshot: state,
      assertChanged: async () =>
        expect(await state()).toMatchObject({
          status: 'ended',
          endedAt: expect.any(Date),
          endReason: holder.id === caller.user?.id ? 'ended_by_holder' : 'revoked',
        }),
    };
  }

  /** A new campaign over one support agent, with an admin reviewing it. */
  async function reviewStartTarget(caller: Caller): Promise<Target> {
    const reviewed = (await h.caller('support')).user!;
    const reviewer = (await h.caller('admin')).user!;
    const title = `T25 campaign ${Math.random().toString(36).slice(2, 10)}`;
    const dueAt = new Date(Date.now() + 7 * 24 * HOUR_MS).toISOString();
    const snapshot = () => h.db.accessReview.count({ where: { title } });
    return {
      input: { title, roles: [], userIds: [reviewed.id], reviewerIds: [reviewer.id], dueAt, usageDays: 90, reason: REASON },
      snapshot,
      assertChanged: async (data) => {
        const review = await h.db.accessReview.findFirstOrThrow({ where: { title }, include: { items: true, reviewers: true } });
        expect(review).toMatchObject({ kind: 'campaign', status: 'open', createdById: caller.user!.id });
        expect(review.items.map((i) => [i.userId, i.decision])).toEqual([[reviewed.id, 'pending']]);
        expect(review.reviewers.map((r) => r.userId)).toEqual([reviewer.id]);
        expect(data).toMatchObject({ id: review.id, number: review.number });
      },
    };
  }

  /** Campaign numbers are unique across the database: a counter per run. */
  let nextReviewNumber = 500_000 + Math.floor(Math.random() * 100_000);

  /** A campaign shaped as the scope says (who reviews it, open or closed), about one support agent. */
  async function reviewTarget(op: OperationId, scope: MatrixScope, caller: Caller): Promise<Target> {
    const reviewed = (await h.caller('support')).user!;
    const reviewerId = scope.self && caller.user ? caller.user.id : (await h.caller('admin')).user!.id;
    const open = scope.name.startsWith('an open');
    const at = new Date();
    const review = await h.db.accessReview.create({
      data: {
        number: nextReviewNumber++,
        title: `T25 ${scope.name}`,
        status: open ? 'open' : 'closed',
        scope: JSON.stringify({ roles: [], userIds: [reviewed.id] }),
        dueAt: new Date(at.getTime() + 7 * 24 * HOUR_MS),
        createdById: reviewerId,
        createdAt: at,
        updatedAt: at,
        ...(open ? {} : { closedAt: at, closedById: reviewerId, signOff: 'closed before the test' }),
        reviewers: { create: [{ userId: reviewerId }] },
        items: { create: [{ userId: reviewed.id, roleAtStart: 'support', statusAtStart: 'active' }] },
      },
      include: { items: true },
    });
    const itemId = review.items[0]!.id;
    const state = async () => ({
      review: await h.db.accessReview.findUniqueOrThrow({
        where: { id: review.id },
        select: { status: true, closedAt: true, closedById: true, signOff: true },
      }),
      item: await h.db.accessReviewItem.findUniqueOrThrow({
        where: { id: itemId },
        select: { decision: true, decidedById: true, reason: true, decisionSeq: true },
      }),
    });
    const input =
      op === 'review.decide' ? { reviewId: review.id, itemId, decision: 'keep', reason: REASON } : { reviewId: review.id, reason: REASON };
    return {
      input,
      snapshot: state,
      assertChanged: async () => {
        const after = await state();
        if (op === 'review.decide') {
          expect(after.item).toMatchObject({
            decision: 'keep',
            decidedById: caller.user!.id,
            reason: REASON,
            decisionSeq: expect.any(Number),
          });
          expect(after.review.status).toBe('open');
        } else {
          expect(after.review).toMatchObject({ status: 'closed', closedById: caller.user!.id, signOff: REASON });
        }
      },
    };
  }

  async function targetFor(op: OperationId, scope: MatrixScope, column: MatrixPrincipal, caller: Caller, decision: MatrixDecision) {
    const def = operation(op);
    const expectSuccess = decision === 'step-up' || decision === 'allow';
    if (op === 'audit.verify') return verifyTarget(caller);
    if (op === 'audit.authorize_key_rotation') return keyRotationTarget();
    if (op === 'witness.register' || op === 'witness.revoke' || op === 'checkpoint.cosign') return witnessTarget(op, caller);
    if (op.startsWith('config.apply')) return applyTarget(op, caller, decision);
    if (def.ability?.[1] === 'ConfigEntry') return configKeyTarget(op, scope, caller, expectSuccess);
    if (def.ability?.[1] === 'ApprovalRequest') return approvalTarget(op, scope, column, caller);
    if (def.ability?.[1] === 'Alert') return alertTarget(op, scope, caller);
    if (def.ability?.[1] === 'Incident') return def.target === 'draft' ? newIncidentTarget(caller) : incidentTarget(op, scope, caller);
    if (op === 'elevation.request') return elevationRequestTarget(scope, caller);
    if (op === 'elevation.break_glass') return breakGlassTarget(caller);
    if (op === 'elevation.end') return elevationEndTarget(scope, caller);
    if (op === 'review.start') return reviewStartTarget(caller);
    if (op === 'review.decide' || op === 'review.sign_off') return reviewTarget(op, scope, caller);
    if (op === 'session.revoke_all') return revokeAllTarget(caller);
    if (op === 'system.lockdown') return lockdownTarget(caller);
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
      // A critical operation is passkey-signed: the caller's passkey exists before the snapshot (it may be of their own account).
      if (live && signatureRequired(def)) await h.ensurePasskey(caller);
      const target = await targetFor(op, scope, column, caller, cell.decision);
      const before = await target.snapshot();
      const actor = live ? { actorId: caller.user!.id, actorRole: caller.user!.role, actorSessionId: caller.sessionId } : {};

      if (cell.decision === 'deny') {
        // Even a valid proof for exactly this call changes nothing.
        const proof = live && def.stepUp ? await h.stepUpProof(caller, op, target.input) : undefined;
        const { result, correlationId } = await h.call(caller, action, target.input, proof ? { stepUpProof: proof } : undefined);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(REFUSAL_CODES).toContain(result.code);
        if (!live) expect(result.code).toBe('UNAUTHENTICATED');
        expect(await target.snapshot()).toEqual(before);
        if (proof) await proofUnspent(proof);
        const events = (await h.eventsOf(correlationId)).filter((e) => e.operation === op);
        if (live) {
          expect(events).toEqual([
            expect.objectContaining({
              ...actor,
              outcome: 'denied',
              reasonCode: expect.stringMatching(/^(forbidden|not_found)$/),
              decision: cell.rule,
              policyVersion: POLICY_VERSION,
            }),
          ]);
        } else {
          // No viewer, so nobody to attribute a denial to; certainly no success.
          expect(events).toEqual([]);
        }
        // A refused call never becomes a request for someone else to approve.
        if (caller.user) expect(await h.db.approvalRequest.count({ where: { requesterId: caller.user.id, operation: op } })).toBe(0);
        return;
      }

      if (def.stepUp) {
        // Without a proof: refused, and nothing changes (nor is anything asked of a second person).
        const first = await h.call(caller, action, target.input);
        expect(first.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
        expect(await target.snapshot()).toEqual(before);
        expect((await h.eventsOf(first.correlationId)).filter((e) => e.operation === op || e.operation === 'approval.request')).toEqual([
          expect.objectContaining({ ...actor, operation: op, outcome: 'denied', reasonCode: 'step_up_required', decision: cell.rule }),
        ]);
      }
      const proof = def.stepUp ? await h.stepUpProof(caller, op, target.input) : undefined;
      const { result, correlationId } = await h.call(caller, action, target.input, proof ? { stepUpProof: proof } : undefined);
      const events = await h.eventsOf(correlationId);

      if (cell.decision === 'approval') {
        // A two-person operation never runs on the call: it becomes one pending request, with its own event, and nothing else.
        expect(result).toMatchObject({
          ok: false,
          code: 'APPROVAL_REQUIRED',
          correlationId,
          approval: { id: expect.any(String), expiresAt: expect.any(String) },
        });
        if (result.ok || !result.approval) return;
        const approvalId = result.approval.id;
        if (target.assertRequested) await target.assertRequested(before, approvalId);
        else expect(await target.snapshot()).toEqual(before);
        const requests = await h.db.approvalRequest.findMany({ where: { requesterId: caller.user!.id } });
        expect(requests).toEqual([
          expect.objectContaining({
            id: approvalId,
            operation: op,
            status: 'pending',
            requesterId: caller.user!.id,
            requesterRole: caller.user!.role,
            requesterSessionId: caller.sessionId,
            reason: REASON,
            approverId: null,
            executedAt: null,
          }),
        ]);
        const request = requests[0]!;
        expect(JSON.parse(request.input)).toEqual(target.input);
        expect(approvalDigest(op, JSON.parse(request.input), JSON.parse(request.baseline))).toBe(request.digest);
        expect(request.expiresAt.toISOString()).toBe(result.approval.expiresAt);
        expect(events).toEqual([
          expect.objectContaining({
            ...actor,
            operation: 'approval.request',
            outcome: 'success',
            targetType: 'ApprovalRequest',
            targetId: approvalId,
            decision: cell.rule,
            reason: REASON,
            policyVersion: POLICY_VERSION,
          }),
        ]);
        expect(JSON.parse(events[0]!.details)).toMatchObject({ operation: op, digest: request.digest, stepUp: true });
        expect(request.requestSeq).toBe(events[0]!.seq);
        // The requester's proof was spent on the request: it cannot be replayed.
        const spent = await h.db.stepUpProof.findUniqueOrThrow({ where: { tokenHash: hashToken(proof!) }, select: { usedAt: true } });
        expect(spent.usedAt).toBeInstanceOf(Date);
        return;
      }

      expect(result).toMatchObject({ ok: true });
      expect(events).toEqual([
        expect.objectContaining({
          ...actor,
          operation: op,
          outcome: 'success',
          decision: cell.rule,
          reason: def.reason === 'none' ? null : REASON,
          policyVersion: POLICY_VERSION,
        }),
        ...(target.followingEvents ?? []),
      ]);
      if (result.ok) await target.assertChanged(result.data);
      // Every authorized operation's event records whether it was stepped up (lib/dal/audit-details.ts recordAuthorized).
      expect(JSON.parse(events[0]!.details)).toMatchObject({ stepUp: cell.decision === 'step-up' });
    } finally {
      // Role states changed by the cell (the suspended-role column, role operations) are restored for the next one,
      // and so is lockdown (system.lockdown cells that turned it on).
      await h.db.roleState.updateMany({ data: { suspended: false, suspendedAt: null } });
      await h.db.systemState.deleteMany({ where: { id: 'lockdown' } });
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
