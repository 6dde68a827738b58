#!/usr/bin/env node
/**
 * warden-verify.mjs: the standalone verifier of a Warden audit export bundle
 * (format "warden.bundle.v1", docs/audit-chain-format.md "Export bundle").
 *
 *   node warden-verify.mjs <bundle-dir> [--keys <pinned public-keys.json>]
 *                          [--expect-checkpoint <digest>]... [--json]
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
 * names of the format document).
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
import { fileURLToPath } from 'node:url';

export const BUNDLE_FORMAT = 'warden.bundle.v1';
export const AUDIT_HASH_DOMAIN = 'warden.audit.v1';
export const CHECKPOINT_FORMAT = 'warden.checkpoint.v1';
export const PUBLIC_KEYS_FORMAT = 'warden.public-keys.v1';
export const GENESIS_HASH = '0'.repeat(64);
const FILES = ['events.jsonl', 'checkpoints.jsonl', 'public-keys.json', 'anchor.json'];
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
export async function verifyBundle(dir, { keysFile = null, expectCheckpoints = [] } = {}) {
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
  };
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
  out.push(`RESULT  VERIFIED: seq ${r.range.fromSeq} to ${r.range.toSeq}, ${r.count} events, ${signed}`);
  return out;
}

const USAGE = `usage: node warden-verify.mjs <bundle-dir> [--keys <pinned public-keys.json>] [--expect-checkpoint <digest>]... [--json]

Verifies a Warden audit export bundle offline (warden.bundle.v1).
  --keys <file>                 trust only these public keys (the file you received separately); default: the bundle's own
  --expect-checkpoint <digest>  a checkpoint digest (64 hex) you received separately, e.g. from the external
                                checkpoint log; the bundle must contain it, else truncation (repeatable)
  --json                        print the result as one JSON object
Exit codes: 0 verified, 1 tampering found, 2 usage error or unreadable bundle.`;

function parseArgs(argv) {
  const args = { dir: null, keysFile: null, expectCheckpoints: [], json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--keys') {
      args.keysFile = argv[++i] ?? null;
      if (!args.keysFile) return { error: '--keys needs a file' };
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
    const result = await verifyBundle(args.dir, { keysFile: args.keysFile, expectCheckpoints: args.expectCheckpoints });
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
