import Link from 'next/link';
import { RoleBadge, StatusBadge } from '@/components/ui/badge';
import { TextField } from '@/components/ui/field';
import { showControlCharacters } from '@/lib/audit/display';
import type { UsageUserHitDTO } from '@/lib/dal/usage';
import { USAGE_DAYS } from '@/lib/validation/usage';
import { usageHref } from './usage-format';

/**
 * Find a console user by name or email (a plain GET form: `?q=`, the window
 * kept) and open their access profile: what they may do and what they did.
 */
export function UserFinder({ q, days, hits }: { q?: string; days: number; hits: UsageUserHitDTO[] }) {
  return (
    <section aria-labelledby="usage-user-finder" className="space-y-3">
      <div>
        <h2 id="usage-user-finder" className="text-lg font-semibold text-slate-900">
          One person’s access
        </h2>
        <p className="text-sm text-slate-600">
          What a person may do, what they actually did, who last reviewed it and every elevation they held.
        </p>
      </div>
      <form
        method="get"
        action="/access"
        role="search"
        aria-label="Find a person"
        className="flex flex-wrap items-end gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"
      >
        <div className="w-full max-w-sm">
          <TextField label="Name or email" name="q" defaultValue={q ?? ''} placeholder="e.g. jane@" />
        </div>
        {days !== USAGE_DAYS.default ? <input type="hidden" name="days" value={days} /> : null}
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
          Find
        </button>
        {q ? (
          <Link href={usageHref('/access', { days })} className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
            Clear
          </Link>
        ) : null}
      </form>
      {q ? (
        hits.length ? (
          <ul aria-label="People found" className="divide-y divide-slate-100 rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
            {hits.map((u) => (
              <li key={u.id} className="flex flex-wrap items-center gap-3 px-4 py-2.5 text-sm">
                <Link href={usageHref(`/access/users/${u.id}`, { days })} className="font-medium text-indigo-700 hover:underline">
                  {showControlCharacters(u.name)}
                </Link>
                <span className="text-slate-600">{showControlCharacters(u.email)}</span>
                <RoleBadge role={u.role} />
                <StatusBadge status={u.status} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">No console user’s name or email contains “{q}”.</p>
        )
      ) : null}
    </section>
  );
}
