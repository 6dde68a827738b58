import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { now } from '@/lib/clock';
import type { Tx } from '@/lib/db/client';
import { canonicalize, CanonicalJsonError, hasLoneSurrogate } from './canonical-json';
import { computeEventHash, GENESIS_HASH, type AuditEventFields } from './hash';

/**
 * Typed catalogue of audit operation ids (house style 21). An event's operation
 * must be listed here, so the set of things the trail can say is reviewable in
 * one place. Naming is outcome-based: one id per operation, and the `outcome`
 * field (success | denied | failure) with a `reasonCode` says how it went. A
 * failed sign-in is `auth.sign_in` + outcome `failure`, not a separate id, so
 * "all sign-in attempts" is one filter and attempts cannot be miscounted.
 */
export const AUDIT_OPERATIONS = {
  'auth.sign_in': 'A sign-in attempt. failure/denied carry a reasonCode such as invalid_credentials or locked.',
  'auth.sign_out': 'A user ended their own session.',
  'session.revoke': 'A session was revoked by its owner or an administrator.',
  'session.revoke_own': 'Attempt to end one of the actor’s own sessions (recorded here when denied).',
  'session.revoke_own_others': 'Attempt to end all other sessions of the actor (recorded here when denied).',
  'session.end': 'A session was found past its limits (idle, absolute, user or role state) and ended.',
  'auth.second_factor': 'A second-factor attempt during sign-in (TOTP, recovery code or passkey); outcome and reasonCode say how it went.',
  'auth.reauthenticate': 'The actor re-entered their password (and second factor) before a security change.',
  'auth.step_up': 'A step-up proof for one operation and input was issued (or refused) after a fresh passkey or TOTP check.',
  'auth.lockout': 'An account reached the failure limit and was locked, or entered a growing delay.',
  'auth.rate_limited': 'Sign-in attempts from one address (or overall) exceeded their limit.',
  'auth.webauthn_counter_regression': 'A passkey presented a signature counter that did not increase; the credential was flagged.',
  'account.totp_enable': 'The actor enrolled an authenticator app (TOTP).',
  'account.totp_disable': 'The actor removed their authenticator app (TOTP).',
  'account.passkey_register': 'The actor registered a passkey.',
  'account.passkey_register_finish': 'Attempt to finish a passkey registration (recorded here when denied).',
  'account.passkey_rename': 'The actor renamed one of their passkeys.',
  'account.passkey_remove': 'The actor removed one of their passkeys.',
  'account.recovery_codes_generate': 'The actor generated a new set of recovery codes (the old set stops working).',
  'account.password_change': 'The actor changed their password.',
  'user.unlock': 'An administrator unlocked an account locked by failed sign-ins.',
  'user.invite': 'An administrator invited a user (the account exists without a password until the invitation is accepted).',
  'user.invite_accept': 'An invited user set their password with a one-time invitation link.',
  'user.role_change': 'An administrator changed a user’s role between member, support and auditor.',
  'user.role_grant_privileged': 'Attempt to grant or revoke the admin or superadmin role (two-person approval).',
  'user.suspend': 'An administrator suspended a user; their sessions ended.',
  'user.reactivate': 'An administrator reactivated a suspended or disabled user.',
  'user.disable': 'An administrator disabled a user; their sessions ended.',
  'user.delete': 'An administrator deleted a user (soft delete); their sessions ended.',
  'user.reset_mfa': 'An administrator removed a user’s second factors; their sessions ended.',
  'user.revoke_sessions': 'An administrator ended every session of a user.',
  'session.revoke_user': 'An administrator ended one session of another user.',
  'audit.pii_lookup':
    'An auditor or superadmin checked whether an email address appears in the trail (recorded with its digest, never the address).',
  'audit.verify':
    'An auditor or superadmin verified the whole trail from the console; details carry the result (intact, or the first attack class and seq).',
  'role.suspend': 'A superadmin suspended a whole role; its holders are refused until it is reactivated.',
  'role.reactivate': 'A superadmin reactivated a suspended role.',
  'user.create': 'A user account was created (first-run setup, seed or administration).',
  'system.seed': 'The database was seeded with initial data (actor: system).',
  'audit.key_rotate': 'The checkpoint signing key was rotated (CLI, actor: system); details name the old and new key ids.',
  'audit.export':
    'An offline-verifiable export bundle of the audit trail was written (CLI, actor: system); details give the seq range and counts.',
} as const satisfies Record<string, string>;

/** An operation id from {@link AUDIT_OPERATIONS}. */
export type AuditOperation = keyof typeof AUDIT_OPERATIONS;

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
export async function appendAuditEvent(tx: Tx, input: AuditEventInput): Promise<AppendedAuditEvent> {
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

  const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  const prevHash = head?.hash ?? GENESIS_HASH;
  const event: AuditEventFields = {
    seq: (head?.seq ?? 0) + 1,
    id: randomUUID(),
    ts: new Date(Math.floor(now().getTime())),
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
