'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { OPERATIONS } from '@/policies/operations';
import { ROLES } from '@/policies/roles';
import { ADMIN_MANAGED_ROLES, PRIVILEGED_ROLES } from '@/policies/rules';
import { changeUserRoleAction } from '../../_actions/change-user-role';
import { grantPrivilegedRoleAction } from '../../_actions/grant-privileged-role';
import { compactInput } from '../../_components/compact-input';
import { count, type UserActionTarget } from './action-target';
import type { usePerform } from './use-perform';

const isPrivileged = (role: string) => (PRIVILEGED_ROLES as readonly string[]).includes(role);

/**
 * Change role. Between member, support and auditor it is `user.role_change`;
 * granting or removing admin or superadmin is `user.role_grant_privileged`,
 * which needs a second superadmin's approval: the server freezes the change as
 * a request and answers APPROVAL_REQUIRED with its id, which is the expected
 * outcome — the dialog closes and "Sent for approval" links to the request
 * (/approvals/<id>), where a second superadmin decides it. That request is sent
 * without a step-up first, because the server refuses it for want of an
 * approval before it looks at any proof; only if it ever asks for one does the
 * step-up ceremony run.
 */
export function RoleChangeDialog({
  user,
  open,
  perform,
  onClose,
}: {
  user: UserActionTarget;
  open: boolean;
  perform: ReturnType<typeof usePerform>['perform'];
  onClose: () => void;
}) {
  const router = useRouter();
  const selectId = useId();
  const [role, setRole] = useState('');
  const [sent, setSent] = useState<{ id: string; expiresAt: string } | null>(null);
  const offered = (user.can.grantPrivilegedRole ? ROLES : ADMIN_MANAGED_ROLES).filter((r) => r !== user.role);
  const privileged = isPrivileged(user.role) || (role !== '' && isPrivileged(role));

  const submit = async (fields: { reason?: string; ticketRef?: string }) => {
    const input = { id: user.id, role, ...fields };
    setSent(null);
    if (!privileged) return perform('user.role_change', changeUserRoleAction, input);
    const direct = await grantPrivilegedRoleAction(compactInput(input));
    const result =
      direct.ok || direct.code !== 'STEP_UP_REQUIRED'
        ? direct
        : await perform('user.role_grant_privileged', grantPrivilegedRoleAction, input);
    // The request was made: a success for this dialog (it closes), not an error.
    if (!result.ok && result.code === 'APPROVAL_REQUIRED' && 'approval' in result && result.approval) {
      setSent(result.approval);
      return { ok: true as const, data: null };
    }
    return result;
  };

  return (
    <>
      <div role="status" aria-live="polite">
        {sent ? (
          <p
            data-testid="role-change-sent"
            className="mt-3 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-emerald-200"
          >
            Sent for approval. Nothing changes until a second superadmin approves it (the request expires at{' '}
            <time dateTime={sent.expiresAt}>{sent.expiresAt.slice(0, 16).replace('T', ' ')} UTC</time>).{' '}
            <Link href={`/approvals/${sent.id}`} className="font-medium underline">
              View request
            </Link>
          </p>
        ) : null}
      </div>
      <OperationDialog
        open={open}
        title={`Change ${user.name}’s role?`}
        confirmLabel="Change role"
        danger={false}
        reason={OPERATIONS[privileged ? 'user.role_grant_privileged' : 'user.role_change'].reason}
        onSubmit={submit}
        onSuccess={() => router.refresh()}
        onClose={() => {
          setRole('');
          onClose();
        }}
      >
        <p>
          Current role: <strong>{user.role}</strong>.
        </p>
        <label htmlFor={selectId} className="block text-sm font-medium text-slate-800">
          New role
        </label>
        <select
          id={selectId}
          name="role"
          required
          value={role}
          onChange={(e) => setRole(e.target.value)}
          className="mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
        >
          <option value="">Choose a role</option>
          {offered.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <p>
          {user.sessions === 0 ? 'They have no active sessions.' : `${count(user.sessions, 'active session')} will end.`} The new role
          applies from their next sign-in, with the sign-in requirements of that role.
        </p>
        {privileged ? (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-900 ring-1 ring-amber-200" data-testid="approval-note">
            Granting or removing the admin or superadmin role needs a second superadmin to approve it (two-person approval).
          </p>
        ) : null}
      </OperationDialog>
    </>
  );
}
