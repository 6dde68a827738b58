/**
 * `--expect-checkpoint <digest>` of the standalone verifier tools/warden-verify.mjs
 * (docs/audit-chain-format.md, "Export bundle"): a bundle proves its events only up
 * to its newest checkpoint, and whoever can rewrite the bundle can drop the last
 * checkpoint lines and recompute the manifest. A digest pinned out of band must be
 * among the bundle's verified checkpoints, else `truncation` (exit 1).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '@/lib/audit';
import { CHECKPOINT_FORMAT, signCheckpoint, type StoredCheckpoint } from '@/lib/audit/checkpoint-format';
import { exportAuditBundle } from '@/lib/audit/export';
import { generateKeyPair, initSigningKey, loadSigningKey, type SigningKey } from '@/lib/audit/signing-keys';
import type { Db } from '@/lib/db/client';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the bundle's own copy of the verifier with plain node, as an auditor does. */
function verify(dir: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(dir, 'warden-verify.mjs'), dir, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function seed(db: Db, from: number, to: number) {
  for (let n = from; n <= to; n++) {
    await db.$transaction((tx) =>
      appendAuditEvent(tx, {
        actor: { id: 'usr_admin', role: 'admin', sessionId: 'ses_admin' },
        ip: '203.0.113.10',
        userAgent: 'integration-test',
        correlationId: `req-${n}`,
        operation: 'user.create',
        target: { type: 'User', id: `usr_${n}` },
        outcome: 'success',
        reason: `created user ${n}`,
        details: { n },
        policyVersion: 'policies@test',
        decision: 'rule:admin.user.create',
      }),
    );
  }
}

/** A checkpoint of the current head, signed and stored as lib/audit/checkpoint.ts does. */
async function checkpoint(db: Db, key: SigningKey, prev: StoredCheckpoint | undefined): Promise<StoredCheckpoint> {
  const head = (await db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!;
  const ts = new Date(Date.now() + 1000).toISOString();
  const stored = signCheckpoint(
    { format: CHECKPOINT_FORMAT, seq: head.seq, headHash: head.hash, ts, keyId: key.keyId, prev: prev?.digest ?? null },
    key.privateKey,
  );
  const { seq, headHash, keyId, digest, signature } = stored;
  await db.auditCheckpoint.create({ data: { seq, headHash, ts: new Date(ts), keyId, prev: stored.prev, digest, signature } });
  return stored;
}

describe.each(testProviders())('warden-verify --expect-checkpoint on %s', (provider) => {
  let t: TestDb;
  let tmp: string;
  let keysFile: string;
  let full: string;
  let checkpoints: StoredCheckpoint[];

  beforeAll(async () => {
    t = await createTestDb({ provider });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-pinned-'));
    keysFile = path.join(tmp, 'public-keys.json');
    const key = loadSigningKey({ pem: generateKeyPair().privatePem })!;
    initSigningKey({ current: key, publicKeysFile: keysFile });
    await seed(t.db, 1, 20);
    const first = await checkpoint(t.db, key, undefined);
    await seed(t.db, 21, 40);
    checkpoints = [first, await checkpoint(t.db, key, first)];
    await seed(t.db, 41, 45);
    full = path.join(tmp, 'full');
    await exportAuditBundle(t.db, { from: 1, to: 45, outDir: full, publicKeysFile: keysFile });
  }, 120_000);

  afterAll(async () => {
    await t?.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`proves a good bundle and says which pinned checkpoint matched (${provider})`, async () => {
    const newest = checkpoints[1]!;
    const run = await verify(full, ['--keys', keysFile, '--expect-checkpoint', newest.digest.toUpperCase()]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `PROVEN  your pinned checkpoint ${newest.digest} is in the bundle: seq 40 at ${newest.ts}, key ${newest.keyId}; events up to seq 40 are covered by it`,
    );
    expect(run.stdout).toContain('RESULT  VERIFIED: seq 1 to 45, 45 events, signed through seq 40');
    const json = await verify(full, [
      '--json',
      '--keys',
      keysFile,
      '--expect-checkpoint',
      checkpoints[0]!.digest,
      '--expect-checkpoint',
      newest.digest,
    ]);
    expect(json.code, json.stdout + json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      pinnedCheckpoints: [
        { digest: checkpoints[0]!.digest, seq: 20, matched: 'event', coversThrough: 20 },
        { digest: newest.digest, seq: 40, matched: 'event', coversThrough: 40 },
      ],
    });
  });

  it(`truncation: the last checkpoint line removed and the manifest recomputed (${provider})`, async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'cut-'));
    fs.cpSync(full, dir, { recursive: true });
    const file = path.join(dir, 'checkpoints.jsonl');
    fs.writeFileSync(file, `${lines(file)[0]!}\n`);
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
      counts: { checkpoints: number };
      files: Record<string, { sha256: string; bytes: number }>;
    };
    manifest.counts.checkpoints = 1;
    manifest.files['checkpoints.jsonl'] = { sha256: sha256(file), bytes: fs.statSync(file).size };
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));

    // Without the pin, the cut bundle passes: it looks like a bundle signed only through seq 20.
    const unpinned = await verify(dir, ['--keys', keysFile]);
    expect(unpinned.code, unpinned.stdout).toBe(0);
    expect(unpinned.stdout).toContain('signed through seq 20');

    const run = await verify(dir, ['--keys', keysFile, '--expect-checkpoint', checkpoints[1]!.digest]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('FAILED  truncation: expected_checkpoint_missing');
    expect(run.stdout).toContain(checkpoints[1]!.digest);
    expect(run.stdout).toContain('RESULT  NOT VERIFIED');
    const json = await verify(dir, ['--json', '--keys', keysFile, '--expect-checkpoint', checkpoints[1]!.digest]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, class: 'truncation', problem: 'expected_checkpoint_missing' });
  });

  it(`refuses a malformed digest with exit 2 (${provider})`, async () => {
    for (const bad of [['--expect-checkpoint'], ['--expect-checkpoint', 'abc'], ['--expect-checkpoint', 'g'.repeat(64)]]) {
      const run = await verify(full, bad);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('--expect-checkpoint needs a checkpoint digest');
    }
  });
});
