import type { Metadata } from 'next';
import Link from 'next/link';
import { RoleBadge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { Time } from '@/components/ui/time';
import { requireArea } from '@/lib/authz/areas';
import { auditHead } from '@/lib/dal/audit';
import { listMySessions } from '@/lib/dal/sessions';
import { countUsersByRole } from '@/lib/dal/users';
import { mayUseArea } from '@/policies/navigation';
import { auditCapability } from '@/lib/authz/audit-access';
import { roleDefinition } from '@/policies/roles';

export const metadata: Metadata = { title: 'Overview' };

export default async function HomePage() {
  const viewer = await requireArea('home');
  const role = roleDefinition(viewer.role);
  const wholeTrail = auditCapability(viewer, 'wholeTrail').allowed;
  const [sessions, userCounts, head] = await Promise.all([
    listMySessions(viewer),
    mayUseArea(viewer.role, 'users') ? countUsersByRole(viewer) : null,
    wholeTrail ? auditHead(viewer) : null,
  ]);
  return (
    <>
      <PageHeader
        title={`Welcome, ${viewer.name}`}
        description={
          <>
            You are signed in as <RoleBadge role={viewer.role} /> — {role.purpose}
          </>
        }
      />
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        <Card title="What you can do">
          <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700">
            {role.may.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
          <Link href="/roles" className="mt-3 inline-block text-sm font-medium text-indigo-700 hover:underline">
            Compare roles →
          </Link>
        </Card>
        <Card title="Your sessions">
          <p className="text-3xl font-semibold tabular-nums">{sessions.length}</p>
          <p className="text-sm text-slate-600">active {sessions.length === 1 ? 'session' : 'sessions'}</p>
          <Link href="/account/sessions" className="mt-3 inline-block text-sm font-medium text-indigo-700 hover:underline">
            Review and end sessions →
          </Link>
        </Card>
        {userCounts ? (
          <Card title="Accounts by role">
            <UserCounts counts={userCounts} />
            <Link href="/users" className="mt-3 inline-block text-sm font-medium text-indigo-700 hover:underline">
              Browse users →
            </Link>
          </Card>
        ) : null}
        {wholeTrail ? (
          <Card title="Audit trail">
            <p className="text-3xl font-semibold tabular-nums">{head?.seq ?? 0}</p>
            <p className="text-sm text-slate-600">
              events, latest <Time value={head?.ts} />
            </p>
            <Link href="/audit" className="mt-3 inline-block text-sm font-medium text-indigo-700 hover:underline">
              Open the audit trail →
            </Link>
          </Card>
        ) : null}
      </div>
    </>
  );
}

function Card({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200" aria-label={title}>
      <h2 className="mb-3 text-sm font-semibold text-slate-900">{title}</h2>
      {children}
    </section>
  );
}

function UserCounts({ counts }: { counts: { role: string; status: string; count: number }[] }) {
  const byRole = new Map<string, number>();
  for (const c of counts) byRole.set(c.role, (byRole.get(c.role) ?? 0) + c.count);
  return (
    <table className="w-full text-sm">
      <caption className="sr-only">Accounts by role</caption>
      <tbody>
        {[...byRole.entries()].map(([r, n]) => (
          <tr key={r} className="border-b border-slate-100 last:border-0">
            <th scope="row" className="py-1 text-left font-normal">
              <RoleBadge role={r} />
            </th>
            <td className="py-1 text-right tabular-nums">{n}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
