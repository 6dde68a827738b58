'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { Button } from '@/components/ui/button';
import { Time } from '@/components/ui/time';
import type { KeyRotationAuthorizationDTO } from '@/lib/dal/key-rotation';
import { OPERATIONS } from '@/policies/operations';
import { useStepUp } from '../../_components/use-step-up';
import { authorizeKeyRotationAction } from '../_actions/authorize-key-rotation';

/**
 * Rotating the checkpoint signing key takes two superadmins: one asks here (with
 * a reason and a step-up), a second approves it in Approvals, and the operator
 * then rotates on the server with the approval id. Shown to those who may ask.
 */
export function KeyRotation({ keyId, recent }: { keyId: string | null; recent: KeyRotationAuthorizationDTO[] }) {
  const router = useRouter();
  const { run, dialog } = useStepUp({ enrolled: true });
  const [open, setOpen] = useState(false);
  const [sent, setSent] = useState<{ id: string; expiresAt: string } | null>(null);

  return (
    <section aria-labelledby="key-rotation" className="mb-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="key-rotation" className="text-base font-semibold">
            Signing key rotation
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">
            The private key stays outside the database. A rotation needs two superadmins: ask here, a second superadmin approves it in
            Approvals, then the operator runs <code className="text-xs">npm run audit:keys -- rotate --approval &lt;id&gt;</code> on the
            server within 24 hours. Current key: <code className="text-xs">{keyId ?? 'none configured'}</code>.
          </p>
        </div>
        <Button type="button" variant="secondary" onClick={() => setOpen(true)} disabled={!keyId}>
          Authorize key rotation
        </Button>
      </div>
      <div aria-live="polite">
        {sent ? (
          <p className="mt-3 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-emerald-200">
            Sent for approval. A second superadmin must approve it.{' '}
            <Link className="underline" href={`/approvals/${sent.id}`}>
              View request
            </Link>
          </p>
        ) : null}
      </div>
      {recent.length > 0 ? (
        <table className="mt-4 w-full text-left text-sm">
          <caption className="sr-only">Recent rotation requests</caption>
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1 font-medium">Request</th>
              <th className="py-1 font-medium">Asked</th>
              <th className="py-1 font-medium">Status</th>
              <th className="py-1 font-medium">Command</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((r) => (
              <tr key={r.id} className="border-t border-slate-100">
                <td className="py-1">
                  <Link className="text-sky-700 underline" href={`/approvals/${r.id}`}>
                    {r.id}
                  </Link>
                </td>
                <td className="py-1">
                  <Time value={r.createdAt} />
                </td>
                <td className="py-1">{r.usableUntil ? 'approved — ready to use' : r.status}</td>
                <td className="py-1">
                  {r.usableUntil ? <code className="text-xs">npm run audit:keys -- rotate --approval {r.id}</code> : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <OperationDialog
        open={open}
        title="Authorize a signing key rotation"
        confirmLabel="Ask for approval"
        reason={OPERATIONS['audit.authorize_key_rotation'].reason}
        onClose={() => setOpen(false)}
        onSubmit={async (fields) => {
          const result = await run('audit.authorize_key_rotation', authorizeKeyRotationAction, {
            reason: fields.reason,
            ticketRef: fields.ticketRef,
          });
          if (!result.ok && result.code === 'APPROVAL_REQUIRED' && 'approval' in result && result.approval) {
            setSent(result.approval);
            router.refresh();
            return { ok: true, data: null };
          }
          return result;
        }}
      >
        <p>
          After a second superadmin approves, the operator can rotate the key once within 24 hours. Checkpoints signed with the old key stay
          verifiable; the rotation and both approvals are recorded in the trail.
        </p>
      </OperationDialog>
      {dialog}
    </section>
  );
}
