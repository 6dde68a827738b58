import 'server-only';
import { createHmac, hkdfSync } from 'node:crypto';
import { db, type Tx } from '@/lib/db';
import { authSecret, env } from '@/lib/env';
import { POLICY_VERSION } from '@/lib/policy-version';
import { requestContext } from '@/lib/request/context';
import { appendAuditEvent, type AuditOperation } from './append';

export interface AuditActor {
  id: string;
  role: string;
  sessionId: string | null;
}

export interface AuditRecord {
  actor: AuditActor | null;
  operation: AuditOperation;
  target?: { type: string; id: string } | null;
  outcome: 'success' | 'denied' | 'failure';
  reasonCode?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
  decision?: string | null;
}

/**
 * Appends an audit event for the current request inside the caller's
 * transaction, filling in what the request knows: correlation id, client IP,
 * user agent and the policy version. If it throws, the caller's transaction
 * rolls back with it (fail closed).
 */
export async function recordAudit(tx: Tx, record: AuditRecord) {
  return recordAuditWith(tx, record, await requestContext());
}

/** The context of an audit event that is not made by an HTTP request (a CLI, a job). */
export interface AuditSourceContext {
  correlationId: string;
  ip: string | null;
  userAgent: string | null;
}

/** Appends an audit event with an explicit source context (CLIs, scheduled jobs). */
export async function recordAuditWith(tx: Tx, record: AuditRecord, ctx: AuditSourceContext) {
  return appendAuditEvent(tx, {
    actor: record.actor,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    correlationId: ctx.correlationId,
    operation: record.operation,
    target: record.target ?? null,
    outcome: record.outcome,
    reasonCode: record.reasonCode ?? null,
    reason: record.reason ?? null,
    details: record.details ?? {},
    policyVersion: POLICY_VERSION,
    decision: record.decision ?? null,
  });
}

let piiKey: Buffer | undefined;

/**
 * Personal fields are stored in audit details as keyed hashes (HMAC-SHA-256, the
 * key outside the database: WARDEN_AUDIT_PII_KEY, else derived from AUTH_SECRET
 * with HKDF), so an auditor can match events about the same email through an
 * audited lookup without the trail holding the address itself. Without the key
 * a digest cannot be tested against guessed addresses.
 */
export function piiDigest(value: string): string {
  const configured = env().WARDEN_AUDIT_PII_KEY;
  piiKey ??= configured
    ? Buffer.from(configured, 'base64url')
    : Buffer.from(hkdfSync('sha256', authSecret(), 'warden', 'warden.audit.pii.v1', 32));
  return `hmac-sha256:${createHmac('sha256', piiKey).update(value).digest('hex').slice(0, 32)}`;
}

/**
 * Records a refused attempt in its own transaction (ARCHITECTURE: denied attempts
 * are audited too). Used by defineAction, which must not touch the database itself.
 */
export async function recordDenial(record: Omit<AuditRecord, 'outcome'>) {
  const client = await db();
  await client.$transaction((tx) => recordAudit(tx, { ...record, outcome: 'denied' }));
}
