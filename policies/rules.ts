/**
 * Who may do what, as data: `defineRulesFor(principal)` returns the CASL rules of
 * one viewer (house style 8). RBAC by role, ABAC by conditions on the record:
 * role hierarchy (nobody acts on a peer or a higher role, nobody on themselves),
 * the principal's own state (a suspended user or role gets nothing), support ↔
 * ticket assignment, and configuration sensitivity tiers. Deny by default: what
 * no rule grants is refused, and even the superadmin's grants are listed actions,
 * never `manage all`.
 *
 * Conditions are Prisma `where` fragments, so the same rule both decides about a
 * loaded record (`subject()`) and filters queries (`accessibleBy`). Each rule's
 * `reason` is its id; the audit trail records the id of the rule that decided.
 *
 * Pure: no I/O, no server-only imports.
 */
import { CONSOLE_ROLES, isConsoleRole, type Role } from './roles';

export type PolicyAction =
  | 'read'
  | 'create'
  | 'update'
  | 'change_role'
  | 'grant_privileged_role'
  | 'suspend'
  | 'reactivate'
  | 'disable'
  | 'delete'
  | 'reset_mfa'
  | 'unlock'
  | 'revoke_sessions'
  | 'revoke'
  | 'use_own_session'
  | 'manage_own_security'
  | 'lookup_personal_data'
  | 'analyze'
  | 'export'
  | 'comment'
  | 'set_status'
  | 'assign'
  | 'unassign_self'
  | 'read_requester'
  | 'reveal_requester'
  | 'unlock_requester'
  | 'request_mfa_reset'
  | 'resend_invitation'
  | 'send_password_reset'
  | 'verify'
  | 'propose'
  | 'approve'
  | 'reject'
  | 'cancel'
  | 'rotate_signing_key'
  | 'acknowledge'
  | 'resolve'
  | 'close'
  | 'revoke_all'
  | 'lockdown'
  | 'request'
  | 'break_glass'
  | 'end'
  | 'decide'
  | 'sign_off'
  | 'register_witness'
  | 'revoke_witness'
  | 'cosign';

export type PolicySubject =
  | 'User'
  | 'Session'
  | 'RoleState'
  | 'AuditEvent'
  | 'Ticket'
  | 'ConfigEntry'
  | 'ApprovalRequest'
  | 'Alert'
  | 'Incident'
  | 'SystemState'
  | 'Elevation'
  | 'AccessReview';

/** The viewer as the policy sees it: identity, role and state, all read from the database. */
export interface Principal {
  id: string;
  role: Role;
  /** active | suspended | disabled */
  status: string;
  /** Whether the principal's role is suspended (incident response). */
  roleSuspended: boolean;
}

/** A CASL raw rule whose `reason` carries the rule id recorded in the audit trail. */
export interface PolicyRule {
  action: PolicyAction | PolicyAction[];
  subject: PolicySubject;
  /** Field-level permission: the rule covers only these fields (DTO builders use permittedFieldsOf). */
  fields?: string[];
  conditions?: Record<string, unknown>;
  inverted?: boolean;
  reason: string;
}

/** Roles an admin manages: everything below admin. */
export const ADMIN_MANAGED_ROLES = ['auditor', 'support', 'member'] as const satisfies readonly Role[];
/** Roles whose grant or removal is a privilege change that needs two people. */
export const PRIVILEGED_ROLES = ['superadmin', 'admin'] as const satisfies readonly Role[];
/** Roles a superadmin may suspend as a whole. Never superadmin: that would lock everyone out. */
export const SUSPENDABLE_ROLES = ['admin', 'auditor', 'support'] as const satisfies readonly Role[];

/** Acting on a user record. A verb in this list is never allowed on oneself. */
const USER_ADMIN_ACTIONS: PolicyAction[] = ['suspend', 'reactivate', 'disable', 'delete', 'reset_mfa', 'unlock', 'revoke_sessions'];
const NOT_ON_SELF: PolicyAction[] = [...USER_ADMIN_ACTIONS, 'change_role', 'grant_privileged_role'];

/** Ticket states in which the requester's account is visible to the assigned agent. */
export const TICKET_OPEN_STATES = ['open', 'pending'] as const;
/** Ticket states in which the conversation can still be worked (closed is final). */
export const TICKET_WORKABLE_STATES = ['open', 'pending', 'resolved'] as const;

/**
 * User fields a support agent may read of a requester, and those it sees only
 * masked until it reveals one with a reason (ticket.reveal_requester_field).
 */
export const REQUESTER_FIELDS = ['id', 'name', 'role', 'status', 'locked', 'invited', 'factorTypes', 'recentSignIns'] as const;
export const REQUESTER_MASKED_FIELDS = ['email', 'phone'] as const;

/**
 * Time-bound elevation: the roles each role may ask to hold for a while (two
 * people decide). Auditors ask for nothing: their independence is the point.
 * Superadmins have break-glass instead.
 */
export const ELEVATION_TARGETS = {
  admin: ['superadmin'],
  support: ['admin'],
} as const satisfies Partial<Record<Role, readonly Role[]>>;

/** Configuration sensitivity tiers (used by the configuration area). */
export const CONFIG_TIERS = ['normal', 'sensitive', 'critical'] as const;

/**
 * The rules of one principal. An inactive principal (suspended or disabled user,
 * suspended role) and a member get none: they cannot do anything in the console.
 */
export function defineRulesFor(principal: Principal): PolicyRule[] {
  if (principal.status !== 'active' || principal.roleSuspended || !isConsoleRole(principal.role)) return [];
  const self = principal.id;
  const rules: PolicyRule[] = [
    // Every console user runs their own account: their sessions and their second factors.
    { action: 'use_own_session', subject: 'User', conditions: { id: self }, reason: 'own.session' },
    { action: 'manage_own_security', subject: 'User', conditions: { id: self }, reason: 'own.security' },
    { action: 'read', subject: 'Session', conditions: { userId: self }, reason: 'own.sessions_read' },
    { action: 'read', subject: 'RoleState', reason: 'any.role_state_read' },
    { action: 'read', subject: 'Elevation', conditions: { userId: self }, reason: 'own.elevations_read' },
    { action: 'end', subject: 'Elevation', conditions: { userId: self, status: 'active' }, reason: 'own.elevation_end' },
  ];
  const elevationTargets: readonly Role[] | undefined = (ELEVATION_TARGETS as Partial<Record<Role, readonly Role[]>>)[principal.role];
  if (elevationTargets) {
    rules.push({
      action: 'request',
      subject: 'Elevation',
      conditions: { userId: self, baseRole: principal.role, role: { in: elevationTargets } },
      reason: 'own.elevation_request',
    });
  }

  switch (principal.role) {
    case 'superadmin':
      rules.push(
        { action: 'read', subject: 'User', conditions: { deletedAt: null }, reason: 'superadmin.users_read' },
        { action: 'create', subject: 'User', conditions: { role: { in: ADMIN_MANAGED_ROLES } }, reason: 'superadmin.invite' },
        {
          action: USER_ADMIN_ACTIONS,
          subject: 'User',
          conditions: { id: { not: self }, deletedAt: null },
          reason: 'superadmin.manage_users',
        },
        {
          action: 'change_role',
          subject: 'User',
          conditions: { id: { not: self }, deletedAt: null, role: { in: ADMIN_MANAGED_ROLES } },
          reason: 'superadmin.change_role',
        },
        {
          action: 'grant_privileged_role',
          subject: 'User',
          conditions: { id: { not: self }, deletedAt: null },
          reason: 'superadmin.grant_privileged_role',
        },
        { action: 'read', subject: 'Session', reason: 'superadmin.sessions_read' },
        { action: 'revoke', subject: 'Session', conditions: { userId: { not: self } }, reason: 'superadmin.sessions_revoke' },
        {
          action: ['suspend', 'reactivate'],
          subject: 'RoleState',
          conditions: { role: { in: SUSPENDABLE_ROLES } },
          reason: 'superadmin.role_state',
        },
        {
          action: ['read', 'analyze', 'export', 'lookup_personal_data', 'verify'],
          subject: 'AuditEvent',
          reason: 'superadmin.audit_read',
        },
        { action: 'rotate_signing_key', subject: 'AuditEvent', reason: 'superadmin.audit_key_rotation' },
        { action: 'read', subject: 'Alert', reason: 'superadmin.alerts_read' },
        { action: 'acknowledge', subject: 'Alert', conditions: { status: 'open' }, reason: 'superadmin.alerts_handle' },
        {
          action: 'resolve',
          subject: 'Alert',
          conditions: { status: { in: ['open', 'acknowledged'] } },
          reason: 'superadmin.alerts_handle',
        },
        { action: ['read', 'create'], subject: 'Incident', reason: 'superadmin.incidents' },
        {
          action: ['update', 'close'],
          subject: 'Incident',
          conditions: { status: { in: ['open', 'contained'] } },
          reason: 'superadmin.incidents',
        },
        // Containment that reaches every account: only superadmins.
        { action: 'revoke_all', subject: 'Session', reason: 'superadmin.revoke_all_sessions' },
        { action: 'lockdown', subject: 'SystemState', reason: 'superadmin.lockdown' },
        { action: 'read', subject: 'Ticket', reason: 'superadmin.tickets_read' },
        {
          action: ['assign', 'comment', 'set_status'],
          subject: 'Ticket',
          conditions: { status: { in: TICKET_WORKABLE_STATES } },
          reason: 'superadmin.tickets_manage',
        },
        { action: ['read', 'propose', 'update'], subject: 'ConfigEntry', reason: 'superadmin.config' },
        { action: 'read', subject: 'ApprovalRequest', reason: 'superadmin.approvals_read' },
        {
          action: ['approve', 'reject'],
          subject: 'ApprovalRequest',
          conditions: { requesterId: { not: self }, status: 'pending' },
          reason: 'superadmin.approvals_decide',
        },
        {
          action: 'cancel',
          subject: 'ApprovalRequest',
          conditions: { requesterId: self, status: 'pending' },
          reason: 'own.approval_cancel',
        },
        { action: 'read', subject: 'Elevation', reason: 'superadmin.elevations_read' },
        { action: 'approve', subject: 'Elevation', conditions: { userId: { not: self } }, reason: 'superadmin.elevation_approve' },
        { action: 'end', subject: 'Elevation', conditions: { status: 'active' }, reason: 'superadmin.elevation_end' },
        {
          action: 'break_glass',
          subject: 'Elevation',
          conditions: { userId: self, scope: 'break_glass' },
          reason: 'superadmin.break_glass',
        },
        { action: ['read', 'create'], subject: 'AccessReview', reason: 'superadmin.access_reviews' },
        {
          action: 'decide',
          subject: 'AccessReview',
          conditions: { status: 'open', reviewers: { some: { userId: self } } },
          reason: 'reviewer.access_review_decide',
        },
        { action: 'sign_off', subject: 'AccessReview', conditions: { status: 'open' }, reason: 'superadmin.access_review_sign_off' },
      );
      break;
    case 'admin': {
      const managed = { id: { not: self }, deletedAt: null, role: { in: ADMIN_MANAGED_ROLES } };
      rules.push(
        { action: 'read', subject: 'User', conditions: { deletedAt: null }, reason: 'admin.users_read' },
        { action: 'create', subject: 'User', conditions: { role: { in: ADMIN_MANAGED_ROLES } }, reason: 'admin.invite_lower' },
        { action: [...USER_ADMIN_ACTIONS, 'change_role'], subject: 'User', conditions: managed, reason: 'admin.manage_lower_roles' },
        {
          action: ['read', 'revoke'],
          subject: 'Session',
          conditions: { user: { is: { role: { in: ADMIN_MANAGED_ROLES } } } },
          reason: 'admin.sessions_lower_roles',
        },
        { action: ['read', 'export'], subject: 'AuditEvent', conditions: { actorId: self }, reason: 'admin.audit_own_actions' },
        { action: 'read', subject: 'Ticket', reason: 'admin.tickets_read' },
        {
          action: ['assign', 'comment', 'set_status'],
          subject: 'Ticket',
          conditions: { status: { in: TICKET_WORKABLE_STATES } },
          reason: 'admin.tickets_manage',
        },
        { action: ['read', 'propose'], subject: 'ConfigEntry', reason: 'admin.config_read_propose' },
        {
          action: 'update',
          subject: 'ConfigEntry',
          conditions: { tier: { in: ['normal', 'sensitive'] } },
          reason: 'admin.config_below_critical',
        },
        { action: 'read', subject: 'ApprovalRequest', conditions: { requesterId: self }, reason: 'admin.own_approval_requests' },
        { action: 'read', subject: 'Alert', reason: 'admin.alerts_read' },
        { action: 'acknowledge', subject: 'Alert', conditions: { status: 'open' }, reason: 'admin.alerts_handle' },
        { action: 'resolve', subject: 'Alert', conditions: { status: { in: ['open', 'acknowledged'] } }, reason: 'admin.alerts_handle' },
        { action: ['read', 'create'], subject: 'Incident', reason: 'admin.incidents' },
        {
          action: ['update', 'close'],
          subject: 'Incident',
          conditions: { status: { in: ['open', 'contained'] } },
          reason: 'admin.incidents',
        },
        {
          action: 'cancel',
          subject: 'ApprovalRequest',
          conditions: { requesterId: self, status: 'pending' },
          reason: 'own.approval_cancel',
        },
        {
          action: 'read',
          subject: 'AccessReview',
          conditions: { reviewers: { some: { userId: self } } },
          reason: 'reviewer.access_review_read',
        },
        {
          action: 'decide',
          subject: 'AccessReview',
          conditions: { status: 'open', reviewers: { some: { userId: self } } },
          reason: 'reviewer.access_review_decide',
        },
      );
      break;
    }
    case 'auditor':
      rules.push(
        {
          action: ['read', 'analyze', 'export', 'lookup_personal_data', 'verify'],
          subject: 'AuditEvent',
          reason: 'auditor.audit_read',
        },
        { action: 'read', subject: 'ConfigEntry', reason: 'auditor.config_read' },
        { action: 'read', subject: 'ApprovalRequest', reason: 'auditor.approvals_read' },
        { action: 'read', subject: 'Alert', reason: 'auditor.alerts_read' },
        { action: 'read', subject: 'Incident', reason: 'auditor.incidents_read' },
        { action: 'read', subject: 'Elevation', reason: 'auditor.elevations_read' },
        { action: 'read', subject: 'AccessReview', reason: 'auditor.access_reviews_read' },
        // An auditor's attestation closes a campaign (the role's one change: review sign-offs).
        { action: 'sign_off', subject: 'AccessReview', conditions: { status: 'open' }, reason: 'auditor.access_review_sign_off' },
        // Witnesses are the auditors' own check on the operators: only auditors register,
        // revoke and upload cosignatures (superadmins run the server and its signing key).
        { action: ['register_witness', 'revoke_witness', 'cosign'], subject: 'AuditEvent', reason: 'auditor.witness' },
      );
      break;
    case 'support': {
      // The requester's account is visible only through an open or pending ticket
      // assigned to this agent; the conditions are Prisma filters, so lists and
      // writes check them in the query (a reassigned or closed ticket ends access
      // on the next request, even from a page that is still open).
      const openAssigned = { assigneeId: self, status: { in: TICKET_OPEN_STATES } };
      rules.push(
        { action: 'read', subject: 'Ticket', conditions: { assigneeId: self }, reason: 'support.assigned_tickets' },
        {
          action: ['comment', 'set_status', 'unassign_self'],
          subject: 'Ticket',
          conditions: { assigneeId: self, status: { in: TICKET_WORKABLE_STATES } },
          reason: 'support.work_assigned_tickets',
        },
        {
          action: [
            'read_requester',
            'reveal_requester',
            'unlock_requester',
            'request_mfa_reset',
            'resend_invitation',
            'send_password_reset',
          ],
          subject: 'Ticket',
          conditions: { ...openAssigned, requester: { is: { role: 'member', deletedAt: null } } },
          reason: 'support.requester_of_open_ticket',
        },
        {
          action: 'read',
          subject: 'User',
          fields: [...REQUESTER_FIELDS],
          conditions: { role: 'member', deletedAt: null, ticketsRequested: { some: openAssigned } },
          reason: 'support.requester_read',
        },
      );
      break;
    }
  }

  // Stated once, after every grant, so it wins over them (CASL: later rules take
  // precedence): nobody changes their own role, suspends or deletes themselves.
  rules.push({ action: NOT_ON_SELF, subject: 'User', conditions: { id: self }, inverted: true, reason: 'hierarchy.not_self' });
  return rules;
}

/** Rule id recorded when no rule grants an action. */
export const DEFAULT_DENY = 'authz.default_deny';

/** The console roles, for callers that enumerate principals. */
export const POLICY_ROLES = CONSOLE_ROLES;
