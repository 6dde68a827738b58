import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { now } from '@/lib/clock';
import type { Tx } from '@/lib/db/client';
import { observeAuditAppend } from '@/lib/monitoring/metrics';
import { canonicalize, CanonicalJsonError, hasLoneSurrogate } from './canonical-json';
import { computeEventHash, GENESIS_HASH, type AuditEventFields } from './hash';

import { AUDIT_OPERATIONS, type AuditOperation } from './operations';

export { AUDIT_OPERATIONS, type AuditOperation };

/** How an audited attempt ended. */
export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;

/** One of {@link AUDIT_OUTCOMES}. */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Limits on event fields. The user agent is truncated (clients control it); the rest is rejected. */
export const AUDIT_LIMITS = {
  userAgentChars: 512,
  reasonChars: 2000,
  detailsBytes: 16 * 1024,
  detailsDepth: 16,
} as const;

const OPERATION_IDS = Object.keys(AUDIT_OPERATIONS) as [AuditOperation, ...AuditOperation[]];

// Member names whose string values are credentials. Defence in depth for house
// style 23 (never secrets in an event); a boolean such as `passwordChanged` is fine.
const SECRET_WORDS = new Set(['password', 'passwd', 'passphrase', 'secret', 'token', 'otp', 'totp', 'cookie', 'authorization']);
const SECRET_PAIRS = new Set(['api key', 'private key', 'recovery code', 'recovery codes', 'session token']);

/**
 * U+0000 is replaced by U+FFFD (REPLACEMENT CHARACTER) in every text column
 * (SECURITY.md T37, docs/audit-chain-format.md "Control characters"): PostgreSQL
 * text cannot hold NUL, and rejecting it would lose the audit event of an action
 * that already happened. The replacement is made before hashing, so what is
 * stored is exactly what is hashed, on both providers. Other controls are stored
 * as given; JCS escapes them in the hash input and in exports.
 */
export function replaceNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

const wellFormed = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !hasLoneSurrogate(s), { error: 'must be valid Unicode (no lone surrogates)' })
    .transform(replaceNul);

const optionalText = (max: number) => wellFormed(max).nullable().default(null);

const UserAgentSchema = z
  .string()
  .transform(truncateUserAgent)
  .nullable()
  .default(null)
  .transform((ua) => (ua === '' ? null : ua));

// Typed loosely (DTO interfaces are not assignable to an index-signature type);
// the runtime check below is the real guard: anything canonicalize() refuses is rejected.
const DetailsSchema = z
  .custom<Record<string, unknown>>(isPlainObject, { error: 'details must be a plain JSON object' })
  .default({})
  .transform((details, ctx): string => {
    const problem = findDetailsProblem(details, '$', 1);
    if (problem) {
      ctx.issues.push({ code: 'custom', message: problem, input: undefined });
      return z.NEVER;
    }
    let canonical: string;
    try {
      canonical = canonicalize(details);
    } catch (error) {
      if (!(error instanceof CanonicalJsonError)) throw error;
      ctx.issues.push({ code: 'custom', message: error.message, input: undefined });
      return z.NEVER;
    }
    if (Buffer.byteLength(canonical, 'utf8') > AUDIT_LIMITS.detailsBytes) {
      ctx.issues.push({ code: 'custom', message: `details exceed ${AUDIT_LIMITS.detailsBytes} bytes`, input: undefined });
      return z.NEVER;
    }
    return canonical;
  });

/**
 * Input of {@link appendAuditEvent}. Strict: an unknown key is an error, so a
 * caller cannot smuggle a field into the trail or believe one is stored when it
 * is not. `actor` and `target` must be given (null for system/anonymous or for
 * no target); the other nullable fields default to null and `details` to {}.
 */
export const AuditEventInputSchema = z.strictObject({
  actor: z.strictObject({ id: wellFormed(128), role: wellFormed(64), sessionId: wellFormed(128).nullable() }).nullable(),
  ip: z.union([z.ipv4(), z.ipv6()]).nullable().default(null),
  userAgent: UserAgentSchema,
  correlationId: wellFormed(128),
  operation: z.enum(OPERATION_IDS),
  target: z.strictObject({ type: wellFormed(64), id: wellFormed(256) }).nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  reasonCode: z
    .string()
    .max(64)
    .regex(/^[a-z0-9][a-z0-9_.:-]*$/, { error: 'reasonCode must be a lowercase machine code' })
    .nullable()
    .default(null),
  reason: optionalText(AUDIT_LIMITS.reasonChars),
  details: DetailsSchema,
  policyVersion: wellFormed(128),
  decision: optionalText(256),
});

/** What callers pass to {@link appendAuditEvent}. */
export type AuditEventInput = z.input<typeof AuditEventInputSchema>;

/**
 * Options of {@link appendAuditEvent}. `at` is for the demo seed's synthetic
 * history only (an event time in the past); it can never make time go
 * backwards along the chain, because the previous event's time still wins.
 */
export interface AppendOptions {
  at?: Date;
}

/** What {@link appendAuditEvent} returns: where the event landed in the chain. */
export interface AppendedAuditEvent {
  seq: number;
  id: string;
  hash: string;
}

/** Why an append was refused before anything was written. */
export type AuditAppendErrorCode = 'invalid_input' | 'lock_row_missing';

/** Thrown by {@link appendAuditEvent}; the message names fields, never their values. */
export class AuditAppendError extends Error {
  readonly code: AuditAppendErrorCode;

  constructor(code: AuditAppendErrorCode, message: string) {
    super(message);
    this.name = 'AuditAppendError';
    this.code = code;
  }
}

/**
 * Takes the audit chain's lock at the start of a transaction, before it reads
 * what it is about to decide on. Every audited mutation takes this lock when it
 * appends, so a transaction that takes it first runs alone among them: used for
 * invariants across rows such as "at least one active superadmin remains"
 * (T28, T43), which a plain read-then-write would lose under concurrency.
 * (PostgreSQL: a row lock held to commit; SQLite: the database write lock.)
 */
export async function lockAuditChain(tx: Tx): Promise<void> {
  const locked = await tx.$executeRaw`UPDATE "AuditLock" SET "appends" = "appends" WHERE "id" = 1`;
  if (locked !== 1) throw new AuditAppendError('lock_row_missing', 'audit lock row (AuditLock id=1) is missing; refusing to continue');
}

/**
 * Appends one event to the audit chain INSIDE the caller's interactive
 * transaction, so the audited mutation and its audit row commit or roll back
 * together (house style 20): `db.$transaction(async (tx) => { …; await appendAuditEvent(tx, …) })`.
 *
 * Appends are serialized by first updating the single AuditLock row: on SQLite
 * that write takes the database writer lock before the head is read; on
 * PostgreSQL the row lock makes other appenders wait until this transaction
 * ends, and READ COMMITTED then gives their next statement a snapshot that
 * contains this event. A missing lock row is an error, never a reason to start a
 * new chain (fail closed). Every error propagates so the caller's transaction
 * rolls back.
 *
 * @throws AuditAppendError for invalid input or a missing lock row; database errors as they are.
 */
export async function appendAuditEvent(tx: Tx, input: AuditEventInput, options: AppendOptions = {}): Promise<AppendedAuditEvent> {
  const startedAt = performance.now();
  try {
    return await appendUntimed(tx, input, options);
  } finally {
    observeAuditAppend(startedAt);
  }
}

async function appendUntimed(tx: Tx, input: AuditEventInput, options: AppendOptions): Promise<AppendedAuditEvent> {
  const parsed = AuditEventInputSchema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw new AuditAppendError('invalid_input', `invalid audit event input: ${fields}`);
  }
  const data = parsed.data;

  const locked = await tx.$executeRaw`UPDATE "AuditLock" SET "appends" = "appends" + 1 WHERE "id" = 1`;
  if (locked !== 1) {
    throw new AuditAppendError('lock_row_missing', 'audit lock row (AuditLock id=1) is missing; refusing to append');
  }

  const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true, ts: true } });
  const prevHash = head?.hash ?? GENESIS_HASH;
  // ts never decreases along the chain: a wall clock stepped backwards is absorbed
  // by repeating the previous event's time. The audit browser relies on this to
  // turn a time window into a seq range (docs/audit-chain-format.md, "Time").
  const clock = Math.floor((options.at ?? now()).getTime());
  const ts = new Date(head ? Math.max(clock, head.ts.getTime()) : clock);
  const event: AuditEventFields = {
    seq: (head?.seq ?? 0) + 1,
    id: randomUUID(),
    ts,
    actorId: data.actor?.id ?? null,
    actorRole: data.actor?.role ?? null,
    actorSessionId: data.actor?.sessionId ?? null,
    ip: data.ip,
    userAgent: data.userAgent,
    correlationId: data.correlationId,
    operation: data.operation,
    targetType: data.target?.type ?? null,
    targetId: data.target?.id ?? null,
    outcome: data.outcome,
    reasonCode: data.reasonCode,
    reason: data.reason,
    details: data.details,
    policyVersion: data.policyVersion,
    decision: data.decision,
  };
  const hash = computeEventHash(prevHash, event);
  await tx.auditEvent.create({ data: { ...event, prevHash, hash }, select: { seq: true } });
  return { seq: event.seq, id: event.id, hash };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Depth and secret-name checks; returns a message naming the path, or null. */
function findDetailsProblem(value: unknown, path: string, depth: number): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (depth > AUDIT_LIMITS.detailsDepth) return `details nest deeper than ${AUDIT_LIMITS.detailsDepth} levels at ${path}`;
  const isArray = Array.isArray(value);
  for (const [key, child] of Object.entries(value)) {
    const childPath = isArray ? `${path}[${key}]` : `${path}.${key}`;
    if (!isArray && typeof child === 'string' && isSecretName(key)) {
      return `details must not contain credentials (${childPath})`;
    }
    const problem = findDetailsProblem(child, childPath, depth + 1);
    if (problem) return problem;
  }
  return null;
}

function isSecretName(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  return words.some((w, i) => i > 0 && SECRET_PAIRS.has(`${words[i - 1]} ${w}`));
}

/** Replaces lone surrogates and NUL, and cuts to the limit without splitting a surrogate pair. */
function truncateUserAgent(userAgent: string): string {
  const repaired = replaceNul(userAgent.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
  if (repaired.length <= AUDIT_LIMITS.userAgentChars) return repaired;
  const cut = repaired.slice(0, AUDIT_LIMITS.userAgentChars);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
