/**
 * The audit chain's hash function (format "warden.audit.v1", described in
 * docs/audit-chain-format.md):
 *
 *   hash = SHA-256( utf8("warden.audit.v1") ‖ 0x00 ‖ utf8(prevHash) ‖ 0x00 ‖ utf8(JCS(event)) )
 *
 * as lowercase hex (SHA-256: FIPS 180-4; JCS: RFC 8785). The domain tag keeps an
 * audit hash from ever being valid for another purpose or another format version;
 * the 0x00 separators cannot occur inside the tag, the hex prevHash or JCS output
 * (RFC 8785 escapes U+0000), so the three parts cannot be shifted into each other.
 *
 * Pure and free of server-only imports, so that an offline verifier can reuse it.
 */
import { hash } from 'node:crypto';
import { canonicalize, type JsonObject } from './canonical-json';

/** Domain separation tag and format version of the chain. A new format gets a new tag. */
export const AUDIT_HASH_DOMAIN = 'warden.audit.v1';

/** The prevHash of the first event (seq 1): 64 zeros, i.e. "no predecessor". */
export const GENESIS_HASH = '0'.repeat(64);

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const SEPARATOR = Buffer.from([0]);
const DOMAIN_PREFIX = Buffer.concat([Buffer.from(AUDIT_HASH_DOMAIN, 'utf8'), SEPARATOR]);

/**
 * An audit row as stored: every column of `AuditEvent` except `prevHash` and
 * `hash`. `details` is the stored JSON text of an object.
 */
export interface AuditEventFields {
  seq: number;
  id: string;
  ts: Date;
  actorId: string | null;
  actorRole: string | null;
  actorSessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  correlationId: string;
  operation: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  reasonCode: string | null;
  reason: string | null;
  details: string;
  policyVersion: string;
  decision: string | null;
}

/** The object that is canonicalized and hashed for one event. */
export type CanonicalAuditEvent = Omit<AuditEventFields, 'ts' | 'details'> & {
  ts: string;
  details: JsonObject;
};

/** True for a lowercase hex SHA-256 digest, the only form prevHash and hash take. */
export function isHexSha256(value: string): boolean {
  return HEX_SHA256.test(value);
}

/**
 * Builds the hashed object from a row: every column but prevHash/hash, nulls kept
 * as null (an omitted field and a null one must not hash alike), `ts` as ISO 8601
 * UTC with milliseconds, `details` parsed back into an object.
 *
 * @throws if `ts` is not a valid date or `details` is not the JSON text of an object.
 */
export function canonicalAuditEvent(event: AuditEventFields): CanonicalAuditEvent {
  if (Number.isNaN(event.ts.getTime())) throw new Error('ts is not a valid date');
  return canonicalAuditEventWith(event, parseAuditDetails(event.details));
}

/**
 * The stored `details` text parsed back into its object.
 *
 * @throws if it is not the JSON text of an object (without quoting the text).
 */
export function parseAuditDetails(text: string): JsonObject {
  let details: unknown;
  try {
    details = JSON.parse(text);
  } catch {
    // Not rethrown as is: V8's SyntaxError quotes the text, and details must not leak into logs.
    throw new Error('details is not valid JSON');
  }
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new Error('details is not a JSON object');
  }
  return details as JsonObject;
}

/** {@link canonicalAuditEvent} with `details` already parsed. */
export function canonicalAuditEventWith(event: AuditEventFields, details: JsonObject): CanonicalAuditEvent {
  if (Number.isNaN(event.ts.getTime())) throw new Error('ts is not a valid date');
  // Members listed in RFC 8785 order (the sort in canonicalize() is then a single
  // pass over already-sorted keys); the order here does not affect the output.
  return {
    actorId: event.actorId,
    actorRole: event.actorRole,
    actorSessionId: event.actorSessionId,
    correlationId: event.correlationId,
    decision: event.decision,
    details,
    id: event.id,
    ip: event.ip,
    operation: event.operation,
    outcome: event.outcome,
    policyVersion: event.policyVersion,
    reason: event.reason,
    reasonCode: event.reasonCode,
    seq: event.seq,
    targetId: event.targetId,
    targetType: event.targetType,
    ts: event.ts.toISOString(),
    userAgent: event.userAgent,
  };
}

// JSON.stringify escapes a lone surrogate as \udXXX (d8–df); canonicalize() refuses
// one. Seeing such an escape (or a literal backslash-u-d8.. in a string, a harmless
// false positive) sends the event down the general path, which decides.
const ESCAPED_SURROGATE = /\\ud[89a-f]/i;

/**
 * The JCS text of {@link canonicalAuditEvent}(event), given the JCS text of its
 * details, written out directly: the members are fixed and already in RFC 8785
 * order, every value is a string, null or the integer seq, and JCS writes strings
 * exactly as JSON.stringify does. Verifying a long chain spends most of its time
 * here, so this saves walking the event object a second time. Returns null when
 * the general canonicalize() must decide (a possible lone surrogate, a seq that
 * is not a safe integer, an invalid ts); callers then use it.
 */
export function fastCanonicalEventJson(event: AuditEventFields, canonicalDetails: string): string | null {
  const ms = event.ts.getTime();
  if (Number.isNaN(ms) || !Number.isSafeInteger(event.seq)) return null;
  const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
  const json =
    `{"actorId":${str(event.actorId)},"actorRole":${str(event.actorRole)},"actorSessionId":${str(event.actorSessionId)}` +
    `,"correlationId":${str(event.correlationId)},"decision":${str(event.decision)},"details":${canonicalDetails}` +
    `,"id":${str(event.id)},"ip":${str(event.ip)},"operation":${str(event.operation)},"outcome":${str(event.outcome)}` +
    `,"policyVersion":${str(event.policyVersion)},"reason":${str(event.reason)},"reasonCode":${str(event.reasonCode)}` +
    `,"seq":${event.seq},"targetId":${str(event.targetId)},"targetType":${str(event.targetType)}` +
    `,"ts":${str(event.ts.toISOString())},"userAgent":${str(event.userAgent)}}`;
  return ESCAPED_SURROGATE.test(json) ? null : json;
}

/**
 * The exact bytes that are hashed for `event` chained after `prevHash`. Exposed so
 * that tests and auditors can inspect the preimage, not only its digest.
 *
 * @throws if prevHash is not lowercase hex SHA-256, or the event cannot be canonicalized.
 */
export function eventHashInput(prevHash: string, event: AuditEventFields): Buffer {
  if (!isHexSha256(prevHash)) throw new Error('prevHash must be 64 lowercase hex characters');
  const canonical = canonicalize(canonicalAuditEvent(event));
  return Buffer.concat([DOMAIN_PREFIX, Buffer.from(prevHash, 'utf8'), SEPARATOR, Buffer.from(canonical, 'utf8')]);
}

/** The event's chain hash: lowercase hex SHA-256 of {@link eventHashInput}. */
export function computeEventHash(prevHash: string, event: AuditEventFields): string {
  return hashCanonicalEvent(prevHash, canonicalize(canonicalAuditEvent(event)));
}

/**
 * The chain hash from an already canonicalized event (the JCS text of
 * {@link canonicalAuditEvent}); lets the verifier reuse work it has done anyway.
 */
export function hashCanonicalEvent(prevHash: string, canonicalEventJson: string): string {
  if (!isHexSha256(prevHash)) throw new Error('prevHash must be 64 lowercase hex characters');
  // The tag and prevHash are ASCII, so one UTF-8 encoded string is byte for byte
  // the concatenation of eventHashInput(). One-shot crypto.hash (Node >= 20.12)
  // avoids a Hash object per event, which matters over a million rows.
  return hash('sha256', `${AUDIT_HASH_DOMAIN}\u0000${prevHash}\u0000${canonicalEventJson}`, 'hex');
}
