import Link from 'next/link';
import { roleDefinition, isRole } from '@/policies/roles';
import { roleSummary, type RoleArea } from '@/policies/explorer';
import type { MatrixPrincipal } from '@/policies/matrix';
import { DecisionBadge } from './decision-cell';
import { explainHref } from './explorer-href';

const PRINCIPAL_NOTES: Partial<Record<MatrixPrincipal, string>> = {
  'suspended-role': 'A support user while the support role is suspended: every rule is withdrawn.',
  'disabled-user': 'An admin whose account is disabled: every rule is withdrawn.',
  anonymous: 'No session: only the public sign-in operations.',
  member: 'An end-user account managed by the console: it cannot sign in to the console.',
};

/**
 * What one role (or kind of caller) may do: every operation grouped by area, with
 * its scopes, decisions and rules. Areas where nothing is permitted start collapsed.
 */
export function RoleView({ principal, areas }: { principal: MatrixPrincipal; areas: RoleArea[] }) {
  const counts = roleSummary(areas);
  const definition = isRole(principal) ? roleDefinition(principal) : null;
  const total = counts.allow + counts['step-up'] + counts.approval + counts.deny;
  return (
    <section aria-labelledby="role-view-title">
      <div className="mb-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <h2 id="role-view-title" className="text-lg font-semibold text-slate-900">
          What {principal} may do
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          {definition ? `${definition.label}: ${definition.purpose}` : PRINCIPAL_NOTES[principal]}
        </p>
        <p className="mt-2 text-sm text-slate-700" data-testid="role-summary">
          Of {total} operations shown: {counts.allow} allowed, {counts['step-up']} with step-up, {counts.approval} with approval,{' '}
          {counts.deny} denied in every scope.
        </p>
      </div>
      {areas.length === 0 ? <p className="text-sm text-slate-600">No operation matches the filters.</p> : null}
      <div className="space-y-4">
        {areas.map((area) => (
          <details
            key={area.area}
            open={area.operations.some((o) => o.best !== 'deny')}
            className="rounded-xl bg-white shadow-sm ring-1 ring-slate-200"
            data-testid="role-area"
            data-area={area.area}
          >
            <summary className="cursor-pointer px-4 py-3 text-sm font-semibold text-slate-900">
              {area.label}{' '}
              <span className="font-normal text-slate-500">
                ({area.operations.filter((o) => o.best !== 'deny').length} of {area.operations.length} permitted)
              </span>
            </summary>
            <div className="overflow-x-auto border-t border-slate-100">
              <table className="w-full divide-y divide-slate-200 text-sm">
                <caption className="sr-only">
                  {area.label}: what {principal} may do
                </caption>
                <thead className="bg-slate-50">
                  <tr>
                    <th scope="col" className="w-1/3 px-3 py-2 text-left text-xs font-semibold text-slate-600">
                      Operation
                    </th>
                    <th scope="col" className="px-3 py-2 text-left text-xs font-semibold text-slate-600">
                      Scope
                    </th>
                    <th scope="col" className="px-3 py-2 text-left text-xs font-semibold text-slate-600">
                      Decision
                    </th>
                    <th scope="col" className="px-3 py-2 text-left text-xs font-semibold text-slate-600">
                      Rule
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {area.operations.flatMap(({ op, scopes }) =>
                    scopes.map((s, i) => (
                      <tr key={`${op.id}|${s.scope}`} data-testid="role-row" data-op={op.id} data-decision={s.decision}>
                        {i === 0 ? (
                          <th scope="rowgroup" rowSpan={scopes.length} className="px-3 py-1.5 text-left align-top font-normal">
                            <span className="block font-mono text-xs font-semibold text-slate-900">{op.id}</span>
                            <span className="block text-xs text-slate-600">{op.description}</span>
                            <span className="block text-xs text-slate-500">Risk: {op.risk}</span>
                          </th>
                        ) : null}
                        <td className="px-3 py-1.5 text-xs text-slate-800">{s.scope}</td>
                        <td className="px-3 py-1.5">
                          <DecisionBadge decision={s.decision} />
                        </td>
                        <td className="px-3 py-1.5 font-mono text-xs">
                          <Link
                            href={explainHref(op.id, s.scope, principal)}
                            className="text-indigo-700 hover:underline"
                            aria-label={`Explain ${s.rule} (${op.id} on ${s.scope})`}
                          >
                            {s.rule}
                          </Link>
                        </td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </div>
          </details>
        ))}
      </div>
    </section>
  );
}
