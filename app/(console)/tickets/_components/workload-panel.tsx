import Link from 'next/link';
import { showControlCharacters } from '@/lib/audit/display';

interface Workload {
  agents: { id: string; name: string; open: number; pending: number }[];
  unassigned: { open: number; pending: number };
}

const href = (assignee: string) => `/tickets?${new URLSearchParams({ assignee, status: 'active' }).toString()}`;

/** Open and pending tickets per support agent, and the unassigned queue, for whoever assigns tickets. */
export function WorkloadPanel({ workload }: { workload: Workload }) {
  const queued = workload.unassigned.open + workload.unassigned.pending;
  return (
    <section
      aria-labelledby="workload-title"
      data-testid="workload"
      className="mb-6 grid grid-cols-1 gap-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 md:grid-cols-3"
    >
      <div>
        <h2 id="workload-title" className="text-base font-semibold text-slate-900">
          Workload
        </h2>
        <p className="mt-1 text-sm text-slate-600">Active tickets per support agent.</p>
        <Link
          href={href('unassigned')}
          className={`mt-4 inline-flex items-baseline gap-2 rounded-md px-3 py-2 text-sm ring-1 ${queued > 0 ? 'bg-amber-50 text-amber-900 ring-amber-200' : 'bg-slate-50 text-slate-700 ring-slate-200'}`}
        >
          <span className="text-2xl font-semibold tabular-nums">{queued}</span> unassigned
          <span className="text-xs">
            ({workload.unassigned.open} open, {workload.unassigned.pending} pending)
          </span>
        </Link>
      </div>
      <div className="md:col-span-2">
        {workload.agents.length === 0 ? (
          <p className="text-sm text-slate-500">There are no active support agents. Invite one from Users to start assigning tickets.</p>
        ) : (
          <table className="min-w-full text-sm">
            <caption className="sr-only">Active tickets per agent</caption>
            <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="py-1.5 pr-4">
                  Agent
                </th>
                <th scope="col" className="py-1.5 pr-4 text-right">
                  Open
                </th>
                <th scope="col" className="py-1.5 text-right">
                  Pending
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {workload.agents.map((a) => (
                <tr key={a.id}>
                  <td className="py-1.5 pr-4">
                    <Link href={href(a.id)} className="text-indigo-700 hover:underline">
                      {showControlCharacters(a.name)}
                    </Link>
                  </td>
                  <td className="py-1.5 pr-4 text-right tabular-nums">{a.open}</td>
                  <td className="py-1.5 text-right tabular-nums">{a.pending}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
