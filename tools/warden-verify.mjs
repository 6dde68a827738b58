#!/usr/bin/env node
/**
 * warden-verify.mjs: the standalone verifier of a Warden audit export bundle
 * (format "warden.bundle.v1", docs/audit-chain-format.md "Export bundle").
 *
 *   node warden-verify.mjs <bundle-dir> [--keys <pinned public-keys.json>]
 *                          [--expect-checkpoint <digest>]... [--witness-key <key or file>]...
 *                          [--witness-state <file>] [--require-signatures] [--json]
 *
 * One file, plain Node >= 18, no dependencies: only node: built-ins, so an auditor
 * can read all of it and run it on a laptop with no access to Warden's server.
 *
 * It re-computes every event hash and link from the anchor (warden.audit.v1:
 * SHA-256 over "warden.audit.v1" 0x00 prevHash 0x00 JCS(event), JCS = RFC 8785),
 * checks seq continuity, checks every checkpoint (warden.checkpoint.v1: digest,
 * Ed25519 signature (RFC 8032) under a key valid at its ts, the prev chain) and
 * every checkpoint inside the range against the event hash at its seq, and the
 * manifest's SHA-256 of each file. With --expect-checkpoint, each checkpoint
 * digest the auditor received through another channel must be among the bundle's
 * verified checkpoints: a bundle rewritten without its newest checkpoints (and with
 * a recomputed manifest) is otherwise indistinguishable from an older export. It
 * prints what was proven, or the first problem with its attack class (the class
 * names of the format document). With --witness-key (a witness public key the
 * auditor holds), the bundle's cosignatures by that key must verify and name the
 * bundle's own checkpoint digests ("warden.cosignature.v1"; else forged_cosignature
 * or fork), and it reports which checkpoints the witness cosigned; --witness-state
 * compares every checkpoint a running witness saw with the bundle's.
 *
 * Signed intents ("warden.intent.v1"): every user signature an event carries is
 * re-checked against the passkey's COSE public key in credentials.json (WebAuthn
 * assertion over SHA-256 of the intent) and the intent against the event (else
 * forged_signature or intent_mismatch); it reports how many operations carry a valid
 * user signature. Critical operations (SIGNED_OPERATIONS, the catalog's critical
 * step-up operations) must each carry one, directly or through a signed approval:
 * the verifier lists those that do not, and with --require-signatures refuses the
 * bundle (unsigned_critical).
 *
 * Exit codes: 0 everything holds, 1 tampering found, 2 usage error or the bundle
 * could not be read (nothing was concluded).
 *
 * Memory stays flat in the number of events: events.jsonl is streamed line by line;
 * only the checkpoints (one per thousand events or so) are held in memory.
 */
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BUNDLE_FORMAT = 'warden.bundle.v1';
export const AUDIT_HASH_DOMAIN = 'warden.audit.v1';
export const CHECKPOINT_FORMAT = 'warden.checkpoint.v1';
export const PUBLIC_KEYS_FORMAT = 'warden.public-keys.v1';
export const GENESIS_HASH = '0'.repeat(64);
export const COSIGNATURE_FORMAT = 'warden.cosignature.v1';
export const WITNESS_DOMAIN = 'warden.witness.v1';
export const WITNESS_KEYS_FORMAT = 'warden.witness-keys.v1';
export const WITNESS_STATE_FORMAT = 'warden.witness-state.v1';
/**
 * The operations Warden runs only on a passkey signature over their intent: the
 * catalog's critical step-up operations (policies/operations.ts signatureRequired,
 * docs/policies/matrix.md "signed: passkey"). Built into the verifier, not read from
 * the bundle, so the server that wrote the bundle cannot declare an operation
 * uncritical; a unit test keeps this list equal to the catalog's.
 */
export const SIGNED_OPERATIONS = Object.freeze([
  'user.role_grant_privileged',
  'user.delete',
  'user.reset_mfa',
  'role.suspend',
  'config.apply_critical',
  'audit.authorize_key_rotation',
  'session.revoke_all',
  'system.lockdown',
  'approval.approve',
  'elevation.request',
  'elevation.break_glass',
]);
const SIGNED_SET = new Set(SIGNED_OPERATIONS);
const SIGNED_LINE = new RegExp(`"operation":"(?:${SIGNED_OPERATIONS.map((o) => o.replace(/\./g, '\\.')).join('|')})"`);
const FILES = ['events.jsonl', 'checkpoints.jsonl', 'public-keys.json', 'anchor.json'];
/** Files of a bundle with witness cosignatures; optional (older bundles do not have them), checked when the manifest lists them. */
const WITNESS_FILES = ['witness-keys.json', 'cosignatures.jsonl'];
const COSIGNATURE_FIELDS = ['digest', 'format', 'seq', 'signature', 'ts', 'witnessKeyId'];
const MAX_LINE_BYTES = 1024 * 1024;
const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The hashed columns of an event (every column but prevHash and hash), docs "Hash". */
const EVENT_FIELDS = [
  'actorId',
  'actorRole',
  'actorSessionId',
  'correlationId',
  'decision',
  'details',
  'id',
  'ip',
  'operation',
  'outcome',
  'policyVersion',
  'reason',
  'reasonCode',
  'seq',
  'targetId',
  'targetType',
  'ts',
  'userAgent',
];
const NULLABLE = new Set([
  'actorId',
  'actorRole',
  'actorSessionId',
  'ip',
  'userAgent',
  'targetType',
  'targetId',
  'reasonCode',
  'reason',
  'decision',
]);
const CHECKPOINT_FIELDS = ['digest', 'format', 'headHash', 'keyId', 'prev', 'seq', 'signature', 'ts'];

/** Problem -> attack class (docs/audit-chain-format.md, "What the verifier checks"). */
export const CLASS_OF = {
  hash_mismatch: 'modification',
  malformed_event: 'modification',
  file_hash_mismatch: 'modification',
  manifest_mismatch: 'modification',
  seq_gap: 'deletion',
  seq_out_of_order: 'reordering',
  seq_repeated: 'insertion',
  events_beyond_range: 'insertion',
  // An event that does not link to its predecessor: 'insertion' when it still hashes
  // to its own stored hash (made for this place by someone else), else 'reordering'
  // (seq is hashed, so a moved event no longer does), as lib/audit/verify-checkpoints.ts.
  bad_genesis: 'insertion',
  anchor_mismatch: 'insertion',
  prev_hash_mismatch: 'insertion',
  events_end_early: 'truncation',
  incomplete_line: 'truncation',
  checkpoint_beyond_head: 'truncation',
  expected_checkpoint_missing: 'truncation',
  checkpoint_seq_decreased: 'rollback',
  checkpoint_hash_mismatch: 'recomputed_chain',
  malformed: 'forged_checkpoint',
  digest_mismatch: 'forged_checkpoint',
  unknown_key: 'forged_checkpoint',
  key_not_valid: 'forged_checkpoint',
  bad_signature: 'forged_checkpoint',
  prev_mismatch: 'forged_checkpoint',
  // Witness cosignatures (docs/audit-chain-format.md, "Witness cosignatures").
  // Signed intents (issue 13; docs/audit-chain-format.md, "Signed intents").
  forged_signature: 'forged_signature',
  malformed_signature: 'forged_signature',
  unknown_credential: 'forged_signature',
  credential_mismatch: 'forged_signature',
  signature_missing: 'forged_signature',
  intent_mismatch: 'intent_mismatch',
  intent_replayed: 'intent_mismatch',
  unsigned_critical: 'unsigned_critical',
  malformed_cosignature: 'forged_cosignature',
  bad_cosignature: 'forged_cosignature',
  checkpoint_fork: 'fork',
  cosignature_fork: 'fork',
  witness_state_fork: 'fork',
};

/** A problem found in the bundle: `class` names the attack, exit code 1. */
export class BundleProblem extends Error {
  constructor(problem, detail, seq = null, attackClass = null) {
    super(detail);
    this.problem = problem;
    this.class = attackClass ?? CLASS_OF[problem] ?? 'modification';
    this.seq = seq;
  }
}

/** The bundle or a pinned file cannot be read at all: nothing is concluded, exit code 2. */
export class UnreadableBundle extends Error {}

// ---------------------------------------------------------------- RFC 8785

const NEEDS_CARE = /[\u0000-\u001f"\\\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function canonicalString(value) {
  if (!NEEDS_CARE.test(value)) return `"${value}"`;
  if (LONE_SURROGATE.test(value)) throw new Error('string contains a lone surrogate (RFC 8785 §3.2.2.2)');
  return JSON.stringify(value); // escapes only " \ and U+0000..U+001F, as §3.2.2.2 requires
}

/**
 * RFC 8785 canonical JSON of a value parsed from JSON text: no whitespace, strings
 * as ECMAScript JSON.stringify writes them (§3.2.2.2), numbers as Number::toString
 * (§3.2.2.3), object members sorted by UTF-16 code units (§3.2.3; the default sort).
 */
export function canonicalize(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Error('NaN and Infinity are not JSON numbers');
      return String(value);
    case 'string':
      return canonicalString(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
      return `{${Object.keys(value)
        .sort()
        .map((k) => `${canonicalString(k)}:${canonicalize(value[k])}`)
        .join(',')}}`;
    default:
      throw new Error(`${typeof value} is not a JSON value`);
  }
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/**
 * The chain hash of an event as it appears in events.jsonl (`details` an object,
 * `ts` the ISO string): SHA-256 of "warden.audit.v1" 0x00 prevHash 0x00 JCS(every
 * column but prevHash and hash), lowercase hex. Same bytes as lib/audit/hash.ts.
 */
export function eventHash(prevHash, event) {
  const hashed = {};
  for (const field of EVENT_FIELDS) hashed[field] = event[field];
  return sha256(Buffer.from(`${AUDIT_HASH_DOMAIN}\u0000${prevHash}\u0000${canonicalize(hashed)}`, 'utf8'));
}

/** The digest input of a checkpoint: "warden.checkpoint.v1" 0x00 JCS(the six signed members). */
export function checkpointDigestInput(c) {
  const signed = { format: c.format, seq: c.seq, headHash: c.headHash, ts: c.ts, keyId: c.keyId, prev: c.prev };
  return Buffer.from(`${CHECKPOINT_FORMAT}\u0000${canonicalize(signed)}`, 'utf8');
}

// ---------------------------------------------------------------- shapes

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIsoMs = (v) => typeof v === 'string' && ISO_MS.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;
/** True when `obj` has exactly the members `sortedFields` (sorted), no more, no fewer. */
const hasExactly = (obj, sortedFields) => {
  const keys = Object.keys(obj).sort();
  return keys.length === sortedFields.length && keys.every((k, i) => k === sortedFields[i]);
};
const EVENT_COLUMNS = [...EVENT_FIELDS, 'prevHash', 'hash'].sort();
const HASH_AT = EVENT_COLUMNS.indexOf('hash');
const PREV_HASH_AT = EVENT_COLUMNS.indexOf('prevHash');
const KEY_FIELDS = ['keyId', 'publicKey', 'validFrom', 'validUntil'];
const ANCHOR_FIELDS = ['hash', 'seq'];

/** True when the event hashes to its own stored hash from its own prevHash. */
function selfConsistent(e) {
  try {
    return eventHash(e.prevHash, e) === e.hash;
  } catch {
    return false;
  }
}

/** Why an event line is not a well-formed event, or null. Names fields, never their values. */
function eventShapeProblem(e) {
  if (!isObject(e)) return 'the line is not a JSON object';
  if (!hasExactly(e, EVENT_COLUMNS)) return 'the event does not have exactly the columns of an AuditEvent';
  if (!Number.isSafeInteger(e.seq) || e.seq < 1) return 'seq is not a positive integer';
  if (typeof e.ts !== 'string' || !ISO_MS.test(e.ts)) return 'ts is not ISO 8601 UTC with milliseconds'; // the hash covers the rest
  if (!isObject(e.details)) return 'details is not a JSON object';
  if (!HEX64.test(e.prevHash) || !HEX64.test(e.hash)) return 'prevHash or hash is not 64 lowercase hex digits';
  for (const f of EVENT_FIELDS) {
    if (f === 'seq' || f === 'ts' || f === 'details') continue;
    if (!(typeof e[f] === 'string' || (e[f] === null && NULLABLE.has(f)))) return `${f} has the wrong type`;
  }
  return null;
}

function parseKeys(text, what) {
  let file;
  try {
    file = JSON.parse(text);
  } catch {
    return { error: `${what} is not valid JSON` };
  }
  if (!isObject(file) || file.format !== PUBLIC_KEYS_FORMAT || !Array.isArray(file.keys)) {
    return { error: `${what} is not a "${PUBLIC_KEYS_FORMAT}" file` };
  }
  const keys = [];
  for (const k of file.keys) {
    const ok =
      isObject(k) &&
      hasExactly(k, KEY_FIELDS) &&
      KEY_ID.test(k.keyId) &&
      typeof k.publicKey === 'string' &&
      BASE64URL.test(k.publicKey) &&
      isIsoMs(k.validFrom) &&
      (k.validUntil === null || isIsoMs(k.validUntil));
    if (!ok) return { error: `${what} has a malformed key entry` };
    const raw = Buffer.from(k.publicKey, 'base64url');
    if (raw.length !== 32) return { error: `${what}: key ${k.keyId} is not a 32-byte Ed25519 public key` };
    if (sha256(raw).slice(0, 16) !== k.keyId) return { error: `${what}: key ${k.keyId} does not have the id of its public key` };
    const object = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    keys.push({ ...k, object });
  }
  return { keys };
}

// ---------------------------------------------------------------- checks

/** The bytes of one bundle file; a missing file means the bundle cannot be verified at all. */
function readBytes(dir, name) {
  try {
    return fs.readFileSync(path.join(dir, name));
  } catch {
    throw new UnreadableBundle(`cannot read ${name} in the bundle directory (is this a Warden export bundle?)`);
  }
}

function loadManifest(dir) {
  let m;
  try {
    m = JSON.parse(readBytes(dir, 'manifest.json').toString('utf8'));
  } catch (error) {
    if (error instanceof UnreadableBundle) throw error;
    throw new UnreadableBundle('manifest.json is not valid JSON');
  }
  const range = isObject(m) ? m.range : undefined;
  const ok =
    isObject(m) &&
    m.format === BUNDLE_FORMAT &&
    isObject(range) &&
    Number.isSafeInteger(range.fromSeq) &&
    Number.isSafeInteger(range.toSeq) &&
    range.fromSeq >= 1 &&
    range.toSeq >= range.fromSeq &&
    isObject(m.counts) &&
    isObject(m.files) &&
    FILES.every((f) => isObject(m.files[f]) && HEX64.test(m.files[f].sha256));
  if (!ok) throw new UnreadableBundle(`manifest.json is not a "${BUNDLE_FORMAT}" manifest`);
  return m;
}

function loadAnchor(text) {
  let anchor;
  try {
    anchor = JSON.parse(text);
  } catch {
    throw new BundleProblem('malformed_event', 'anchor.json is not valid JSON');
  }
  if (anchor === null) return null;
  if (
    !isObject(anchor) ||
    !hasExactly(anchor, ANCHOR_FIELDS) ||
    !Number.isSafeInteger(anchor.seq) ||
    anchor.seq < 1 ||
    !HEX64.test(anchor.hash)
  ) {
    throw new BundleProblem('malformed_event', 'anchor.json is neither null nor {"seq": n, "hash": "<64 hex>"}');
  }
  return anchor;
}

/** Verifies the checkpoint chain and every signature; returns the checkpoints with the key that signed each. */
function checkCheckpoints(text, keys, keySource) {
  const lines = text.toString('utf8').split('\n');
  if (lines.pop() !== '') throw new BundleProblem('malformed', 'checkpoints.jsonl does not end with a newline');
  const checkpoints = [];
  let prevDigest = null;
  let prevSeq = 0;
  for (const [i, line] of lines.entries()) {
    let c;
    try {
      c = JSON.parse(line);
    } catch {
      throw new BundleProblem('malformed', `checkpoints.jsonl line ${i + 1} is not JSON`);
    }
    const wellFormed =
      isObject(c) &&
      hasExactly(c, CHECKPOINT_FIELDS) &&
      c.format === CHECKPOINT_FORMAT &&
      Number.isSafeInteger(c.seq) &&
      c.seq >= 1 &&
      HEX64.test(c.headHash) &&
      isIsoMs(c.ts) &&
      KEY_ID.test(c.keyId) &&
      (c.prev === null || HEX64.test(c.prev)) &&
      HEX64.test(c.digest) &&
      BASE64URL.test(c.signature);
    if (!wellFormed || canonicalize(c) !== line)
      throw new BundleProblem('malformed', `checkpoints.jsonl line ${i + 1} is not a canonical ${CHECKPOINT_FORMAT} checkpoint`);
    const at = `checkpoint seq ${c.seq} (line ${i + 1})`;
    const input = checkpointDigestInput(c);
    if (sha256(input) !== c.digest) throw new BundleProblem('digest_mismatch', `${at}: its digest does not match its contents`, c.seq);
    const key = keys.find((k) => k.keyId === c.keyId);
    if (!key) {
      const why =
        keySource === 'pinned' ? 'is not in your pinned public keys (unknown or pinned out)' : "is not in the bundle's public-keys.json";
      throw new BundleProblem('unknown_key', `${at}: its key ${c.keyId} ${why}`, c.seq);
    }
    const t = Date.parse(c.ts);
    if (t < Date.parse(key.validFrom) || (key.validUntil !== null && t >= Date.parse(key.validUntil))) {
      throw new BundleProblem(
        'key_not_valid',
        `${at}: key ${key.keyId} was not valid at ${c.ts} (valid from ${key.validFrom} until ${key.validUntil ?? 'now'})`,
        c.seq,
      );
    }
    let good = false;
    try {
      good = verifySignature(null, input, key.object, Buffer.from(c.signature, 'base64url'));
    } catch {
      good = false;
    }
    if (!good) throw new BundleProblem('bad_signature', `${at}: its Ed25519 signature does not verify with key ${key.keyId}`, c.seq);
    const earlier = checkpoints.find((x) => x.seq === c.seq);
    if (earlier && earlier.digest !== c.digest)
      throw new BundleProblem(
        'checkpoint_fork',
        `${at}: two validly signed checkpoints for seq ${c.seq} with different digests (${earlier.digest} and ${c.digest}): two heads for one seq`,
        c.seq,
      );
    if (c.prev !== prevDigest) {
      const expected = prevDigest === null ? 'null (the first checkpoint)' : 'the digest of the checkpoint before it';
      throw new BundleProblem('prev_mismatch', `${at}: its prev is not ${expected}; a checkpoint was removed, inserted or replaced`, c.seq);
    }
    if (c.seq <= prevSeq)
      throw new BundleProblem(
        'checkpoint_seq_decreased',
        `${at} does not cover more of the trail than the checkpoint before it (seq ${prevSeq})`,
        c.seq,
      );
    checkpoints.push({ seq: c.seq, ts: c.ts, headHash: c.headHash, keyId: c.keyId, digest: c.digest, matched: null });
    prevDigest = c.digest;
    prevSeq = c.seq;
  }
  return checkpoints;
}

/**
 * Streams events.jsonl: every line canonical, seq continuous from the anchor,
 * every prevHash the previous hash, every hash recomputed, and each checkpoint at
 * a seq in the range equal to the event hash there. Returns count, head and the
 * file's SHA-256 (computed on the same pass).
 */
async function checkEvents(file, anchor, bySeq) {
  const fileHash = createHash('sha256');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let expectedSeq = anchor ? anchor.seq + 1 : 1;
  let prevHash = anchor ? anchor.hash : GENESIS_HASH;
  let count = 0;
  let provenThrough = expectedSeq - 1; // the newest seq a matched checkpoint (or the anchor's range start) vouches for
  let lineNo = 0;
  let carry = Buffer.alloc(0);
  let gap = null; // after a seq gap: keep scanning seqs only, to tell deletion from reordering

  const onLine = (bytes) => {
    lineNo += 1;
    let e;
    let text;
    try {
      text = decoder.decode(bytes);
      e = JSON.parse(text);
    } catch {
      if (gap) return;
      throw new BundleProblem('malformed_event', `events.jsonl line ${lineNo} is not valid UTF-8 JSON`, expectedSeq);
    }
    if (gap) {
      if (isObject(e) && e.seq === gap.seq) gap.foundLater = true;
      return;
    }
    const shape = eventShapeProblem(e);
    if (shape)
      throw new BundleProblem(
        'malformed_event',
        `events.jsonl line ${lineNo}: ${shape}`,
        Number.isSafeInteger(e?.seq) ? e.seq : expectedSeq,
      );
    if (e.seq < expectedSeq) {
      throw new BundleProblem(
        'seq_repeated',
        `events.jsonl line ${lineNo} has seq ${e.seq}, which was already covered (expected ${expectedSeq}): an event was inserted or duplicated`,
        e.seq,
      );
    }
    if (e.seq > expectedSeq) {
      gap = { seq: expectedSeq, next: e.seq, line: lineNo, foundLater: false };
      return;
    }
    if (e.prevHash !== prevHash) {
      const attackClass = selfConsistent(e) ? 'insertion' : 'reordering';
      if (count === 0 && anchor) {
        throw new BundleProblem(
          'anchor_mismatch',
          `event ${e.seq} does not link to the anchor (event ${anchor.seq}, hash ${anchor.hash})`,
          e.seq,
          attackClass,
        );
      }
      if (count === 0)
        throw new BundleProblem(
          'bad_genesis',
          'event 1 does not start from the genesis value (its prevHash is not 64 zeros)',
          1,
          attackClass,
        );
      throw new BundleProblem(
        'prev_hash_mismatch',
        `event ${e.seq} does not link to event ${e.seq - 1}: an event before it was removed, replaced or moved`,
        e.seq,
        attackClass,
      );
    }
    // One canonicalization serves both checks: the line must be the canonical text of
    // all its members, and the hash covers the same members minus prevHash and hash.
    let recomputed;
    try {
      const members = EVENT_COLUMNS.map((k) => `${canonicalString(k)}:${canonicalize(e[k])}`);
      if (`{${members.join(',')}}` !== text) throw new Error('not canonical');
      const hashed = `{${members.filter((_, i) => i !== HASH_AT && i !== PREV_HASH_AT).join(',')}}`;
      recomputed = sha256(Buffer.from(`${AUDIT_HASH_DOMAIN}\u0000${prevHash}\u0000${hashed}`, 'utf8'));
    } catch {
      throw new BundleProblem('hash_mismatch', `event ${e.seq} (line ${lineNo}) is not in the canonical form it was exported in`, e.seq);
    }
    if (recomputed !== e.hash)
      throw new BundleProblem('hash_mismatch', `event ${e.seq} was altered: its hash does not match its contents`, e.seq);
    for (const c of bySeq.get(e.seq) ?? []) {
      if (c.headHash !== e.hash) {
        throw new BundleProblem(
          'checkpoint_hash_mismatch',
          `checkpoint seq ${c.seq} (key ${c.keyId}) signed a different hash for event ${e.seq}: events ${provenThrough + 1} to ${e.seq} were rewritten and their hashes recomputed`,
          provenThrough + 1,
        );
      }
      c.matched = 'event';
      provenThrough = e.seq;
    }
    prevHash = e.hash;
    expectedSeq += 1;
    count += 1;
  };

  for await (const chunk of fs.createReadStream(file)) {
    fileHash.update(chunk);
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      onLine(data.subarray(start, nl));
      start = nl + 1;
    }
    carry = Buffer.from(data.subarray(start));
    if (carry.length > MAX_LINE_BYTES)
      throw new BundleProblem('malformed_event', `events.jsonl line ${lineNo + 1} is longer than ${MAX_LINE_BYTES} bytes`, expectedSeq);
  }
  if (gap) {
    const what = gap.foundLater
      ? `event ${gap.seq} is not where it belongs (line ${gap.line} holds event ${gap.next}; event ${gap.seq} comes later): events were moved`
      : `event ${gap.seq} is missing; the next event in the file is ${gap.next}`;
    throw new BundleProblem(gap.foundLater ? 'seq_out_of_order' : 'seq_gap', what, gap.seq);
  }
  if (carry.length > 0)
    throw new BundleProblem(
      'incomplete_line',
      `events.jsonl ends in the middle of a line after event ${expectedSeq - 1}: the file was cut short`,
      expectedSeq,
    );
  return { count, headSeq: expectedSeq - 1, headHash: prevHash, sha256: fileHash.digest('hex') };
}

/**
 * Each pinned digest (received out of band) must be the digest of one of the
 * verified checkpoints; else the bundle was cut before it (checkpoint lines removed,
 * manifest recomputed) or exported with a range that ends before it.
 */
function matchPinned(checkpoints, expected, toSeq) {
  const pinned = [];
  for (const digest of expected) {
    const c = checkpoints.find((x) => x.digest === digest);
    if (!c) {
      const newest = checkpoints.at(-1);
      const have = newest ? `the newest it holds is seq ${newest.seq}, digest ${newest.digest}` : 'it holds no checkpoint';
      throw new BundleProblem(
        'expected_checkpoint_missing',
        `the checkpoint you pinned (digest ${digest}) is not among the bundle's ${checkpoints.length} verified checkpoints (${have}, range ends at seq ${toSeq}): checkpoints were removed from the end of the bundle, or it was exported with a range ending before that checkpoint; ask for a bundle whose range reaches it`,
      );
    }
    pinned.push({ digest, seq: c.seq, ts: c.ts, keyId: c.keyId, matched: c.matched ?? 'before_range', coversThrough: c.seq });
  }
  return pinned;
}

/**
 * Verifies the bundle in `dir`. `keysFile`: the auditor's pinned public keys
 * (otherwise the bundle's own). `expectCheckpoints`: checkpoint digests (64 lowercase
 * hex) the auditor received separately; each must be in the bundle. Resolves to the
 * proof; rejects with BundleProblem (tampering) or UnreadableBundle (nothing concluded).
 */
export async function verifyBundle(
  dir,
  {
    keysFile = null,
    expectCheckpoints = [],
    witnessKeys = [],
    witnessStateFile = null,
    origin = null,
    rpId = null,
    requireSignatures = false,
  } = {},
) {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UnreadableBundle(`${dir} is not a directory`);
  const manifest = loadManifest(dir);
  const texts = Object.fromEntries(FILES.filter((f) => f !== 'events.jsonl').map((f) => [f, readBytes(dir, f)]));
  const bundleKeys = parseKeys(texts['public-keys.json'].toString('utf8'), "the bundle's public-keys.json");
  let keys;
  if (keysFile) {
    let pinnedText;
    try {
      pinnedText = fs.readFileSync(keysFile, 'utf8');
    } catch {
      throw new UnreadableBundle(`cannot read the pinned keys file ${keysFile}`);
    }
    const pinned = parseKeys(pinnedText, `the pinned keys file ${keysFile}`);
    if (pinned.error) throw new UnreadableBundle(pinned.error);
    keys = pinned.keys;
  } else {
    if (bundleKeys.error) throw new BundleProblem('malformed', bundleKeys.error);
    keys = bundleKeys.keys;
  }
  const anchor = loadAnchor(texts['anchor.json'].toString('utf8'));
  const expectedFrom = anchor ? anchor.seq + 1 : 1;
  if (manifest.range.fromSeq !== expectedFrom) {
    throw new BundleProblem(
      'manifest_mismatch',
      `the manifest's range starts at seq ${manifest.range.fromSeq}, but the anchor says it starts at ${expectedFrom}`,
    );
  }

  const checkpoints = checkCheckpoints(texts['checkpoints.jsonl'], keys, keysFile ? 'pinned' : 'bundle');
  const bySeq = new Map();
  for (const c of checkpoints) bySeq.set(c.seq, [...(bySeq.get(c.seq) ?? []), c]);
  for (const c of bySeq.get(anchor?.seq) ?? []) {
    if (c.headHash !== anchor.hash)
      throw new BundleProblem(
        'checkpoint_hash_mismatch',
        `checkpoint seq ${c.seq} signed a different hash than the anchor's: the chain was recomputed`,
        c.seq,
      );
    c.matched = 'anchor';
  }

  const events = await checkEvents(path.join(dir, 'events.jsonl'), anchor, bySeq);
  const beyond = checkpoints.find((c) => c.seq > events.headSeq);
  if (beyond) {
    throw new BundleProblem(
      'checkpoint_beyond_head',
      `checkpoint seq ${beyond.seq} covers events beyond the last one in the bundle (seq ${events.headSeq}): events were removed from the end`,
      events.headSeq + 1,
    );
  }
  if (events.headSeq < manifest.range.toSeq) {
    throw new BundleProblem(
      'events_end_early',
      `the manifest says the range ends at seq ${manifest.range.toSeq}, but events.jsonl ends at ${events.headSeq}: events were removed from the end`,
      events.headSeq + 1,
    );
  }
  if (events.headSeq > manifest.range.toSeq) {
    throw new BundleProblem(
      'events_beyond_range',
      `events.jsonl goes on to seq ${events.headSeq}, beyond the manifest's range end ${manifest.range.toSeq}`,
      manifest.range.toSeq + 1,
    );
  }
  const actual = { 'events.jsonl': events.sha256 };
  for (const [name, text] of Object.entries(texts)) actual[name] = sha256(text);
  for (const name of FILES) {
    if (actual[name] !== manifest.files[name].sha256)
      throw new BundleProblem(
        'file_hash_mismatch',
        `${name} does not have the SHA-256 the manifest lists: the bundle was altered after export`,
      );
  }
  const counts = { events: events.count, checkpoints: checkpoints.length };
  for (const [name, value] of Object.entries(counts)) {
    if (manifest.counts[name] !== value)
      throw new BundleProblem(
        'manifest_mismatch',
        `the manifest counts ${JSON.stringify(manifest.counts[name] ?? null).slice(0, 40)} ${name}, the bundle holds ${value}`,
      );
  }

  const witness = checkWitnesses(dir, manifest, checkpoints, witnessKeys, witnessStateFile);
  const signatures = await checkSignedIntents(dir, manifest, { origin, rpId, requireSignatures });
  const pinnedCheckpoints = matchPinned(checkpoints, expectCheckpoints, events.headSeq);
  const inRange = checkpoints.filter((c) => c.matched !== null);
  const newest = inRange.length > 0 ? Math.max(...inRange.map((c) => c.seq)) : null;
  const pinnedOut =
    keysFile && !bundleKeys.error ? bundleKeys.keys.filter((b) => !keys.some((k) => k.keyId === b.keyId)).map((k) => k.keyId) : [];
  return {
    ok: true,
    format: BUNDLE_FORMAT,
    range: { fromSeq: expectedFrom, toSeq: events.headSeq },
    count: events.count,
    anchor,
    headHash: events.headHash,
    keys: { source: keysFile ? 'pinned' : 'bundle', file: keysFile, keyIds: keys.map((k) => k.keyId), bundleKeysNotPinned: pinnedOut },
    checkpoints: checkpoints.map(({ seq, ts, keyId, digest, matched }) => ({ seq, ts, keyId, digest, matched: matched ?? 'before_range' })),
    signedThrough: newest,
    pinnedCheckpoints,
    witness,
    signatures,
  };
}

// ---------------------------------------------------------------- witnesses

/** The bytes a witness signs: "warden.witness.v1" 0x00 digest 0x00 decimal seq 0x00 ts. */
export function cosignatureMessage(digest, seq, ts) {
  return Buffer.from(`${WITNESS_DOMAIN}\u0000${digest}\u0000${String(seq)}\u0000${ts}`, 'utf8');
}

/**
 * A trusted witness public key from `--witness-key`: the base64url raw 32-byte key
 * itself, or a file holding it (as `warden-witness.mjs keygen` writes witness-key.pub,
 * or a JSON object with a "publicKey" member). Throws UnreadableBundle when it is none of these.
 */
export function loadWitnessKey(value) {
  let text = value.trim();
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) {
    try {
      text = fs.readFileSync(value, 'utf8').trim();
    } catch {
      throw new UnreadableBundle(`--witness-key ${value} is neither a base64url public key (43 characters) nor a readable file`);
    }
    if (text.startsWith('{')) {
      try {
        text = String(JSON.parse(text).publicKey ?? '');
      } catch {
        throw new UnreadableBundle(`--witness-key ${value} is not valid JSON`);
      }
    }
  }
  const raw = Buffer.from(text, 'base64url');
  if (!BASE64URL.test(text) || raw.length !== 32 || raw.toString('base64url') !== text)
    throw new UnreadableBundle(`--witness-key ${value} is not a 32-byte Ed25519 public key in base64url`);
  let object;
  try {
    object = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: text }, format: 'jwk' });
  } catch {
    throw new UnreadableBundle(`--witness-key ${value} is not a valid Ed25519 public key`);
  }
  return { keyId: sha256(raw).slice(0, 16), publicKey: text, object };
}

function parseCosignatures(bytes) {
  const lines = bytes.toString('utf8').split('\n');
  if (lines.pop() !== '') throw new BundleProblem('malformed_cosignature', 'cosignatures.jsonl does not end with a newline');
  return lines.map((line, i) => {
    let c;
    try {
      c = JSON.parse(line);
    } catch {
      throw new BundleProblem('malformed_cosignature', `cosignatures.jsonl line ${i + 1} is not JSON`);
    }
    const ok =
      isObject(c) &&
      hasExactly(c, COSIGNATURE_FIELDS) &&
      c.format === COSIGNATURE_FORMAT &&
      Number.isSafeInteger(c.seq) &&
      c.seq >= 1 &&
      HEX64.test(c.digest) &&
      KEY_ID.test(c.witnessKeyId) &&
      isIsoMs(c.ts) &&
      BASE64URL.test(c.signature);
    if (!ok || canonicalize(c) !== line)
      throw new BundleProblem(
        'malformed_cosignature',
        `cosignatures.jsonl line ${i + 1} is not a canonical ${COSIGNATURE_FORMAT} cosignature`,
      );
    return c;
  });
}

/** The bundle's registration records of witness keys (informational: only --witness-key keys are trusted). */
function parseWitnessKeys(bytes) {
  let file;
  try {
    file = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BundleProblem('malformed_cosignature', 'witness-keys.json is not valid JSON');
  }
  if (
    !isObject(file) ||
    file.format !== WITNESS_KEYS_FORMAT ||
    !Array.isArray(file.keys) ||
    !file.keys.every((k) => isObject(k) && KEY_ID.test(k.keyId))
  )
    throw new BundleProblem('malformed_cosignature', `witness-keys.json is not a "${WITNESS_KEYS_FORMAT}" file`);
  return file.keys;
}

function loadWitnessState(file) {
  let state;
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new UnreadableBundle(`cannot read the witness state file ${file} (or it is not JSON)`);
  }
  const entries = isObject(state) && isObject(state.cosigned) ? Object.entries(state.cosigned) : null;
  const ok =
    isObject(state) &&
    state.format === WITNESS_STATE_FORMAT &&
    entries !== null &&
    entries.every(([seq, digest]) => /^[1-9]\d{0,15}$/.test(seq) && HEX64.test(digest)) &&
    (state.last === null || (isObject(state.last) && Number.isSafeInteger(state.last.seq) && HEX64.test(state.last.digest)));
  if (!ok) throw new UnreadableBundle(`${file} is not a "${WITNESS_STATE_FORMAT}" witness state file`);
  const seen = new Map(entries.map(([seq, digest]) => [Number(seq), digest]));
  if (state.last) {
    if (seen.has(state.last.seq) && seen.get(state.last.seq) !== state.last.digest)
      throw new UnreadableBundle(`${file} contradicts itself about seq ${state.last.seq}`);
    seen.set(state.last.seq, state.last.digest);
  }
  return { witnessKeyId: typeof state.witnessKeyId === 'string' ? state.witnessKeyId : null, seen };
}

/**
 * Witness checks: cosignatures.jsonl and witness-keys.json against the manifest;
 * every cosignature by a trusted key (--witness-key) must verify (else
 * forged_cosignature) and name the digest the bundle holds for its seq (else fork);
 * with --witness-state, every seq the witness saw must have the same digest here
 * (else fork). Returns what was proven.
 */
function checkWitnesses(dir, manifest, checkpoints, trusted, stateFile) {
  const listed = WITNESS_FILES.filter((f) => isObject(manifest.files[f]));
  const bytes = {};
  for (const name of listed) {
    bytes[name] = readBytes(dir, name);
    if (!HEX64.test(manifest.files[name].sha256) || sha256(bytes[name]) !== manifest.files[name].sha256)
      throw new BundleProblem(
        'file_hash_mismatch',
        `${name} does not have the SHA-256 the manifest lists: the bundle was altered after export`,
      );
  }
  const cosignatures = bytes['cosignatures.jsonl'] ? parseCosignatures(bytes['cosignatures.jsonl']) : [];
  const registered = bytes['witness-keys.json'] ? parseWitnessKeys(bytes['witness-keys.json']) : [];
  if (bytes['cosignatures.jsonl'] && manifest.counts.cosignatures !== undefined && manifest.counts.cosignatures !== cosignatures.length)
    throw new BundleProblem(
      'manifest_mismatch',
      `the manifest counts ${manifest.counts.cosignatures} cosignatures, the bundle holds ${cosignatures.length}`,
    );

  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  const newestCheckpoint = checkpoints.at(-1)?.seq ?? 0;
  const witnessed = new Map(trusted.map((k) => [k.keyId, new Set()]));
  let untrusted = 0;
  // Cosigned checkpoints newer than the bundle's newest: seq -> digest and who cosigned it.
  // Two trusted cosignatures naming different digests for one seq are a fork even there.
  const beyond = new Map();
  for (const c of cosignatures) {
    const key = trusted.find((k) => k.keyId === c.witnessKeyId);
    if (!key) {
      untrusted += 1;
      continue;
    }
    let good = false;
    try {
      const signature = Buffer.from(c.signature, 'base64url');
      good = signature.length === 64 && verifySignature(null, cosignatureMessage(c.digest, c.seq, c.ts), key.object, signature);
    } catch {
      good = false;
    }
    if (!good)
      throw new BundleProblem(
        'bad_cosignature',
        `the cosignature of seq ${c.seq} by witness ${key.keyId} does not verify with the witness key you trust`,
        c.seq,
      );
    const checkpoint = bySeq.get(c.seq);
    if (checkpoint && checkpoint.digest !== c.digest)
      throw new BundleProblem(
        'cosignature_fork',
        `witness ${key.keyId} cosigned digest ${c.digest} for seq ${c.seq}, but the bundle's checkpoint at seq ${c.seq} has digest ${checkpoint.digest}: two heads for one seq`,
        c.seq,
      );
    if (!checkpoint && c.seq <= newestCheckpoint)
      throw new BundleProblem(
        'cosignature_fork',
        `witness ${key.keyId} cosigned a checkpoint at seq ${c.seq} (digest ${c.digest}), but the bundle's checkpoint chain has none at that seq: the witness saw another history`,
        c.seq,
      );
    if (!checkpoint) {
      const other = beyond.get(c.seq);
      if (other && other.digest !== c.digest)
        throw new BundleProblem(
          'cosignature_fork',
          `witnesses ${other.keyId} and ${key.keyId} cosigned different digests for seq ${c.seq} (${other.digest}, ${c.digest}): two heads for one seq`,
          c.seq,
        );
      if (!other) beyond.set(c.seq, { digest: c.digest, keyId: key.keyId });
    } else witnessed.get(key.keyId).add(c.seq);
  }

  let state = null;
  if (stateFile) {
    const loaded = loadWitnessState(stateFile);
    let matched = 0;
    let newestSeen = 0;
    for (const [seq, digest] of [...loaded.seen.entries()].sort((a, b) => a[0] - b[0])) {
      newestSeen = Math.max(newestSeen, seq);
      const checkpoint = bySeq.get(seq);
      if (checkpoint && checkpoint.digest !== digest)
        throw new BundleProblem(
          'witness_state_fork',
          `the witness saw digest ${digest} for seq ${seq}, but the bundle's checkpoint at seq ${seq} has digest ${checkpoint.digest}: two heads for one seq`,
          seq,
        );
      if (!checkpoint && seq <= newestCheckpoint)
        throw new BundleProblem(
          'witness_state_fork',
          `the witness saw a checkpoint at seq ${seq} (digest ${digest}), but the bundle's checkpoint chain has none at that seq: the witness saw another history`,
          seq,
        );
      const cosigned = beyond.get(seq);
      if (cosigned && cosigned.digest !== digest)
        throw new BundleProblem(
          'witness_state_fork',
          `the witness saw digest ${digest} for seq ${seq}, but witness ${cosigned.keyId} cosigned digest ${cosigned.digest} for it: two heads for one seq`,
          seq,
        );
      if (checkpoint) matched += 1;
    }
    state = {
      file: stateFile,
      witnessKeyId: loaded.witnessKeyId,
      seen: loaded.seen.size,
      matched,
      newestSeen: newestSeen || null,
      newestSeenDigest: newestSeen ? loaded.seen.get(newestSeen) : null,
      bundleOlder: newestSeen > newestCheckpoint,
    };
  }

  const all = new Set();
  const byWitness = trusted.map((k) => {
    const seqs = [...witnessed.get(k.keyId)].sort((a, b) => a - b);
    for (const s of seqs) all.add(s);
    const reg = registered.find((r) => r.keyId === k.keyId) ?? null;
    return {
      keyId: k.keyId,
      name: typeof reg?.name === 'string' ? reg.name : null,
      registeredAt: typeof reg?.registeredAt === 'string' ? reg.registeredAt : null,
      revokedAt: typeof reg?.revokedAt === 'string' ? reg.revokedAt : null,
      count: seqs.length,
      seqs,
    };
  });
  const witnessedSeqs = [...all].sort((a, b) => a - b);
  const newestSeq = witnessedSeqs.at(-1) ?? null;
  return {
    present: listed.length === WITNESS_FILES.length,
    trustedKeyIds: trusted.map((k) => k.keyId),
    checkpoints: checkpoints.length,
    cosignatures: cosignatures.length,
    untrusted,
    byWitness,
    witnessedSeqs,
    newestWitnessed: newestSeq === null ? null : { seq: newestSeq, digest: bySeq.get(newestSeq).digest, ts: bySeq.get(newestSeq).ts },
    beyondBundle: [...beyond.keys()].sort((a, b) => a - b),
    state,
  };
}

function witnessLines(w) {
  const out = [];
  if (w.trustedKeyIds.length === 0) {
    if (w.cosignatures > 0)
      out.push(
        `NOTE    the bundle holds ${w.cosignatures} witness cosignatures; pass --witness-key <your witness public key> to check them`,
      );
  } else {
    if (!w.present)
      out.push('NOTE    this bundle has no cosignatures.jsonl (exported before witnessing, or without it): nothing witnessed can be shown');
    for (const b of w.byWitness) {
      const who = b.name
        ? ` ("${b.name}"${b.registeredAt ? `, registered ${b.registeredAt}` : ''}${b.revokedAt ? `, revoked ${b.revokedAt}` : ''})`
        : ' (not registered in this bundle)';
      out.push(`PROVEN  ${b.count} of ${w.checkpoints} checkpoints carry a valid cosignature by witness ${b.keyId}${who}`);
      if (b.count > 0) out.push(`PROVEN  witnessed by ${b.keyId}: seq ${b.seqs.join(', ')}`);
    }
    if (w.newestWitnessed)
      out.push(
        `PROVEN  newest witnessed checkpoint: seq ${w.newestWitnessed.seq}, digest ${w.newestWitnessed.digest}; it and every checkpoint before it (chained by prev digests) are the ones the witness saw`,
      );
    else out.push('NOTE    no checkpoint in this bundle carries a valid cosignature by the witness keys you gave');
    if (w.untrusted > 0)
      out.push(`NOTE    ${w.untrusted} cosignatures by other witness keys were not checked (not given with --witness-key)`);
    for (const seq of w.beyondBundle) out.push(`NOTE    a witness cosigned checkpoint seq ${seq}, beyond this bundle's newest checkpoint`);
  }
  if (w.state) {
    out.push(
      `PROVEN  your witness state ${w.state.file}: ${w.state.matched} of the ${w.state.seen} checkpoints the witness saw are in this bundle with the same digest; none differs`,
    );
    if (w.state.bundleOlder)
      out.push(
        `NOTE    the witness saw checkpoints up to seq ${w.state.newestSeen}, beyond this bundle's newest checkpoint: the bundle is older than what the witness saw, or was cut; to require it, pass --expect-checkpoint ${w.state.newestSeenDigest} with a bundle whose range reaches seq ${w.state.newestSeen}`,
      );
  }
  return out;
}

// ---------------------------------------------------------------- signed intents (issue 13)
// The same checks as lib/audit/signed-intent.ts, standalone. A passkey step-up signs
// an intent ("warden.intent.v1": operation, canonical input, targets, actor, session,
// policy version, approval ids, nonce, expiry); the WebAuthn challenge is
// base64url(SHA-256(JCS(intent))). The event stores the intent text and the
// assertion; credentials.json holds each passkey's COSE public key.

export const INTENT_FORMAT = 'warden.intent.v1';
export const CREDENTIALS_FORMAT = 'warden.credentials.v1';
const CREDENTIAL_FIELDS = ['algorithm', 'createdAt', 'credentialId', 'name', 'publicKey', 'registrationSeq', 'userId', 'userName'];

function decodeCbor(buf, at, depth = 0) {
  if (depth > 8 || at >= buf.length) throw new TypeError('bad CBOR');
  const head = buf[at];
  const major = head >> 5;
  const info = head & 0x1f;
  let pos = at + 1;
  let len;
  if (info < 24) len = info;
  else if (info === 24) len = buf.readUInt8(pos++);
  else if (info === 25) {
    len = buf.readUInt16BE(pos);
    pos += 2;
  } else if (info === 26) {
    len = buf.readUInt32BE(pos);
    pos += 4;
  } else throw new TypeError('unsupported CBOR length');
  if (major === 0) return [len, pos];
  if (major === 1) return [-1 - len, pos];
  if (major === 2 || major === 3) {
    if (pos + len > buf.length) throw new TypeError('truncated CBOR');
    const slice = buf.subarray(pos, pos + len);
    return [major === 2 ? Buffer.from(slice) : slice.toString('utf8'), pos + len];
  }
  if (major === 4) {
    const out = [];
    for (let i = 0; i < len; i++) {
      const [v, next] = decodeCbor(buf, pos, depth + 1);
      out.push(v);
      pos = next;
    }
    return [out, pos];
  }
  if (major === 5) {
    const out = new Map();
    for (let i = 0; i < len; i++) {
      const [k, afterKey] = decodeCbor(buf, pos, depth + 1);
      const [v, afterValue] = decodeCbor(buf, afterKey, depth + 1);
      out.set(k, v);
      pos = afterValue;
    }
    return [out, pos];
  }
  if (major === 7 && info >= 20 && info <= 22) return [info === 22 ? null : info === 21, pos];
  throw new TypeError('unsupported CBOR type');
}

/** A COSE_Key (RFC 9052 §7: EC2 P-256 / ES256, OKP Ed25519 / EdDSA, RSA / RS256) as a node KeyObject. */
export function coseToKey(bytes) {
  const [map] = decodeCbor(bytes, 0);
  if (!(map instanceof Map)) throw new TypeError('not a COSE key');
  const kty = map.get(1);
  const alg = map.get(3);
  const b64 = (v) => {
    if (!Buffer.isBuffer(v)) throw new TypeError('bad key parameter');
    return v.toString('base64url');
  };
  let jwk;
  if (kty === 2 && alg === -7 && map.get(-1) === 1) jwk = { kty: 'EC', crv: 'P-256', x: b64(map.get(-2)), y: b64(map.get(-3)) };
  else if (kty === 1 && alg === -8 && map.get(-1) === 6) jwk = { kty: 'OKP', crv: 'Ed25519', x: b64(map.get(-2)) };
  else if (kty === 3 && alg === -257) jwk = { kty: 'RSA', n: b64(map.get(-1)), e: b64(map.get(-2)) };
  else throw new TypeError('unsupported COSE key');
  return { alg, key: createPublicKey({ key: jwk, format: 'jwk' }) };
}

// Canonical unpadded base64url only (as lib/audit/signed-intent.ts): a text that does not
// re-encode to itself (set bits after the last byte, which decoders ignore) is refused, so
// every changed character of a stored assertion is a changed value.
const fromB64url = (text) => {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new TypeError('not canonical base64url');
  return bytes;
};

/**
 * WebAuthn L3 §7.2 on a stored assertion: clientDataJSON.type "webauthn.get", challenge =
 * base64url(SHA-256(intent text)), origin = the console's, not cross-origin; rpIdHash =
 * SHA-256(rpId), UP and UV set; signature over authenticatorData ‖ SHA-256(clientDataJSON).
 * Returns null when it holds, else the reason.
 */
export function assertionProblem(intentText, assertion, publicKeyCose, expected) {
  let clientDataBytes, authData, signature, clientData;
  try {
    clientDataBytes = fromB64url(assertion.clientDataJSON);
    authData = fromB64url(assertion.authenticatorData);
    signature = fromB64url(assertion.signature);
    clientData = JSON.parse(clientDataBytes.toString('utf8'));
  } catch {
    return 'malformed';
  }
  if (!isObject(clientData) || authData.length < 37 || signature.length === 0) return 'malformed';
  let key;
  try {
    key = coseToKey(fromB64url(publicKeyCose));
  } catch {
    return 'key_unreadable';
  }
  if (clientData.type !== 'webauthn.get') return 'wrong_type';
  if (clientData.challenge !== createHash('sha256').update(intentText, 'utf8').digest('base64url')) return 'challenge_mismatch';
  if (clientData.origin !== expected.origin) return 'origin_mismatch';
  if (clientData.crossOrigin === true) return 'cross_origin';
  if (!authData.subarray(0, 32).equals(createHash('sha256').update(expected.rpId, 'utf8').digest())) return 'rp_mismatch';
  if (!(authData[32] & 0x01)) return 'user_not_present';
  if (!(authData[32] & 0x04)) return 'user_not_verified';
  const data = Buffer.concat([authData, createHash('sha256').update(clientDataBytes).digest()]);
  let valid = false;
  try {
    if (key.alg === -8) valid = verifySignature(null, data, key.key, signature);
    else if (key.alg === -7) valid = verifySignature('sha256', data, { key: key.key, dsaEncoding: 'der' }, signature);
    else if (key.alg === -257) valid = verifySignature('sha256', data, key.key, signature);
  } catch {
    valid = false;
  }
  return valid ? null : 'bad_signature';
}

/** Why a validly signed intent does not describe this event, or null (as lib/audit/signed-intent.ts intentMismatch). */
export function intentMismatch(event, intent, credential) {
  const d = event.details;
  const operation = event.operation === 'approval.request' ? d.operation : event.operation;
  if (intent.v !== INTENT_FORMAT) return 'the intent has an unknown format';
  if (intent.operation !== operation) return `the signed intent is for ${String(intent.operation)}, the event is ${String(operation)}`;
  if (intent.actor !== event.actorId) return 'the signed intent names another actor';
  if (credential.userId !== event.actorId) return 'the passkey belongs to someone other than the actor';
  if (intent.sessionId !== event.actorSessionId) return 'the signed intent names another session';
  if (intent.policyVersion !== event.policyVersion) return 'the signed intent names another policy version';
  if (typeof intent.expiresAt !== 'string' || !(Date.parse(intent.expiresAt) >= Date.parse(event.ts)))
    return 'the event was recorded after the signed intent expired';
  if (!Array.isArray(intent.targets) || !Array.isArray(intent.approvalIds)) return 'the signed intent is incomplete';
  if (intent.targetKind === 'record') {
    const targetId = event.operation === 'approval.request' ? (isObject(d.target) ? d.target.id : undefined) : event.targetId;
    if (typeof targetId !== 'string' || !intent.targets.includes(targetId)) return 'the signed intent names another target';
  }
  if (event.operation === 'approval.approve' || event.operation === 'approval.reject') {
    if (!event.targetId || !intent.approvalIds.includes(event.targetId)) return 'the signed intent decides another approval request';
    const signedDigest = isObject(intent.input) ? intent.input.digest : undefined;
    if (event.operation === 'approval.approve' && signedDigest !== d.digest) return 'the signed digest is not the frozen request’s digest';
  }
  return null;
}

function loadCredentials(dir, manifest) {
  if (!isObject(manifest.files['credentials.json'])) return null;
  const bytes = readBytes(dir, 'credentials.json');
  if (!HEX64.test(manifest.files['credentials.json'].sha256) || sha256(bytes) !== manifest.files['credentials.json'].sha256)
    throw new BundleProblem(
      'file_hash_mismatch',
      'credentials.json does not have the SHA-256 the manifest lists: the bundle was altered after export',
    );
  let file;
  try {
    file = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BundleProblem('malformed_signature', 'credentials.json is not valid JSON');
  }
  const ok =
    isObject(file) &&
    file.format === CREDENTIALS_FORMAT &&
    typeof file.rpId === 'string' &&
    typeof file.origin === 'string' &&
    Array.isArray(file.credentials) &&
    file.credentials.every(
      (c) =>
        isObject(c) &&
        hasExactly(c, CREDENTIAL_FIELDS) &&
        typeof c.credentialId === 'string' &&
        typeof c.publicKey === 'string' &&
        typeof c.userId === 'string',
    );
  if (!ok) throw new BundleProblem('malformed_signature', `credentials.json is not a "${CREDENTIALS_FORMAT}" file`);
  if (manifest.counts.credentials !== undefined && manifest.counts.credentials !== file.credentials.length)
    throw new BundleProblem(
      'manifest_mismatch',
      `the manifest counts ${manifest.counts.credentials} credentials, the bundle holds ${file.credentials.length}`,
    );
  return { rpId: file.rpId, origin: file.origin, byId: new Map(file.credentials.map((c) => [c.credentialId, c])) };
}

/**
 * Second pass over events.jsonl (already proven by checkEvents): every signature an
 * event carries must verify under its passkey's key from credentials.json (else
 * forged_signature) and its intent must describe that event (else intent_mismatch);
 * an intent (its nonce) may authorize one event only; a credential whose registration
 * event is in the range must have the key that event recorded. Counts step-ups by
 * passkey, by code and unsigned ones (recorded before signed intents), and links
 * each approved execution to its signed approval decision over the frozen digest.
 */
export async function checkSignedIntents(dir, manifest, { origin = null, rpId = null, requireSignatures = false } = {}) {
  const creds = loadCredentials(dir, manifest);
  // --origin / --rp-id: the auditor's own values win over the bundle's credentials.json.
  const expected = creds ? { rpId: rpId ?? creds.rpId, origin: origin ?? creds.origin } : null;
  const result = {
    credentialsFile: creds !== null,
    rpId: expected?.rpId ?? null,
    origin: expected?.origin ?? null,
    pinned: { origin: origin !== null, rpId: rpId !== null },
    stepUps: 0,
    signed: [],
    byCode: 0,
    unsigned: 0,
    approvalsSigned: 0,
    executions: { total: 0, approvalSigned: 0, approvalOutsideRange: 0 },
    // Critical operations in range (SIGNED_OPERATIONS; a two-person one counts where it was
    // requested and where it ran): each must carry a valid signature of its own or, for a
    // run after approval, link to a signed approval decision.
    critical: { total: 0, signed: 0, approvedBeforeRange: 0, unsigned: [] },
    // First-factor enrolments: no factor existed to step up with, so a fresh sign-in stood in
    // (details.enrolment, details.signedInAt); neither signed nor an unsigned step-up.
    enrolments: [],
  };
  const criticalEvents = [];
  const nonces = new Map();
  const signedApprovals = new Map();
  const executions = [];
  const registrations = new Map();
  const lines = readline.createInterface({ input: fs.createReadStream(path.join(dir, 'events.jsonl'), 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (
      !line.includes('"stepUp":true') &&
      !line.includes(INTENT_FORMAT) &&
      !line.includes('"approval":') &&
      !line.includes('account.passkey_register') &&
      !line.includes('"enrolment":true') &&
      !SIGNED_LINE.test(line)
    )
      continue;
    const e = JSON.parse(line);
    const d = isObject(e.details) ? e.details : {};
    if (d.enrolment === true && d.stepUp !== true)
      result.enrolments.push({
        seq: e.seq,
        operation: e.operation,
        actorId: e.actorId,
        signedInAt: typeof d.signedInAt === 'string' ? d.signedInAt : null,
      });
    if (e.outcome === 'success' && (SIGNED_SET.has(e.operation) || (e.operation === 'approval.request' && SIGNED_SET.has(d.operation))))
      criticalEvents.push({
        seq: e.seq,
        operation: e.operation === 'approval.request' ? `${d.operation} (request)` : e.operation,
        approval: isObject(d.approval) ? d.approval : null,
      });
    if (e.operation === 'account.passkey_register' && typeof d.credentialId === 'string' && typeof d.publicKey === 'string') {
      // A credential id is registered once, ever (the server refuses it again, even after the passkey
      // was removed): with two registrations, whose key signed is ambiguous, and keeping either one
      // would let the other key's signatures pass as forged or as someone else's.
      const earlier = registrations.get(d.credentialId);
      if (earlier)
        throw new BundleProblem(
          'credential_mismatch',
          `passkey ${d.credentialId.slice(0, 16)}… is registered twice (events ${earlier.seq} and ${e.seq}): its signatures cannot be attributed to one key and owner`,
          e.seq,
        );
      registrations.set(d.credentialId, { seq: e.seq, publicKey: d.publicKey, actorId: e.actorId });
    }
    if (isObject(d.approval) && e.operation !== 'approval.approve') executions.push({ seq: e.seq, approval: d.approval });
    if (d.signature === undefined) {
      if (d.stepUp === true && d.stepUpMethod === 'passkey')
        throw new BundleProblem(
          'signature_missing',
          `event ${e.seq} (${e.operation}) says it was stepped up with a passkey but carries no signature`,
          e.seq,
        );
      if (d.stepUp === true && !isObject(d.approval)) {
        result.stepUps += 1;
        if (d.stepUpMethod === 'otp') result.byCode += 1;
        else result.unsigned += 1;
      }
      continue;
    }
    result.stepUps += 1;
    const s = d.signature;
    if (
      !isObject(s) ||
      s.format !== INTENT_FORMAT ||
      typeof s.intent !== 'string' ||
      !isObject(s.assertion) ||
      !['credentialId', 'authenticatorData', 'clientDataJSON', 'signature'].every((k) => typeof s.assertion[k] === 'string')
    )
      throw new BundleProblem(
        'malformed_signature',
        `event ${e.seq} carries a signature that is not a complete ${INTENT_FORMAT} record`,
        e.seq,
      );
    let intent;
    try {
      intent = JSON.parse(s.intent);
    } catch {
      intent = null;
    }
    if (!isObject(intent) || canonicalize(intent) !== s.intent)
      throw new BundleProblem('malformed_signature', `event ${e.seq}: the signed intent is not RFC 8785 canonical JSON`, e.seq);
    const credential = creds?.byId.get(s.assertion.credentialId);
    if (!credential)
      throw new BundleProblem(
        'unknown_credential',
        `event ${e.seq}: passkey ${s.assertion.credentialId.slice(0, 16)}… is not in credentials.json`,
        e.seq,
      );
    const problem = assertionProblem(s.intent, s.assertion, credential.publicKey, expected);
    if (problem)
      throw new BundleProblem(
        'forged_signature',
        `event ${e.seq} (${e.operation}): the user signature does not verify (${problem})`,
        e.seq,
      );
    const mismatch = intentMismatch(e, intent, credential);
    if (mismatch) throw new BundleProblem('intent_mismatch', `event ${e.seq} (${e.operation}): ${mismatch}`, e.seq);
    if (nonces.has(intent.nonce))
      throw new BundleProblem(
        'intent_replayed',
        `event ${e.seq}: its signed intent already authorized event ${nonces.get(intent.nonce)}`,
        e.seq,
      );
    nonces.set(intent.nonce, e.seq);
    if (e.operation === 'approval.approve') {
      signedApprovals.set(e.seq, { requestId: e.targetId, digest: d.digest });
      result.approvalsSigned += 1;
    }
    result.signed.push({
      seq: e.seq,
      ts: e.ts,
      operation: intent.operation,
      eventOperation: e.operation,
      target: e.targetId,
      actorId: e.actorId,
      userName: credential.userName,
      passkey: credential.name,
      credentialId: credential.credentialId,
    });
  }
  for (const [id, reg] of registrations) {
    const c = creds?.byId.get(id);
    if (c && (c.publicKey !== reg.publicKey || c.userId !== reg.actorId))
      throw new BundleProblem(
        'credential_mismatch',
        `credentials.json gives passkey ${id.slice(0, 16)}… another key or owner than its registration event ${reg.seq}`,
        reg.seq,
      );
  }
  for (const x of executions) {
    result.executions.total += 1;
    const decision = signedApprovals.get(x.approval.decisionSeq);
    if (decision) {
      if (decision.requestId !== x.approval.id || decision.digest !== x.approval.digest)
        throw new BundleProblem(
          'intent_mismatch',
          `event ${x.seq}: the signed approval (event ${x.approval.decisionSeq}) is for another request or digest`,
          x.seq,
        );
      result.executions.approvalSigned += 1;
    } else if (!(x.approval.decisionSeq >= manifest.range.fromSeq)) result.executions.approvalOutsideRange += 1;
  }
  const signedSeqs = new Set(result.signed.map((x) => x.seq));
  for (const c of criticalEvents) {
    result.critical.total += 1;
    if (signedSeqs.has(c.seq) || (c.approval && signedApprovals.has(c.approval.decisionSeq))) result.critical.signed += 1;
    else if (c.approval && !(c.approval.decisionSeq >= manifest.range.fromSeq)) result.critical.approvedBeforeRange += 1;
    else result.critical.unsigned.push({ seq: c.seq, operation: c.operation });
  }
  if (requireSignatures && result.critical.unsigned.length > 0) {
    const first = result.critical.unsigned[0];
    throw new BundleProblem(
      'unsigned_critical',
      `${result.critical.unsigned.length} critical operation${result.critical.unsigned.length === 1 ? '' : 's'} in range carr${result.critical.unsigned.length === 1 ? 'ies' : 'y'} no valid passkey signature; the first is event ${first.seq} (${first.operation})`,
      first.seq,
    );
  }
  return result;
}

function signatureLines(s) {
  if (!s) return [];
  const out = [];
  const n = s.signed.length;
  out.push(
    `PROVEN  ${n} operation${n === 1 ? ' carries' : 's carry'} a valid user signature (${s.stepUps} step-up operation${s.stepUps === 1 ? '' : 's'} in range: ${n} signed by passkey, ${s.byCode} by authenticator code (no user signature), ${s.unsigned} without signature (recorded before signed intents))`,
  );
  if (n > 0) {
    const from = (pinned) => (pinned ? 'pinned' : 'from credentials.json');
    out.push(
      `USING   RP ID ${s.rpId} (${from(s.pinned?.rpId)}), origin ${s.origin} (${from(s.pinned?.origin)}); each intent's SHA-256 is its assertion's challenge`,
    );
  }
  for (const x of s.signed.slice(0, 50))
    out.push(
      `PROVEN  seq ${x.seq} ${x.operation}${x.target ? ` on ${x.target}` : ''} at ${x.ts}: signed by passkey "${x.passkey}" of ${x.userName ?? '(unknown name)'} (${x.actorId})`,
    );
  if (n > 50) out.push(`NOTE    … and ${n - 50} more signed operations (--json lists all)`);
  const en = s.enrolments ?? [];
  if (en.length > 0)
    out.push(
      `NOTE    ${en.length} first-factor enrolment${en.length === 1 ? ' was' : 's were'} authorized by a fresh sign-in (no factor existed to step up with; not signed): seq ${en
        .slice(0, 20)
        .map((x) => x.seq)
        .join(', ')}${en.length > 20 ? ', …' : ''}`,
    );
  const c = s.critical;
  if (c && c.total > 0 && c.unsigned.length === 0)
    out.push(
      `PROVEN  every critical operation in range is signed by a named person's passkey: ${c.signed} of ${c.total}${c.approvedBeforeRange ? ` (${c.approvedBeforeRange} more ran on an approval decided before the range: export from its seq to check it)` : ''}`,
    );
  else if (c && c.unsigned.length > 0) {
    out.push(
      `WARNING ${c.unsigned.length} of ${c.total} critical operations in range carry no passkey signature (recorded by a version before signed intents, or written behind the console): not proven who approved them; --require-signatures refuses such a bundle`,
    );
    for (const x of c.unsigned.slice(0, 20)) out.push(`WARNING seq ${x.seq} ${x.operation}: no valid passkey signature`);
    if (c.unsigned.length > 20) out.push(`WARNING … and ${c.unsigned.length - 20} more (--json lists all)`);
  }
  if (s.approvalsSigned > 0)
    out.push(`PROVEN  ${s.approvalsSigned} approval decision${s.approvalsSigned === 1 ? '' : 's'} signed over the frozen request digest`);
  if (s.executions.total > 0)
    out.push(
      `PROVEN  ${s.executions.approvalSigned} of ${s.executions.total} approved execution${s.executions.total === 1 ? '' : 's'} link to a signed approval over the same digest${s.executions.approvalOutsideRange ? ` (${s.executions.approvalOutsideRange} approved before the range)` : ''}`,
    );
  return out;
}

// ---------------------------------------------------------------- output

function proofLines(r, selfHash) {
  const out = [];
  const keyNote =
    r.keys.source === 'pinned'
      ? `keys: your pinned file ${r.keys.file} (${r.keys.keyIds.join(', ') || 'no keys'})`
      : `keys: the bundle's own public-keys.json (${r.keys.keyIds.join(', ') || 'no keys'}), NOT independent: pass --keys <file you received separately>`;
  out.push(`PROVEN  manifest: events.jsonl, checkpoints.jsonl, public-keys.json and anchor.json have the SHA-256 it lists`);
  out.push(
    `PROVEN  ${r.count} events, seq ${r.range.fromSeq} to ${r.range.toSeq}: every hash recomputed, every event linked to the one before, no seq missing`,
  );
  out.push(
    r.anchor
      ? `PROVEN  event ${r.range.fromSeq} links to the anchor: event ${r.anchor.seq} with hash ${r.anchor.hash}`
      : 'PROVEN  event 1 starts from the genesis value (the range starts at the beginning of the trail)',
  );
  out.push(`PROVEN  head: seq ${r.range.toSeq}, hash ${r.headHash}`);
  out.push(`USING   ${keyNote}`);
  for (const c of r.checkpoints) {
    const where =
      c.matched === 'event'
        ? `matches event ${c.seq}`
        : c.matched === 'anchor'
          ? 'matches the anchor'
          : 'is before the range (signature and chain checked only)';
    out.push(`PROVEN  checkpoint seq ${c.seq} at ${c.ts}, digest ${c.digest}, signed by key ${c.keyId}, ${where}`);
  }
  if (r.checkpoints.length > 0)
    out.push(`PROVEN  the ${r.checkpoints.length} checkpoints form one unbroken chain (each prev is the digest of the one before)`);
  for (const id of r.keys.bundleKeysNotPinned)
    out.push(`NOTE    the bundle lists key ${id}, which your pinned file does not; it was not trusted`);
  if (r.signedThrough === null) {
    out.push(
      'NOTE    no checkpoint covers this range: the events are consistent with each other and with the anchor, but nothing signed shows they are the trail Warden wrote',
    );
  } else if (r.signedThrough < r.range.toSeq) {
    out.push(
      `NOTE    events ${r.signedThrough + 1} to ${r.range.toSeq} come after the newest checkpoint in the range: linked, but not covered by a signature`,
    );
  }
  out.push(...witnessLines(r.witness));
  out.push(...signatureLines(r.signatures));
  for (const p of r.pinnedCheckpoints) {
    const covered =
      p.matched === 'before_range'
        ? `it precedes this range (events up to seq ${p.seq} are not in the bundle)`
        : `events up to seq ${p.seq} are covered by it`;
    out.push(`PROVEN  your pinned checkpoint ${p.digest} is in the bundle: seq ${p.seq} at ${p.ts}, key ${p.keyId}; ${covered}`);
  }
  out.push(
    r.pinnedCheckpoints.length > 0
      ? 'NOTE    a bundle cannot show events after its range or checkpoints newer than the ones you pinned: pin the newest digest you obtained separately'
      : 'NOTE    a bundle cannot show events after its range or checkpoints left out of it: compare the newest checkpoint digest with one you obtained separately, or pass --expect-checkpoint <digest>',
  );
  if (selfHash)
    out.push(`NOTE    this verifier's SHA-256 is ${selfHash}; compare it with the copy in the Warden repository (tools/warden-verify.mjs)`);
  const signed = r.signedThrough === null ? 'no signed checkpoint' : `signed through seq ${r.signedThrough}`;
  const witnessed =
    r.witness.trustedKeyIds.length === 0
      ? ''
      : r.witness.newestWitnessed
        ? `, witnessed through seq ${r.witness.newestWitnessed.seq}`
        : ', not witnessed';
  out.push(`RESULT  VERIFIED: seq ${r.range.fromSeq} to ${r.range.toSeq}, ${r.count} events, ${signed}${witnessed}`);
  return out;
}

const USAGE = `usage: node warden-verify.mjs <bundle-dir> [--keys <pinned public-keys.json>] [--expect-checkpoint <digest>]...
                          [--witness-key <public key or file>]... [--witness-state <file>]
                          [--origin <https://console.example>] [--rp-id <console.example>] [--json]

Verifies a Warden audit export bundle offline (warden.bundle.v1).
  --keys <file>                 trust only these public keys (the file you received separately); default: the bundle's own
  --expect-checkpoint <digest>  a checkpoint digest (64 hex) you received separately, e.g. from the external
                                checkpoint log; the bundle must contain it, else truncation (repeatable)
  --witness-key <key or file>   a witness public key you hold (base64url, or the witness-key.pub file); its
                                cosignatures must verify and match the bundle's checkpoints (repeatable)
  --witness-state <file>        the state file of your warden-witness.mjs watch: every checkpoint it saw must
                                be in the bundle with the same digest, else fork
  --origin <url>                the console's origin every passkey signature must name (default: the bundle's
                                credentials.json); pin it so the bundle cannot choose it
  --rp-id <host>                the WebAuthn RP ID the passkeys were registered for (default: credentials.json)
  --require-signatures          fail (unsigned_critical) if a critical operation in range carries no
                                valid passkey signature, directly or through a signed approval
  --json                        print the result as one JSON object
Exit codes: 0 verified, 1 tampering found, 2 usage error or unreadable bundle.`;

function parseArgs(argv) {
  const args = {
    dir: null,
    keysFile: null,
    expectCheckpoints: [],
    witnessKeys: [],
    witnessState: null,
    origin: null,
    rpId: null,
    requireSignatures: false,
    json: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--require-signatures') args.requireSignatures = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--keys') {
      args.keysFile = argv[++i] ?? null;
      if (!args.keysFile) return { error: '--keys needs a file' };
    } else if (a === '--witness-key') {
      const value = argv[++i];
      if (!value) return { error: '--witness-key needs a public key (base64url) or a file' };
      args.witnessKeys.push(value);
    } else if (a === '--origin') {
      const value = argv[++i] ?? '';
      let parsed = null;
      try {
        parsed = new URL(value);
      } catch {
        parsed = null;
      }
      if (!parsed || parsed.origin !== value)
        return { error: '--origin needs an origin such as https://console.example (scheme, host and port only)' };
      args.origin = value;
    } else if (a === '--rp-id') {
      const value = argv[++i] ?? '';
      if (!/^[a-z0-9.-]+$/i.test(value)) return { error: '--rp-id needs a host name such as console.example' };
      args.rpId = value.toLowerCase();
    } else if (a === '--witness-state') {
      args.witnessState = argv[++i] ?? null;
      if (!args.witnessState) return { error: '--witness-state needs a file' };
    } else if (a === '--expect-checkpoint') {
      const digest = argv[++i] ?? '';
      if (!/^[0-9a-fA-F]{64}$/.test(digest))
        return { error: '--expect-checkpoint needs a checkpoint digest: 64 hex digits (the "digest" member of a checkpoint line)' };
      args.expectCheckpoints.push(digest.toLowerCase());
    } else if (a.startsWith('-')) return { error: `unknown option ${JSON.stringify(a)}` };
    else if (args.dir === null) args.dir = a;
    else return { error: `unexpected argument ${JSON.stringify(a)}` };
  }
  if (!args.help && args.dir === null) return { error: 'the bundle directory is missing' };
  return args;
}

/** The CLI: prints the proof or the first problem, returns the exit code. */
export async function main(argv, out = process.stdout, err = process.stderr) {
  const args = parseArgs(argv);
  if (args.error) {
    err.write(`warden-verify: ${args.error}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  let selfHash = null;
  try {
    selfHash = sha256(fs.readFileSync(fileURLToPath(import.meta.url)));
  } catch {
    selfHash = null;
  }
  try {
    const witnessKeys = args.witnessKeys.map(loadWitnessKey);
    const result = await verifyBundle(args.dir, {
      keysFile: args.keysFile,
      expectCheckpoints: args.expectCheckpoints,
      witnessKeys,
      witnessStateFile: args.witnessState,
      origin: args.origin,
      rpId: args.rpId,
      requireSignatures: args.requireSignatures,
    });
    out.write(args.json ? `${JSON.stringify({ ...result, verifierSha256: selfHash })}\n` : `${proofLines(result, selfHash).join('\n')}\n`);
    return 0;
  } catch (error) {
    if (error instanceof BundleProblem) {
      const failure = { ok: false, class: error.class, problem: error.problem, seq: error.seq, detail: error.message };
      const at = error.seq === null ? '' : ` at seq ${error.seq}`;
      out.write(
        args.json
          ? `${JSON.stringify(failure)}\n`
          : `FAILED  ${error.class}${at}: ${error.problem}: ${error.message}\nRESULT  NOT VERIFIED\n`,
      );
      return 1;
    }
    const message =
      error instanceof UnreadableBundle ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    if (args.json) out.write(`${JSON.stringify({ ok: null, error: message })}\n`);
    err.write(`warden-verify: could not verify: ${message}\n`);
    return 2;
  }
}

/** True when this file is the script Node was started with (not imported by a test). */
function isEntryPoint() {
  try {
    return process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2));
