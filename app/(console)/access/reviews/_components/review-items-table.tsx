'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { OperationDialog, type OperationFields } from '@/components/operation-dialog';
import { Badge, RoleBadge, StatusBadge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import type { ReviewItemDTO } from '@/lib/dal/access-reviews';
import { OPERATIONS } from '@/policies/operations';
import { PRIVILEGED_ROLES } from '@/policies/rules';
import { usePerform, type UserAction } from '../../../users/[id]/_components/use-perform';
import { changeUserRoleAction } from '../../../users/_actions/change-user-role';
import { grantPrivilegedRoleAction } from '../../../users/_actions/grant-privileged-role';
import { suspendUserAction } from '../../../users/_actions/suspend-user';
import { compactInput } from '../../../users/_components/compact-input';
import { DecisionBadge } from '../../_components/review-badges';
import { decideKeepAction } from '../_actions/decide-keep';

const isPrivileged = (role: string) => (PRIVILEGED_ROLES as readonly string[]).includes(role);
const when = (d: Date | string | null) => (d ? `${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never');

type Open = { kind: 'keep' | 'suspend' | 'change'; item: ReviewItemDTO } | null;

/**
 * The campaign's rows: each person with their role at the start and now, their
 * usage evidence and the decision. A reviewer decides pending rows: "Keep"
 * records review.decide; "Change role" and "Suspend" run the user operations
 * themselves (with their step-up, and two-person approval for admin and
 * superadmin roles), carrying the row's id so the decision is recorded with the
 * change. A reviewer's own row cannot be decided by them. Text is shown as text.
 */
export function ReviewItemsTable({ reviewId, items, usageDays }: { reviewId: string; items: ReviewItemDTO[]; usageDays: number }) {
  const router = useRouter();
  const { perform, dialog } = usePerform();
  const [open, setOpen] = useState<Open>(null);
  const [role, setRole] = useState('');
  const [sent, setSent] = useState<{ name: string; id: string } | null>(null);
  const selectId = useId();

  const close = () => {
    setOpen(null);
    setRole('');
  };

  async function submit(fields: OperationFields) {
    if (!open) return { ok: false as const, code: 'CANCELLED' as const, message: 'Nothing was sent.' };
    const { item } = open;
    if (open.kind === 'keep') {
      return decideKeepAction(compactInput({ reviewId, itemId: item.id, decision: 'keep' as const, ...fields }));
    }
    if (open.kind === 'suspend') {
      return perform('user.suspend', suspendUserAction as UserAction, { id: item.user.id, accessReviewItemId: item.id, ...fields });
    }
    if (!role) return { ok: false as const, code: 'CANCELLED' as const, message: 'Choose the new role. Nothing was sent.' };
    const input = { id: item.user.id, role, accessReviewItemId: item.id, ...fields };
    setSent(null);
    if (!isPrivileged(item.user.role) && !isPrivileged(role)) {
      return perform('user.role_change', changeUserRoleAction as UserAction, input);
    }
    const direct = await grantPrivilegedRoleAction(compactInput(input));
    const result =
      direct.ok || direct.code !== 'STEP_UP_REQUIRED'
        ? direct
        : await perform('user.role_grant_privileged', grantPrivilegedRoleAction as UserAction, input);
    if (!result.ok && result.code === 'APPROVAL_REQUIRED' && 'approval' in result && result.approval) {
      setSent({ name: item.user.name, id: result.approval.id });
      return { ok: true as const, data: null };
    }
    return result;
  }

  const privilegedChange = open?.kind === 'change' && (isPrivileged(open.item.user.role) || (role !== '' && isPrivileged(role)));
  const op =
    open?.kind === 'keep'
      ? 'review.decide'
      : open?.kind === 'suspend'
        ? 'user.suspend'
        : privilegedChange
          ? 'user.role_grant_privileged'
          : 'user.role_change';

  return (
    <>
      <div role="status" aria-live="polite">
        {sent ? (
          <p
            data-testid="review-approval-sent"
            className="mb-3 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-emerald-200"
          >
            The role change for {sent.name} was sent for approval; the row is decided when a second superadmin approves it.{' '}
            <Link href={`/approvals/${sent.id}`} className="font-medium underline">
              View request
            </Link>
          </p>
        ) : null}
      </div>
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">People under review and the decisions about their access</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-3">
                Person
              </th>
              <th scope="col" className="px-3 py-3">
                Role (start → now)
              </th>
              <th scope="col" className="px-3 py-3">
                Status
              </th>
              <th scope="col" className="px-3 py-3">
                Evidence ({usageDays} days)
              </th>
              <th scope="col" className="px-3 py-3">
                Decision
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.length === 0 ? (
              <tr>
                <td colSpan={5} className="px-4 py-10 text-center text-slate-500">
                  No one is in this campaign.
                </td>
              </tr>
            ) : null}
            {items.map((i) => (
              <tr key={i.id} data-testid="review-item" data-user-email={i.user.email} data-decision={i.decision}>
                <td className="px-3 py-2.5 align-top">
                  {i.canAnalyze ? (
                    <Link href={`/access/users/${i.user.id}`} className="font-medium text-indigo-700 hover:underline">
                      {i.user.name}
                    </Link>
                  ) : (
                    <span className="font-medium text-slate-900">{i.user.name}</span>
                  )}
                  <span className="block text-xs text-slate-500">{i.user.email}</span>
                  {i.user.deleted ? <span className="block text-xs text-red-700">Deleted since the start</span> : null}
                </td>
                <td className="whitespace-nowrap px-3 py-2.5 align-top">
                  <RoleBadge role={i.roleAtStart} />
                  {i.user.role !== i.roleAtStart ? (
                    <>
                      {' '}
                      <span aria-hidden="true">→</span>
                      <span className="sr-only">now</span> <RoleBadge role={i.user.role} />
                    </>
                  ) : null}
                </td>
                <td className="whitespace-nowrap px-3 py-2.5 align-top">
                  <StatusBadge status={i.user.status} />
                  {i.statusAtStart !== i.user.status ? <span className="block text-xs text-slate-500">was {i.statusAtStart}</span> : null}
                </td>
                <td className="px-3 py-2.5 align-top text-slate-700" data-testid="review-evidence">
                  {i.evidence ? (
                    <>
                      <p>
                        Granted <span className="tabular-nums">{i.evidence.granted}</span> · used in window{' '}
                        <span className="tabular-nums">{i.evidence.usedInWindow}</span>
                      </p>
                      <p className="text-xs text-slate-500">Last active: {when(i.evidence.lastActiveAt)}</p>
                      {i.evidence.unused.length ? (
                        <details className="text-xs">
                          <summary className="cursor-pointer text-slate-600">Unused: {i.evidence.unused.length} operations</summary>
                          <ul className="mt-1 list-disc pl-4 font-mono text-slate-600">
                            {i.evidence.unused.map((u) => (
                              <li key={u}>{u}</li>
                            ))}
                          </ul>
                        </details>
                      ) : null}
                    </>
                  ) : (
                    <span className="text-slate-400">No evidence available</span>
                  )}
                </td>
                <td className="px-3 py-2.5 align-top">
                  <DecisionCell item={i} onOpen={(kind) => setOpen({ kind, item: i })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {dialog}
      <OperationDialog
        open={open !== null}
        title={
          open?.kind === 'keep'
            ? `Keep ${open.item.user.name}’s access?`
            : open?.kind === 'suspend'
              ? `Suspend ${open.item.user.name}?`
              : `Change ${open?.item.user.name ?? ''}’s role?`
        }
        confirmLabel={open?.kind === 'keep' ? 'Keep access' : open?.kind === 'suspend' ? 'Suspend user' : 'Change role'}
        danger={open?.kind === 'suspend'}
        reason={OPERATIONS[op].reason}
        onSubmit={submit}
        onSuccess={() => router.refresh()}
        onClose={close}
      >
        {open?.kind === 'keep' ? (
          <p>
            {open.item.user.name} keeps the <strong>{open.item.user.role}</strong> role. Your reason is recorded with the decision in the
            audit trail.
          </p>
        ) : null}
        {open?.kind === 'suspend' ? (
          <>
            <p>Their sessions end now and they cannot sign in until someone reactivates the account. Nothing is deleted.</p>
            <p>You will confirm it’s you (step-up) before it runs.</p>
          </>
        ) : null}
        {open?.kind === 'change' ? (
          <>
            <p>
              Current role: <strong>{open.item.user.role}</strong>. Their sessions end; the new role applies from their next sign-in.
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
              {open.item.roleOptions.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            {privilegedChange ? (
              <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-900 ring-1 ring-amber-200">
                Granting or removing the admin or superadmin role needs a second superadmin to approve it; the row waits for that approval.
              </p>
            ) : (
              <p>You will confirm it’s you (step-up) before it runs.</p>
            )}
          </>
        ) : null}
      </OperationDialog>
    </>
  );
}

function DecisionCell({ item: i, onOpen }: { item: ReviewItemDTO; onOpen: (kind: 'keep' | 'suspend' | 'change') => void }) {
  if (i.decision !== 'pending') {
    return (
      <div className="space-y-1" data-testid="review-decision">
        <p className="flex flex-wrap items-center gap-2">
          <DecisionBadge decision={i.decision} />
          {i.decision === 'change_role' && i.newRole ? <RoleBadge role={i.newRole} /> : null}
        </p>
        <p className="text-xs text-slate-600">
          by {i.decidedBy?.name ?? 'unknown'} · {when(i.decidedAt)}
        </p>
        {i.reason ? <p className="max-w-xs break-words text-xs text-slate-700">“{i.reason}”</p> : null}
        <p className="flex flex-wrap gap-2 text-xs">
          {i.decisionSeq !== null ? (
            <Link href={`/audit/events/${i.decisionSeq}`} className="text-indigo-700 hover:underline">
              Audit event #{i.decisionSeq}
            </Link>
          ) : null}
          {i.appliedSeq !== null && i.appliedSeq !== i.decisionSeq ? (
            <Link href={`/audit/events/${i.appliedSeq}`} className="text-indigo-700 hover:underline">
              Change #{i.appliedSeq}
            </Link>
          ) : null}
          {i.approval ? (
            <Link href={`/approvals/${i.approval.id}`} className="text-indigo-700 hover:underline">
              Approval
            </Link>
          ) : null}
        </p>
      </div>
    );
  }
  const approvalNote = i.approval ? (
    <p className="text-xs text-slate-600">
      {i.awaitingApproval ? 'Role change awaiting approval: ' : `Last role change request ${i.approval.status}: `}
      <Link href={`/approvals/${i.approval.id}`} className="text-indigo-700 hover:underline">
        view request
      </Link>
    </p>
  ) : null;
  if (i.own) {
    return (
      <div className="space-y-1">
        <DecisionBadge decision="pending" />
        <p className="text-xs text-slate-600" data-testid="own-access">
          You cannot review your own access; another reviewer decides this row.
        </p>
      </div>
    );
  }
  if (!i.canDecide) {
    return (
      <div className="space-y-1">
        {i.awaitingApproval ? <Badge tone="sky">Awaiting approval</Badge> : <DecisionBadge decision="pending" />}
        {approvalNote}
      </div>
    );
  }
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" type="button" aria-label={`Keep ${i.user.name}`} onClick={() => onOpen('keep')}>
          Keep
        </Button>
        {i.roleOptions.length ? (
          <Button variant="secondary" type="button" aria-label={`Change role of ${i.user.name}`} onClick={() => onOpen('change')}>
            Change role
          </Button>
        ) : null}
        {i.canSuspend ? (
          <Button variant="danger" type="button" aria-label={`Suspend ${i.user.name}`} onClick={() => onOpen('suspend')}>
            Suspend
          </Button>
        ) : null}
      </div>
      {approvalNote}
    </div>
  );
}
