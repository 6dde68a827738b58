import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { Time } from '@/components/ui/time';
import { requireArea } from '@/lib/authz/areas';
import { getDraft, listConfig } from '@/lib/dal/config';
import { toEditable } from './_components/editable';
import { EditConfigButton } from './_components/edit-config-button';
import { PendingChanges } from './_components/pending-changes';
import { TierBadge, TierLegend } from './_components/tier-badge';

export const metadata: Metadata = { title: 'Configuration' };

/**
 * Every configuration key the viewer may read, with its current value and tier.
 * Edits are staged in the viewer's pending change set and take effect only when
 * it is applied (or approved) from the review page.
 */
export default async function ConfigPage() {
  const viewer = await requireArea('config');
  const [entries, draft] = await Promise.all([listConfig(viewer), getDraft(viewer)]);
  const mayPropose = entries.some((e) => e.canPropose);
  return (
    <>
      <PageHeader
        title="Configuration"
        description={
          mayPropose
            ? 'Settings Warden reads at run time. Changes are collected in your pending changes and take effect only when you apply them; each tier decides what applying asks for.'
            : 'Settings Warden reads at run time. Your role can read them and their history, not change them.'
        }
        actions={
          mayPropose ? (
            <Link href="/config/review" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
              Your change sets
            </Link>
          ) : null
        }
      />
      <PendingChanges draft={draft} />
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Configuration settings</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-3">
                Setting
              </th>
              <th scope="col" className="px-4 py-3">
                Value
              </th>
              <th scope="col" className="px-4 py-3">
                Tier
              </th>
              <th scope="col" className="px-4 py-3">
                Last changed
              </th>
              {mayPropose ? (
                <th scope="col" className="px-4 py-3">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {entries.map((e) => {
              const staged = draft?.items.find((i) => i.key === e.key);
              return (
                <tr key={e.key} data-testid="config-row" data-key={e.key}>
                  <td className="px-4 py-2.5 align-top">
                    <Link href={`/config/${e.key}`} className="font-medium text-indigo-700 hover:underline">
                      {e.label}
                    </Link>
                    <div className="font-mono text-xs text-slate-500">{e.key}</div>
                  </td>
                  <td className="max-w-md px-4 py-2.5 align-top text-slate-800">
                    <span className={e.type === 'json' || e.type === 'secret' ? 'break-all font-mono text-xs' : 'break-words'}>
                      {e.display}
                    </span>
                    {staged ? (
                      <div className="mt-1 text-xs text-indigo-800">
                        Pending: <span className="break-all">{staged.after}</span>
                      </div>
                    ) : null}
                  </td>
                  <td className="px-4 py-2.5 align-top">
                    <TierBadge tier={e.tier} />
                  </td>
                  <td className="whitespace-nowrap px-4 py-2.5 align-top text-slate-600">
                    {e.updatedAt ? (
                      <>
                        <Time value={e.updatedAt} />
                        {e.updatedBy ? <div className="text-xs text-slate-500">by {e.updatedBy.name}</div> : null}
                      </>
                    ) : (
                      <span className="text-slate-500">Never</span>
                    )}
                  </td>
                  {mayPropose ? (
                    <td className="px-4 py-2.5 text-right align-top">{e.canPropose ? <EditConfigButton entry={toEditable(e)} /> : null}</td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="mt-6">
        <TierLegend />
      </div>
    </>
  );
}
