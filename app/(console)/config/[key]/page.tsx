import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Badge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { Time } from '@/components/ui/time';
import { requireArea } from '@/lib/authz/areas';
import { isConfigKey } from '@/lib/config/keys';
import { getConfigKey, getDraft } from '@/lib/dal/config';
import { toEditable } from '../_components/editable';
import { EditConfigButton } from '../_components/edit-config-button';
import { PendingChanges } from '../_components/pending-changes';
import { RestoreButton } from '../_components/restore-button';
import { TIER_REQUIREMENTS, TierBadge } from '../_components/tier-badge';

export const metadata: Metadata = { title: 'Configuration setting' };

const KIND_LABELS: Record<string, string> = { set: 'Set', reset: 'Reset to default', rollback: 'Restored' };

/** One configuration key: what it does, its current value, and every revision, newest first. */
export default async function ConfigKeyPage({ params }: { params: Promise<{ key: string }> }) {
  const viewer = await requireArea('config');
  const { key } = await params;
  if (!isConfigKey(key)) notFound();
  const [found, draft] = await Promise.all([getConfigKey(viewer, key), getDraft(viewer)]);
  if (!found) notFound();
  const { entry, revisions } = found;
  const staged = draft?.items.find((i) => i.key === key);
  return (
    <>
      <PageHeader
        title={entry.label}
        description={entry.description}
        actions={
          <>
            <Link href="/config" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
              ← All settings
            </Link>
            {entry.canPropose ? <EditConfigButton entry={toEditable(entry)} /> : null}
          </>
        }
      />
      <PendingChanges draft={draft} />
      <section aria-labelledby="current" className="mb-6 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
        <h2 id="current" className="sr-only">
          Current value
        </h2>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
          <dt className="font-medium text-slate-600">Current value</dt>
          <dd className="[overflow-wrap:anywhere] text-slate-900" data-testid="current-value">
            {entry.display}
          </dd>
          {staged ? (
            <>
              <dt className="font-medium text-slate-600">In your pending changes</dt>
              <dd className="[overflow-wrap:anywhere] text-indigo-800">{staged.after}</dd>
            </>
          ) : null}
          <dt className="font-medium text-slate-600">Default</dt>
          <dd className="[overflow-wrap:anywhere] text-slate-900">{entry.defaultDisplay}</dd>
          <dt className="font-medium text-slate-600">Key</dt>
          <dd className="font-mono text-xs text-slate-900">{entry.key}</dd>
          <dt className="font-medium text-slate-600">Takes effect</dt>
          <dd className="text-slate-900">{entry.effect}</dd>
          <dt className="font-medium text-slate-600">Tier</dt>
          <dd className="flex flex-wrap items-center gap-2 text-slate-900">
            <TierBadge tier={entry.tier} />
            <span>
              {TIER_REQUIREMENTS[entry.tier].short} {TIER_REQUIREMENTS[entry.tier].long}
            </span>
          </dd>
          <dt className="font-medium text-slate-600">Last changed</dt>
          <dd className="text-slate-900">
            {entry.updatedAt ? (
              <>
                <Time value={entry.updatedAt} />
                {entry.updatedBy ? ` by ${entry.updatedBy.name}` : ''} (version {entry.version})
              </>
            ) : (
              'Never'
            )}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="history">
        <h2 id="history" className="mb-3 text-base font-semibold text-slate-900">
          History
        </h2>
        <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">History of {entry.label}</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-3">
                  Version
                </th>
                <th scope="col" className="px-4 py-3">
                  Changed
                </th>
                <th scope="col" className="px-4 py-3">
                  By
                </th>
                <th scope="col" className="px-4 py-3">
                  Before
                </th>
                <th scope="col" className="px-4 py-3">
                  After
                </th>
                <th scope="col" className="px-4 py-3">
                  Reason
                </th>
                {entry.canPropose ? (
                  <th scope="col" className="px-4 py-3">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {revisions.length === 0 ? (
                <tr>
                  <td colSpan={entry.canPropose ? 7 : 6} className="px-4 py-8 text-center text-slate-500">
                    No changes recorded yet.
                  </td>
                </tr>
              ) : (
                revisions.map((r) => (
                  <tr key={r.id} data-testid="revision-row" data-version={r.version}>
                    <td className="px-4 py-2.5 align-top tabular-nums">
                      {r.version}
                      {r.version === entry.version && !entry.isDefault ? (
                        <div className="mt-1">
                          <Badge tone="indigo">current</Badge>
                        </div>
                      ) : null}
                    </td>
                    <td className="whitespace-nowrap px-4 py-2.5 align-top text-slate-600">
                      <Time value={r.createdAt} />
                    </td>
                    <td className="px-4 py-2.5 align-top text-slate-800">{r.author?.name ?? '—'}</td>
                    <td className="max-w-xs [overflow-wrap:anywhere] px-4 py-2.5 align-top text-slate-600">{r.before}</td>
                    <td className="max-w-xs [overflow-wrap:anywhere] px-4 py-2.5 align-top text-slate-900">
                      {r.after}
                      {r.kind !== 'set' ? <div className="text-xs text-slate-500">{KIND_LABELS[r.kind] ?? r.kind}</div> : null}
                    </td>
                    <td className="max-w-xs px-4 py-2.5 align-top text-slate-700">
                      <span className="break-words">{r.reason ?? <span className="text-slate-400">—</span>}</span>
                      {r.approvalId ? (
                        <div className="mt-1 text-xs">
                          <Link href={`/approvals/${r.approvalId}`} className="text-indigo-700 hover:underline">
                            Approval record
                          </Link>
                        </div>
                      ) : null}
                    </td>
                    {entry.canPropose ? (
                      <td className="px-4 py-2.5 text-right align-top">
                        {r.restorable ? <RestoreButton configKey={entry.key} revisionId={r.id} version={r.version} /> : null}
                      </td>
                    ) : null}
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
        {entry.type === 'secret' ? (
          <p className="mt-2 text-xs text-slate-500">
            A secret is never restored from history (an old secret may have leaked): enter a new one instead.
          </p>
        ) : null}
      </section>
    </>
  );
}
