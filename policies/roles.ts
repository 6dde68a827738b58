/**
 * Role definitions, in plain words. Pure data: no I/O, no server-only imports, so
 * a reviewer can read it and the Roles page can render it as it stands.
 * Deny by default: a role has exactly the capabilities listed for it.
 */

export const ROLES = ['superadmin', 'admin', 'auditor', 'support', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may sign in to the console. Members are managed accounts only. */
export const CONSOLE_ROLES = ['superadmin', 'admin', 'auditor', 'support'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isConsoleRole(value: unknown): value is ConsoleRole {
  return typeof value === 'string' && (CONSOLE_ROLES as readonly string[]).includes(value);
}

export interface RoleDefinition {
  role: Role;
  label: string;
  purpose: string;
  /** What holders of the role may do, one capability per line. */
  may: readonly string[];
  /** What they may never do, whatever else is configured. */
  mayNever: readonly string[];
  /** Rank in the hierarchy: nobody acts on a peer or a higher rank. */
  rank: number;
}

export const ROLE_DEFINITIONS: readonly RoleDefinition[] = [
  {
    role: 'superadmin',
    label: 'Superadmin',
    purpose: 'Owns the system.',
    may: [
      'Everything an admin may do',
      'Grant and revoke the admin and superadmin roles (with a second approver)',
      'Change critical configuration',
      'Suspend a whole role, lock the console down, rotate the audit signing key',
      'Read and verify the audit trail',
      'Start access review campaigns and approve time-bound elevations of others',
      'Break glass in an emergency: their two-person operations run without an approver for a bounded time (everyone is alerted, a review opens)',
    ],
    mayNever: [
      'Perform a critical operation without a fresh passkey confirmation',
      'Approve their own request',
      'Edit or delete audit events',
    ],
    rank: 40,
  },
  {
    role: 'admin',
    label: 'Admin',
    purpose: 'Operates user accounts and configuration.',
    may: [
      'Manage member, support and auditor accounts',
      'Change normal and sensitive configuration',
      'Revoke other users’ sessions',
      'Open incidents',
      'Review access in the campaigns they are named reviewer of',
      'Ask to hold superadmin for a while (a superadmin approves; it ends by itself)',
    ],
    mayNever: ['Touch superadmins or change another admin’s privileges', 'Change critical configuration', 'Read stored secrets'],
    rank: 30,
  },
  {
    role: 'auditor',
    label: 'Auditor',
    purpose: 'Oversight, read-only.',
    may: [
      'Read every audit event, dashboard, alert, incident and access review',
      'Verify and export the audit trail',
      'Read the policy matrix and the usage of every role',
      'Sign off access review campaigns',
    ],
    mayNever: ['Change anything other than their own account security and review sign-offs'],
    rank: 20,
  },
  {
    role: 'support',
    label: 'Support',
    purpose: 'Handles tickets.',
    may: [
      'Read and work tickets assigned to them',
      'See a requester’s account, with personal data masked, only while such a ticket is open',
      'Unlock or resend an invitation for that requester',
      'Ask to hold admin, or one admin operation, for a while (a superadmin approves; it ends by itself)',
    ],
    mayNever: ['See unrelated users, configuration, the audit trail or any other ticket'],
    rank: 10,
  },
  {
    role: 'member',
    label: 'Member',
    purpose: 'An end-user account managed by the console.',
    may: ['Nothing in the console'],
    mayNever: ['Sign in to the console'],
    rank: 0,
  },
];

/** The definition of one role. */
export function roleDefinition(role: Role): RoleDefinition {
  const found = ROLE_DEFINITIONS.find((d) => d.role === role);
  if (!found) throw new Error(`unknown role ${role}`);
  return found;
}
