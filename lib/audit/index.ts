import 'server-only';

/**
 * The audit trail's public surface (docs/audit-chain-format.md). Application code
 * imports from here; the pure modules (canonical-json, hash) carry no server-only
 * marker so that an offline verifier can import them directly.
 */
export { canonicalize, CanonicalJsonError, hasLoneSurrogate, type JsonObject, type JsonValue } from './canonical-json';
export {
  AUDIT_HASH_DOMAIN,
  canonicalAuditEvent,
  computeEventHash,
  eventHashInput,
  GENESIS_HASH,
  hashCanonicalEvent,
  isHexSha256,
  type AuditEventFields,
  type CanonicalAuditEvent,
} from './hash';
export {
  AUDIT_LIMITS,
  AUDIT_OPERATIONS,
  AUDIT_OUTCOMES,
  appendAuditEvent,
  AuditAppendError,
  AuditEventInputSchema,
  type AppendedAuditEvent,
  type AuditAppendErrorCode,
  type AuditEventInput,
  type AuditOperation,
  type AuditOutcome,
} from './append';
export { verifyChain, type AuditEventReader, type VerifyChainOptions, type VerifyChainProblem, type VerifyChainResult } from './verify';
