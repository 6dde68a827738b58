import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { TabLinks } from '@/components/ui/tab-links';
import { requireArea } from '@/lib/authz/areas';
import { POLICY_VERSION, POLICY_VERSION_SHORT } from '@/lib/policy-version';
import { firstValues } from '@/lib/validation/lists';
import { PolicyExplorerQuerySchema, type ExplorerView } from '@/lib/validation/policy-explorer';
import { allOperations, explainCell, filterOperations, indexCells, paginate, roleView } from '@/policies/explorer';
import { MATRIX_PRINCIPALS, type MatrixPrincipal } from '@/policies/matrix';
import type { OperationDefinition } from '@/policies/operations';
import { DecisionLegend } from './_components/decision-cell';
import { ExplainPicker, ExplainView } from './_components/explain-view';
import { ExplorerFilters } from './_components/explorer-filters';
import { explorerHref } from './_components/explorer-href';
import { OperationTables, ReadAccessTable } from './_components/matrix-tables';
import { RoleView } from './_components/role-view';

export const metadata: Metadata = { title: 'Decision matrix' };

/** Operations per page in the matrix view. */
const PAGE_SIZE = 15;

const VIEW_LABELS: Record<ExplorerView, string> = { matrix: 'Matrix', role: 'By role', explain: 'Explain a cell' };

/**
 * The policy explorer: the decision matrix computed from policies/ as it stands
 * in this build (the same computation as policies/matrix.md and its test), so it
 * is what the server enforces. Filters live in the URL. Views: the matrix
 * (operations × scopes × callers, paged, each operation collapsible), one role's
 * operations grouped by area, and one cell explained. Everyone who may see Roles
 * may read it.
 */
export default async function DecisionMatrixPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireArea('roles');
  const query = PolicyExplorerQuerySchema.parse(firstValues(await searchParams));
  const cells = indexCells();
  const ops = allOperations();
  // The role view always shows one caller; "all" there means the first column.
  const rolePrincipal: MatrixPrincipal = query.principal === 'all' ? MATRIX_PRINCIPALS[0] : query.principal;
  const filter = {
    principal: query.view === 'role' ? rolePrincipal : query.principal,
    q: query.q ?? '',
    decision: query.decision,
    risk: query.risk,
  };
  const filtered = filterOperations(ops, cells, filter);
  const filtersOn = !!(query.q || query.decision || query.risk || query.principal !== 'all');
  const common = { principal: query.principal, q: query.q, decision: query.decision, risk: query.risk };

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
      <nav aria-label="Explorer views" className="mb-6 border-b border-slate-200">
        <TabLinks
          tabs={(Object.keys(VIEW_LABELS) as ExplorerView[]).map((v) => ({
            key: v,
            label: VIEW_LABELS[v],
            active: query.view === v,
            href: explorerHref(v === 'explain' ? { view: v, principal: rolePrincipal } : { ...common, view: v }),
          }))}
        />
      </nav>
      {query.view === 'explain' ? (
        <ExplainSection ops={ops} op={query.op} scope={query.scope} principal={rolePrincipal} />
      ) : (
        <>
          <ExplorerFilters
            view={query.view}
            principal={query.view === 'role' ? rolePrincipal : query.principal}
            q={query.q}
            decision={query.decision}
            risk={query.risk}
          />
          {query.view === 'role' ? (
            <RoleView principal={rolePrincipal} areas={roleView(rolePrincipal, filtered, cells)} />
          ) : (
            <MatrixSection
              ops={filtered}
              total={ops.length}
              page={query.page}
              filtersOn={filtersOn}
              params={common}
              cells={cells}
              principals={query.principal === 'all' ? MATRIX_PRINCIPALS : [query.principal]}
            />
          )}
        </>
      )}
    </>
  );
}

function MatrixSection({
  ops,
  total,
  page,
  filtersOn,
  params,
  cells,
  principals,
}: {
  ops: OperationDefinition[];
  total: number;
  page: number;
  filtersOn: boolean;
  params: Parameters<typeof explorerHref>[0];
  cells: ReturnType<typeof indexCells>;
  principals: readonly MatrixPrincipal[];
}) {
  const current = paginate(ops, page, PAGE_SIZE);
  const pager = (
    <nav aria-label="Pages of operations" className="my-4 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600">
      <p data-testid="matrix-count">
        {ops.length === total ? `${total} operations` : `${ops.length} of ${total} operations match`}
        {current.pages > 1 ? ` · page ${current.page} of ${current.pages}` : ''}
      </p>
      {current.pages > 1 ? (
        <ul className="flex flex-wrap gap-1">
          {Array.from({ length: current.pages }, (_, i) => i + 1).map((p) => (
            <li key={p}>
              <Link
                href={explorerHref({ ...params, page: p })}
                aria-current={p === current.page ? 'page' : undefined}
                aria-label={`Page ${p}`}
                className={`inline-block rounded-md px-2.5 py-1 tabular-nums ring-1 ${p === current.page ? 'bg-indigo-600 text-white ring-indigo-600' : 'ring-slate-300 hover:bg-slate-50'}`}
              >
                {p}
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </nav>
  );
  return (
    <>
      <section aria-labelledby="legend" className="mb-6 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <h2 id="legend" className="mb-3 text-sm font-semibold text-slate-900">
          How to read it
        </h2>
        <DecisionLegend />
        <p className="mt-3 text-sm text-slate-600">
          Columns are the kinds of caller: each console role; <strong>member</strong>; <strong>suspended-role</strong> (a support user while
          the support role is suspended); <strong>disabled-user</strong> (an admin whose account is disabled); <strong>anonymous</strong>{' '}
          (no session). Hover a cell to see the rule that decided; follow it for the explanation.
        </p>
      </section>
      <nav aria-label="Operations" className="mb-2 text-sm">
        <h2 className="mb-2 text-sm font-semibold text-slate-900">Operations on this page</h2>
        <ul className="flex flex-wrap gap-x-3 gap-y-1">
          {current.items.map((op) => (
            <li key={op.id}>
              <a href={`#${op.id}`} className="font-mono text-xs text-indigo-700 hover:underline">
                {op.id}
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
      {pager}
      {current.items.length === 0 ? (
        <p className="rounded-xl bg-white p-4 text-sm text-slate-600 shadow-sm ring-1 ring-slate-200">
          No operation matches the filters.{' '}
          {filtersOn ? (
            <Link href={explorerHref({})} className="text-indigo-700 hover:underline">
              Clear filters
            </Link>
          ) : null}
        </p>
      ) : (
        <OperationTables ops={current.items} cells={cells} principals={principals} />
      )}
      {current.pages > 1 ? pager : null}
      <section aria-labelledby="read-access" className="mt-8">
        <h2 id="read-access" className="mb-3 scroll-mt-6 text-lg font-semibold">
          Read access
        </h2>
        <p className="mb-3 text-sm text-slate-600">
          What each caller may see; no operation covers these, but every list and page depends on them. Configuration rows show who may
          change each tier.
        </p>
        <ReadAccessTable principals={principals} />
      </section>
    </>
  );
}

function ExplainSection({
  ops,
  op,
  scope,
  principal,
}: {
  ops: OperationDefinition[];
  op?: string;
  scope?: string;
  principal: MatrixPrincipal;
}) {
  const chosen = op ? (ops.find((o) => o.id === op) ?? null) : null;
  const cell = chosen && scope ? explainCell(chosen.id, scope, principal, MATRIX_PRINCIPALS) : null;
  return (
    <>
      <ExplainPicker ops={ops} op={chosen} principal={principal} />
      {cell ? (
        <ExplainView cell={cell} />
      ) : op && scope ? (
        <p className="text-sm text-slate-600">That operation has no such scope in this policy version. Choose one of its scopes above.</p>
      ) : null}
    </>
  );
}
