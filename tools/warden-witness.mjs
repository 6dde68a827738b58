#!/usr/bin/env node
/**
 * warden-witness.mjs: an auditor-held witness for Warden's signed audit checkpoints
 * (docs/audit-chain-format.md, "Witness cosignatures"; how to run it:
 * docs/auditor-guide.md, "Running a witness").
 *
 *   node warden-witness.mjs keygen --out <dir>
 *   node warden-witness.mjs cosign --key <private.pem> --checkpoint <file or -> [--server-keys <public-keys.json>]
 *   node warden-witness.mjs watch --url <console origin> --key <private.pem> --state <file> [--init]
 *                                 [--once] [--interval <seconds>] [--server-keys <pinned public-keys.json>]
 *
 * One file, plain Node >= 18, no dependencies (only node: built-ins), like
 * warden-verify.mjs, so an auditor can read all of it. The private key is made and
 * kept on the auditor's machine; it is never printed or sent anywhere.
 *
 * A cosignature ("warden.cosignature.v1") is an Ed25519 signature over
 *   utf8("warden.witness.v1") 0x00 utf8(digest) 0x00 utf8(decimal seq) 0x00 utf8(ts)
 * where digest and seq are the checkpoint's and ts is this machine's clock (ISO 8601 UTC, ms).
 *
 * `watch` polls GET <url>/api/audit/checkpoints, checks every new checkpoint (format,
 * digest, signature under the server's pinned public keys, prev link, seq increasing)
 * and that the checkpoint it saw last is still there with the same digest, keeps a
 * state file (last seen seq and digest, every seq it cosigned with its digest, the
 * last seq the server recorded its cosignature of) and posts its cosignature of the
 * newest checkpoint to <url>/api/audit/cosignatures (again at the next poll when the
 * server did not record it). It reports and refuses to cosign on a rollback (the
 * server shows less than it showed before), a fork (another digest for a seq it
 * saw), a broken prev link or a bad signature.
 *
 * The state file is the witness's memory: a missing one would silently start a new
 * witness and hide a rollback, so `watch` refuses to run without it unless --init
 * is given (and refuses --init when it exists). It belongs to one server url and one
 * witness key, and is written to a temp file, flushed to disk, then renamed.
 * The first run against a long log reads pages of 1000 checkpoints; when the server
 * answers 429 it waits for Retry-After (at most 5 minutes, saying so) and goes on.
 *
 * Exit codes: 0 ok, 1 a problem was found (nothing was cosigned), 2 usage error, a
 * file that cannot be read or written, or the server could not be reached.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const COSIGNATURE_FORMAT = 'warden.cosignature.v1';
export const WITNESS_DOMAIN = 'warden.witness.v1';
export const CHECKPOINT_FORMAT = 'warden.checkpoint.v1';
export const PUBLIC_KEYS_FORMAT = 'warden.public-keys.v1';
export const STATE_FORMAT = 'warden.witness-state.v1';
const CHECKPOINTS_FORMAT = 'warden.checkpoints.v1';
const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CHECKPOINT_FIELDS = ['digest', 'format', 'headHash', 'keyId', 'prev', 'seq', 'signature', 'ts'];
/** Checkpoints per page (the most GET /api/audit/checkpoints serves). */
const PAGE = 1000;
/** The longest Retry-After the witness waits for inside one poll, and how many 429s in a row it accepts for one page. */
export const MAX_RETRY_WAIT_MS = 5 * 60_000;
const MAX_RETRIES_PER_PAGE = 5;
/** The wait when a 429 has no usable Retry-After. */
const DEFAULT_RETRY_WAIT_MS = 60_000;

/** Something is wrong with what the server shows: report, exit 1, cosign nothing. */
export class WitnessProblem extends Error {
  constructor(problem, detail, seq = null) {
    super(detail);
    this.problem = problem;
    this.seq = seq;
  }
}

/** Usage error, unreadable file, unreachable server: nothing concluded, exit 2. */
export class WitnessError extends Error {}

/** A refusal that waiting will not fix (wrong, missing or unexpected state file): exit 2, also when watching continuously. */
export class WitnessUsageError extends WitnessError {}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIsoMs = (v) => typeof v === 'string' && ISO_MS.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

// ---------------------------------------------------------------- RFC 8785 (checkpoint digests)

function canonicalString(value) {
  return JSON.stringify(value);
}

/** RFC 8785 canonical JSON of the checkpoint members (strings, integers, null only). */
function canonicalize(value) {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('not a JSON number');
    return String(value);
  }
  if (typeof value === 'string') return canonicalString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${canonicalString(k)}:${canonicalize(value[k])}`)
    .join(',')}}`;
}

/** The digest of a checkpoint: SHA-256 of "warden.checkpoint.v1" 0x00 JCS(the six signed members). */
export function checkpointDigestInput(c) {
  const signed = { format: c.format, seq: c.seq, headHash: c.headHash, ts: c.ts, keyId: c.keyId, prev: c.prev };
  return Buffer.from(`${CHECKPOINT_FORMAT}\u0000${canonicalize(signed)}`, 'utf8');
}

/** The exact bytes a witness signs. */
export function cosignatureMessage(digest, seq, ts) {
  return Buffer.from(`${WITNESS_DOMAIN}\u0000${digest}\u0000${String(seq)}\u0000${ts}`, 'utf8');
}

const keyIdOfRaw = (raw) => sha256(raw).slice(0, 16);
const publicKeyOfRaw = (raw) =>
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });

// ---------------------------------------------------------------- keys

function readPrivateKey(file) {
  let pem;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch {
    throw new WitnessError(`cannot read the witness private key ${file}`);
  }
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new WitnessError(`${file} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new WitnessError(`${file} is not an Ed25519 key`);
  const raw = Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x, 'base64url');
  return { privateKey: key, publicKey: raw.toString('base64url'), keyId: keyIdOfRaw(raw) };
}

/** The server's public keys ("warden.public-keys.v1") from text; throws WitnessError when malformed. */
export function parseServerKeys(text, what) {
  let file;
  try {
    file = JSON.parse(text);
  } catch {
    throw new WitnessError(`${what} is not valid JSON`);
  }
  if (!isObject(file) || file.format !== PUBLIC_KEYS_FORMAT || !Array.isArray(file.keys))
    throw new WitnessError(`${what} is not a "${PUBLIC_KEYS_FORMAT}" file`);
  return file.keys.map((k) => {
    const ok =
      isObject(k) &&
      KEY_ID.test(k.keyId) &&
      typeof k.publicKey === 'string' &&
      BASE64URL.test(k.publicKey) &&
      isIsoMs(k.validFrom) &&
      (k.validUntil === null || isIsoMs(k.validUntil));
    if (!ok) throw new WitnessError(`${what} has a malformed key entry`);
    const raw = Buffer.from(k.publicKey, 'base64url');
    if (raw.length !== 32 || keyIdOfRaw(raw) !== k.keyId) throw new WitnessError(`${what}: key ${k.keyId} does not match its public key`);
    return { ...k, object: publicKeyOfRaw(raw) };
  });
}

function readServerKeys(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new WitnessError(`cannot read the pinned server keys ${file}`);
  }
  return parseServerKeys(text, `the pinned server keys ${file}`);
}

// ---------------------------------------------------------------- checkpoints

/** Checks one published checkpoint on its own: shape, digest, and (given keys) its signature by a key valid at its ts. */
export function checkCheckpoint(c, serverKeys) {
  const wellFormed =
    isObject(c) &&
    Object.keys(c).sort().join(',') === CHECKPOINT_FIELDS.join(',') &&
    c.format === CHECKPOINT_FORMAT &&
    Number.isSafeInteger(c.seq) &&
    c.seq >= 1 &&
    typeof c.headHash === 'string' &&
    HEX64.test(c.headHash) &&
    isIsoMs(c.ts) &&
    typeof c.keyId === 'string' &&
    KEY_ID.test(c.keyId) &&
    (c.prev === null || (typeof c.prev === 'string' && HEX64.test(c.prev))) &&
    typeof c.digest === 'string' &&
    HEX64.test(c.digest) &&
    typeof c.signature === 'string' &&
    BASE64URL.test(c.signature);
  const seq = isObject(c) && Number.isSafeInteger(c.seq) ? c.seq : null;
  if (!wellFormed)
    throw new WitnessProblem(
      'malformed',
      `a checkpoint${seq ? ` (seq ${seq})` : ''} is not a well-formed ${CHECKPOINT_FORMAT} checkpoint`,
      seq,
    );
  const input = checkpointDigestInput(c);
  if (sha256(input) !== c.digest)
    throw new WitnessProblem('digest_mismatch', `checkpoint seq ${c.seq}: its digest does not match its contents`, c.seq);
  if (!serverKeys) return;
  const key = serverKeys.find((k) => k.keyId === c.keyId);
  if (!key)
    throw new WitnessProblem('bad_signature', `checkpoint seq ${c.seq}: its key ${c.keyId} is not among the server keys you trust`, c.seq);
  const t = Date.parse(c.ts);
  if (t < Date.parse(key.validFrom) || (key.validUntil !== null && t >= Date.parse(key.validUntil)))
    throw new WitnessProblem('bad_signature', `checkpoint seq ${c.seq}: key ${c.keyId} was not valid at ${c.ts}`, c.seq);
  let good = false;
  try {
    good = verify(null, input, key.object, Buffer.from(c.signature, 'base64url'));
  } catch {
    good = false;
  }
  if (!good) throw new WitnessProblem('bad_signature', `checkpoint seq ${c.seq}: its signature does not verify with key ${c.keyId}`, c.seq);
}

/** The cosignature of a checkpoint by this witness, at `ts` (default now). */
export function makeCosignature(checkpoint, key, ts = new Date().toISOString()) {
  const signature = sign(null, cosignatureMessage(checkpoint.digest, checkpoint.seq, ts), key.privateKey).toString('base64url');
  return { format: COSIGNATURE_FORMAT, seq: checkpoint.seq, digest: checkpoint.digest, witnessKeyId: key.keyId, ts, signature };
}

/**
 * The consistency check of `watch`: `fetched` are the server's checkpoints from the
 * last one the witness saw (inclusive) onwards, `newest` the server's newest
 * {seq, digest}. Throws WitnessProblem on rollback, fork, broken link or bad signature.
 */
export function checkConsistency(state, fetched, newest, serverKeys) {
  const last = state.last;
  if (last && (newest === null || newest.seq < last.seq)) {
    throw new WitnessProblem(
      'rollback',
      `the server's newest checkpoint is ${newest ? `seq ${newest.seq}` : 'none'}, but this witness already saw seq ${last.seq} (digest ${last.digest}): the log was rolled back or restored from an older copy`,
      last.seq,
    );
  }
  let prev = last ? last.digest : null;
  let prevSeq = last ? last.seq : 0;
  let items = fetched;
  if (last) {
    const first = fetched[0];
    if (!first || first.seq !== last.seq) {
      throw new WitnessProblem(
        'rollback',
        `checkpoint seq ${last.seq}, which this witness saw with digest ${last.digest}, is no longer on the server: the log was rolled back or rewritten`,
        last.seq,
      );
    }
    if (first.digest !== last.digest) {
      throw new WitnessProblem(
        'fork',
        `checkpoint seq ${last.seq} now has digest ${first.digest}, but this witness saw digest ${last.digest}: two different heads for one seq`,
        last.seq,
      );
    }
    items = fetched.slice(1);
  }
  for (const c of items) {
    checkCheckpoint(c, serverKeys);
    const seen = state.cosigned[String(c.seq)];
    if (seen !== undefined && seen !== c.digest)
      throw new WitnessProblem(
        'fork',
        `checkpoint seq ${c.seq} has digest ${c.digest}, but this witness cosigned digest ${seen}: two different heads for one seq`,
        c.seq,
      );
    if (c.seq <= prevSeq)
      throw new WitnessProblem('rollback', `checkpoint seq ${c.seq} does not follow seq ${prevSeq}: the checkpoint seq decreased`, c.seq);
    if (c.prev !== prev)
      throw new WitnessProblem(
        'prev_mismatch',
        `checkpoint seq ${c.seq}: its prev is not the digest of the checkpoint before it (${prev ?? 'null'}): a checkpoint was removed, inserted or replaced`,
        c.seq,
      );
    prev = c.digest;
    prevSeq = c.seq;
  }
  const tip = items.at(-1) ?? (last ? { seq: last.seq, digest: last.digest } : null);
  // Pages are read one after the other, so checkpoints made meanwhile may extend the list past `newest`.
  if (newest && tip && newest.seq === tip.seq && newest.digest !== tip.digest) {
    throw new WitnessProblem(
      'fork',
      `the server says its newest checkpoint seq ${newest.seq} has digest ${newest.digest}, but its list has ${tip.digest}`,
      newest.seq,
    );
  }
  if (newest && tip && newest.seq > tip.seq) {
    throw new WitnessProblem(
      'rollback',
      `the server says its newest checkpoint is seq ${newest.seq}, but its list ends at seq ${tip.seq}`,
      tip.seq,
    );
  }
  return items;
}

// ---------------------------------------------------------------- state

export function emptyState(url, keyId) {
  return { format: STATE_FORMAT, url, witnessKeyId: keyId, last: null, cosigned: {}, postedSeq: null, updatedAt: null };
}

/**
 * The state in `file`. Without the file, a new state only with `init` (a deleted state
 * file must not silently start a new witness: that would hide a rollback); with it,
 * `init` is refused. The file must belong to this server `url` and witness key.
 */
export function readState(file, url, keyId, { init = false } = {}) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') {
      if (init) return emptyState(url, keyId);
      throw new WitnessUsageError(
        `there is no state file ${file}: to start a new witness for ${url}, run watch once with --init; if this witness ran before, its state file was moved or deleted (restore it: without it a rollback of what it saw goes unnoticed)`,
      );
    }
    throw new WitnessError(`cannot read the state file ${file}`);
  }
  if (init)
    throw new WitnessUsageError(`the state file ${file} exists: --init starts a new witness only without one; run watch without --init`);
  let s;
  try {
    s = JSON.parse(text);
  } catch {
    throw new WitnessError(`the state file ${file} is not valid JSON`);
  }
  if (
    !isObject(s) ||
    s.format !== STATE_FORMAT ||
    typeof s.url !== 'string' ||
    !isObject(s.cosigned) ||
    !(s.last === null || (isObject(s.last) && Number.isSafeInteger(s.last.seq) && HEX64.test(s.last.digest)))
  )
    throw new WitnessUsageError(`${file} is not a "${STATE_FORMAT}" state file`);
  if (s.url !== url) throw new WitnessUsageError(`this state file belongs to ${s.url}; use another --state file for ${url}`);
  if (s.witnessKeyId !== keyId)
    throw new WitnessUsageError(`the state file ${file} belongs to witness key ${s.witnessKeyId}, not ${keyId}`);
  return s;
}

/** Writes the state to a temp file, flushes it to disk, renames it over `file` and flushes the directory. */
function writeState(file, state) {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeFileSync(fd, `${JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more to do
    }
    throw new WitnessError(`cannot write the state file ${file}`);
  }
  // The rename itself survives a crash once the directory is flushed (not possible on every platform).
  try {
    const dir = fs.openSync(path.dirname(path.resolve(file)), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  } catch {
    // best effort
  }
}

// ---------------------------------------------------------------- HTTP

async function fetchJson(url, init = {}) {
  let res;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000), redirect: 'error' });
  } catch (error) {
    throw new WitnessError(`cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, body, text, retryAfter: res.headers.get('retry-after') };
}

/** How long a 429's Retry-After (seconds or an HTTP date) asks to wait, in ms; null when absent or unreadable. */
export function retryAfterMs(value, nowMs = Date.now()) {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * Every checkpoint with seq > after, following pages; and the server's newest. A page
 * the server refuses with 429 (its per-address limit, e.g. on a first run against a
 * long log) is asked for again after Retry-After, so the pages read so far are kept;
 * a wait over MAX_RETRY_WAIT_MS, or more than MAX_RETRIES_PER_PAGE refusals of one
 * page, ends the poll (exit 2, nothing concluded).
 */
async function fetchCheckpoints(origin, after, { note = () => {}, sleepFor = sleep } = {}) {
  const all = [];
  let newest = null;
  let cursor = after;
  for (let page = 0, refused = 0; page < 100_000;) {
    const res = await fetchJson(`${origin}/api/audit/checkpoints?after=${cursor}&limit=${PAGE}`);
    if (res.status === 429) {
      refused += 1;
      const asked = retryAfterMs(res.retryAfter);
      const wait = asked ?? DEFAULT_RETRY_WAIT_MS;
      if (refused > MAX_RETRIES_PER_PAGE || wait > MAX_RETRY_WAIT_MS)
        throw new WitnessError(
          `the checkpoint endpoint keeps answering 429 (too many requests${asked === null ? '' : `, retry after ${Math.ceil(asked / 1000)} s`}) after ${all.length} checkpoint(s) read; try again later`,
        );
      note(
        `WAIT    the checkpoint endpoint answered 429 (too many requests) after ${all.length} checkpoint(s) read; waiting ${Math.ceil(wait / 1000)} s${asked === null ? ' (no Retry-After)' : ' as its Retry-After asks'}, then reading on after seq ${cursor}`,
      );
      await sleepFor(wait);
      continue;
    }
    refused = 0;
    if (res.status !== 200 || !isObject(res.body) || res.body.format !== CHECKPOINTS_FORMAT || !Array.isArray(res.body.checkpoints))
      throw new WitnessError(`the checkpoint endpoint answered ${res.status} without a "${CHECKPOINTS_FORMAT}" list`);
    const n = res.body.newest;
    if (!(n === null || (isObject(n) && Number.isSafeInteger(n.seq) && typeof n.digest === 'string' && HEX64.test(n.digest))))
      throw new WitnessError('the checkpoint endpoint answered without a valid "newest"');
    if (page === 0) newest = n;
    all.push(...res.body.checkpoints);
    if (res.body.checkpoints.length === 0 || res.body.more !== true) break;
    const next = res.body.checkpoints.at(-1).seq;
    if (!Number.isSafeInteger(next) || next <= cursor)
      throw new WitnessProblem('rollback', 'the checkpoint list did not advance between pages', cursor);
    cursor = next;
    page += 1;
  }
  return { checkpoints: all, newest };
}

/**
 * One poll: check, cosign the newest, post it. Returns a list of lines to print;
 * `note` prints a line at once (a wait for the server's rate limit). `init`: the
 * state file must not exist yet (a new witness).
 */
export async function watchOnce({ origin, key, stateFile, serverKeysFile, init = false, note, sleepFor }) {
  const out = [];
  const state = readState(stateFile, origin, key.keyId, { init });
  let serverKeys;
  if (serverKeysFile) serverKeys = readServerKeys(serverKeysFile);
  else {
    const res = await fetchJson(`${origin}/api/audit/public-keys`);
    if (res.status !== 200) throw new WitnessError(`the public-keys endpoint answered ${res.status}`);
    serverKeys = parseServerKeys(res.text, `${origin}/api/audit/public-keys`);
    out.push('NOTE    server keys fetched from the server itself, not pinned: pass --server-keys <file you received separately>');
  }
  const after = state.last ? state.last.seq - 1 : 0;
  const { checkpoints, newest } = await fetchCheckpoints(origin, after, { note, sleepFor });
  const fresh = checkConsistency(state, checkpoints, newest, serverKeys);
  if (state.last) out.push(`OK      checkpoint seq ${state.last.seq} is still there with the digest this witness saw`);
  if (fresh.length > 0) out.push(`OK      ${fresh.length} new checkpoint(s) verified, chained, through seq ${fresh.at(-1).seq}`);
  const target = fresh.at(-1) ?? null;
  if (target) {
    state.last = { seq: target.seq, digest: target.digest };
    state.cosigned[String(target.seq)] = target.digest;
    writeState(stateFile, state); // what this witness vouched for is kept before it is sent
    out.push(await postCosignature(origin, key, target, state, stateFile));
  } else if (state.last && state.postedSeq !== state.last.seq) {
    // The cosignature of the checkpoint seen last did not reach the server (unreachable, refused, key not yet
    // registered): the checkpoint is still there with the same digest (checked above), so send it again.
    out.push(`OK      no new checkpoint since seq ${state.last.seq}; its cosignature was not recorded yet: sending it again`);
    out.push(await postCosignature(origin, key, state.last, state, stateFile));
  } else {
    if (!state.last) out.push('OK      the server has no checkpoint yet; nothing to cosign');
    else out.push(`OK      no new checkpoint since seq ${state.last.seq}`);
    writeState(stateFile, state);
  }
  return out;
}

/** Posts this witness's cosignature of `checkpoint`; on success records in the state that the server has it. */
async function postCosignature(origin, key, checkpoint, state, stateFile) {
  const cosignature = makeCosignature(checkpoint, key);
  const posted = await fetchJson(`${origin}/api/audit/cosignatures`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(cosignature),
  });
  const message = isObject(posted.body) && typeof posted.body.message === 'string' ? posted.body.message : posted.text.slice(0, 300);
  if (posted.status === 200 || posted.status === 201) {
    state.postedSeq = checkpoint.seq;
    writeState(stateFile, state);
    return `COSIGNED checkpoint seq ${checkpoint.seq}, digest ${checkpoint.digest}: ${message}`;
  }
  if (posted.status === 409)
    throw new WitnessProblem('fork', `the server refused the cosignature of seq ${checkpoint.seq}: ${message}`, checkpoint.seq);
  throw new WitnessError(`the server refused the cosignature of seq ${checkpoint.seq} (${posted.status}): ${message}`);
}

// ---------------------------------------------------------------- commands

function keygen(outDir) {
  try {
    fs.mkdirSync(outDir, { recursive: true, mode: 0o700 });
  } catch {
    throw new WitnessError(`cannot create ${outDir}`);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  const keyId = keyIdOfRaw(raw);
  const privateFile = path.join(outDir, 'witness-key.pem');
  const publicFile = path.join(outDir, 'witness-key.pub');
  try {
    fs.writeFileSync(privateFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (error.code === 'EEXIST') throw new WitnessError(`${privateFile} exists; a witness key is never overwritten`);
    throw new WitnessError(`cannot write ${privateFile}`);
  }
  fs.chmodSync(privateFile, 0o600);
  fs.writeFileSync(publicFile, `${raw.toString('base64url')}\n`, { mode: 0o644 });
  return { keyId, publicKey: raw.toString('base64url'), privateFile, publicFile };
}

function readCheckpointInput(source) {
  let text;
  try {
    text = source === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(source, 'utf8');
  } catch {
    throw new WitnessError(`cannot read the checkpoint ${source}`);
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WitnessError('the checkpoint is not valid JSON (give one checkpoint object, as the server publishes it)');
  }
  return value;
}

const USAGE = `usage:
  node warden-witness.mjs keygen --out <dir>
  node warden-witness.mjs cosign --key <private.pem> --checkpoint <file or -> [--server-keys <public-keys.json>]
  node warden-witness.mjs watch --url <console origin> --key <private.pem> --state <file> [--init]
                                [--once] [--interval <seconds, default 300>] [--server-keys <pinned public-keys.json>]

keygen  makes an Ed25519 witness key: <dir>/witness-key.pem (0600, never printed) and
        <dir>/witness-key.pub; prints the public key and key id to register in the console.
cosign  checks one checkpoint (JSON as the server publishes it) and prints its cosignature
        (warden.cosignature.v1) to paste into the console's Integrity page.
watch   polls the console's checkpoints, checks they extend what this witness saw before,
        and posts a cosignature of the newest; refuses on rollback, fork, broken link or bad signature.
        The state file (--state) is what this witness saw, for one --url: keep it. The first run
        creates it and needs --init; without the file and without --init, watch refuses (a lost
        state file would hide a rollback), and --init refuses when the file exists.
        A server that answers 429 is waited for (its Retry-After, at most 5 minutes).
Exit codes: 0 ok, 1 problem found (nothing cosigned), 2 usage error, unreadable file or unreachable server.`;

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const args = {
    command,
    out: null,
    key: null,
    checkpoint: null,
    url: null,
    state: null,
    serverKeys: null,
    once: false,
    init: false,
    interval: 300,
  };
  const valued = {
    '--out': 'out',
    '--key': 'key',
    '--checkpoint': 'checkpoint',
    '--url': 'url',
    '--state': 'state',
    '--server-keys': 'serverKeys',
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a in valued) {
      const v = rest[++i];
      if (v === undefined) return { error: `${a} needs a value` };
      args[valued[a]] = v;
    } else if (a === '--once') args.once = true;
    else if (a === '--init') args.init = true;
    else if (a === '--interval') {
      const v = Number(rest[++i]);
      if (!Number.isFinite(v) || v < 5) return { error: '--interval needs a number of seconds (5 or more)' };
      args.interval = v;
    } else return { error: `unknown option ${JSON.stringify(a)}` };
  }
  if (command === 'keygen' && !args.out) return { error: 'keygen needs --out <dir>' };
  if (command === 'cosign' && (!args.key || !args.checkpoint)) return { error: 'cosign needs --key and --checkpoint' };
  if (args.init && command !== 'watch') return { error: '--init is an option of watch' };
  if (command === 'watch') {
    if (!args.url || !args.key || !args.state) return { error: 'watch needs --url, --key and --state' };
    try {
      const u = new URL(args.url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') return { error: '--url must be http(s)' };
      args.url = u.origin;
    } catch {
      return { error: '--url is not a URL' };
    }
  }
  if (!['keygen', 'cosign', 'watch', '--help', '-h', 'help'].includes(command ?? ''))
    return { error: 'give a command: keygen, cosign or watch' };
  return args;
}

/** The CLI; returns the exit code. */
export async function main(argv, out = process.stdout, err = process.stderr) {
  const args = parseArgs(argv);
  if (args.error) {
    err.write(`warden-witness: ${args.error}\n${USAGE}\n`);
    return 2;
  }
  if (['--help', '-h', 'help'].includes(args.command)) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (args.command === 'keygen') {
      const k = keygen(args.out);
      out.write(
        `witness key id: ${k.keyId}\npublic key:     ${k.publicKey}\nprivate key:    ${k.privateFile} (mode 0600; keep it on this machine, never send it)\npublic key file: ${k.publicFile}\nRegister the public key on the console's Integrity page (Witnesses).\n`,
      );
      return 0;
    }
    if (args.command === 'cosign') {
      const key = readPrivateKey(args.key);
      const checkpoint = readCheckpointInput(args.checkpoint);
      checkCheckpoint(checkpoint, args.serverKeys ? readServerKeys(args.serverKeys) : null);
      const cosignature = makeCosignature(checkpoint, key);
      out.write(`${JSON.stringify(cosignature)}\n`);
      if (!args.serverKeys)
        err.write('warden-witness: note: the checkpoint signature was not checked (pass --server-keys <pinned public-keys.json>)\n');
      return 0;
    }
    const key = readPrivateKey(args.key);
    const note = (line) => out.write(`${new Date().toISOString()} ${line}\n`);
    // --init allows a missing state file until the first poll has written one; after that the file must stay.
    let init = args.init;
    for (;;) {
      try {
        const lines = await watchOnce({ origin: args.url, key, stateFile: args.state, serverKeysFile: args.serverKeys, init, note });
        out.write(`${lines.map((l) => `${new Date().toISOString()} ${l}`).join('\n')}\n`);
      } catch (error) {
        // Running on: an unreachable server is retried at the next interval; a problem or a wrong state file stops the witness.
        if (args.once || !(error instanceof WitnessError) || error instanceof WitnessUsageError) throw error;
        err.write(`${new Date().toISOString()} warden-witness: ${error.message} (retrying in ${args.interval} s)\n`);
      } finally {
        if (init && fs.existsSync(args.state)) init = false;
      }
      if (args.once) return 0;
      await sleep(args.interval * 1000);
    }
  } catch (error) {
    if (error instanceof WitnessProblem) {
      out.write(
        `PROBLEM ${error.problem}${error.seq === null ? '' : ` at seq ${error.seq}`}: ${error.message}\nNOT COSIGNED: report this to the people responsible for the audit trail\n`,
      );
      return 1;
    }
    const message =
      error instanceof WitnessError ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    err.write(`warden-witness: ${message}\n`);
    return 2;
  }
}

function isEntryPoint() {
  try {
    return process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2));
