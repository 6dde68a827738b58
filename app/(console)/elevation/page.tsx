import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge, RoleBadge } from '@/components/ui/badge';
import { ListTable } from '@/components/ui/list-table';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { RelativeTime } from '@/components/ui/relative-time';
import { TabLinks } from '@/components/ui/tab-links';
import { abilityFor, decide } from '@/lib/authz/ability';
import { requireArea } from '@/lib/authz/areas';
import { now } from '@/lib/clock';
import { ELEVATION_PAGE_SIZE, elevationOverview, listElevations, type ElevationRowDTO } from '@/lib/dal/elevations';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { ElevationListSchema } from '@/lib/validation/elevation';
import { firstValues } from '@/lib/validation/lists';
import { BreakGlassButton } from './_components/break-glass-button';
import { EndElevationButton } from './_components/end-elevation-button';
import { RequestElevationForm } from './_components/request-elevation-form';

export const metadata: Metadata = { title: 'Elevation' };

/**
 * Time-bound elevation: what the viewer holds now, asking for more (two people
 * decide), break-glass for superadmins, and the register of elevations the
 * viewer may read (everyone's for superadmins and auditors, their own otherwise).
 */
export default async function ElevationPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireArea('elevation');
  const readsAll = decide(abilityFor(viewer), 'read', 'Elevation', { userId: '\u0000someone-else' }).allowed;
  const parsed = ElevationListSchema.parse(firstValues(await searchParams));
  const status = readsAll ? parsed.status : 'mine';
  const [overview, list, tz] = await Promise.all([
    elevationOverview(viewer),
    listElevations(viewer, { status, page: parsed.page }),
    viewerTimeZone(),
  ]);
  const at = now();
  const current = overview.current;
  const tabs = readsAll
    ? ([
        ['active', 'Active'],
        ['mine', 'Mine'],
        ['break_glass', 'Break-glass'],
        ['all', 'All'],
      ] as const)
    : ([['mine', 'Mine']] as const);
  return (
    <>
      <PageHeader
        title="Elevation"
        description="Time-bound access: hold a higher role, or one operation of it, for a bounded time after a second person approves. It ends by itself."
        actions={overview.canBreakGlass && !current ? <BreakGlassButton userId={viewer.userId} maxMinutes={overview.maxMinutes} /> : null}
      />

      <section aria-labelledby="current-heading" className="mb-6 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <h2 id="current-heading" className="text-sm font-semibold text-slate-900">
          Your access now
        </h2>
        {current ? (
          <div
            data-testid="current-elevation"
            className="mt-2 flex flex-wrap items-center gap-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-950 ring-1 ring-amber-200"
          >
            <span>
              {current.scope === 'break_glass' ? (
                <>
                  <strong>Break-glass is on</strong>: your two-person operations run without an approver
                </>
              ) : current.scope === 'operation' ? (
                <>
                  You may use <code className="font-mono">{current.operation}</code> as <strong>{current.role}</strong>
                </>
              ) : (
                <>
                  You hold the <strong>{current.role}</strong> role (your own: {current.baseRole})
                </>
              )}{' '}
              until <RelativeTime value={new Date(current.expiresAt)} now={at} tz={tz} />.
            </span>
            {current.canEnd ? <EndElevationButton id={current.id} label="End now" /> : null}
          </div>
        ) : (
          <p className="mt-2 text-sm text-slate-700">
            You act as <RoleBadge role={overview.baseRole} /> with no elevation.
          </p>
        )}
        {overview.pending.length > 0 ? (
          <ul className="mt-3 space-y-1 text-sm" aria-label="Your requests waiting for approval">
            {overview.pending.map((p) => (
              <li key={p.id}>
                Waiting for approval:{' '}
                <Link href={`/approvals/${p.id}`} className="font-medium text-indigo-700 hover:underline">
                  {p.title}
                </Link>{' '}
                (expires <RelativeTime value={new Date(p.expiresAt)} now={at} tz={tz} />)
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      {overview.targets.length > 0 && !current ? (
        <section aria-labelledby="request-heading" className="mb-6 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
          <h2 id="request-heading" className="text-sm font-semibold text-slate-900">
            Ask for time-bound access
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            A superadmin other than you must approve the exact request. It starts when approved and ends by itself after the time you ask
            for (at most {overview.maxMinutes} minutes). Everything you do while elevated is recorded as such.
          </p>
          <RequestElevationForm
            userId={viewer.userId}
            baseRole={overview.baseRole}
            targets={overview.targets}
            maxMinutes={overview.maxMinutes}
          />
        </section>
      ) : null}

      <section aria-labelledby="register-heading">
        <h2 id="register-heading" className="mb-2 text-sm font-semibold text-slate-900">
          {readsAll ? 'Elevations' : 'Your elevations'}
        </h2>
        {readsAll ? (
          <TabLinks tabs={tabs.map(([key, label]) => ({ key, label, href: `/elevation?status=${key}`, active: status === key }))} />
        ) : null}
        <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
          <ListTable
            caption="Elevations"
            headers={['Who', 'Access', 'Reason', 'Started', 'Ends', 'State', '']}
            empty={status === 'active' ? 'Nobody holds an elevation now.' : 'No elevations yet.'}
          >
            {list.rows.map((r) => (
              <ElevationRow key={r.id} row={r} now={at} tz={tz} />
            ))}
          </ListTable>
          <Pagination basePath="/elevation" params={{ status }} page={list.page} pageSize={ELEVATION_PAGE_SIZE} total={list.total} />
        </div>
      </section>
    </>
  );
}

function ElevationRow({ row, now: at, tz }: { row: ElevationRowDTO; now: Date; tz?: string }) {
  return (
    <tr data-testid="elevation-row" data-elevation-id={row.id}>
      <td className="px-3 py-2">
        <div className="font-medium text-slate-900">{row.user.name}</div>
        <div className="text-xs text-slate-500">{row.user.email}</div>
      </td>
      <td className="px-3 py-2">
        {row.scope === 'break_glass' ? (
          <Badge tone="red">break-glass</Badge>
        ) : row.scope === 'operation' ? (
          <span>
            <code className="font-mono text-xs">{row.operation}</code> as {row.role}
          </span>
        ) : (
          <span>
            {row.baseRole} → <strong>{row.role}</strong>
          </span>
        )}
        {row.approver ? <div className="text-xs text-slate-500">approved by {row.approver}</div> : null}
      </td>
      <td className="max-w-xs px-3 py-2 text-slate-700">
        <span className="line-clamp-2 whitespace-pre-wrap break-words">{row.reason}</span>
        {row.ticketRef ? <span className="text-xs text-slate-500"> {row.ticketRef}</span> : null}
      </td>
      <td className="px-3 py-2">
        {row.startSeq ? (
          <Link href={`/audit/events/${row.startSeq}`} className="text-indigo-700 hover:underline">
            <RelativeTime value={new Date(row.startsAt)} now={at} tz={tz} />
          </Link>
        ) : (
          <RelativeTime value={new Date(row.startsAt)} now={at} tz={tz} />
        )}
      </td>
      <td className="px-3 py-2">
        <RelativeTime value={new Date(row.endedAt ?? row.expiresAt)} now={at} tz={tz} />
      </td>
      <td className="px-3 py-2">
        {row.inForce ? (
          <Badge tone="amber">in force</Badge>
        ) : (
          <Badge tone="slate">{row.endReason ? endLabel(row.endReason) : row.status === 'active' ? 'expired' : row.status}</Badge>
        )}
        {row.reviewId ? (
          <div className="mt-1 text-xs">
            <Link href={`/access/reviews/${row.reviewId}`} className="text-indigo-700 hover:underline">
              Mandatory review
            </Link>
          </div>
        ) : null}
        {row.endSeq ? (
          <div className="mt-1 text-xs">
            <Link href={`/audit/events/${row.endSeq}`} className="text-indigo-700 hover:underline">
              End event
            </Link>
          </div>
        ) : null}
      </td>
      <td className="px-3 py-2 text-right">
        {row.canEnd ? <EndElevationButton id={row.id} label={`End elevation of ${row.user.name}`} /> : null}
      </td>
    </tr>
  );
}

function endLabel(reason: string): string {
  switch (reason) {
    case 'expired':
      return 'expired';
    case 'ended_by_holder':
      return 'ended by holder';
    case 'revoked':
      return 'ended by a superadmin';
    case 'holder_changed':
      return 'ended (account changed)';
    default:
      return reason;
  }
}
