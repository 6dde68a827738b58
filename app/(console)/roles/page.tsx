import type { Metadata } from 'next';
import Link from 'next/link';
import { RoleBadge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { requireArea } from '@/lib/authz/areas';
import { listRoleStates } from '@/lib/dal/role-admin';
import { AREAS } from '@/policies/navigation';
import { ROLE_DEFINITIONS } from '@/policies/roles';
import { RoleStateSection } from './_components/role-state-section';

export const metadata: Metadata = { title: 'Roles' };

/** Each role, in plain words, with the console areas it reaches (rendered from policies/), and each role's state. */
export default async function RolesPage() {
  const viewer = await requireArea('roles');
  const states = await listRoleStates(viewer);
  return (
    <>
      <PageHeader
        title="Roles"
        description="What each role may and may never do. This page is rendered from the version-controlled policy, so it always matches what the server enforces."
        actions={
          <Link href="/roles/matrix" className="text-sm font-medium text-indigo-700 hover:underline">
            See the full decision matrix
          </Link>
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        {ROLE_DEFINITIONS.map((d) => (
          <section
            key={d.role}
            aria-labelledby={`role-${d.role}`}
            className={`rounded-xl bg-white p-5 shadow-sm ring-1 ${d.role === viewer.role ? 'ring-2 ring-indigo-400' : 'ring-slate-200'}`}
          >
            <div className="flex items-center justify-between">
              <h2 id={`role-${d.role}`} className="text-lg font-semibold">
                {d.label}
              </h2>
              <div className="flex items-center gap-2">
                {d.role === viewer.role ? <span className="text-xs font-medium text-indigo-700">Your role</span> : null}
                <RoleBadge role={d.role} />
              </div>
            </div>
            <p className="mt-1 text-sm text-slate-600">{d.purpose}</p>
            <h3 className="mt-4 text-xs font-semibold uppercase tracking-wide text-green-800">May</h3>
            <ul className="mt-1 list-disc space-y-0.5 pl-5 text-sm">
              {d.may.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
            <h3 className="mt-3 text-xs font-semibold uppercase tracking-wide text-red-800">May never</h3>
            <ul className="mt-1 list-disc space-y-0.5 pl-5 text-sm">
              {d.mayNever.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
            <p className="mt-3 text-xs text-slate-500">
              Console areas:{' '}
              {AREAS.filter((a) => (a.roles as readonly string[]).includes(d.role))
                .map((a) => a.label)
                .join(', ') || 'none'}
            </p>
          </section>
        ))}
      </div>
      <RoleStateSection states={states} />
    </>
  );
}
