import Link from 'next/link';
import type { ReactNode } from 'react';
import { showControlCharacters } from '@/lib/audit/display';
import type { ApprovalDetailDTO } from '@/lib/dal/approvals';
import { APPROVAL_STATUS_LABELS } from './approval-format';
import { RelativeTime } from '@/components/ui/relative-time';

const DECIDED_BY: Partial<Record<ApprovalDetailDTO['status'], string>> = {
  approved: 'Approved',
  executed: 'Approved',
  failed: 'Approved',
  rejected: 'Rejected',
  cancelled: 'Withdrawn by the requester',
  expired: 'Expired without a decision',
  voided: 'Voided',
};

function EventLink({ seq }: { seq: number | null }) {
  if (seq === null) return null;
  return (
    <Link href={`/audit/events/${seq}`} className="text-xs font-medium text-indigo-700 hover:underline">
      Audit event #{seq}
    </Link>
  );
}

function Step({ label, done, children }: { label: string; done: boolean; children: ReactNode }) {
  return (
    <li className="relative pb-5 pl-6 last:pb-0">
      <span
        aria-hidden="true"
        className={`absolute left-0 top-1.5 size-2.5 rounded-full ring-2 ring-white ${done ? 'bg-indigo-600' : 'bg-slate-300'}`}
      />
      <h3 className="text-sm font-semibold text-slate-900">{label}</h3>
      <div className="mt-0.5 space-y-1 text-sm text-slate-700">{children}</div>
    </li>
  );
}

/** Requested → decided → executed, each with the audit event that records it (auditors and superadmins can open them). */
export function ApprovalTimeline({ approval: a, now, tz }: { approval: ApprovalDetailDTO; now: Date; tz?: string }) {
  const decided = a.decidedAt !== null || a.decisionSeq !== null;
  const ran = a.executedAt !== null || a.executionSeq !== null;
  return (
    <section aria-labelledby="approval-timeline" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <h2 id="approval-timeline" className="mb-4 text-base font-semibold text-slate-900">
        Timeline
      </h2>
      <ol className="border-l border-slate-200 pl-0" data-testid="approval-timeline">
        <Step label="Requested" done>
          <p>
            By {showControlCharacters(a.requester.name)}, <RelativeTime value={a.createdAt} now={now} tz={tz} />.
          </p>
          <EventLink seq={a.requestSeq} />
        </Step>
        <Step label="Decided" done={decided}>
          {decided ? (
            <>
              <p>
                {DECIDED_BY[a.status] ?? APPROVAL_STATUS_LABELS[a.status]}
                {a.approver ? ` by ${showControlCharacters(a.approver.name)}` : ''}
                {a.decidedAt ? (
                  <>
                    , <RelativeTime value={a.decidedAt} now={now} tz={tz} />
                  </>
                ) : null}
                .
              </p>
              {a.decisionNote ? (
                <p className="whitespace-pre-wrap break-words text-slate-600">“{showControlCharacters(a.decisionNote)}”</p>
              ) : null}
              <EventLink seq={a.decisionSeq} />
            </>
          ) : (
            <p className="text-slate-500">{a.status === 'expired' ? 'Expired without a decision.' : 'Not decided yet.'}</p>
          )}
        </Step>
        <Step label="Executed" done={ran}>
          {ran ? (
            <>
              <p>
                {a.status === 'failed' ? 'Could not run; nothing was changed' : 'The change was made'}
                {a.executedAt ? (
                  <>
                    , <RelativeTime value={a.executedAt} now={now} tz={tz} />
                  </>
                ) : null}
                .
              </p>
              {a.failureReason && a.status === 'failed' ? <p className="text-slate-600">Reason: {a.failureReason}</p> : null}
              <EventLink seq={a.executionSeq} />
            </>
          ) : (
            <p className="text-slate-500">
              {a.status === 'pending' || a.status === 'approved'
                ? 'Runs once, right after it is approved.'
                : 'Not run; nothing was changed.'}
            </p>
          )}
        </Step>
      </ol>
    </section>
  );
}
