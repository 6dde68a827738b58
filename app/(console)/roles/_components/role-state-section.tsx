import { Badge, RoleBadge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import type { RoleStateDTO } from '@/lib/dal/role-admin';
import { roleDefinition } from '@/policies/roles';
import { RoleStateButton } from './role-state-button';

/**
 * Whether each role is active or suspended, how many active accounts hold it
 * (the blast radius of suspending it), and the suspend / reactivate controls
 * where the server says the viewer may use them.
 */
export function RoleStateSection({ states }: { states: RoleStateDTO[] }) {
  const anyAction = states.some((s) => s.canSuspend || s.canReactivate);
  return (
    <section aria-labelledby="role-state" className="mt-8">
      <h2 id="role-state" className="text-lg font-semibold">
        Role state
      </h2>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        Suspending a role is an incident-response measure: every holder is refused on their next request and signed out until the role is
        reactivated.
      </p>
      <div className="mt-3 overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Role state</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-3">
                Role
              </th>
              <th scope="col" className="px-4 py-3">
                State
              </th>
              <th scope="col" className="px-4 py-3">
                Active holders
              </th>
              {anyAction ? (
                <th scope="col" className="px-4 py-3">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {states.map((s) => {
              const label = roleDefinition(s.role).label;
              return (
                <tr key={s.role} data-testid="role-state-row" data-role={s.role}>
                  <th scope="row" className="px-4 py-2.5 text-left font-medium">
                    <span className="mr-2">{label}</span>
                    <RoleBadge role={s.role} />
                  </th>
                  <td className="px-4 py-2.5">
                    {s.suspended ? (
                      <span className="flex flex-wrap items-center gap-2">
                        <Badge tone="red">Suspended</Badge>
                        {s.suspendedAt ? (
                          <span className="text-slate-600">
                            since <Time value={s.suspendedAt} />
                          </span>
                        ) : null}
                      </span>
                    ) : (
                      <Badge tone="green">Active</Badge>
                    )}
                  </td>
                  <td className="px-4 py-2.5 tabular-nums">{s.holders}</td>
                  {anyAction ? (
                    <td className="px-4 py-2.5 text-right">
                      {s.canSuspend ? <RoleStateButton mode="suspend" role={s.role} label={label} holders={s.holders} /> : null}
                      {s.canReactivate ? <RoleStateButton mode="reactivate" role={s.role} label={label} holders={s.holders} /> : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
