import type { Metadata } from 'next';
import Link from 'next/link';
import { OutcomeBadge, RoleBadge } from '@/components/ui/badge';
import { SelectField, TextField } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/page-header';
import { Time } from '@/components/ui/time';
import { showControlCharacters } from '@/lib/audit/display';
import { requireArea } from '@/lib/authz/areas';
import { listAuditEvents } from '@/lib/dal/audit';
import { auditIntegritySummary } from '@/lib/dal/audit-integrity';
import { AUDIT_OUTCOMES, AuditListQuerySchema, firstValues } from '@/lib/validation/lists';
import { IntegrityStatus } from './_components/integrity-status';
import { PersonalDataLookup } from './_components/personal-data-lookup';
import { VerifyTrail } from './_components/verify-trail';
import { ExportTools } from './_components/export-tools';

export const metadata: Metadata = { title: 'Audit trail' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireArea('audit');
  const query = AuditListQuerySchema.parse(firstValues(await searchParams));
  const [{ rows, nextBefore }, integrity] = await Promise.all([listAuditEvents(viewer, query), auditIntegritySummary(viewer)]);
  const next = new URLSearchParams();
  if (query.operation) next.set('operation', query.operation);
  if (query.outcome) next.set('outcome', query.outcome);
  if (query.actor) next.set('actor', query.actor);
  if (nextBefore) next.set('before', String(nextBefore));
  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every sign-in, sign-out and privileged action, newest first. Each event is chained to the one before it by SHA-256; `npm run audit:verify` checks the whole chain."
      />
      <IntegrityStatus summary={integrity} />
      <VerifyTrail />
      <ExportTools headSeq={integrity.head?.seq ?? null} />
      <form
        method="get"
        role="search"
        aria-label="Filter audit events"
        className="mb-4 grid grid-cols-1 gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-4"
      >
        <TextField label="Operation" name="operation" defaultValue={query.operation ?? ''} placeholder="e.g. auth.sign_in" />
        <SelectField label="Outcome" name="outcome" options={AUDIT_OUTCOMES} defaultValue={query.outcome ?? ''} />
        <TextField label="Actor id" name="actor" defaultValue={query.actor ?? ''} />
        <div className="flex items-end gap-2">
          <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
            Apply filters
          </button>
          <a href="/audit" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
            Clear
          </a>
        </div>
      </form>
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Audit events</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-3">
                Seq
              </th>
              <th scope="col" className="px-4 py-3">
                Time
              </th>
              <th scope="col" className="px-4 py-3">
                Actor
              </th>
              <th scope="col" className="px-4 py-3">
                Operation
              </th>
              <th scope="col" className="px-4 py-3">
                Target
              </th>
              <th scope="col" className="px-4 py-3">
                Outcome
              </th>
              <th scope="col" className="px-4 py-3">
                IP
              </th>
              <th scope="col" className="px-4 py-3">
                Hash
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.length === 0 ? (
              <tr>
                <td colSpan={8} className="px-4 py-8 text-center text-slate-500">
                  No events match these filters.
                </td>
              </tr>
            ) : (
              rows.map((e) => (
                <tr key={e.seq} data-testid="audit-row">
                  <td className="px-4 py-2 font-mono text-xs tabular-nums">{e.seq}</td>
                  <td className="whitespace-nowrap px-4 py-2">
                    <Time value={e.ts} />
                  </td>
                  <td className="px-4 py-2">
                    {e.actorId ? (
                      <span className="flex items-center gap-2">
                        {e.actorRole ? <RoleBadge role={e.actorRole} /> : null}
                        <span className="font-mono text-xs">{showControlCharacters(e.actorId.slice(0, 10))}</span>
                      </span>
                    ) : (
                      <span className="text-slate-500">anonymous</span>
                    )}
                  </td>
                  <td className="px-4 py-2 font-mono text-xs">{e.operation}</td>
                  <td className="px-4 py-2 font-mono text-xs">
                    {e.targetType ? showControlCharacters(`${e.targetType}:${e.targetId?.slice(0, 10)}`) : '—'}
                  </td>
                  <td className="px-4 py-2">
                    <OutcomeBadge outcome={e.outcome} />
                    {e.reasonCode ? <span className="ml-1 text-xs text-slate-500">{showControlCharacters(e.reasonCode)}</span> : null}
                  </td>
                  <td className="px-4 py-2 font-mono text-xs">{e.ip ? showControlCharacters(e.ip) : '—'}</td>
                  <td className="px-4 py-2 font-mono text-xs text-slate-500" title={e.hash}>
                    {e.hash.slice(0, 12)}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
        <nav aria-label="Pagination" className="flex justify-end px-4 py-3 text-sm">
          {nextBefore ? (
            <Link href={`/audit?${next.toString()}`} className="rounded-md px-3 py-1.5 ring-1 ring-slate-300 hover:bg-slate-50" rel="next">
              Older events
            </Link>
          ) : (
            <span className="text-slate-500">End of the trail</span>
          )}
        </nav>
      </div>
      <PersonalDataLookup />
    </>
  );
}
