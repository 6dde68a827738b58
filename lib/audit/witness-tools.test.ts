import { execFile, spawn } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { canonicalize } from './canonical-json';
import { CHECKPOINT_FORMAT, checkpointDigestInput, keyIdOf, rawPublicKey } from './checkpoint-format';
import { canonicalAuditEvent, computeEventHash, GENESIS_HASH, type AuditEventFields } from './hash';
import { COSIGNATURE_FORMAT, cosignatureMessage, verifyCosignature, witnessKeyIdOf, type Cosignature } from './witness-format';

/**
 * The witness tool (tools/warden-witness.mjs) and the verifier's witness checks
 * (tools/warden-verify.mjs --witness-key / --witness-state), run with plain node on
 * temp directories as an auditor runs them. Bundles are built here by hand (the
 * same bytes lib/audit/export.ts writes); the integration test audit-witness.int
 * covers real exports.
 */
const root = path.resolve(import.meta.dirname, '../..');
const WITNESS = path.join(root, 'tools/warden-witness.mjs');
const VERIFY = path.join(root, 'tools/warden-verify.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-witness-unit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function node(file: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [file, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}
interface WitnessApi {
  watchOnce(opts: {
    origin: string;
    key: { privateKey: KeyObject; publicKey: string; keyId: string };
    stateFile: string;
    serverKeysFile?: string;
    init?: boolean;
  }): Promise<string[]>;
  retryAfterMs(value: string | null, nowMs?: number): number | null;
}
const witnessTool = (await import(pathToFileURL(WITNESS).href)) as WitnessApi;
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
let dirs = 0;
const newDir = (label: string) => {
  const dir = path.join(tmp, `${label}-${++dirs}`);
  fs.mkdirSync(dir);
  return dir;
};

// ------------------------------------------------------------ a server signing key and a trail

const server = generateKeyPairSync('ed25519');
const serverKeyId = keyIdOf(server.publicKey);
const publicKeysFile = {
  format: 'warden.public-keys.v1',
  keys: [
    {
      keyId: serverKeyId,
      publicKey: rawPublicKey(server.publicKey).toString('base64url'),
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: null,
    },
  ],
};

interface StoredCp {
  format: string;
  seq: number;
  headHash: string;
  ts: string;
  keyId: string;
  prev: string | null;
  digest: string;
  signature: string;
}

function signCp(seq: number, headHash: string, prev: string | null, ts: string, key: KeyObject = server.privateKey): StoredCp {
  const c = { format: CHECKPOINT_FORMAT, seq, headHash, ts, keyId: keyIdOf(key), prev };
  const input = checkpointDigestInput(c as Parameters<typeof checkpointDigestInput>[0]);
  return { ...c, digest: sha256(input), signature: sign(null, input, key).toString('base64url') };
}

function event(seq: number): AuditEventFields {
  return {
    seq,
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    ts: new Date(Date.UTC(2026, 10, 1, 0, 0, seq)),
    actorId: null,
    actorRole: null,
    actorSessionId: null,
    ip: null,
    userAgent: null,
    correlationId: `c-${seq}`,
    operation: 'system.seed',
    targetType: null,
    targetId: null,
    outcome: 'success',
    reasonCode: null,
    reason: null,
    details: '{}',
    policyVersion: 'test',
    decision: null,
  } as unknown as AuditEventFields;
}

/** A trail of `n` events (lines of events.jsonl and the hash of each) and checkpoints at `at`. */
function trail(n: number, at: number[]) {
  const lines: string[] = [];
  const hashes: string[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = event(seq);
    const hash = computeEventHash(prev, e);
    lines.push(canonicalize({ ...canonicalAuditEvent(e), prevHash: prev, hash } as never));
    hashes.push(hash);
    prev = hash;
  }
  const checkpoints: StoredCp[] = [];
  for (const [i, seq] of at.entries()) {
    checkpoints.push(
      signCp(seq, hashes[seq - 1]!, checkpoints.at(-1)?.digest ?? null, new Date(Date.UTC(2026, 10, 2, 0, i)).toISOString()),
    );
  }
  return { lines, checkpoints };
}

/** Writes a warden.bundle.v1 directory (with the witness files) and its manifest, as lib/audit/export.ts does. */
function writeBundle(
  dir: string,
  t: { lines: string[]; checkpoints: StoredCp[] },
  cosignatures: Cosignature[],
  opts: { checkpointLines?: string[]; witnessFiles?: boolean } = {},
) {
  const files: Record<string, string> = {
    'events.jsonl': t.lines.map((l) => `${l}\n`).join(''),
    'checkpoints.jsonl': (opts.checkpointLines ?? t.checkpoints.map((c) => canonicalize(c as never))).map((l) => `${l}\n`).join(''),
    'public-keys.json': `${JSON.stringify(publicKeysFile, null, 2)}\n`,
    'anchor.json': 'null\n',
  };
  if (opts.witnessFiles !== false) {
    files['witness-keys.json'] = `${JSON.stringify({ format: 'warden.witness-keys.v1', keys: [] })}\n`;
    files['cosignatures.jsonl'] = cosignatures.map((c) => `${canonicalize(c as never)}\n`).join('');
  }
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const manifest = {
    format: 'warden.bundle.v1',
    range: { fromSeq: 1, toSeq: t.lines.length },
    counts: {
      events: t.lines.length,
      checkpoints: (opts.checkpointLines ?? t.checkpoints).length,
      ...(opts.witnessFiles !== false ? { cosignatures: cosignatures.length } : {}),
    },
    files: Object.fromEntries(
      Object.entries(files).map(([name, text]) => [name, { sha256: sha256(text), bytes: Buffer.byteLength(text) }]),
    ),
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

// ------------------------------------------------------------ witness keys

async function keygen(label: string) {
  const dir = path.join(newDir(label), 'keys');
  const run = await node(WITNESS, ['keygen', '--out', dir]);
  expect(run.code, run.stderr).toBe(0);
  const pem = path.join(dir, 'witness-key.pem');
  const publicKey = fs.readFileSync(path.join(dir, 'witness-key.pub'), 'utf8').trim();
  return { dir, pem, pub: path.join(dir, 'witness-key.pub'), publicKey, keyId: witnessKeyIdOf(Buffer.from(publicKey, 'base64url')), run };
}
type Witness = Awaited<ReturnType<typeof keygen>>;

function cosignWith(w: Witness, c: { seq: number; digest: string }, ts = '2026-11-03T00:00:00.000Z'): Cosignature {
  const key = createPrivateKey(fs.readFileSync(w.pem, 'utf8'));
  return {
    format: COSIGNATURE_FORMAT,
    seq: c.seq,
    digest: c.digest,
    witnessKeyId: w.keyId,
    ts,
    signature: sign(null, cosignatureMessage({ digest: c.digest, seq: c.seq, ts }), key).toString('base64url'),
  };
}

describe('warden-witness.mjs keygen and cosign', () => {
  let w: Witness;
  beforeAll(async () => {
    w = await keygen('keygen');
  });

  it('writes the private key 0600 and never prints it; prints the public key and its id', async () => {
    expect(fs.statSync(w.pem).mode & 0o777).toBe(0o600);
    const pem = fs.readFileSync(w.pem, 'utf8');
    expect(pem).toContain('BEGIN PRIVATE KEY');
    expect(w.run.stdout).not.toContain('PRIVATE KEY');
    expect(w.run.stdout).not.toContain(pem.split('\n')[1]!);
    expect(w.run.stdout).toContain(`witness key id: ${w.keyId}`);
    expect(w.run.stdout).toContain(`public key:     ${w.publicKey}`);
    expect(Buffer.from(w.publicKey, 'base64url')).toHaveLength(32);
    // Same convention as checkpoint keys: first 16 hex of SHA-256 of the raw key.
    expect(w.keyId).toBe(keyIdOf(createPrivateKey(pem)));
    const again = await node(WITNESS, ['keygen', '--out', w.dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('never overwritten');
  });

  it('cosigns a published checkpoint: the signature verifies over the documented bytes', async () => {
    const t = trail(3, [3]);
    const file = path.join(w.dir, 'checkpoint.json');
    fs.writeFileSync(file, JSON.stringify(t.checkpoints[0]));
    const keysFile = path.join(w.dir, 'server-keys.json');
    fs.writeFileSync(keysFile, JSON.stringify(publicKeysFile));
    const run = await node(WITNESS, ['cosign', '--key', w.pem, '--checkpoint', file, '--server-keys', keysFile]);
    expect(run.code, run.stderr).toBe(0);
    const c = JSON.parse(run.stdout) as Cosignature;
    expect(c).toMatchObject({ format: COSIGNATURE_FORMAT, seq: 3, digest: t.checkpoints[0]!.digest, witnessKeyId: w.keyId });
    expect(verifyCosignature(c, w.publicKey)).toBe(true);
    expect(verifyCosignature({ ...c, seq: 4 }, w.publicKey)).toBe(false);
    // From stdin too.
    const piped = await node(WITNESS, ['cosign', '--key', w.pem, '--checkpoint', '-'], JSON.stringify(t.checkpoints[0]));
    expect(piped.code).toBe(0);
    expect(verifyCosignature(JSON.parse(piped.stdout) as Cosignature, w.publicKey)).toBe(true);
  });

  it('refuses to cosign a checkpoint whose digest or signature does not hold (exit 1)', async () => {
    const t = trail(3, [3]);
    const file = path.join(w.dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ ...t.checkpoints[0], headHash: 'f'.repeat(64) }));
    const run = await node(WITNESS, ['cosign', '--key', w.pem, '--checkpoint', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('PROBLEM digest_mismatch');
    const keysFile = path.join(w.dir, 'server-keys.json');
    fs.writeFileSync(keysFile, JSON.stringify(publicKeysFile));
    const other = generateKeyPairSync('ed25519').privateKey;
    const forged = { ...signCp(3, t.checkpoints[0]!.headHash, null, t.checkpoints[0]!.ts, other), keyId: serverKeyId };
    forged.digest = sha256(checkpointDigestInput(forged as never));
    fs.writeFileSync(file, JSON.stringify(forged));
    const bad = await node(WITNESS, ['cosign', '--key', w.pem, '--checkpoint', file, '--server-keys', keysFile]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('PROBLEM bad_signature');
  });

  it('signs the documented message (golden vector, RFC 8032 TEST 1 key)', () => {
    const key = createPrivateKey({
      key: Buffer.concat([
        Buffer.from('302e020100300506032b657004220420', 'hex'),
        Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
      ]),
      format: 'der',
      type: 'pkcs8',
    });
    const message = cosignatureMessage({
      digest: 'e2f66c70abf70dc2aa80c7bdf9b711052c8a64504c90d1dae3695e8bb29e771a',
      seq: 5000,
      ts: '2026-11-28T00:00:00.000Z',
    });
    expect(message.toString('utf8')).toBe(
      'warden.witness.v1\u0000e2f66c70abf70dc2aa80c7bdf9b711052c8a64504c90d1dae3695e8bb29e771a\u00005000\u00002026-11-28T00:00:00.000Z',
    );
    expect(keyIdOf(key)).toBe('21fe31dfa154a261');
    expect(sign(null, message, key).toString('base64url')).toBe(GOLDEN_SIGNATURE);
  });
});

/** Ed25519 is deterministic: the signature of the golden message under the RFC 8032 TEST 1 key, also computed with `openssl pkeyutl -sign -rawin` (docs/audit-chain-format.md). */
const GOLDEN_SIGNATURE = 'fOBUdbkY7iNUidRWcSsMKkSe5jYRBIDHiEL7OOsBwK7qu32a_sHnXi858XiX-ciyXtTDod9wJtkAEI1cICGzCw';

describe('warden-verify.mjs with --witness-key', () => {
  let w: Witness;
  let other: Witness;
  const t = trail(6, [2, 4, 6]);
  beforeAll(async () => {
    w = await keygen('verify');
    other = await keygen('verify-other');
  });

  it('reports which checkpoints carry a valid cosignature, and the newest witnessed', async () => {
    const dir = writeBundle(newDir('good'), t, [
      cosignWith(w, t.checkpoints[0]!),
      cosignWith(w, t.checkpoints[1]!),
      cosignWith(other, t.checkpoints[2]!),
    ]);
    const run = await node(VERIFY, [dir, '--witness-key', w.publicKey]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`PROVEN  2 of 3 checkpoints carry a valid cosignature by witness ${w.keyId}`);
    expect(run.stdout).toContain(`PROVEN  witnessed by ${w.keyId}: seq 2, 4`);
    expect(run.stdout).toContain(`PROVEN  newest witnessed checkpoint: seq 4, digest ${t.checkpoints[1]!.digest}`);
    expect(run.stdout).toContain('NOTE    1 cosignatures by other witness keys were not checked');
    expect(run.stdout).toContain('RESULT  VERIFIED: seq 1 to 6, 6 events, signed through seq 6, witnessed through seq 4');
    // The key as the file keygen wrote; JSON output.
    const json = await node(VERIFY, [dir, '--json', '--witness-key', w.pub, '--witness-key', other.pub]);
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout) as {
      witness: { witnessedSeqs: number[]; newestWitnessed: { seq: number }; byWitness: { keyId: string; count: number }[] };
    };
    expect(r.witness.witnessedSeqs).toEqual([2, 4, 6]);
    expect(r.witness.newestWitnessed.seq).toBe(6);
    expect(r.witness.byWitness.map((b) => [b.keyId, b.count])).toEqual([
      [w.keyId, 2],
      [other.keyId, 1],
    ]);
  });

  it('without --witness-key, says the cosignatures were not checked; an old bundle without witness files still verifies', async () => {
    const dir = writeBundle(newDir('nokey'), t, [cosignWith(w, t.checkpoints[0]!)]);
    const run = await node(VERIFY, [dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('NOTE    the bundle holds 1 witness cosignatures; pass --witness-key');
    const old = writeBundle(newDir('old'), t, [], { witnessFiles: false });
    const oldRun = await node(VERIFY, [old, '--witness-key', w.publicKey]);
    expect(oldRun.code, oldRun.stdout).toBe(0);
    expect(oldRun.stdout).toContain('NOTE    this bundle has no cosignatures.jsonl');
    expect(oldRun.stdout).toContain(`PROVEN  0 of 3 checkpoints carry a valid cosignature by witness ${w.keyId}`);
  });

  it('a forged cosignature fails: a flipped signature byte, or another key’s signature under this key id (exit 1, forged_cosignature)', async () => {
    const good = cosignWith(w, t.checkpoints[1]!);
    const sig = Buffer.from(good.signature, 'base64url');
    sig[10] = sig[10]! ^ 0x01;
    const flipped = { ...good, signature: sig.toString('base64url') };
    const dir = writeBundle(newDir('flip'), t, [flipped]);
    const run = await node(VERIFY, [dir, '--witness-key', w.publicKey]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAILED  forged_cosignature at seq 4: bad_cosignature');
    const byOther = { ...cosignWith(other, t.checkpoints[1]!), witnessKeyId: w.keyId };
    const dir2 = writeBundle(newDir('other'), t, [byOther]);
    const run2 = await node(VERIFY, [dir2, '--witness-key', w.publicKey, '--json']);
    expect(run2.code).toBe(1);
    expect(JSON.parse(run2.stdout)).toMatchObject({ ok: false, class: 'forged_cosignature', problem: 'bad_cosignature', seq: 4 });
  });

  it('a fork: the witness validly cosigned another digest for a seq of the bundle (exit 1, fork)', async () => {
    const otherHead = signCp(4, 'e'.repeat(64), t.checkpoints[0]!.digest, t.checkpoints[1]!.ts);
    const dir = writeBundle(newDir('fork'), t, [cosignWith(w, otherHead)]);
    const run = await node(VERIFY, [dir, '--witness-key', w.publicKey, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, class: 'fork', problem: 'cosignature_fork', seq: 4 });
    // A cosigned seq the bundle's chain does not have at all (inside its range) is another history too.
    const ghost = cosignWith(w, { seq: 3, digest: 'a'.repeat(64) });
    const run2 = await node(VERIFY, [writeBundle(newDir('ghost'), t, [ghost]), '--witness-key', w.publicKey, '--json']);
    expect(run2.code).toBe(1);
    expect(JSON.parse(run2.stdout)).toMatchObject({ class: 'fork', problem: 'cosignature_fork', seq: 3 });
  });

  it('a fork beyond the bundle’s newest checkpoint: two trusted cosignatures, or a cosignature and the witness state, name different digests for one seq', async () => {
    const ahead = (digest: string) => cosignWith(w, { seq: 10, digest });
    const byOther = cosignWith(other, { seq: 10, digest: 'e'.repeat(64) });
    // One cosigned head beyond the bundle: reported, not failed (the bundle may simply be older).
    const single = await node(VERIFY, [writeBundle(newDir('ahead-one'), t, [ahead('d'.repeat(64))]), '--witness-key', w.publicKey]);
    expect(single.code, single.stdout).toBe(0);
    const dir = writeBundle(newDir('ahead-fork'), t, [ahead('d'.repeat(64)), byOther]);
    const run = await node(VERIFY, [dir, '--witness-key', w.publicKey, '--witness-key', other.publicKey, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, class: 'fork', problem: 'cosignature_fork', seq: 10 });
    // The same two heads as the witness's own state against a cosignature.
    const file = path.join(newDir('ahead-state'), 'state.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        format: 'warden.witness-state.v1',
        url: 'http://x',
        witnessKeyId: w.keyId,
        last: { seq: 10, digest: 'f'.repeat(64) },
        cosigned: { '10': 'f'.repeat(64) },
        updatedAt: null,
      }),
    );
    const withState = await node(VERIFY, [
      writeBundle(newDir('ahead-state-bundle'), t, [ahead('d'.repeat(64))]),
      '--witness-key',
      w.publicKey,
      '--witness-state',
      file,
      '--json',
    ]);
    expect(withState.code).toBe(1);
    expect(JSON.parse(withState.stdout)).toMatchObject({ ok: false, class: 'fork', problem: 'witness_state_fork', seq: 10 });
  });

  it('a fork: two validly signed checkpoint lines for one seq (exit 1, fork)', async () => {
    const lines = t.checkpoints.map((c) => canonicalize(c as never));
    const twin = signCp(4, 'e'.repeat(64), t.checkpoints[0]!.digest, t.checkpoints[1]!.ts);
    const forked = [lines[0]!, lines[1]!, canonicalize(twin as never), lines[2]!];
    const run = await node(VERIFY, [writeBundle(newDir('twin'), t, [], { checkpointLines: forked }), '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, class: 'fork', problem: 'checkpoint_fork', seq: 4 });
  });

  it('--witness-state: a digest the witness saw that differs is a fork; a witness ahead of the bundle is reported, not failed', async () => {
    const dir = writeBundle(newDir('state'), t, [cosignWith(w, t.checkpoints[1]!)]);
    const state = (cosigned: Record<string, string>, last: { seq: number; digest: string }) => {
      const file = path.join(newDir('state-file'), 'state.json');
      fs.writeFileSync(
        file,
        JSON.stringify({ format: 'warden.witness-state.v1', url: 'http://x', witnessKeyId: w.keyId, last, cosigned, updatedAt: null }),
      );
      return file;
    };
    const same = state({ '2': t.checkpoints[0]!.digest, '4': t.checkpoints[1]!.digest }, { seq: 4, digest: t.checkpoints[1]!.digest });
    const ok = await node(VERIFY, [dir, '--witness-key', w.publicKey, '--witness-state', same]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('2 of the 2 checkpoints the witness saw are in this bundle with the same digest; none differs');

    const differs = state({ '4': 'b'.repeat(64) }, { seq: 4, digest: 'b'.repeat(64) });
    const bad = await node(VERIFY, [dir, '--witness-state', differs, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ class: 'fork', problem: 'witness_state_fork', seq: 4 });

    const ahead = state({ '4': t.checkpoints[1]!.digest, '9': 'c'.repeat(64) }, { seq: 9, digest: 'c'.repeat(64) });
    const older = await node(VERIFY, [dir, '--witness-state', ahead]);
    expect(older.code, older.stdout).toBe(0);
    expect(older.stdout).toContain(
      `NOTE    the witness saw checkpoints up to seq 9, beyond this bundle's newest checkpoint: the bundle is older than what the witness saw, or was cut; to require it, pass --expect-checkpoint ${'c'.repeat(64)}`,
    );
  });

  it('a witness key that is not a key, or an unreadable state file, concludes nothing (exit 2)', async () => {
    const dir = writeBundle(newDir('usage'), t, []);
    expect((await node(VERIFY, [dir, '--witness-key', 'not-a-key'])).code).toBe(2);
    expect((await node(VERIFY, [dir, '--witness-state', path.join(tmp, 'missing.json')])).code).toBe(2);
  });
});

// ------------------------------------------------------------ watch against a tiny checkpoint server

interface FakeServer {
  url: string;
  checkpoints: StoredCp[];
  posted: Cosignature[];
  /** The status POST /api/audit/cosignatures answers (201 by default); a cosignature is recorded only with 201. */
  postStatus: number;
  /** Every GET /api/audit/checkpoints query (after, limit) and what it answered. */
  listed: { after: number; limit: number; status: number }[];
  /** GET /api/audit/checkpoints answers 429 with this Retry-After to the requests whose index (from 0) is listed. */
  refuse: { at: number[]; retryAfter: string };
  close(): Promise<void>;
}

async function fakeServer(): Promise<FakeServer> {
  const state = {
    checkpoints: [] as StoredCp[],
    posted: [] as Cosignature[],
    postStatus: 201,
    listed: [] as FakeServer['listed'],
    refuse: { at: [] as number[], retryAfter: '1' },
  };
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/api/audit/public-keys') return json(200, publicKeysFile);
    if (req.method === 'GET' && url.pathname === '/api/audit/checkpoints') {
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 500);
      // As the server: ?limit is 1 to 1000 (lib/validation/witness.ts); over the per-address limit, 429 with Retry-After.
      if (!(limit >= 1 && limit <= 1000)) return json(400, { error: 'limit' });
      if (state.refuse.at.includes(state.listed.length)) {
        state.listed.push({ after, limit, status: 429 });
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': state.refuse.retryAfter });
        return res.end(JSON.stringify({ error: 'Too many requests; try again later.' }));
      }
      state.listed.push({ after, limit, status: 200 });
      const list = state.checkpoints.filter((c) => c.seq > after);
      const newest = state.checkpoints.at(-1);
      return json(200, {
        format: 'warden.checkpoints.v1',
        checkpoints: list.slice(0, limit),
        newest: newest ? { seq: newest.seq, digest: newest.digest } : null,
        more: list.length > limit,
      });
    }
    if (req.method === 'POST' && url.pathname === '/api/audit/cosignatures') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        if (state.postStatus !== 201) return json(state.postStatus, { status: 'internal', message: 'not recorded' });
        state.posted.push(JSON.parse(body) as Cosignature);
        json(201, { status: 'accepted', message: 'recorded' });
      });
      return;
    }
    json(404, {});
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get checkpoints() {
      return state.checkpoints;
    },
    set checkpoints(v: StoredCp[]) {
      state.checkpoints = v;
    },
    posted: state.posted,
    listed: state.listed,
    refuse: state.refuse,
    get postStatus() {
      return state.postStatus;
    },
    set postStatus(v: number) {
      state.postStatus = v;
    },
    close: () => new Promise<void>((resolve) => srv.close(() => resolve())),
  };
}

describe('warden-witness.mjs watch', () => {
  let w: Witness;
  let srv: FakeServer;
  let keysFile: string;
  const t = trail(8, [2, 4, 6, 8]);
  beforeAll(async () => {
    w = await keygen('watch');
    srv = await fakeServer();
    keysFile = path.join(w.dir, 'server-keys.json');
    fs.writeFileSync(keysFile, JSON.stringify(publicKeysFile));
  });
  afterAll(async () => {
    await srv?.close();
  });

  const watch = (stateFile: string, extra: string[] = ['--server-keys', keysFile]) =>
    node(WITNESS, ['watch', '--url', srv.url, '--key', w.pem, '--state', stateFile, '--once', ...extra]);
  /** The first run of a new witness: its state file does not exist yet. */
  const init = (stateFile: string) => watch(stateFile, ['--server-keys', keysFile, '--init']);
  const readState = (file: string) =>
    JSON.parse(fs.readFileSync(file, 'utf8')) as { last: { seq: number; digest: string }; cosigned: Record<string, string> };

  it('checks the chain, cosigns the newest checkpoint, keeps the state, and follows new checkpoints', async () => {
    const stateFile = path.join(newDir('watch-state'), 'state.json');
    srv.checkpoints = t.checkpoints.slice(0, 2);
    srv.posted.length = 0;
    const first = await init(stateFile);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('2 new checkpoint(s) verified, chained, through seq 4');
    expect(first.stdout).toContain(`COSIGNED checkpoint seq 4, digest ${t.checkpoints[1]!.digest}`);
    expect(srv.posted).toHaveLength(1);
    expect(srv.posted[0]).toMatchObject({ seq: 4, digest: t.checkpoints[1]!.digest, witnessKeyId: w.keyId });
    expect(verifyCosignature(srv.posted[0]!, w.publicKey)).toBe(true);
    expect(readState(stateFile)).toMatchObject({
      last: { seq: 4, digest: t.checkpoints[1]!.digest },
      cosigned: { '4': t.checkpoints[1]!.digest },
    });

    const idle = await watch(stateFile);
    expect(idle.code).toBe(0);
    expect(idle.stdout).toContain('no new checkpoint since seq 4');
    expect(srv.posted).toHaveLength(1);

    srv.checkpoints = t.checkpoints;
    const next = await watch(stateFile);
    expect(next.code, next.stdout).toBe(0);
    expect(next.stdout).toContain('checkpoint seq 4 is still there with the digest this witness saw');
    expect(next.stdout).toContain('COSIGNED checkpoint seq 8');
    expect(readState(stateFile).cosigned).toEqual({ '4': t.checkpoints[1]!.digest, '8': t.checkpoints[3]!.digest });
  });

  it('sends the cosignature again at the next poll when the server did not record it, and only until it does', async () => {
    const stateFile = path.join(newDir('watch-retry'), 'state.json');
    srv.checkpoints = t.checkpoints.slice(0, 2);
    srv.posted.length = 0;
    srv.postStatus = 503;
    try {
      const failed = await init(stateFile);
      expect(failed.code, failed.stdout + failed.stderr).toBe(2);
      expect(failed.stderr).toContain('refused the cosignature of seq 4 (503)');
      expect(srv.posted).toHaveLength(0);
      // The witness vouched for seq 4 before sending: the state keeps it.
      expect(readState(stateFile).last).toEqual({ seq: 4, digest: t.checkpoints[1]!.digest });
    } finally {
      srv.postStatus = 201;
    }
    const retried = await watch(stateFile);
    expect(retried.code, retried.stdout + retried.stderr).toBe(0);
    expect(retried.stdout).toContain('sending it again');
    expect(retried.stdout).toContain(`COSIGNED checkpoint seq 4, digest ${t.checkpoints[1]!.digest}`);
    expect(srv.posted).toHaveLength(1);
    expect(srv.posted[0]).toMatchObject({ seq: 4, digest: t.checkpoints[1]!.digest, witnessKeyId: w.keyId });
    expect(verifyCosignature(srv.posted[0]!, w.publicKey)).toBe(true);

    const idle = await watch(stateFile);
    expect(idle.code).toBe(0);
    expect(idle.stdout).toContain('no new checkpoint since seq 4');
    expect(idle.stdout).not.toContain('sending it again');
    expect(srv.posted).toHaveLength(1);
  });

  it('reports a rollback when the server now shows a shorter log, and cosigns nothing (exit 1)', async () => {
    const stateFile = path.join(newDir('watch-rollback'), 'state.json');
    srv.checkpoints = t.checkpoints;
    expect((await init(stateFile)).code).toBe(0);
    const before = fs.readFileSync(stateFile, 'utf8');
    const posted = srv.posted.length;
    srv.checkpoints = t.checkpoints.slice(0, 3);
    const run = await watch(stateFile);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('PROBLEM rollback at seq 8');
    expect(run.stdout).toContain('NOT COSIGNED');
    expect(srv.posted).toHaveLength(posted);
    expect(fs.readFileSync(stateFile, 'utf8')).toBe(before);
  });

  it('reports a fork when a seq it saw now has another digest (exit 1)', async () => {
    const stateFile = path.join(newDir('watch-fork'), 'state.json');
    srv.checkpoints = t.checkpoints.slice(0, 2);
    expect((await init(stateFile)).code).toBe(0);
    const posted = srv.posted.length;
    const rewritten = signCp(4, 'e'.repeat(64), t.checkpoints[0]!.digest, t.checkpoints[1]!.ts);
    srv.checkpoints = [t.checkpoints[0]!, rewritten, signCp(6, 'd'.repeat(64), rewritten.digest, t.checkpoints[2]!.ts)];
    const run = await watch(stateFile);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('PROBLEM fork at seq 4');
    expect(srv.posted).toHaveLength(posted);
  });

  it('refuses a broken prev link and a bad signature (exit 1)', async () => {
    const stateFile = path.join(newDir('watch-link'), 'state.json');
    srv.checkpoints = [t.checkpoints[0]!, signCp(4, t.checkpoints[1]!.headHash, 'a'.repeat(64), t.checkpoints[1]!.ts)];
    const broken = await init(stateFile);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('PROBLEM prev_mismatch at seq 4');

    const other = generateKeyPairSync('ed25519').privateKey;
    const forged = {
      ...t.checkpoints[0]!,
      signature: sign(null, checkpointDigestInput(t.checkpoints[0]! as never), other).toString('base64url'),
    };
    srv.checkpoints = [forged];
    const stateFile2 = path.join(newDir('watch-sig'), 'state.json');
    const bad = await init(stateFile2);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('PROBLEM bad_signature at seq 2');
    expect(fs.existsSync(stateFile2)).toBe(false);
  });

  it('exits 2 when the server cannot be reached', async () => {
    const stateFile = path.join(newDir('watch-down'), 'state.json');
    const run = await node(WITNESS, [
      'watch',
      '--url',
      'http://127.0.0.1:9',
      '--key',
      w.pem,
      '--state',
      stateFile,
      '--once',
      '--server-keys',
      keysFile,
      '--init',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot reach');
  });

  /** `n` signed checkpoints, seq 1 to n, each linked to the one before. */
  const longLog = (n: number) => {
    const list: StoredCp[] = [];
    for (let seq = 1; seq <= n; seq++)
      list.push(
        signCp(seq, sha256(`head-${seq}`), list.at(-1)?.digest ?? null, new Date(Date.UTC(2026, 10, 2) + seq * 1000).toISOString()),
      );
    return list;
  };

  it('reads a long log in pages of 1000, and on 429 waits for Retry-After and reads on from the page it was refused', async () => {
    const stateFile = path.join(newDir('watch-long'), 'state.json');
    srv.checkpoints = longLog(2500);
    srv.listed.length = 0;
    srv.refuse.at = [1];
    srv.refuse.retryAfter = '1';
    try {
      const started = Date.now();
      const run = await init(stateFile);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(run.stdout).toMatch(
        /WAIT {4}the checkpoint endpoint answered 429 \(too many requests\) after 1000 checkpoint\(s\) read; waiting 1 s as its Retry-After asks, then reading on after seq 1000/,
      );
      expect(run.stdout).toContain('2500 new checkpoint(s) verified, chained, through seq 2500');
      expect(run.stdout).toContain('COSIGNED checkpoint seq 2500');
      // Not from scratch: the refused page is asked for again, then the rest.
      expect(srv.listed).toEqual([
        { after: 0, limit: 1000, status: 200 },
        { after: 1000, limit: 1000, status: 429 },
        { after: 1000, limit: 1000, status: 200 },
        { after: 2000, limit: 1000, status: 200 },
      ]);
      expect(readState(stateFile).last.seq).toBe(2500);

      // A wait longer than the bound (5 minutes) is not waited for: the poll ends, nothing concluded, no state written.
      const stateFile2 = path.join(newDir('watch-long-refused'), 'state.json');
      srv.listed.length = 0;
      srv.refuse.at = [1];
      srv.refuse.retryAfter = '3600';
      const refused = await init(stateFile2);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('keeps answering 429 (too many requests, retry after 3600 s) after 1000 checkpoint(s) read');
      expect(fs.existsSync(stateFile2)).toBe(false);
    } finally {
      srv.refuse.at = [];
    }
    expect(witnessTool.retryAfterMs('120')).toBe(120_000);
    expect(witnessTool.retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(30_000);
    expect(witnessTool.retryAfterMs('soon')).toBeNull();
    expect(witnessTool.retryAfterMs(null)).toBeNull();
  });

  it('refuses a state file made for another server url (exit 2), instead of reporting a rollback', async () => {
    const stateFile = path.join(newDir('watch-url'), 'state.json');
    srv.checkpoints = t.checkpoints;
    expect((await init(stateFile)).code).toBe(0);
    const before = fs.readFileSync(stateFile, 'utf8');
    const other = await fakeServer();
    try {
      other.checkpoints = t.checkpoints.slice(0, 1);
      const run = await node(WITNESS, [
        'watch',
        '--url',
        other.url,
        '--key',
        w.pem,
        '--state',
        stateFile,
        '--once',
        '--server-keys',
        keysFile,
      ]);
      expect(run.code, run.stdout).toBe(2);
      expect(run.stdout).not.toContain('PROBLEM');
      expect(run.stderr).toContain(`this state file belongs to ${srv.url}; use another --state file`);
      expect(other.listed).toEqual([]);
      expect(other.posted).toEqual([]);
      expect(fs.readFileSync(stateFile, 'utf8')).toBe(before);
    } finally {
      await other.close();
    }
  });

  it('without a state file, watch refuses unless --init is given, and --init refuses an existing state file (exit 2)', async () => {
    const stateFile = path.join(newDir('watch-init'), 'state.json');
    srv.checkpoints = t.checkpoints.slice(0, 2);
    const posted = srv.posted.length;
    const missing = await watch(stateFile);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `there is no state file ${stateFile}: to start a new witness for ${srv.url}, run watch once with --init`,
    );
    expect(fs.existsSync(stateFile)).toBe(false);
    expect(srv.posted).toHaveLength(posted);

    expect((await init(stateFile)).code).toBe(0);
    const before = fs.readFileSync(stateFile, 'utf8');
    const again = await init(stateFile);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`the state file ${stateFile} exists: --init starts a new witness only without one`);
    expect(fs.readFileSync(stateFile, 'utf8')).toBe(before);

    // A deleted state file does not hide a rollback by starting over.
    srv.checkpoints = t.checkpoints.slice(0, 1);
    fs.rmSync(stateFile);
    const deleted = await watch(stateFile);
    expect(deleted.code).toBe(2);
    expect(deleted.stderr).toContain('its state file was moved or deleted');
    expect(srv.posted).toHaveLength(posted + 1);

    // --init is an option of watch only; the usage text names it.
    expect((await node(WITNESS, ['keygen', '--out', newDir('init-keygen'), '--init'])).code).toBe(2);
    expect((await node(WITNESS, ['help'])).stdout).toContain('--state <file> [--init]');
  });

  it('watching continuously with --init, the polls after the first use the state file the first one wrote', async () => {
    const stateFile = path.join(newDir('watch-loop'), 'state.json');
    srv.checkpoints = t.checkpoints.slice(0, 2);
    const child = spawn(process.execPath, [
      WITNESS,
      'watch',
      '--url',
      srv.url,
      '--key',
      w.pem,
      '--state',
      stateFile,
      '--init',
      '--interval',
      '5',
      '--server-keys',
      keysFile,
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    try {
      await vi.waitFor(
        () => {
          expect(stderr).toBe('');
          expect(stdout).toContain('no new checkpoint since seq 4');
        },
        { timeout: 15_000, interval: 200 },
      );
      expect(stdout).toContain('COSIGNED checkpoint seq 4');
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill();
    }
  }, 30_000);

  it('flushes the state to disk: the temp file is fsynced before it is renamed over the state file', async () => {
    const stateFile = path.join(newDir('watch-fsync'), 'state.json');
    srv.checkpoints = t.checkpoints.slice(0, 2);
    const privateKey = createPrivateKey(fs.readFileSync(w.pem, 'utf8'));
    const key = { privateKey, publicKey: w.publicKey, keyId: w.keyId };
    const events: string[] = [];
    const fds = new Map<number, string>();
    const realOpen = fs.openSync;
    const realFsync = fs.fsyncSync;
    const realRename = fs.renameSync;
    const spies = [
      vi.spyOn(fs, 'openSync').mockImplementation(((file: fs.PathLike, ...rest: unknown[]) => {
        const fd = (realOpen as (...a: unknown[]) => number)(file, ...rest);
        fds.set(fd, String(file));
        return fd;
      }) as typeof fs.openSync),
      vi.spyOn(fs, 'fsyncSync').mockImplementation((fd: number) => {
        events.push(`fsync ${path.basename(fds.get(fd) ?? '?')}`);
        realFsync(fd);
      }),
      vi.spyOn(fs, 'renameSync').mockImplementation((from: fs.PathLike, to: fs.PathLike) => {
        events.push(`rename ${path.basename(String(from))} ${path.basename(String(to))}`);
        realRename(from, to);
      }),
    ];
    try {
      const lines = await witnessTool.watchOnce({ origin: srv.url, key, stateFile, serverKeysFile: keysFile, init: true });
      expect(lines.join('\n')).toContain('COSIGNED checkpoint seq 4');
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const tmpName = `state.json.tmp-${process.pid}`;
    const dir = path.basename(path.dirname(stateFile));
    // Two writes (before the post, and after it recorded postedSeq), each: fsync the temp file, rename it, fsync the directory.
    expect(events).toEqual([
      `fsync ${tmpName}`,
      `rename ${tmpName} state.json`,
      `fsync ${dir}`,
      `fsync ${tmpName}`,
      `rename ${tmpName} state.json`,
      `fsync ${dir}`,
    ]);
    expect(readState(stateFile).last.seq).toBe(4);
  });
});
