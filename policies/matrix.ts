/**
 * The decision matrix: role × operation × scope → allow / step-up / approval /
 * deny, computed from the rules and the operation catalog. `renderMatrix()` is
 * what policies/matrix.md holds; a unit test recomputes it and fails on any
 * difference, so every policy change shows up as a diff in review
 * (`npm run policy:matrix` rewrites the file). The integration suite (T25) runs
 * the same cells through the real server actions.
 *
 * Pure: no I/O.
 */
import { buildAbility, decideOn } from './ability';
import { OPERATIONS, signatureRequired, type OperationDefinition, type OperationId } from './operations';
import { ROLES, type Role } from './roles';
import { CONFIG_TIERS, PRIVILEGED_ROLES, type PolicyAction, type PolicySubject, type Principal } from './rules';

/** The columns: every kind of caller, including the ones that must get nothing. */
export const MATRIX_PRINCIPALS = [
  'superadmin',
  'admin',
  'auditor',
  'support',
  'member',
  'suspended-role',
  'disabled-user',
  'anonymous',
] as const;
export type MatrixPrincipal = (typeof MATRIX_PRINCIPALS)[number];

export type MatrixDecision = 'allow' | 'step-up' | 'approval' | 'deny';

/** The id of the principal in every fixture (a target with this id is "self"). */
export const PRINCIPAL_ID = 'principal';
const OTHER_ID = 'other';

/** The principal behind a column; null for anonymous. */
export function principalFor(column: MatrixPrincipal): Principal | null {
  switch (column) {
    case 'anonymous':
      return null;
    case 'suspended-role':
      return { id: PRINCIPAL_ID, role: 'support', status: 'active', roleSuspended: true };
    case 'disabled-user':
      return { id: PRINCIPAL_ID, role: 'admin', status: 'disabled', roleSuspended: false };
    default:
      return { id: PRINCIPAL_ID, role: column, status: 'active', roleSuspended: false };
  }
}

/**
 * One scope of an operation: the record the ability is checked on (`before`) and,
 * for changes, the record as it would be afterwards (`after`), which must be
 * allowed too: an admin may not "change" a member into an admin.
 */
export interface MatrixScope {
  name: string;
  /** The target's role, or null when the scope is the caller's own account or has no record. */
  targetRole: Role | null;
  self: boolean;
  before: (p: Principal | null) => Record<string, unknown>;
  after?: (p: Principal | null) => Record<string, unknown>;
}

const user = (id: string, role: Role) => ({ id, role, status: 'active', deletedAt: null });
const selfUser = (p: Principal | null) => user(p?.id ?? PRINCIPAL_ID, p?.role ?? 'member');
const otherRoleLabel = (r: Role) => (r === 'superadmin' || r === 'admin' ? `another ${r}` : `a ${r}`);

const USER_SCOPES: MatrixScope[] = [
  { name: 'self', targetRole: null, self: true, before: selfUser },
  ...ROLES.map((r) => ({ name: otherRoleLabel(r), targetRole: r, self: false, before: () => user(OTHER_ID, r) })),
];

function roleChangeScopes(privileged: boolean): MatrixScope[] {
  const isPrivileged = (r: Role) => (PRIVILEGED_ROLES as readonly Role[]).includes(r);
  const scopes: MatrixScope[] = [
    {
      name: 'self',
      targetRole: null,
      self: true,
      before: selfUser,
      after: (p) => ({ ...selfUser(p), role: privileged ? 'superadmin' : 'auditor' }),
    },
  ];
  for (const from of ROLES) {
    for (const to of ROLES) {
      if (from === to || (isPrivileged(from) || isPrivileged(to)) !== privileged) continue;
      scopes.push({
        name: `${from} → ${to}`,
        targetRole: from,
        self: false,
        before: () => user(OTHER_ID, from),
        after: () => user(OTHER_ID, to),
      });
    }
  }
  return scopes;
}

const SESSION_SCOPES: MatrixScope[] = [
  {
    name: 'own session',
    targetRole: null,
    self: true,
    before: (p) => ({ id: 's1', userId: p?.id ?? PRINCIPAL_ID, user: selfUser(p) }),
  },
  ...ROLES.map((r) => ({
    name: `a session of ${otherRoleLabel(r)}`,
    targetRole: r,
    self: false,
    before: () => ({ id: 's2', userId: OTHER_ID, user: user(OTHER_ID, r) }),
  })),
];

const ROLE_STATE_SCOPES: MatrixScope[] = ROLES.map((r) => ({
  name: `the ${r} role`,
  targetRole: r,
  self: false,
  before: () => ({ role: r, suspended: false }),
}));

const DRAFT_USER_SCOPES: MatrixScope[] = ROLES.map((r) => ({
  name: `new ${r}`,
  targetRole: r,
  self: false,
  before: () => ({ id: 'new', role: r, status: 'active', deletedAt: null }),
}));

const ticket = (assigneeId: string | null, status: string) => ({
  id: 't1',
  assigneeId,
  status,
  requesterId: OTHER_ID,
  requester: { id: OTHER_ID, role: 'member', deletedAt: null },
});

const TICKET_SCOPES: MatrixScope[] = [
  { name: 'an open ticket assigned to them', targetRole: null, self: true, before: (p) => ticket(p?.id ?? PRINCIPAL_ID, 'open') },
  { name: 'a pending ticket assigned to them', targetRole: null, self: true, before: (p) => ticket(p?.id ?? PRINCIPAL_ID, 'pending') },
  { name: 'a resolved ticket assigned to them', targetRole: null, self: true, before: (p) => ticket(p?.id ?? PRINCIPAL_ID, 'resolved') },
  { name: 'a closed ticket assigned to them', targetRole: null, self: true, before: (p) => ticket(p?.id ?? PRINCIPAL_ID, 'closed') },
  { name: 'an open ticket assigned to another agent', targetRole: null, self: false, before: () => ticket('someone-else', 'open') },
  { name: 'an open unassigned ticket', targetRole: null, self: false, before: () => ticket(null, 'open') },
];

const CONFIG_TIER_SCOPES: MatrixScope[] = CONFIG_TIERS.map((tier) => ({
  name: `a ${tier} key`,
  targetRole: null,
  self: false,
  before: () => ({ key: `example.${tier}`, tier }),
}));

/** The tier a config.apply* operation applies (its change set's highest tier). */
export function applyTierOf(opId: string): (typeof CONFIG_TIERS)[number] {
  return opId === 'config.apply_critical' ? 'critical' : opId === 'config.apply_sensitive' ? 'sensitive' : 'normal';
}

const approvalRequest = (requesterId: string, status: string) => ({ id: 'a1', requesterId, status, beneficiaryId: null });

const APPROVAL_SCOPES: MatrixScope[] = [
  { name: 'a pending request by someone else', targetRole: null, self: false, before: () => approvalRequest(OTHER_ID, 'pending') },
  { name: 'their own pending request', targetRole: null, self: true, before: (p) => approvalRequest(p?.id ?? PRINCIPAL_ID, 'pending') },
  { name: 'a decided request by someone else', targetRole: null, self: false, before: () => approvalRequest(OTHER_ID, 'executed') },
];

const ALERT_SCOPES: MatrixScope[] = ['open', 'acknowledged', 'resolved'].map((status) => ({
  name: `an ${status} alert`,
  targetRole: null,
  self: false,
  before: () => ({ id: 'al1', status, rule: 'privilege.mass_change', severity: 'critical' }),
}));

const INCIDENT_SCOPES: MatrixScope[] = ['open', 'contained', 'closed'].map((status) => ({
  name: `a${status === 'open' ? 'n' : ''} ${status} incident`,
  targetRole: null,
  self: false,
  before: () => ({ id: 'in1', status, severity: 'high' }),
}));

const elevationDraft = (userId: string, baseRole: string, role: string, scope = 'role') => ({ userId, baseRole, role, scope });

const ELEVATION_REQUEST_SCOPES: MatrixScope[] = [
  ...(['admin', 'superadmin'] as const).map((role) => ({
    name: `ask to hold ${role} for a while`,
    targetRole: role,
    self: true,
    before: (p: Principal | null) => elevationDraft(p?.id ?? PRINCIPAL_ID, p?.role ?? 'member', role),
  })),
  {
    name: 'ask on someone else’s behalf',
    targetRole: null,
    self: false,
    before: (p) => elevationDraft(OTHER_ID, p?.role ?? 'member', 'superadmin'),
  },
];

const BREAK_GLASS_SCOPES: MatrixScope[] = [
  {
    name: 'for themselves',
    targetRole: null,
    self: true,
    before: (p) => elevationDraft(p?.id ?? PRINCIPAL_ID, p?.role ?? 'member', p?.role ?? 'member', 'break_glass'),
  },
];

const ELEVATION_SCOPES: MatrixScope[] = [
  {
    name: 'their own active elevation',
    targetRole: null,
    self: true,
    before: (p) => ({ id: 'e1', userId: p?.id ?? PRINCIPAL_ID, status: 'active' }),
  },
  {
    name: 'someone else’s active elevation',
    targetRole: null,
    self: false,
    before: () => ({ id: 'e2', userId: OTHER_ID, status: 'active' }),
  },
  {
    name: 'an elevation that has ended',
    targetRole: null,
    self: true,
    before: (p) => ({ id: 'e3', userId: p?.id ?? PRINCIPAL_ID, status: 'expired' }),
  },
];

const accessReview = (status: string, reviewerId: string) => ({ id: 'r1', status, reviewers: [{ userId: reviewerId }] });

const ACCESS_REVIEW_SCOPES: MatrixScope[] = [
  { name: 'an open campaign they review', targetRole: null, self: true, before: (p) => accessReview('open', p?.id ?? PRINCIPAL_ID) },
  { name: 'an open campaign others review', targetRole: null, self: false, before: () => accessReview('open', OTHER_ID) },
  { name: 'a closed campaign they reviewed', targetRole: null, self: true, before: (p) => accessReview('closed', p?.id ?? PRINCIPAL_ID) },
];

/** The scopes in which an operation is decided. */
export function scopesFor(op: OperationDefinition): MatrixScope[] {
  if (op.id.startsWith('config.apply')) {
    const tier = applyTierOf(op.id);
    return [{ name: `a change set whose highest tier is ${tier}`, targetRole: null, self: false, before: () => ({ tier }) }];
  }
  if (op.ability?.[1] === 'ConfigEntry') return CONFIG_TIER_SCOPES;
  if (op.ability?.[1] === 'ApprovalRequest') return APPROVAL_SCOPES;
  if (op.ability?.[1] === 'Alert') return ALERT_SCOPES;
  if (op.ability?.[1] === 'Incident' && op.target === 'record') return INCIDENT_SCOPES;
  if (op.id === 'elevation.request') return ELEVATION_REQUEST_SCOPES;
  if (op.id === 'elevation.break_glass') return BREAK_GLASS_SCOPES;
  if (op.ability?.[1] === 'Elevation') return ELEVATION_SCOPES;
  if (op.ability?.[1] === 'AccessReview' && op.target === 'record') return ACCESS_REVIEW_SCOPES;
  if (op.target === 'none') return [{ name: 'public', targetRole: null, self: false, before: () => ({}) }];
  if (op.target === 'self') return [{ name: 'own account', targetRole: null, self: true, before: selfUser }];
  if (op.target === 'draft')
    return op.ability?.[1] === 'User'
      ? DRAFT_USER_SCOPES
      : [
          {
            name:
              op.ability?.[1] === 'Incident'
                ? 'a new incident'
                : op.ability?.[1] === 'AuditEvent'
                  ? 'the whole trail'
                  : op.ability?.[1] === 'AccessReview'
                    ? 'a new campaign'
                    : 'every account',
            targetRole: null,
            self: false,
            before: () => ({}),
          },
        ];
  if (op.id === 'user.role_change') return roleChangeScopes(false);
  if (op.id === 'user.role_grant_privileged') return roleChangeScopes(true);
  const subject = op.ability?.[1];
  if (subject === 'Session') return SESSION_SCOPES;
  if (subject === 'RoleState') return ROLE_STATE_SCOPES;
  if (subject === 'Ticket') return TICKET_SCOPES;
  return USER_SCOPES;
}

export interface MatrixCell {
  op: OperationId;
  scope: string;
  principal: MatrixPrincipal;
  decision: MatrixDecision;
  /** The rule that decided (the id recorded in the audit trail). */
  rule: string;
}

/** The decision for one cell. */
export function decideCell(
  op: OperationDefinition,
  scope: MatrixScope,
  column: MatrixPrincipal,
): { decision: MatrixDecision; rule: string } {
  if (op.audience === 'anonymous') return { decision: 'allow', rule: 'public' };
  const principal = principalFor(column);
  if (!principal || !op.ability) return { decision: 'deny', rule: 'authn.required' };
  const ability = buildAbility(principal);
  const [action, subject] = op.ability;
  const before = decideOn(ability, action, subject, scope.before(principal));
  if (!before.allowed) return { decision: 'deny', rule: before.rule };
  if (scope.after) {
    const after = decideOn(ability, action, subject, scope.after(principal));
    if (!after.allowed) return { decision: 'deny', rule: after.rule };
  }
  const decision: MatrixDecision = op.approval === 'two-person' ? 'approval' : op.stepUp ? 'step-up' : 'allow';
  return { decision, rule: before.rule };
}

/** Every cell of the matrix, in catalog order. */
export function computeMatrix(): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const op of Object.values(OPERATIONS) as OperationDefinition[]) {
    for (const scope of scopesFor(op)) {
      for (const principal of MATRIX_PRINCIPALS) {
        cells.push({ op: op.id as OperationId, scope: scope.name, principal, ...decideCell(op, scope, principal) });
      }
    }
  }
  return cells;
}

/** Read access, which no operation covers but every list and page depends on. */
const READ_SCOPES: { subject: PolicySubject; action: PolicyAction; name: string; record: (p: Principal) => Record<string, unknown> }[] = [
  { subject: 'User', action: 'read', name: 'any user account', record: () => user(OTHER_ID, 'member') },
  { subject: 'Session', action: 'read', name: 'own sessions', record: (p) => ({ userId: p.id, user: user(p.id, p.role) }) },
  {
    subject: 'Session',
    action: 'read',
    name: 'sessions of a member, support or auditor',
    record: () => ({ userId: OTHER_ID, user: user(OTHER_ID, 'support') }),
  },
  {
    subject: 'Session',
    action: 'read',
    name: 'sessions of an admin or superadmin',
    record: () => ({ userId: OTHER_ID, user: user(OTHER_ID, 'admin') }),
  },
  { subject: 'AuditEvent', action: 'read', name: 'audit events of own actions', record: (p) => ({ actorId: p.id }) },
  { subject: 'AuditEvent', action: 'read', name: 'audit events of others’ actions', record: () => ({ actorId: OTHER_ID }) },
  { subject: 'AuditEvent', action: 'export', name: 'export own actions (CSV, JSON Lines)', record: (p) => ({ actorId: p.id }) },
  { subject: 'AuditEvent', action: 'export', name: 'export others’ actions', record: () => ({ actorId: OTHER_ID }) },
  { subject: 'AuditEvent', action: 'analyze', name: 'activity dashboards (whole trail)', record: () => ({}) },
  { subject: 'AuditEvent', action: 'verify', name: 'integrity panel, verify now, export bundle', record: () => ({}) },
  { subject: 'Ticket', action: 'read', name: 'a ticket assigned to them', record: (p) => ({ assigneeId: p.id }) },
  { subject: 'Ticket', action: 'read', name: 'a ticket assigned to someone else', record: () => ({ assigneeId: OTHER_ID }) },
  {
    subject: 'User',
    action: 'read',
    name: 'the requester of an open ticket assigned to them',
    record: (p) => ({ ...user(OTHER_ID, 'member'), ticketsRequested: [{ assigneeId: p.id, status: 'open' }] }),
  },
  {
    subject: 'User',
    action: 'read',
    name: 'the requester of a closed ticket assigned to them',
    record: (p) => ({ ...user(OTHER_ID, 'member'), ticketsRequested: [{ assigneeId: p.id, status: 'closed' }] }),
  },
  {
    subject: 'User',
    action: 'read',
    name: 'the requester of a ticket assigned to someone else',
    record: () => ({ ...user(OTHER_ID, 'member'), ticketsRequested: [{ assigneeId: OTHER_ID, status: 'open' }] }),
  },
  { subject: 'ConfigEntry', action: 'read', name: 'configuration (secrets only as fingerprints)', record: () => ({ tier: 'critical' }) },
  { subject: 'ConfigEntry', action: 'update', name: 'normal configuration', record: () => ({ tier: 'normal' }) },
  { subject: 'ConfigEntry', action: 'update', name: 'sensitive configuration', record: () => ({ tier: 'sensitive' }) },
  { subject: 'ConfigEntry', action: 'update', name: 'critical configuration', record: () => ({ tier: 'critical' }) },
  { subject: 'Alert', action: 'read', name: 'alerts', record: () => ({ status: 'open' }) },
  { subject: 'Incident', action: 'read', name: 'incidents', record: () => ({ status: 'open' }) },
  { subject: 'ApprovalRequest', action: 'read', name: 'own approval requests', record: (p) => approvalRequest(p.id, 'pending') },
  { subject: 'ApprovalRequest', action: 'read', name: 'others’ approval requests', record: () => approvalRequest(OTHER_ID, 'pending') },
];

function readCell(scope: (typeof READ_SCOPES)[number], column: MatrixPrincipal): MatrixDecision {
  const principal = principalFor(column);
  if (!principal) return 'deny';
  return decideOn(buildAbility(principal), scope.action, scope.subject, scope.record(principal)).allowed ? 'allow' : 'deny';
}

/** One row of the read-access table: what is read (or, for configuration, updated) and each principal's decision. */
export interface ReadMatrixRow {
  action: PolicyAction;
  subject: PolicySubject;
  scope: string;
  decisions: Record<MatrixPrincipal, MatrixDecision>;
}

/** The read-access rows of the matrix (the "Read access" section), for pages that render it. */
export function computeReadMatrix(): ReadMatrixRow[] {
  return READ_SCOPES.map((scope) => ({
    action: scope.action,
    subject: scope.subject,
    scope: scope.name,
    decisions: Object.fromEntries(MATRIX_PRINCIPALS.map((p) => [p, readCell(scope, p)])) as Record<MatrixPrincipal, MatrixDecision>,
  }));
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

/** The Markdown text of policies/matrix.md. */
export function renderMatrix(): string {
  const header = row(['scope', ...MATRIX_PRINCIPALS]);
  const rule = row(['---', ...MATRIX_PRINCIPALS.map(() => '---')]);
  const cells = computeMatrix();
  const out: string[] = [
    '# Decision matrix',
    '',
    'Generated from `policies/rules.ts` and `policies/operations.ts` by `npm run policy:matrix`; do not edit by hand.',
    'A unit test recomputes it and fails on any difference, and the integration suite (T25) checks every cell',
    'against the running server actions.',
    '',
    '- **allow**: permitted. **step-up**: permitted after a fresh passkey or authenticator-code proof bound to this',
    '  exact operation and input; for a critical operation only a passkey, whose signature over the intent is kept',
    '  in the audit event ("signed: passkey"). **approval**: permitted only with a second person’s approval.',
    '  **deny**: refused (shown as "not found" where the record exists).',
    '- Columns: each console role; `member`; `suspended-role` (a support user while the support role is suspended);',
    '  `disabled-user` (an admin whose account is disabled); `anonymous` (no session).',
    '',
    '## Operations',
  ];
  for (const op of Object.values(OPERATIONS) as OperationDefinition[]) {
    const ability = op.ability ? `\`${op.ability[0]}\` on \`${op.ability[1]}\`` : 'none (public)';
    out.push(
      '',
      `### \`${op.id}\``,
      '',
      `${op.description}. Ability: ${ability}; risk: ${op.risk}; step-up: ${signatureRequired(op) ? 'yes (signed: passkey)' : op.stepUp ? 'yes' : 'no'}; reason: ${op.reason}; approval: ${op.approval}${op.readOnly ? '; an audited read (changes nothing but the trail)' : ''}.`,
      '',
      header,
      rule,
    );
    for (const scope of scopesFor(op)) {
      out.push(
        row([
          scope.name,
          ...MATRIX_PRINCIPALS.map(
            (p) => cells.find((c) => c.op === op.id && c.scope === scope.name && c.principal === p)?.decision ?? '?',
          ),
        ]),
      );
    }
  }
  out.push(
    '',
    '## Read access',
    '',
    row(['subject', 'scope', ...MATRIX_PRINCIPALS]),
    row(['---', '---', ...MATRIX_PRINCIPALS.map(() => '---')]),
  );
  for (const scope of READ_SCOPES) {
    out.push(row([`\`${scope.action}\` \`${scope.subject}\``, scope.name, ...MATRIX_PRINCIPALS.map((p) => readCell(scope, p))]));
  }
  return out.join('\n') + '\n';
}
