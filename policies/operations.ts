/**
 * The operation catalog: every state-changing operation, with the CASL ability it
 * needs and what it demands (step-up, reason, two-person approval). defineAction
 * reads this, so the policy for an operation lives in one reviewable place.
 * Anything not listed cannot be written as an action (the type of `op` is the set
 * of ids below), and every entry has rows in policies/matrix.md (T25).
 */
import type { PolicyAction, PolicySubject } from './rules';

export type Risk = 'low' | 'high' | 'critical';

export interface OperationDefinition {
  id: string;
  /** Plain words, for the audit viewer and reviewers. */
  description: string;
  /** anonymous: no session needed (sign-in); viewer: any signed-in console user. */
  audience: 'anonymous' | 'viewer';
  /**
   * The CASL action and subject type the viewer needs, checked on the loaded record
   * (house style 9). null only for anonymous operations, which have no viewer.
   */
  ability: readonly [PolicyAction, PolicySubject] | null;
  /**
   * What the ability is checked on: "self" is the viewer's own account (own
   * security settings, own sessions); "record" is the record the input names,
   * loaded from the database; "draft" is the record the operation would create.
   */
  target: 'none' | 'self' | 'record' | 'draft';
  risk: Risk;
  /**
   * A fresh WebAuthn (or TOTP) proof bound to this exact input and session is required.
   * For a critical operation the proof must be a passkey signature over the intent
   * (see signatureRequired): an authenticator code cannot sign anything.
   */
  stepUp: boolean;
  /** Whether the input must carry a reason (free text or a ticket reference) for the audit trail. */
  reason: 'none' | 'optional' | 'required';
  /**
   * A second person must approve the request before it runs. The call then only
   * records a frozen request (lib/approvals); it runs when someone with
   * `approverAbility` on the same record, other than the requester and the
   * beneficiary, approves it with a step-up of their own.
   */
  approval: 'none' | 'two-person';
  /** For two-person operations: what the approver must be allowed on the same record. */
  approverAbility?: readonly [PolicyAction, PolicySubject];
  /**
   * Allowed to a signed-in user who has not enrolled a second factor yet (enrolment
   * itself). Such a user has nothing to step up with, so for a step-up operation a
   * password sign-in within FRESH_SIGN_IN_MS stands in for the proof.
   */
  duringEnrolment?: boolean;
  /** The operation changes nothing but the audit trail: an audited read (personal-data lookups). */
  readOnly?: boolean;
  /**
   * The input fields a step-up binds to (default: the whole input). Secrets such as
   * passwords are left out so that no hash of them ever reaches a binding or the trail.
   */
  stepUpBinds?: readonly string[];
}

const own = (action: PolicyAction) => ({ ability: [action, 'User'] as const, target: 'self' as const, approval: 'none' as const });
const onUser = (action: PolicyAction) => ({ ability: [action, 'User'] as const, target: 'record' as const });

export const OPERATIONS = {
  'auth.sign_in': {
    id: 'auth.sign_in',
    ability: null,
    target: 'none',
    approval: 'none',
    description: 'Sign in: a password, then a second factor; or a passkey alone',
    audience: 'anonymous',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'auth.second_factor': {
    id: 'auth.second_factor',
    ability: null,
    target: 'none',
    approval: 'none',
    description: 'Complete a sign-in with an authenticator code, a recovery code or a passkey',
    audience: 'anonymous',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'auth.sign_out': {
    id: 'auth.sign_out',
    ...own('use_own_session'),
    description: 'Sign out of this browser',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    duringEnrolment: true,
  },
  'auth.step_up': {
    id: 'auth.step_up',
    ...own('use_own_session'),
    description: 'Confirm it is me (passkey or authenticator code) for one exact operation',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'session.revoke_own': {
    id: 'session.revoke_own',
    ...own('use_own_session'),
    description: 'End one of my own sessions',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'session.revoke_own_others': {
    id: 'session.revoke_own_others',
    ...own('use_own_session'),
    description: 'End all my sessions except this one',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'account.totp_enable': {
    id: 'account.totp_enable',
    ...own('manage_own_security'),
    description: 'Add an authenticator app',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
    duringEnrolment: true,
  },
  'account.totp_disable': {
    id: 'account.totp_disable',
    ...own('manage_own_security'),
    description: 'Remove my authenticator app',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
  },
  'account.passkey_register': {
    id: 'account.passkey_register',
    ...own('manage_own_security'),
    description: 'Register a passkey',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
    duringEnrolment: true,
  },
  'account.passkey_register_finish': {
    id: 'account.passkey_register_finish',
    ...own('manage_own_security'),
    description: 'Finish registering a passkey (needs the challenge a confirmed registration start issued)',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    duringEnrolment: true,
  },
  'account.passkey_rename': {
    id: 'account.passkey_rename',
    ...own('manage_own_security'),
    description: 'Rename one of my passkeys',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'account.passkey_remove': {
    id: 'account.passkey_remove',
    ...own('manage_own_security'),
    description: 'Remove one of my passkeys',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
  },
  'account.recovery_codes_generate': {
    id: 'account.recovery_codes_generate',
    ...own('manage_own_security'),
    description: 'Generate new recovery codes (the old ones stop working)',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
  },
  'account.password_change': {
    id: 'account.password_change',
    ...own('manage_own_security'),
    description: 'Change my password',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
    stepUpBinds: ['signOutOthers'],
  },
  'user.invite': {
    id: 'user.invite',
    description: 'Invite a new console user or member (they set their own password from a one-time link)',
    audience: 'viewer',
    ability: ['create', 'User'],
    target: 'draft',
    risk: 'high',
    stepUp: true,
    reason: 'optional',
    approval: 'none',
  },
  'user.invite_accept': {
    id: 'user.invite_accept',
    description: 'Accept an invitation: set a password with the one-time link (a second factor is enrolled at first sign-in)',
    audience: 'anonymous',
    ability: null,
    target: 'none',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
  'user.role_change': {
    id: 'user.role_change',
    description: 'Change a user’s role between member, support and auditor',
    audience: 'viewer',
    ...onUser('change_role'),
    risk: 'high',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'user.role_grant_privileged': {
    id: 'user.role_grant_privileged',
    description: 'Grant or revoke the admin or superadmin role (needs a second approver)',
    audience: 'viewer',
    ...onUser('grant_privileged_role'),
    risk: 'critical',
    stepUp: true,
    reason: 'required',
    approval: 'two-person',
    approverAbility: ['grant_privileged_role', 'User'],
  },
  'user.suspend': {
    id: 'user.suspend',
    description: 'Suspend a user: their sessions end and they cannot sign in until reactivated',
    audience: 'viewer',
    ...onUser('suspend'),
    risk: 'high',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'user.reactivate': {
    id: 'user.reactivate',
    description: 'Reactivate a suspended or disabled user',
    audience: 'viewer',
    ...onUser('reactivate'),
    risk: 'high',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'user.disable': {
    id: 'user.disable',
    description: 'Disable a user (for example when they leave): their sessions end and they cannot sign in',
    audience: 'viewer',
    ...onUser('disable'),
    risk: 'high',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'user.delete': {
    id: 'user.delete',
    description: 'Delete a user (soft delete: the account and its sessions end; purging is a separate retention job)',
    audience: 'viewer',
    ...onUser('delete'),
    risk: 'critical',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'user.reset_mfa': {
    id: 'user.reset_mfa',
    description: 'Reset a user’s second factors: authenticator app, passkeys and recovery codes are removed and their sessions end',
    audience: 'viewer',
    ...onUser('reset_mfa'),
    risk: 'critical',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'user.unlock': {
    id: 'user.unlock',
    description: 'Unlock an account locked by failed sign-ins',
    audience: 'viewer',
    ...onUser('unlock'),
    risk: 'high',
    stepUp: false,
    reason: 'required',
    approval: 'none',
  },
  'user.revoke_sessions': {
    id: 'user.revoke_sessions',
    description: 'End every session of a user',
    audience: 'viewer',
    ...onUser('revoke_sessions'),
    risk: 'high',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'session.revoke_user': {
    id: 'session.revoke_user',
    description: 'End one session of another user',
    audience: 'viewer',
    ability: ['revoke', 'Session'],
    target: 'record',
    risk: 'high',
    stepUp: false,
    reason: 'required',
    approval: 'none',
  },
  'ticket.comment': {
    id: 'ticket.comment',
    description: 'Add a reply to the requester or an internal note to a ticket',
    audience: 'viewer',
    ability: ['comment', 'Ticket'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
  'ticket.set_status': {
    id: 'ticket.set_status',
    description: 'Move a ticket between open, pending, resolved and closed (closing is final)',
    audience: 'viewer',
    ability: ['set_status', 'Ticket'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
  'ticket.assign': {
    id: 'ticket.assign',
    description: 'Assign a ticket to a support agent, reassign it, or return it to the unassigned queue',
    audience: 'viewer',
    ability: ['assign', 'Ticket'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'optional',
    approval: 'none',
  },
  'ticket.unassign_self': {
    id: 'ticket.unassign_self',
    description: 'Give a ticket assigned to you back to the unassigned queue',
    audience: 'viewer',
    ability: ['unassign_self', 'Ticket'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
  'ticket.reveal_requester_field': {
    id: 'ticket.reveal_requester_field',
    description: 'Reveal a masked personal field (email or phone) of the requester of an open ticket assigned to you',
    audience: 'viewer',
    ability: ['reveal_requester', 'Ticket'],
    target: 'record',
    readOnly: true,
    risk: 'low',
    stepUp: false,
    reason: 'required',
    approval: 'none',
  },
  'ticket.unlock_requester': {
    id: 'ticket.unlock_requester',
    description: 'Unlock the account of the requester of an open ticket assigned to you, locked by failed sign-ins',
    audience: 'viewer',
    ability: ['unlock_requester', 'Ticket'],
    target: 'record',
    risk: 'high',
    stepUp: false,
    reason: 'required',
    approval: 'none',
  },
  'ticket.request_requester_mfa_reset': {
    id: 'ticket.request_requester_mfa_reset',
    description:
      'Ask an administrator to reset the second factors of the requester of an open ticket assigned to you (the administrator approves by resetting them)',
    audience: 'viewer',
    ability: ['request_mfa_reset', 'Ticket'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'required',
    approval: 'none',
  },
  'ticket.resend_requester_invitation': {
    id: 'ticket.resend_requester_invitation',
    description:
      'Send a new invitation link to the address of the requester of an open ticket assigned to you (the old link stops working; you never see the new one)',
    audience: 'viewer',
    ability: ['resend_invitation', 'Ticket'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'optional',
    approval: 'none',
  },
  'ticket.send_requester_password_reset': {
    id: 'ticket.send_requester_password_reset',
    description:
      'Send a one-hour password-reset link to the address of the requester of an open ticket assigned to you (you never see the link)',
    audience: 'viewer',
    ability: ['send_password_reset', 'Ticket'],
    target: 'record',
    risk: 'high',
    stepUp: false,
    reason: 'required',
    approval: 'none',
  },
  'account.password_reset': {
    id: 'account.password_reset',
    description: 'Set a new password with a one-time password-reset link (public; the link is the credential)',
    audience: 'anonymous',
    ability: null,
    target: 'none',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
  'audit.pii_lookup': {
    id: 'audit.pii_lookup',
    description:
      'Check whether an email address appears in the audit trail (events hold only its keyed digest; the lookup itself is recorded)',
    audience: 'viewer',
    ability: ['lookup_personal_data', 'AuditEvent'],
    target: 'draft',
    readOnly: true,
    risk: 'low',
    stepUp: false,
    reason: 'required',
    approval: 'none',
  },
  'audit.verify': {
    id: 'audit.verify',
    description: 'Verify the whole audit trail now: replay every event and check every signed checkpoint and the external log',
    audience: 'viewer',
    ability: ['verify', 'AuditEvent'],
    target: 'draft',
    readOnly: true,
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
  'role.suspend': {
    id: 'role.suspend',
    description: 'Suspend a whole role (incident response): every holder is signed out and refused until it is reactivated',
    audience: 'viewer',
    ability: ['suspend', 'RoleState'],
    target: 'record',
    risk: 'critical',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'role.reactivate': {
    id: 'role.reactivate',
    description: 'Reactivate a suspended role',
    audience: 'viewer',
    ability: ['reactivate', 'RoleState'],
    target: 'record',
    risk: 'high',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'config.stage': {
    id: 'config.stage',
    description: 'Add a change of one configuration key to my pending change set (nothing takes effect yet)',
    audience: 'viewer',
    ability: ['propose', 'ConfigEntry'],
    target: 'draft',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
    // A secret's value never reaches a step-up binding (none here) or the trail.
    stepUpBinds: ['key'],
  },
  'config.unstage': {
    id: 'config.unstage',
    description: 'Remove one key from my pending change set',
    audience: 'viewer',
    ability: ['propose', 'ConfigEntry'],
    target: 'draft',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
  'config.apply': {
    id: 'config.apply',
    description: 'Apply a change set of normal configuration keys',
    audience: 'viewer',
    ability: ['update', 'ConfigEntry'],
    target: 'draft',
    risk: 'low',
    stepUp: false,
    reason: 'optional',
    approval: 'none',
  },
  'config.apply_sensitive': {
    id: 'config.apply_sensitive',
    description: 'Apply a change set that includes sensitive configuration keys',
    audience: 'viewer',
    ability: ['update', 'ConfigEntry'],
    target: 'draft',
    risk: 'high',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'config.apply_critical': {
    id: 'config.apply_critical',
    description:
      'Change critical configuration (security settings): a superadmin other than the requester must approve the exact change set',
    audience: 'viewer',
    ability: ['propose', 'ConfigEntry'],
    target: 'draft',
    risk: 'critical',
    stepUp: true,
    reason: 'required',
    approval: 'two-person',
    approverAbility: ['update', 'ConfigEntry'],
  },
  'audit.authorize_key_rotation': {
    id: 'audit.authorize_key_rotation',
    description:
      'Authorize one rotation of the audit checkpoint signing key (two people); the operator then rotates it with the approval id on the command line, within 24 hours',
    audience: 'viewer',
    ability: ['rotate_signing_key', 'AuditEvent'],
    target: 'draft',
    risk: 'critical',
    stepUp: true,
    reason: 'required',
    approval: 'two-person',
    approverAbility: ['rotate_signing_key', 'AuditEvent'],
  },
  'alert.acknowledge': {
    id: 'alert.acknowledge',
    description: 'Acknowledge an alert: say that someone is looking into it',
    audience: 'viewer',
    ability: ['acknowledge', 'Alert'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'optional',
    approval: 'none',
  },
  'alert.resolve': {
    id: 'alert.resolve',
    description: 'Resolve an alert, with a note saying why',
    audience: 'viewer',
    ability: ['resolve', 'Alert'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'required',
    approval: 'none',
  },
  'incident.open': {
    id: 'incident.open',
    description: 'Open an incident, from an alert or by hand; the audit head is sealed into it',
    audience: 'viewer',
    ability: ['create', 'Incident'],
    target: 'draft',
    risk: 'low',
    stepUp: false,
    reason: 'optional',
    approval: 'none',
  },
  'incident.note': {
    id: 'incident.note',
    description: 'Add a note to an incident’s timeline',
    audience: 'viewer',
    ability: ['update', 'Incident'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
  'incident.link_alert': {
    id: 'incident.link_alert',
    description: 'Link an alert to an incident',
    audience: 'viewer',
    ability: ['update', 'Incident'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
  'incident.set_status': {
    id: 'incident.set_status',
    description: 'Mark an incident contained, or open again',
    audience: 'viewer',
    ability: ['update', 'Incident'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'optional',
    approval: 'none',
  },
  'incident.close': {
    id: 'incident.close',
    description: 'Close an incident with its post-incident review (what happened, impact, follow-ups); the audit head is sealed again',
    audience: 'viewer',
    ability: ['close', 'Incident'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
  'session.revoke_all': {
    id: 'session.revoke_all',
    description: 'Containment: end every session of every user except this one',
    audience: 'viewer',
    ability: ['revoke_all', 'Session'],
    target: 'draft',
    risk: 'critical',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'system.lockdown': {
    id: 'system.lockdown',
    description: 'Containment: turn lockdown on (only superadmins may change anything; others read-only or signed out) or off',
    audience: 'viewer',
    ability: ['lockdown', 'SystemState'],
    target: 'draft',
    risk: 'critical',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'approval.approve': {
    id: 'approval.approve',
    description: 'Approve another person’s two-person request; the frozen change then runs once',
    audience: 'viewer',
    ability: ['approve', 'ApprovalRequest'],
    target: 'record',
    risk: 'critical',
    stepUp: true,
    reason: 'optional',
    approval: 'none',
    stepUpBinds: ['id', 'digest'],
  },
  'approval.reject': {
    id: 'approval.reject',
    description: 'Reject another person’s two-person request',
    audience: 'viewer',
    ability: ['reject', 'ApprovalRequest'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'required',
    approval: 'none',
  },
  'approval.cancel': {
    id: 'approval.cancel',
    description: 'Withdraw my own pending request (a config change set goes back to my drafts for editing)',
    audience: 'viewer',
    ability: ['cancel', 'ApprovalRequest'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'optional',
    approval: 'none',
  },
  'elevation.request': {
    id: 'elevation.request',
    description: 'Ask for a higher role, or one operation of a higher role, for a bounded time (needs a second approver; ends by itself)',
    audience: 'viewer',
    ability: ['request', 'Elevation'],
    target: 'draft',
    risk: 'critical',
    stepUp: true,
    reason: 'required',
    approval: 'two-person',
    approverAbility: ['approve', 'Elevation'],
  },
  'elevation.break_glass': {
    id: 'elevation.break_glass',
    description:
      'Emergency (break-glass): for a bounded time, my two-person operations run without waiting for an approver; alerts every superadmin and auditor and opens a mandatory review',
    audience: 'viewer',
    ability: ['break_glass', 'Elevation'],
    target: 'draft',
    risk: 'critical',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'elevation.end': {
    id: 'elevation.end',
    description: 'End a time-bound elevation before it expires',
    audience: 'viewer',
    ability: ['end', 'Elevation'],
    target: 'record',
    risk: 'low',
    stepUp: false,
    reason: 'optional',
    approval: 'none',
  },
  'review.start': {
    id: 'review.start',
    description: 'Start an access review campaign: who is reviewed (roles or users), by whom, and by when',
    audience: 'viewer',
    ability: ['create', 'AccessReview'],
    target: 'draft',
    risk: 'high',
    stepUp: false,
    reason: 'optional',
    approval: 'none',
  },
  'review.decide': {
    id: 'review.decide',
    description:
      'Record a reviewer’s decision on one person’s access (keep, change role, suspend); changes run through their own operations',
    audience: 'viewer',
    ability: ['decide', 'AccessReview'],
    target: 'record',
    risk: 'high',
    stepUp: false,
    reason: 'required',
    approval: 'none',
  },
  'review.sign_off': {
    id: 'review.sign_off',
    description: 'Sign off an access review campaign with a statement, which closes it',
    audience: 'viewer',
    ability: ['sign_off', 'AccessReview'],
    target: 'record',
    risk: 'high',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  // Witness cosigning (docs/audit-chain-format.md, "Witness cosignatures"): witnesses
  // belong to auditors, never to the superadmins who run the server and its signing key.
  'witness.register': {
    id: 'witness.register',
    description:
      'Register an auditor-held witness public key (Ed25519, made offline with warden-witness.mjs): its cosignatures of checkpoints are then accepted',
    audience: 'viewer',
    ability: ['register_witness', 'AuditEvent'],
    target: 'draft',
    risk: 'high',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'witness.revoke': {
    id: 'witness.revoke',
    description: 'Revoke a witness key: no further cosignatures by it are accepted (the ones it made stay in the trail and in exports)',
    audience: 'viewer',
    ability: ['revoke_witness', 'AuditEvent'],
    target: 'draft',
    risk: 'high',
    stepUp: true,
    reason: 'required',
    approval: 'none',
  },
  'checkpoint.cosign': {
    id: 'checkpoint.cosign',
    description:
      'Upload a witness cosignature of a checkpoint (made offline by warden-witness.mjs); accepted only if it verifies under a registered witness key over the stored digest',
    audience: 'viewer',
    ability: ['cosign', 'AuditEvent'],
    target: 'draft',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    approval: 'none',
  },
} as const satisfies Record<string, OperationDefinition>;

export type OperationId = keyof typeof OPERATIONS;

/** The operations the catalog marks as step-up. */
export type StepUpOperationId = { [K in OperationId]: (typeof OPERATIONS)[K]['stepUp'] extends true ? K : never }[OperationId];

/** Their ids, derived from the catalog (so a client may ask for a step-up of exactly these). */
export const STEP_UP_OPERATION_IDS = (Object.keys(OPERATIONS) as OperationId[]).filter(
  (id): id is StepUpOperationId => OPERATIONS[id].stepUp,
) as [StepUpOperationId, ...StepUpOperationId[]];

/** How recent a sign-in must be to stand in for a step-up during first enrolment. */
export const FRESH_SIGN_IN_MS = 10 * 60 * 1000;

/** The part of an input a step-up for `op` is bound to (see stepUpBinds). */
export function stepUpBindingInput(op: OperationDefinition, input: unknown): unknown {
  if (!op.stepUpBinds || typeof input !== 'object' || input === null) return input;
  const source = input as Record<string, unknown>;
  return Object.fromEntries(op.stepUpBinds.filter((k) => k in source).map((k) => [k, source[k]]));
}

/**
 * Non-repudiation (issue 13): a critical step-up operation runs only on a passkey
 * step-up, whose assertion over the signed intent is kept in its audit event, so
 * that every critical change carries a named person's signature that a third party
 * can check offline. An authenticator code proves presence but signs nothing, so
 * `mfa.step_up_methods` ("passkey or code") applies to the other step-up
 * operations only. The standalone verifier checks the same rule (catalog.json).
 */
export function signatureRequired(op: Pick<OperationDefinition, 'stepUp' | 'risk'>): boolean {
  return op.stepUp && op.risk === 'critical';
}

/** Ids of the operations that must be passkey-signed. */
export const SIGNED_OPERATION_IDS = (Object.keys(OPERATIONS) as OperationId[]).filter((id) => signatureRequired(OPERATIONS[id]));

/** The catalog entry of an operation. */
export function operation(id: OperationId): OperationDefinition {
  return OPERATIONS[id];
}
