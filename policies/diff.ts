/**
 * `npm run policy:diff`, the pure part: compares the decision matrices of two
 * revisions of policies/ (who gains or loses what, added and removed operations,
 * catalog and rule-id changes) and replays audit decisions under the new one.
 * scripts/policy-diff.ts does the git, files, database and printing.
 *
 * Every value here is plain data: each revision's matrix comes from its own copy
 * of policies/ (its own module instances), so nothing is shared between them but
 * the shapes below.
 *
 * Pure: no I/O.
 */

export type Decision = 'allow' | 'step-up' | 'approval' | 'deny';

const DECISIONS: readonly Decision[] = ['allow', 'step-up', 'approval', 'deny'];

/** Looser is higher: a move up is a gain, down a loss. */
const LOOSENESS: Record<Decision, number> = { deny: 0, approval: 1, 'step-up': 2, allow: 3 };

export interface SnapshotOperation {
  id: string;
  description: string;
  risk: string;
  stepUp: boolean;
  reason: string;
  approval: string;
}

export interface SnapshotScope {
  name: string;
  /** The target's role, when the scope is about a user of that role. */
  targetRole: string | null;
  /** The scope is the caller's own account or record. */
  self: boolean;
}

export interface SnapshotCell {
  op: string;
  scope: string;
  principal: string;
  decision: Decision;
  rule: string;
}

/** One revision's matrix, as plain data. */
export interface PolicySnapshot {
  /** The revision, e.g. a commit or WORKTREE. */
  label: string;
  principals: string[];
  operations: SnapshotOperation[];
  /** Scopes per operation id, in catalog order. */
  scopes: Record<string, SnapshotScope[]>;
  cells: SnapshotCell[];
}

/** What a revision's policies/matrix.ts and policies/operations.ts export (structurally; older revisions may lack scopesFor). */
export interface PolicyModules {
  OPERATIONS: Record<string, { id: string; description: string; risk: string; stepUp: boolean; reason: string; approval: string }>;
  MATRIX_PRINCIPALS: readonly string[];
  computeMatrix: () => { op: string; scope: string; principal: string; decision: string; rule: string }[];
  scopesFor?: (op: never) => { name: string; targetRole: string | null; self: boolean }[];
}

function isDecision(value: string): value is Decision {
  return (DECISIONS as readonly string[]).includes(value);
}

/** A revision's matrix from its modules. */
export function snapshotOf(label: string, modules: PolicyModules): PolicySnapshot {
  const operations = Object.values(modules.OPERATIONS).map((o) => ({
    id: o.id,
    description: o.description,
    risk: o.risk,
    stepUp: !!o.stepUp,
    reason: o.reason,
    approval: o.approval,
  }));
  const cells: SnapshotCell[] = modules.computeMatrix().map((c) => ({
    op: c.op,
    scope: c.scope,
    principal: c.principal,
    decision: isDecision(c.decision) ? c.decision : 'deny',
    rule: c.rule,
  }));
  const scopes: Record<string, SnapshotScope[]> = {};
  for (const op of Object.values(modules.OPERATIONS)) {
    const found = modules.scopesFor
      ? modules.scopesFor(op as never).map((s) => ({ name: s.name, targetRole: s.targetRole ?? null, self: !!s.self }))
      : [...new Set(cells.filter((c) => c.op === op.id).map((c) => c.scope))].map((name) => ({ name, targetRole: null, self: false }));
    scopes[op.id] = found;
  }
  return { label, principals: [...modules.MATRIX_PRINCIPALS], operations, scopes, cells };
}

// ---------------------------------------------------------------------------
// Matrix diff
// ---------------------------------------------------------------------------

export interface CellChange {
  op: string;
  scope: string;
  principal: string;
  from: Decision;
  to: Decision;
  fromRule: string;
  toRule: string;
  /** In plain words: "now allowed with step-up", "no longer needs approval", "now denied". */
  change: string;
}

export interface PrincipalChanges {
  principal: string;
  gains: CellChange[];
  losses: CellChange[];
}

export interface AddedOperation {
  id: string;
  description: string;
  /** Every cell that is not a deny. */
  grants: { principal: string; scope: string; decision: Decision; rule: string }[];
}

export interface RemovedOperation {
  id: string;
  description: string;
  /** Every cell that was not a deny (what is lost with it). */
  lost: { principal: string; scope: string; decision: Decision; rule: string }[];
}

export interface CatalogChange {
  op: string;
  field: 'description' | 'risk' | 'stepUp' | 'reason' | 'approval';
  from: string;
  to: string;
}

export interface RuleChange {
  op: string;
  scope: string;
  principal: string;
  decision: Decision;
  fromRule: string;
  toRule: string;
}

export interface PolicyDiff {
  from: string;
  to: string;
  /** One entry per principal column that has gains or losses, in column order. */
  principals: PrincipalChanges[];
  addedOperations: AddedOperation[];
  removedOperations: RemovedOperation[];
  catalogChanges: CatalogChange[];
  /** Same decision, decided by a different rule id (the audit trail records the id). */
  ruleChanges: RuleChange[];
  /** Nothing differs at all. */
  identical: boolean;
}

/** The words for a change of decision. */
export function describeChange(from: Decision, to: Decision): string {
  if (from === to) return 'unchanged';
  if (from === 'deny') return to === 'allow' ? 'now allowed' : to === 'step-up' ? 'now allowed with step-up' : 'now allowed with approval';
  if (to === 'deny') return `now denied (was ${from})`;
  if (to === 'allow') return from === 'step-up' ? 'no longer needs step-up' : 'no longer needs approval';
  if (to === 'step-up') return from === 'allow' ? 'now needs step-up' : 'no longer needs approval (needs step-up instead)';
  return from === 'allow' ? 'now needs approval' : 'now needs approval (instead of step-up)';
}

/** Whether `to` is looser than `from` (a gain). */
export function isGain(from: Decision, to: Decision): boolean {
  return LOOSENESS[to] > LOOSENESS[from];
}

const cellKey = (op: string, scope: string, principal: string) => `${op}\u0000${scope}\u0000${principal}`;

/** Who gains or loses what between two revisions. */
export function diffSnapshots(from: PolicySnapshot, to: PolicySnapshot): PolicyDiff {
  const fromOps = new Map(from.operations.map((o) => [o.id, o]));
  const toOps = new Map(to.operations.map((o) => [o.id, o]));
  const fromCells = new Map(from.cells.map((c) => [cellKey(c.op, c.scope, c.principal), c]));
  const toCells = new Map(to.cells.map((c) => [cellKey(c.op, c.scope, c.principal), c]));
  const principals = [...to.principals, ...from.principals.filter((p) => !to.principals.includes(p))];
  const byPrincipal = new Map<string, PrincipalChanges>(principals.map((p) => [p, { principal: p, gains: [], losses: [] }]));
  const ruleChanges: RuleChange[] = [];

  // Cells of operations both revisions have; a scope or principal only one side has counts as deny on the other.
  const keys = new Set<string>();
  for (const c of [...to.cells, ...from.cells]) if (fromOps.has(c.op) && toOps.has(c.op)) keys.add(cellKey(c.op, c.scope, c.principal));
  for (const key of keys) {
    const a = fromCells.get(key);
    const b = toCells.get(key);
    const ref = (b ?? a)!;
    const fromDecision = a?.decision ?? 'deny';
    const toDecision = b?.decision ?? 'deny';
    const fromRule = a?.rule ?? '(no such cell)';
    const toRule = b?.rule ?? '(no such cell)';
    if (fromDecision === toDecision) {
      if (a && b && fromRule !== toRule)
        ruleChanges.push({ op: ref.op, scope: ref.scope, principal: ref.principal, decision: toDecision, fromRule, toRule });
      continue;
    }
    const change: CellChange = {
      op: ref.op,
      scope: ref.scope,
      principal: ref.principal,
      from: fromDecision,
      to: toDecision,
      fromRule,
      toRule,
      change: describeChange(fromDecision, toDecision),
    };
    const entry = byPrincipal.get(ref.principal)!;
    (isGain(fromDecision, toDecision) ? entry.gains : entry.losses).push(change);
  }

  const order = catalogOrder(from, to);
  const byCatalog = <T extends { op: string; scope: string }>(list: T[]) =>
    list.sort((x, y) => order(x.op, x.scope) - order(y.op, y.scope) || 0);
  for (const entry of byPrincipal.values()) {
    byCatalog(entry.gains);
    byCatalog(entry.losses);
  }
  byCatalog(ruleChanges);

  const nonDeny = (s: PolicySnapshot, op: string) =>
    s.cells
      .filter((c) => c.op === op && c.decision !== 'deny')
      .map((c) => ({ principal: c.principal, scope: c.scope, decision: c.decision, rule: c.rule }));
  const addedOperations = to.operations
    .filter((o) => !fromOps.has(o.id))
    .map((o) => ({ id: o.id, description: o.description, grants: nonDeny(to, o.id) }));
  const removedOperations = from.operations
    .filter((o) => !toOps.has(o.id))
    .map((o) => ({ id: o.id, description: o.description, lost: nonDeny(from, o.id) }));

  const catalogChanges: CatalogChange[] = [];
  for (const b of to.operations) {
    const a = fromOps.get(b.id);
    if (!a) continue;
    for (const field of ['description', 'risk', 'stepUp', 'reason', 'approval'] as const) {
      if (String(a[field]) !== String(b[field])) catalogChanges.push({ op: b.id, field, from: String(a[field]), to: String(b[field]) });
    }
  }

  const changed = [...byPrincipal.values()].filter((e) => e.gains.length + e.losses.length > 0);
  return {
    from: from.label,
    to: to.label,
    principals: changed,
    addedOperations,
    removedOperations,
    catalogChanges,
    ruleChanges,
    identical:
      changed.length === 0 &&
      addedOperations.length === 0 &&
      removedOperations.length === 0 &&
      catalogChanges.length === 0 &&
      ruleChanges.length === 0,
  };
}

/** Sorts cells by the new catalog's order (then the old one's), scope order within an operation. */
function catalogOrder(from: PolicySnapshot, to: PolicySnapshot): (op: string, scope: string) => number {
  const index = new Map<string, number>();
  let i = 0;
  for (const s of [to, from]) {
    for (const o of s.operations) {
      for (const scope of s.scopes[o.id] ?? []) {
        const key = `${o.id}\u0000${scope.name}`;
        if (!index.has(key)) index.set(key, i++);
      }
    }
  }
  return (op, scope) => index.get(`${op}\u0000${scope}`) ?? Number.MAX_SAFE_INTEGER;
}

// ---------------------------------------------------------------------------
// Replay of audit decisions under a revision
// ---------------------------------------------------------------------------

/** The columns of an audit event replay needs. */
export interface ReplayEvent {
  seq: number;
  ts: Date;
  actorId: string | null;
  actorRole: string | null;
  operation: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  reasonCode: string | null;
  /** Canonical JSON object (before/after summaries and evidence). */
  details: string;
}

/** Denials that were the policy's decision; the others (step-up, reason, rate limits, lockdown…) are not replayed. */
export const POLICY_DENIAL_CODES: readonly string[] = ['forbidden', 'not_found'];

/** What the replay needs to know beyond the event: the current role of a user (or a session's user), when the event does not say. */
export interface ReplayLookup {
  roleOf?: (targetType: string, targetId: string) => string | null | undefined;
}

export type ReplaySkip = 'not_in_catalog' | 'no_actor_role' | 'not_a_policy_decision' | 'scope_undecided';

/** A re-decided event. */
export interface ReplayDecided {
  kind: 'same' | 'changed';
  seq: number;
  ts: Date;
  actorId: string | null;
  principal: string;
  operation: string;
  /** The inferred scope, or null when any scope of the operation gives the same answer. */
  scope: string | null;
  was: 'allowed' | 'denied';
  would: 'allowed' | 'denied';
  /** The decision under the new policy (the most restrictive one when the scope was not inferred). */
  decision: Decision;
  rule: string;
}

export type ReplayVerdict = { kind: 'skipped'; why: ReplaySkip } | ReplayDecided;

/** Cells of one snapshot, indexed for replay. */
export interface ReplayIndex {
  label: string;
  principals: Set<string>;
  scopes: Map<string, SnapshotScope[]>;
  cells: Map<string, SnapshotCell>;
}

export function replayIndexOf(snapshot: PolicySnapshot): ReplayIndex {
  return {
    label: snapshot.label,
    principals: new Set(snapshot.principals),
    scopes: new Map(Object.entries(snapshot.scopes)),
    cells: new Map(snapshot.cells.map((c) => [cellKey(c.op, c.scope, c.principal), c])),
  };
}

function parseDetails(details: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(details);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function roleIn(value: unknown): string | null {
  if (value && typeof value === 'object' && 'role' in value) {
    const role = (value as { role: unknown }).role;
    return typeof role === 'string' ? role : null;
  }
  return null;
}

/**
 * The scope an event was decided in, from the event alone (and the lookup):
 * null when it cannot be told. The target's role comes from the details'
 * before/after summaries (user administration records them), else the lookup.
 */
export function inferScope(event: ReplayEvent, scopes: SnapshotScope[], lookup: ReplayLookup = {}): SnapshotScope | null {
  if (scopes.length === 1) return scopes[0]!;
  const selfScopes = scopes.filter((s) => s.self);
  if (event.targetId !== null && event.targetId === event.actorId && selfScopes.length === 1) return selfScopes[0]!;
  const details = parseDetails(event.details);
  const before = roleIn(details.before) ?? (typeof details.role === 'string' ? details.role : null);
  const after = roleIn(details.after);
  let role = before;
  if (role === null && event.targetType && event.targetId) role = lookup.roleOf?.(event.targetType, event.targetId) ?? null;
  if (role === null) {
    // A draft (invitation): the role it would create.
    const draft = after ?? roleIn(details);
    role = draft;
  }
  if (role === null) return null;
  const others = scopes.filter((s) => !s.self && s.targetRole === role);
  if (others.length === 1) return others[0]!;
  if (others.length > 1 && after !== null) {
    // Role changes: one scope per "from → to".
    const named = others.find((s) => s.name === `${role} → ${after}`);
    if (named) return named;
  }
  return null;
}

/** Re-decides one audit event under a revision's matrix. */
export function replayEvent(index: ReplayIndex, event: ReplayEvent, lookup: ReplayLookup = {}): ReplayVerdict {
  const scopes = index.scopes.get(event.operation);
  if (!scopes || scopes.length === 0) return { kind: 'skipped', why: 'not_in_catalog' };
  if (!event.actorRole || !index.principals.has(event.actorRole)) return { kind: 'skipped', why: 'no_actor_role' };
  let was: 'allowed' | 'denied';
  if (event.outcome === 'success') was = 'allowed';
  else if (event.outcome === 'denied' && event.reasonCode !== null && POLICY_DENIAL_CODES.includes(event.reasonCode)) was = 'denied';
  else return { kind: 'skipped', why: 'not_a_policy_decision' };

  const principal = event.actorRole;
  const cellOf = (scope: string) => index.cells.get(cellKey(event.operation, scope, principal));
  const scope = inferScope(event, scopes, lookup);
  let decision: Decision;
  let rule: string;
  if (scope) {
    const cell = cellOf(scope.name);
    decision = cell?.decision ?? 'deny';
    rule = cell?.rule ?? '(no such cell)';
  } else {
    // Unknown scope: only an answer every scope agrees on counts.
    const cells = scopes.map((s) => cellOf(s.name)).filter((c): c is SnapshotCell => !!c);
    const loosest = cells.reduce<SnapshotCell | null>((m, c) => (!m || LOOSENESS[c.decision] > LOOSENESS[m.decision] ? c : m), null);
    const strictest = cells.reduce<SnapshotCell | null>((m, c) => (!m || LOOSENESS[c.decision] < LOOSENESS[m.decision] ? c : m), null);
    const loose = loosest?.decision ?? 'deny';
    const strict = strictest?.decision ?? 'deny';
    if ((loose === 'deny') !== (strict === 'deny')) return { kind: 'skipped', why: 'scope_undecided' };
    decision = strict;
    rule = strictest?.rule ?? '(no such cell)';
  }
  const would = decision === 'deny' ? 'denied' : 'allowed';
  return {
    kind: would === was ? 'same' : 'changed',
    seq: event.seq,
    ts: event.ts,
    actorId: event.actorId,
    principal,
    operation: event.operation,
    scope: scope?.name ?? null,
    was,
    would,
    decision,
    rule,
  };
}

export type ReplayChange = ReplayDecided & { kind: 'changed' };

/** Running totals of a replay, fed batch by batch; keeps at most `limit` changes in full. */
export interface ReplaySummary {
  /** Events read from the trail. */
  read: number;
  /** Events re-decided (not skipped). */
  replayed: number;
  unchanged: number;
  changed: number;
  skipped: Record<ReplaySkip, number>;
  /** Changes per operation id. */
  changedByOperation: Record<string, number>;
  changes: ReplayChange[];
  /** Changes not kept in `changes` because of the limit. */
  changesLeftOut: number;
}

export function emptyReplaySummary(): ReplaySummary {
  return {
    read: 0,
    replayed: 0,
    unchanged: 0,
    changed: 0,
    skipped: { not_in_catalog: 0, no_actor_role: 0, not_a_policy_decision: 0, scope_undecided: 0 },
    changedByOperation: {},
    changes: [],
    changesLeftOut: 0,
  };
}

/** Adds one verdict to the summary (mutates it). */
export function addVerdict(summary: ReplaySummary, verdict: ReplayVerdict, limit = 1000): void {
  summary.read++;
  if (verdict.kind === 'skipped') {
    summary.skipped[verdict.why]++;
    return;
  }
  summary.replayed++;
  if (verdict.kind === 'same') {
    summary.unchanged++;
    return;
  }
  summary.changed++;
  summary.changedByOperation[verdict.operation] = (summary.changedByOperation[verdict.operation] ?? 0) + 1;
  if (summary.changes.length < limit) summary.changes.push(verdict as ReplayChange);
  else summary.changesLeftOut++;
}

/** Ids of User and Session targets whose role the event's details do not carry (to look up in one query per batch). */
export function targetsNeedingLookup(events: ReplayEvent[]): { users: string[]; sessions: string[] } {
  const users = new Set<string>();
  const sessions = new Set<string>();
  for (const e of events) {
    if (!e.targetId || e.targetId === e.actorId) continue;
    if (e.targetType !== 'User' && e.targetType !== 'Session') continue;
    const details = parseDetails(e.details);
    if (roleIn(details.before) !== null) continue;
    (e.targetType === 'User' ? users : sessions).add(e.targetId);
  }
  return { users: [...users], sessions: [...sessions] };
}

/** One line per replay change, for the text report. */
export function formatReplayChange(c: ReplayChange, actorLabel?: string): string {
  const date = c.ts.toISOString().slice(0, 10);
  const who = actorLabel ?? c.actorId ?? '(no actor)';
  const on = c.scope ? ` on ${c.scope}` : '';
  return `seq ${c.seq} ${date} ${c.principal} ${who} ${c.operation}${on}: was ${c.was}, would be ${c.would} (${c.decision}, rule ${c.rule})`;
}
