'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { Button } from '@/components/ui/button';
import { OPERATIONS } from '@/policies/operations';
import type { UserActionTarget } from './action-target';
import { RoleChangeDialog } from './role-change-dialog';
import { usePerform } from './use-perform';
import { USER_OPERATIONS, type UserOperation } from './user-operations';

type Open = UserOperation['can'] | 'role' | null;

/**
 * The actions panel: one button per operation the server says this viewer may
 * do to this user now (the `can` flags); each opens the operation dialog with
 * its blast radius, the reason the catalog asks for, and typed confirmation
 * when irreversible. The server decides again on every call.
 */
export function UserActions({ user }: { user: UserActionTarget }) {
  const router = useRouter();
  const { perform, dialog } = usePerform();
  const [open, setOpen] = useState<Open>(null);
  const operations = USER_OPERATIONS.filter((o) => user.can[o.can]);
  const canChangeRole = user.can.changeRole || user.can.grantPrivilegedRole;

  if (operations.length === 0 && !canChangeRole) {
    return (
      <section aria-label="Actions" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
        <h2 className="text-base font-semibold text-slate-900">Actions</h2>
        <p className="mt-2 text-sm text-slate-600">
          {user.isSelf
            ? 'This is your own account. Nobody changes their own role or status; manage your sign-in from Account security.'
            : 'Your role cannot change this account.'}
        </p>
      </section>
    );
  }

  return (
    <section aria-label="Actions" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <h2 className="text-base font-semibold text-slate-900">Actions</h2>
      <p className="mt-1 text-sm text-slate-600">Each action asks for a reason and is recorded in the audit trail.</p>
      <div className="mt-4 flex flex-col gap-2">
        {canChangeRole ? (
          <Button variant="secondary" aria-haspopup="dialog" onClick={() => setOpen('role')}>
            Change role
          </Button>
        ) : null}
        {operations.map((o) => (
          <Button key={o.can} variant={o.irreversible ? 'danger' : 'secondary'} aria-haspopup="dialog" onClick={() => setOpen(o.can)}>
            {o.button}
          </Button>
        ))}
      </div>
      {canChangeRole ? <RoleChangeDialog user={user} open={open === 'role'} perform={perform} onClose={() => setOpen(null)} /> : null}
      {operations.map((o) => (
        <OperationDialog
          key={o.can}
          open={open === o.can}
          title={o.title(user)}
          confirmLabel={o.confirm}
          danger={o.danger}
          reason={OPERATIONS[o.op].reason}
          typeToConfirm={o.irreversible ? user.email : undefined}
          onSubmit={(fields) => perform(o.op, o.action, { id: user.id, ...fields })}
          onSuccess={() => (o.can === 'delete' ? router.push('/users') : router.refresh())}
          onClose={() => setOpen(null)}
        >
          {o.blast(user)}
        </OperationDialog>
      ))}
      {dialog}
    </section>
  );
}
