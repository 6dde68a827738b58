/**
 * The policy explorer's pure helpers (the /roles/matrix page): filtering the
 * operations of the decision matrix, the "by role" view grouped by area, and the
 * explanation of one cell (the rule that decided and what the catalog demands).
 *
 * Pure: no I/O.
 */
import { explainDecision, type RuleExplanation } from './explain';
import {
  computeMatrix,
  decideCell,
  MATRIX_PRINCIPALS,
  principalFor,
  scopesFor,
  type MatrixCell,
  type MatrixDecision,
  type MatrixPrincipal,
} from './matrix';
import { OPERATIONS, type OperationDefinition, type Risk } from './operations';

export const EXPLORER_DECISIONS: readonly MatrixDecision[] = ['allow', 'step-up', 'approval', 'deny'];
export const EXPLORER_RISKS: readonly Risk[] = ['low', 'high', 'critical'];

export interface ExplorerFilter {
  /** One principal column, or every column. */
  principal: MatrixPrincipal | 'all';
  /** Matches the operation id or description, case-insensitive. */
  q: string;
  /** Operations with at least one cell of this decision (in the chosen column, or any). */
  decision?: MatrixDecision;
  risk?: Risk;
}

/** The catalog as a list. */
export function allOperations(): OperationDefinition[] {
  return Object.values(OPERATIONS) as OperationDefinition[];
}

/** Cells indexed by operation, scope and principal. */
export type CellIndex = Map<string, MatrixCell>;

export const cellKey = (op: string, scope: string, principal: string) => `${op}|${scope}|${principal}`;

export function indexCells(cells: MatrixCell[] = computeMatrix()): CellIndex {
  return new Map(cells.map((c) => [cellKey(c.op, c.scope, c.principal), c]));
}

/** The operations that pass the filter, in catalog order. */
export function filterOperations(ops: OperationDefinition[], cells: CellIndex, filter: ExplorerFilter): OperationDefinition[] {
  const q = filter.q.trim().toLowerCase();
  return ops.filter((op) => {
    if (filter.risk && op.risk !== filter.risk) return false;
    if (q && !op.id.toLowerCase().includes(q) && !op.description.toLowerCase().includes(q)) return false;
    if (filter.decision) {
      const columns = filter.principal === 'all' ? MATRIX_PRINCIPALS : [filter.principal];
      const hit = scopesFor(op).some((s) => columns.some((p) => cells.get(cellKey(op.id, s.name, p))?.decision === filter.decision));
      if (!hit) return false;
    }
    return true;
  });
}

/** One page of a list (pages count from 1; a page past the end gives the last one). */
export function paginate<T>(items: T[], page: number, size: number): { items: T[]; page: number; pages: number; total: number } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(1, page), pages);
  return { items: items.slice((current - 1) * size, current * size), page: current, pages, total: items.length };
}

const AREA_LABELS: Record<string, string> = {
  auth: 'Signing in and out',
  session: 'Sessions',
  account: 'Own account security',
  user: 'User accounts',
  role: 'Roles',
  audit: 'Audit trail',
  ticket: 'Support tickets',
  config: 'Configuration',
  approval: 'Approvals',
  alert: 'Alerts',
  incident: 'Incidents',
  containment: 'Containment',
  elevation: 'Elevation',
  access_review: 'Access reviews',
  review: 'Access reviews',
};

/** The area of an operation: the part of its id before the first dot. */
export function areaOf(opId: string): string {
  return opId.split('.')[0] ?? opId;
}

export function areaLabel(area: string): string {
  return AREA_LABELS[area] ?? area.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());
}

export interface RoleScopeRow {
  scope: string;
  decision: MatrixDecision;
  rule: string;
}

export interface RoleOperationRow {
  op: OperationDefinition;
  scopes: RoleScopeRow[];
  /** The loosest decision over the scopes: what the role may do at best. */
  best: MatrixDecision;
}

export interface RoleArea {
  area: string;
  label: string;
  operations: RoleOperationRow[];
}

const LOOSENESS: Record<MatrixDecision, number> = { deny: 0, approval: 1, 'step-up': 2, allow: 3 };

/** What one principal may do: every operation (of `ops`), with its scopes, grouped by area in catalog order. */
export function roleView(principal: MatrixPrincipal, ops: OperationDefinition[], cells: CellIndex): RoleArea[] {
  const areas = new Map<string, RoleArea>();
  for (const op of ops) {
    const scopes = scopesFor(op).map((s) => {
      const cell = cells.get(cellKey(op.id, s.name, principal));
      return { scope: s.name, decision: cell?.decision ?? 'deny', rule: cell?.rule ?? 'authz.default_deny' };
    });
    const best = scopes.reduce<MatrixDecision>((m, s) => (LOOSENESS[s.decision] > LOOSENESS[m] ? s.decision : m), 'deny');
    const area = areaOf(op.id);
    if (!areas.has(area)) areas.set(area, { area, label: areaLabel(area), operations: [] });
    areas.get(area)!.operations.push({ op, scopes, best });
  }
  return [...areas.values()];
}

/** Counts of operations by their best decision, for a role's summary line. */
export function roleSummary(areas: RoleArea[]): Record<MatrixDecision, number> {
  const counts: Record<MatrixDecision, number> = { allow: 0, 'step-up': 0, approval: 0, deny: 0 };
  for (const a of areas) for (const o of a.operations) counts[o.best]++;
  return counts;
}

export interface CellExplanation {
  op: OperationDefinition;
  scope: string;
  principal: MatrixPrincipal;
  decision: MatrixDecision;
  rule: string;
  /** The rule looked up in the principal's rules, or a sentence for decisions that are not CASL rules. */
  explanation: RuleExplanation | null;
  /** Why the cell came out as it did, in plain words. */
  summary: string;
  /** What the catalog demands of the operation, whoever calls it. */
  demands: { stepUp: boolean; reason: OperationDefinition['reason']; approval: OperationDefinition['approval']; approver: string | null };
  /** The same scope for every principal, for comparison. */
  row: { principal: MatrixPrincipal; decision: MatrixDecision; rule: string }[];
}

const PUBLIC_TEXT = 'A public operation: it needs no session, so every caller may attempt it.';

/** The explanation of one cell; null when the operation or scope does not exist. */
export function explainCell(
  opId: string,
  scopeName: string,
  principal: MatrixPrincipal,
  principals: readonly MatrixPrincipal[],
): CellExplanation | null {
  const op = (OPERATIONS as Record<string, OperationDefinition>)[opId];
  if (!op) return null;
  const scope = scopesFor(op).find((s) => s.name === scopeName);
  if (!scope) return null;
  const { decision, rule } = decideCell(op, scope, principal);
  const p = principalFor(principal);
  const explanation = rule === 'public' ? { id: 'public', rule: null, text: PUBLIC_TEXT } : explainDecision(rule, p?.role ?? null);
  let summary: string;
  if (decision === 'deny') {
    if (!p) summary = 'Denied: there is no session.';
    else if (p.status !== 'active') summary = `Denied: the caller's account is ${p.status}, so they have no rules at all.`;
    else if (p.roleSuspended) summary = `Denied: the ${p.role} role is suspended, so its holders have no rules at all.`;
    else if (explanation?.rule?.inverted) summary = `Denied by the refusing rule ${rule}.`;
    else summary = `Denied: no rule of the ${p.role} role allows it here (deny by default).`;
  } else {
    const how =
      decision === 'approval'
        ? ', but only once a second person approves the exact request'
        : decision === 'step-up'
          ? ', after a fresh passkey or authenticator-code confirmation of this exact operation and input'
          : '';
    summary = rule === 'public' ? PUBLIC_TEXT : `Allowed by rule ${rule}${how}.`;
  }
  const approver = op.approverAbility ? `${op.approverAbility[0]} on ${op.approverAbility[1]}` : null;
  return {
    op,
    scope: scope.name,
    principal,
    decision,
    rule,
    explanation,
    summary,
    demands: { stepUp: op.stepUp, reason: op.reason, approval: op.approval, approver },
    row: principals.map((q) => ({ principal: q, ...decideCell(op, scope, q) })),
  };
}
