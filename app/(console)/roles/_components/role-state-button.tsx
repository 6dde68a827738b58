'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { Button } from '@/components/ui/button';
import type { Role } from '@/policies/roles';
import { OPERATIONS } from '@/policies/operations';
import { useStepUp } from '../../_components/use-step-up';
import { reactivateRoleAction } from '../_actions/reactivate-role';
import { suspendRoleAction } from '../_actions/suspend-role';

const plural = (n: number) => (n === 1 ? 'user' : 'users');

/**
 * "Suspend role" / "Reactivate role": the operation dialog states the blast
 * radius and takes the required reason, then the step-up hook confirms it is
 * the viewer (passkey or authenticator code) for this exact role and reason
 * before the action runs. The server enforces every part of it again.
 */
export function RoleStateButton({
  mode,
  role,
  label,
  holders,
}: {
  mode: 'suspend' | 'reactivate';
  role: Role;
  label: string;
  holders: number;
}) {
  const router = useRouter();
  const { run, dialog } = useStepUp({ enrolled: true });
  const [open, setOpen] = useState(false);
  const suspend = mode === 'suspend';
  const action = suspend ? 'Suspend role' : 'Reactivate role';
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)} aria-haspopup="dialog">
        {action}
      </Button>
      {/* The dialogs inherit text styles from the table cell they sit in: reset them. */}
      <div className="text-left font-normal whitespace-normal">
        <OperationDialog
          open={open}
          title={suspend ? `Suspend the ${label} role?` : `Reactivate the ${label} role?`}
          confirmLabel={action}
          danger={suspend}
          reason={OPERATIONS[suspend ? 'role.suspend' : 'role.reactivate'].reason}
          onSubmit={(fields) => {
            // Only the fields given: the step-up binds to the canonical JSON of this exact input, which has no undefined.
            const input = {
              role,
              ...(fields.reason ? { reason: fields.reason } : {}),
              ...(fields.ticketRef ? { ticketRef: fields.ticketRef } : {}),
            };
            return suspend ? run('role.suspend', suspendRoleAction, input) : run('role.reactivate', reactivateRoleAction, input);
          }}
          onSuccess={() => router.refresh()}
          onClose={() => setOpen(false)}
        >
          {suspend ? (
            <>
              <p>
                All <strong>{holders}</strong> active {role} {plural(holders)} will be refused on their next request and signed out.
              </p>
              <p>Nobody holding the role can sign in until it is reactivated. You will be asked to confirm it is you.</p>
            </>
          ) : (
            <>
              <p>
                The <strong>{holders}</strong> active {role} {plural(holders)} will be able to sign in again. Sessions ended during the
                suspension stay ended.
              </p>
              <p>You will be asked to confirm it is you.</p>
            </>
          )}
        </OperationDialog>
        {dialog}
      </div>
    </>
  );
}
