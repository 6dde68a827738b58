import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { requireArea } from '@/lib/authz/areas';
import { now } from '@/lib/clock';
import { listApprovals } from '@/lib/dal/approvals';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { ApprovalListSchema } from '@/lib/validation/approvals';
import { firstValues } from '@/lib/validation/lists';
import { ApprovalFilters } from './_components/approval-filters';
import { APPROVAL_STATUS_LABELS } from './_components/approval-format';
import { ApprovalsTable } from './_components/approvals-table';

export const metadata: Metadata = { title: 'Approvals' };

const PAGE_SIZE = 25;

const DESCRIPTIONS: Record<string, string> = {
  superadmin:
    'Changes that need a second person. Review the exact change, then approve it with your passkey or reject it with a reason. You cannot decide your own requests.',
  admin: 'Your requests that need a second person’s approval, and what became of them.',
  auditor: 'Every two-person request and its outcome (read only).',
};

/**
 * The approvals inbox: the requests the viewer may read (the policy scopes the
 * list: superadmins and auditors see all, admins their own), "Waiting" first.
 */
export default async function ApprovalsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireArea('approvals');
  const query = ApprovalListSchema.parse(firstValues(await searchParams));
  const [list, tz] = await Promise.all([listApprovals(viewer, query, PAGE_SIZE), viewerTimeZone()]);
  return (
    <>
      <PageHeader title="Approvals" description={DESCRIPTIONS[viewer.role] ?? 'Two-person approval requests.'} />
      <ApprovalFilters current={query.status} />
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <ApprovalsTable rows={list.rows} now={now()} tz={tz} empty={<EmptyState status={query.status} />} />
        <Pagination
          basePath="/approvals"
          params={{ status: query.status === 'pending' ? undefined : query.status }}
          page={list.page}
          pageSize={PAGE_SIZE}
          total={list.total}
        />
      </div>
    </>
  );
}

function EmptyState({ status }: { status: keyof typeof APPROVAL_STATUS_LABELS | 'all' }) {
  if (status === 'pending') return <>Nothing is waiting for a decision.</>;
  if (status === 'all') return <>No approval requests yet. Changes that need a second person appear here.</>;
  return (
    <>
      No {APPROVAL_STATUS_LABELS[status].toLowerCase()} requests.{' '}
      <Link href="/approvals?status=all" className="text-indigo-700 hover:underline">
        Show all requests
      </Link>
      .
    </>
  );
}
