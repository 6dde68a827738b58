import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { RoleBadge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { showControlCharacters } from '@/lib/audit/display';
import { requireArea } from '@/lib/authz/areas';
import { now } from '@/lib/clock';
import { getApproval } from '@/lib/dal/approvals';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { RecordIdSchema } from '@/lib/validation/users';
import { absoluteTime } from '@/components/ui/relative-time';
import { TierBadge } from '@/components/ui/tier-badge';
import { ApprovalStatusBadge } from '../_components/approval-status-badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { ApprovalTimeline } from '../_components/approval-timeline';
import { DecisionPanel } from '../_components/decision-panel';

export const metadata: Metadata = { title: 'Approval request' };

/**
 * One request: the frozen change (exactly what an approval would run), its
 * digest, who asked and why, its status and timeline, and — for someone who
 * may decide it — Approve / Reject; for its requester, Withdraw. A request the
 * viewer may not read, or that does not exist, is a 404.
 */
export default async function ApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireArea('approvals');
  const id = RecordIdSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const [approval, tz] = await Promise.all([getApproval(viewer, id.data), viewerTimeZone()]);
  if (!approval) notFound();
  const a = approval;
  const at = now();
  return (
    <>
      <PageHeader
        title={showControlCharacters(a.summary.title)}
        description={a.operationLabel}
        actions={
          <Link href="/approvals" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
            ← All approvals
          </Link>
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <p className="flex items-center gap-2 text-sm text-slate-700" data-testid="approval-status">
            <span className="font-medium">Status:</span> <ApprovalStatusBadge status={a.status} />
          </p>
          {!a.intact ? (
            <p role="alert" className="rounded-md bg-red-50 px-4 py-3 text-sm text-red-800 ring-1 ring-red-200">
              Warning: this stored request no longer matches its digest — it was altered after it was made. It cannot run; approving it
              voids it.
            </p>
          ) : null}
          {a.whyNot ? (
            <p data-testid="approval-why-not" className="rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-700 ring-1 ring-slate-200">
              {a.whyNot}
            </p>
          ) : null}
          <DecisionPanel id={a.id} digest={a.digest} canDecide={a.canDecide} canCancel={a.canCancel} enrolled={viewer.mfaEnrolled} />

          <section aria-labelledby="approval-changes" className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
            <h2 id="approval-changes" className="px-5 pt-4 text-base font-semibold text-slate-900">
              Changes
            </h2>
            <table className="mt-2 min-w-full divide-y divide-slate-200 text-sm" aria-labelledby="approval-changes">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-3">
                    Change
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Before
                  </th>
                  <th scope="col" className="px-4 py-3">
                    After
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Tier
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {a.summary.changes.length === 0 ? (
                  <tr>
                    <td colSpan={4} className="px-4 py-6 text-center text-slate-500">
                      This request lists no changes.
                    </td>
                  </tr>
                ) : (
                  a.summary.changes.map((c, i) => (
                    <tr key={`${i}-${c.label}`} data-testid="approval-change-row">
                      <td className="px-4 py-2.5 align-top font-medium text-slate-900">{showControlCharacters(c.label)}</td>
                      <td className="max-w-xs whitespace-pre-wrap [overflow-wrap:anywhere] px-4 py-2.5 align-top text-slate-600">
                        {showControlCharacters(c.before)}
                      </td>
                      <td className="max-w-xs whitespace-pre-wrap [overflow-wrap:anywhere] px-4 py-2.5 align-top text-slate-900">
                        <span aria-hidden="true" className="text-slate-400">
                          →{' '}
                        </span>
                        {showControlCharacters(c.after)}
                      </td>
                      <td className="px-4 py-2.5 align-top">
                        {c.tier ? <TierBadge tier={showControlCharacters(c.tier)} /> : <span className="text-slate-400">—</span>}
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </section>

          <ApprovalTimeline approval={a} now={at} tz={tz} />
        </div>

        <section aria-labelledby="approval-details" className="h-fit rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
          <h2 id="approval-details" className="text-base font-semibold text-slate-900">
            Request
          </h2>
          <dl className="mt-3 space-y-3 text-sm">
            <Row label="Requested by">
              {showControlCharacters(a.requester.name)} <RoleBadge role={a.requester.role} />
            </Row>
            <Row label="Reason">
              {a.reason ? (
                <span className="whitespace-pre-wrap break-words">{showControlCharacters(a.reason)}</span>
              ) : (
                <span className="text-slate-400">None given</span>
              )}
            </Row>
            {a.ticketRef ? (
              <Row label="Ticket">
                <span className="font-mono">{a.ticketRef}</span>
              </Row>
            ) : null}
            <Row label="Requested">
              <RelativeTime value={a.createdAt} now={at} tz={tz} />
              <span className="block text-xs text-slate-500">{absoluteTime(a.createdAt, tz)}</span>
            </Row>
            <Row label={a.status === 'pending' ? 'Expires' : 'Expiry'}>
              {a.status === 'pending' ? (
                <RelativeTime value={a.expiresAt} now={at} tz={tz} />
              ) : (
                <span className="text-slate-600">{a.status === 'expired' ? 'Expired' : 'No longer applies'}</span>
              )}
              <span className="block text-xs text-slate-500">{absoluteTime(a.expiresAt, tz)}</span>
            </Row>
            <div>
              <dt id="approval-digest-label" className="font-medium text-slate-500">
                Digest
              </dt>
              <dd className="mt-0.5">
                <code
                  aria-labelledby="approval-digest-label"
                  data-testid="approval-digest"
                  className="block break-all rounded bg-slate-50 px-2 py-1 font-mono text-xs text-slate-800"
                >
                  {a.digest}
                </code>
                <span className="mt-1 block text-xs text-slate-500">An approval applies only to this exact content.</span>
              </dd>
            </div>
            {a.changeSetDigest ? (
              <div>
                <dt id="change-set-digest-label" className="font-medium text-slate-500">
                  Change set digest
                </dt>
                <dd className="mt-0.5">
                  <code
                    aria-labelledby="change-set-digest-label"
                    data-testid="change-set-digest"
                    className="block break-all rounded bg-slate-50 px-2 py-1 font-mono text-xs text-slate-800"
                  >
                    {a.changeSetDigest}
                  </code>
                  <span className="mt-1 block text-xs text-slate-500">
                    The digest the requester reviewed on their review page; the request digest above covers it.
                  </span>
                </dd>
              </div>
            ) : null}
          </dl>
        </section>
      </div>
    </>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-900">{children}</dd>
    </div>
  );
}
