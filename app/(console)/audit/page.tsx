import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { requireAuditCapability, auditCapabilities } from '@/lib/authz/audit-access';
import { listAuditEvents, recordAuditView } from '@/lib/dal/audit';
import { now } from '@/lib/clock';
import { isPrefetch } from '@/lib/request/prefetch';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { AuditCursorSchema, auditFilterParams, parseAuditFilter, resolveWindow } from '@/lib/validation/audit-filter';
import { firstValues } from '@/lib/validation/lists';
import { AuditFilterForm } from './_components/audit-filter-form';
import { AuditTable } from './_components/audit-table';
import { ActiveFilters, QuickQuestions } from './_components/quick-questions';
import { ExportEvents } from './_components/export-events';
import { PersonalDataLookup } from './_components/personal-data-lookup';

export const metadata: Metadata = { title: 'Audit trail' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { viewer, rule } = await requireAuditCapability('browse');
  // A prefetch is not a view: render nothing, record nothing.
  if (await isPrefetch()) return null;
  const params = firstValues(await searchParams);
  const filter = parseAuditFilter({ tz: await viewerTimeZone(), ...params }, { window: '7d' });
  const cursor = AuditCursorSchema.parse(params);
  // Audit of the auditors: the view is recorded before any event is read (fail closed).
  await recordAuditView(viewer, 'browser', { filter, cursor, rule });
  const page = await listAuditEvents(viewer, filter, cursor);
  const caps = auditCapabilities(viewer);
  const window = resolveWindow(filter, now());
  const base = auditFilterParams(filter);
  const link = (c: { before?: number; after?: number }) => {
    const p = new URLSearchParams(base);
    if (c.before) p.set('before', String(c.before));
    if (c.after) p.set('after', String(c.after));
    return `/audit?${p.toString()}`;
  };
  return (
    <>
      <PageHeader
        title="Audit trail"
        description={
          page.scope === 'own_actions'
            ? 'Your own actions, newest first. The policy lets admins read the events they caused; auditors and superadmins read the whole trail.'
            : 'Every sign-in, privileged action and refusal, newest first — with who, from where, under which rule and why. Filters are part of the link: share it to show someone exactly these events.'
        }
        actions={caps.export ? <ExportEvents params={base.toString()} /> : null}
      />
      <QuickQuestions />
      <AuditFilterForm filter={filter} window={window} />
      <ActiveFilters filter={filter} />
      <AuditTable rows={page.rows} people={page.people} tz={filter.tz} />
      <nav aria-label="Pagination" className="mt-3 flex items-center justify-between text-sm text-slate-600">
        <span>
          {page.rows.length === 0
            ? 'No events.'
            : `Events #${page.rows[page.rows.length - 1]?.seq} – #${page.rows[0]?.seq} (${page.rows.length} shown)`}
        </span>
        <span className="flex gap-2">
          {page.newerAfter ? (
            <Link
              href={link({ after: page.newerAfter })}
              rel="prev"
              prefetch={false}
              className="rounded-md bg-white px-3 py-1.5 ring-1 ring-slate-300 hover:bg-slate-50"
            >
              ← Newer
            </Link>
          ) : null}
          {cursorGiven(cursor) ? (
            <Link
              href={`/audit?${base.toString()}`}
              prefetch={false}
              className="rounded-md bg-white px-3 py-1.5 ring-1 ring-slate-300 hover:bg-slate-50"
            >
              Newest
            </Link>
          ) : null}
          {page.olderBefore ? (
            <Link
              href={link({ before: page.olderBefore })}
              rel="next"
              prefetch={false}
              className="rounded-md bg-white px-3 py-1.5 ring-1 ring-slate-300 hover:bg-slate-50"
            >
              Older →
            </Link>
          ) : (
            <span className="px-3 py-1.5 text-slate-500">End of the matching events</span>
          )}
        </span>
      </nav>
      {caps.lookup ? <PersonalDataLookup /> : null}
    </>
  );
}

function cursorGiven(c: { before?: number; after?: number }) {
  return c.before !== undefined || c.after !== undefined;
}
