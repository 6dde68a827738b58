import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { requireArea } from '@/lib/authz/areas';
import { POLICY_VERSION, POLICY_VERSION_SHORT } from '@/lib/policy-version';
import { OPERATIONS } from '@/policies/operations';
import { DecisionLegend } from './_components/decision-cell';
import { OperationTables, ReadAccessTable } from './_components/matrix-tables';

export const metadata: Metadata = { title: 'Decision matrix' };

/**
 * The decision matrix, computed from policies/ as it stands in this build (the
 * same computation as policies/matrix.md and its test), so it is what the server
 * enforces. Everyone who may see Roles may read it.
 */
export default async function DecisionMatrixPage() {
  await requireArea('roles');
  return (
    <>
      <PageHeader
        title="Decision matrix"
        description={
          <>
            For every operation, who may do it and on what. Policy version{' '}
            <code title={POLICY_VERSION} className="font-mono">
              {POLICY_VERSION_SHORT}
            </code>
            ; every audit event records the version and the rule that decided.
          </>
        }
        actions={
          <Link href="/roles" className="text-sm font-medium text-indigo-700 hover:underline">
            Back to roles
          </Link>
        }
      />
      <section aria-labelledby="legend" className="mb-6 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <h2 id="legend" className="mb-3 text-sm font-semibold text-slate-900">
          How to read it
        </h2>
        <DecisionLegend />
        <p className="mt-3 text-sm text-slate-600">
          Columns are the kinds of caller: each console role; <strong>member</strong>; <strong>suspended-role</strong> (a support user while
          the support role is suspended); <strong>disabled-user</strong> (an admin whose account is disabled); <strong>anonymous</strong>{' '}
          (no session). Hover a cell to see the rule that decided.
        </p>
      </section>
      <nav aria-label="Operations" className="mb-6 text-sm">
        <h2 className="mb-2 text-sm font-semibold text-slate-900">Operations</h2>
        <ul className="flex flex-wrap gap-x-3 gap-y-1">
          {Object.keys(OPERATIONS).map((id) => (
            <li key={id}>
              <a href={`#${id}`} className="font-mono text-xs text-indigo-700 hover:underline">
                {id}
              </a>
            </li>
          ))}
          <li>
            <a href="#read-access" className="text-xs text-indigo-700 hover:underline">
              Read access
            </a>
          </li>
        </ul>
      </nav>
      <OperationTables />
      <section aria-labelledby="read-access" className="mt-8">
        <h2 id="read-access" className="mb-3 scroll-mt-6 text-lg font-semibold">
          Read access
        </h2>
        <p className="mb-3 text-sm text-slate-600">
          What each caller may see; no operation covers these, but every list and page depends on them. Configuration rows show who may
          change each tier.
        </p>
        <ReadAccessTable />
      </section>
    </>
  );
}
