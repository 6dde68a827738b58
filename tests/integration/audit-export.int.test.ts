/**
 * The offline export bundle (docs/audit-chain-format.md, "Export bundle") and the
 * standalone verifier tools/warden-verify.mjs, run as a child process the way an
 * auditor runs it: a good bundle is proven (exit 0, the proof printed), and every
 * tampered bundle is refused (exit 1) with its attack class.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAuditEvent, type AuditEventInput } from '@/lib/audit';
import { CHECKPOINT_FORMAT, signCheckpoint, type StoredCheckpoint } from '@/lib/audit/checkpoint-format';
import { exportAuditBundle } from '@/lib/audit/export';
import { generateKeyPair, initSigningKey, loadSigningKey, type SigningKey } from '@/lib/audit/signing-keys';
import type { Db } from '@/lib/db/client';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

// The download route resolves its viewer through lib/auth/viewer; here it is set per test.
const viewerMock = vi.hoisted(() => ({ current: null as null | { userId: string; role: string; mfaEnrolled: boolean } }));
vi.mock('@/lib/auth/viewer', () => ({
  getViewer: () => Promise.resolve(viewerMock.current),
  mustEnrol: (viewer: { mfaEnrolled: boolean }) => !viewer.mfaEnrolled,
}));

const repoRoot = path.resolve(import.meta.dirname, '../..');
const TOOL = path.join(repoRoot, 'tools/warden-verify.mjs');
const EVENTS = 120;

interface ToolApi {
  eventHash(prevHash: string, event: Record<string, unknown>): string;
  canonicalize(value: unknown): string;
}
const tool = (await import(pathToFileURL(TOOL).href)) as ToolApi;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the verifier exactly as an auditor would: plain node, the bundle's own copy. */
function verify(dir: string, args: string[] = [], toolPath = path.join(dir, 'warden-verify.mjs')): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [toolPath, dir, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

function input(n: number): AuditEventInput {
  return {
    actor: { id: 'usr_admin', role: 'admin', sessionId: 'ses_admin' },
    ip: '203.0.113.10',
    userAgent: 'integration-test',
    correlationId: `req-${n}`,
    operation: 'user.create',
    target: { type: 'User', id: `usr_${n}` },
    outcome: 'success',
    // T37: a line break, a terminal escape and a bidi override stay inside one JSON line.
    reason: n === 7 ? 'line one\n{"seq":8,"fake":true}\u001b[31m\u202eevil' : `created user ${n} — prüfung`,
    details: { after: { role: 'member', n }, ratio: n / 8 },
    policyVersion: 'policies@test',
    decision: 'rule:admin.user.create',
  };
}

const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
const writeLines = (file: string, list: string[]) => fs.writeFileSync(file, list.map((l) => `${l}\n`).join(''));
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** What an attacker who can rewrite the bundle does after editing a file: make the manifest agree again. */
function refreshManifest(dir: string): void {
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    range: { toSeq: number };
    counts: { events: number; checkpoints: number };
    files: Record<string, { sha256: string; bytes: number }>;
  };
  for (const name of Object.keys(manifest.files)) {
    manifest.files[name] = { sha256: sha256(path.join(dir, name)), bytes: fs.statSync(path.join(dir, name)).size };
  }
  const events = lines(path.join(dir, 'events.jsonl'));
  manifest.counts.events = events.length;
  manifest.counts.checkpoints = lines(path.join(dir, 'checkpoints.jsonl')).length;
  manifest.range.toSeq = (JSON.parse(events[events.length - 1]!) as { seq: number }).seq;
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
}

function expectFailure(run: Run, attackClass: string, problem: string) {
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.stdout).toContain(`FAILED  ${attackClass}`);
  expect(run.stdout).toContain(problem);
  expect(run.stdout).toContain('RESULT  NOT VERIFIED');
}

describe.each(testProviders())('audit export bundle and standalone verifier on %s', (provider) => {
  let t: TestDb;
  let tmp: string;
  let keysFile: string;
  let full: string;
  let anchored: string;
  let keyId: string;
  let checkpoints: StoredCheckpoint[];

  async function seed(db: Db, from: number, to: number) {
    for (let n = from; n <= to; n++) await db.$transaction((tx) => appendAuditEvent(tx, input(n)));
  }

  /** A checkpoint of the current head, signed and stored as lib/audit/checkpoint.ts does (without the external log). */
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

  beforeAll(async () => {
    t = await createTestDb({ provider });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-export-'));
    keysFile = path.join(tmp, 'public-keys.json');
    const pair = generateKeyPair();
    const key = loadSigningKey({ pem: pair.privatePem })!;
    keyId = key.keyId;
    initSigningKey({ current: key, publicKeysFile: keysFile });
    checkpoints = [];
    await seed(t.db, 1, 50);
    checkpoints.push(await checkpoint(t.db, key, undefined));
    await seed(t.db, 51, 100);
    checkpoints.push(await checkpoint(t.db, key, checkpoints[0]));
    await seed(t.db, 101, EVENTS);
    checkpoints.push(await checkpoint(t.db, key, checkpoints[1]));

    full = path.join(tmp, 'full');
    anchored = path.join(tmp, 'anchored');
    await exportAuditBundle(t.db, { from: 1, to: 110, outDir: full, publicKeysFile: keysFile, pageSize: 17 });
    await exportAuditBundle(t.db, { from: 41, to: 110, outDir: anchored, publicKeysFile: keysFile });
  }, 120_000);

  afterAll(async () => {
    await t?.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** A copy of a good bundle, changed by `mutate`. */
  function tampered(source: string, mutate: (dir: string) => void): string {
    const dir = fs.mkdtempSync(path.join(tmp, 'tampered-'));
    fs.cpSync(source, dir, { recursive: true });
    mutate(dir);
    return dir;
  }

  it(`writes the bundle files, one canonical event per line, checkpoints up to the last exported seq (${provider})`, () => {
    expect(fs.readdirSync(full).sort()).toEqual([
      'anchor.json',
      'checkpoints.jsonl',
      'cosignatures.jsonl',
      'credentials.json',
      'events.jsonl',
      'manifest.json',
      'public-keys.json',
      'warden-verify.mjs',
      'witness-keys.json',
    ]);
    const events = lines(path.join(full, 'events.jsonl'));
    expect(events).toHaveLength(110);
    for (const line of events) expect(tool.canonicalize(JSON.parse(line))).toBe(line);
    expect(JSON.parse(events[6]!)).toMatchObject({ seq: 7, reason: expect.stringContaining('\n') as unknown });
    expect(lines(path.join(full, 'checkpoints.jsonl')).map((l) => (JSON.parse(l) as StoredCheckpoint).seq)).toEqual([50, 100]);
    expect(fs.readFileSync(path.join(full, 'anchor.json'), 'utf8')).toBe('null\n');
    expect(JSON.parse(fs.readFileSync(path.join(anchored, 'anchor.json'), 'utf8'))).toMatchObject({ seq: 40 });
    expect(fs.readFileSync(path.join(full, 'warden-verify.mjs'))).toEqual(fs.readFileSync(TOOL));
  });

  it(`proves a good bundle with pinned keys and prints what was proven (${provider})`, async () => {
    const run = await verify(full, ['--keys', keysFile]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const head = (JSON.parse(lines(path.join(full, 'events.jsonl'))[109]!) as { hash: string }).hash;
    expect(run.stdout).toContain('PROVEN  110 events, seq 1 to 110');
    expect(run.stdout).toContain('event 1 starts from the genesis value');
    expect(run.stdout).toContain(`PROVEN  head: seq 110, hash ${head}`);
    expect(run.stdout).toContain(`USING   keys: your pinned file ${keysFile}`);
    expect(run.stdout).toContain(
      `checkpoint seq 50 at ${checkpoints[0]!.ts}, digest ${checkpoints[0]!.digest}, signed by key ${keyId}, matches event 50`,
    );
    expect(run.stdout).toContain(
      `checkpoint seq 100 at ${checkpoints[1]!.ts}, digest ${checkpoints[1]!.digest}, signed by key ${keyId}, matches event 100`,
    );
    expect(run.stdout).toContain('events 101 to 110 come after the newest checkpoint');
    expect(run.stdout).toContain('RESULT  VERIFIED: seq 1 to 110, 110 events, signed through seq 100');
  });

  it(`proves an anchored range and says when the keys are the bundle's own; --json (${provider})`, async () => {
    const run = await verify(anchored);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('PROVEN  70 events, seq 41 to 110');
    expect(run.stdout).toContain('event 41 links to the anchor: event 40');
    expect(run.stdout).toContain("the bundle's own public-keys.json");
    const json = await verify(anchored, ['--json', '--keys', keysFile]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      range: { fromSeq: 41, toSeq: 110 },
      count: 70,
      keys: { source: 'pinned', keyIds: [keyId] },
      checkpoints: [
        { seq: 50, keyId, matched: 'event' },
        { seq: 100, keyId, matched: 'event' },
      ],
      signedThrough: 100,
    });
  });

  it(`exports a time range (${provider})`, async () => {
    const rows = await t.db.auditEvent.findMany({ where: { seq: { in: [10, 20] } }, orderBy: { seq: 'asc' } });
    const dir = path.join(tmp, 'by-time');
    const result = await exportAuditBundle(t.db, { from: rows[0]!.ts, to: rows[1]!.ts, outDir: dir, publicKeysFile: keysFile });
    // Several events can share a millisecond: the range is the first event at or after --from to the last at or before --to.
    expect(result.fromSeq).toBeLessThanOrEqual(10);
    expect(result.toSeq).toBeGreaterThanOrEqual(20);
    expect((await verify(dir, ['--keys', keysFile])).code).toBe(0);
  });

  it(`modification: an edited event field (${provider})`, async () => {
    const dir = tampered(full, (d) => {
      const file = path.join(d, 'events.jsonl');
      const list = lines(file);
      list[29] = list[29]!.replace('"outcome":"success"', '"outcome":"failure"');
      writeLines(file, list);
    });
    const run = await verify(dir, ['--keys', keysFile]);
    expectFailure(run, 'modification at seq 30', 'hash_mismatch');
  });

  it(`deletion: a removed line (${provider})`, async () => {
    const dir = tampered(full, (d) => {
      const file = path.join(d, 'events.jsonl');
      writeLines(
        file,
        lines(file).filter((_, i) => i !== 29),
      );
      refreshManifest(d);
    });
    expectFailure(await verify(dir, ['--keys', keysFile]), 'deletion at seq 30', 'seq_gap');
  });

  it(`reordering: two lines swapped (${provider})`, async () => {
    const dir = tampered(full, (d) => {
      const file = path.join(d, 'events.jsonl');
      const list = lines(file);
      [list[29], list[30]] = [list[30]!, list[29]!];
      writeLines(file, list);
    });
    expectFailure(await verify(dir, ['--keys', keysFile]), 'reordering at seq 30', 'seq_out_of_order');
  });

  it(`forged_checkpoint: a checkpoint's headHash changed (${provider})`, async () => {
    const dir = tampered(full, (d) => {
      const file = path.join(d, 'checkpoints.jsonl');
      const list = lines(file);
      const cp = JSON.parse(list[1]!) as StoredCheckpoint;
      list[1] = tool.canonicalize({ ...cp, headHash: 'f'.repeat(64) });
      writeLines(file, list);
      refreshManifest(d);
    });
    expectFailure(await verify(dir, ['--keys', keysFile]), 'forged_checkpoint at seq 100', 'digest_mismatch');
  });

  it(`forged_checkpoint: re-signed with another key, detected by the pinned keys (${provider})`, async () => {
    const other = generateKeyPair();
    const otherKey = loadSigningKey({ pem: other.privatePem })!;
    const dir = tampered(full, (d) => {
      const file = path.join(d, 'checkpoints.jsonl');
      const list = lines(file);
      const cp = JSON.parse(list[1]!) as StoredCheckpoint;
      const forged = signCheckpoint(
        { format: CHECKPOINT_FORMAT, seq: cp.seq, headHash: cp.headHash, ts: cp.ts, keyId: otherKey.keyId, prev: cp.prev },
        other.privateKey,
      );
      list[1] = tool.canonicalize(forged);
      writeLines(file, list);
      // The attacker also publishes their key in the bundle.
      const keysPath = path.join(d, 'public-keys.json');
      const keys = JSON.parse(fs.readFileSync(keysPath, 'utf8')) as { keys: unknown[] };
      keys.keys.push({ keyId: otherKey.keyId, publicKey: otherKey.publicKey, validFrom: '2000-01-01T00:00:00.000Z', validUntil: null });
      fs.writeFileSync(keysPath, JSON.stringify(keys));
      refreshManifest(d);
    });
    const pinned = await verify(dir, ['--keys', keysFile]);
    expectFailure(pinned, 'forged_checkpoint at seq 100', 'unknown_key');
    expect(pinned.stdout).toContain('not in your pinned public keys');
    // Without pinning, the bundle vouches for itself: that is why the keys must come through another channel.
    const unpinned = await verify(dir);
    expect(unpinned.code).toBe(0);
    expect(unpinned.stdout).toContain('NOT independent');
  });

  it(`recomputed_chain: an edit with every later hash recomputed (${provider})`, async () => {
    const dir = tampered(full, (d) => {
      const file = path.join(d, 'events.jsonl');
      const list = lines(file).map((l) => JSON.parse(l) as Record<string, unknown> & { hash: string; prevHash: string });
      list[59]!.reason = 'rewritten';
      for (let i = 59; i < list.length; i++) {
        list[i]!.prevHash = list[i - 1]!.hash;
        list[i]!.hash = tool.eventHash(list[i]!.prevHash, list[i]!);
      }
      writeLines(
        file,
        list.map((e) => tool.canonicalize(e)),
      );
      refreshManifest(d);
    });
    expectFailure(await verify(dir, ['--keys', keysFile]), 'recomputed_chain at seq 51', 'checkpoint_hash_mismatch');
  });

  it(`modification: an edited manifest (${provider})`, async () => {
    const dir = tampered(full, (d) => {
      const file = path.join(d, 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { files: Record<string, { sha256: string }> };
      manifest.files['anchor.json']!.sha256 = '0'.repeat(64);
      fs.writeFileSync(file, JSON.stringify(manifest));
    });
    expectFailure(await verify(dir, ['--keys', keysFile]), 'modification', 'file_hash_mismatch');
    const counted = tampered(full, (d) => {
      const file = path.join(d, 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { counts: { events: number } };
      manifest.counts.events = 111;
      fs.writeFileSync(file, JSON.stringify(manifest));
    });
    expectFailure(await verify(counted, ['--keys', keysFile]), 'modification', 'manifest_mismatch');
  });

  it(`truncation: the last lines removed, with and without a matching manifest (${provider})`, async () => {
    const cut = (keep: number, fixManifest: boolean) =>
      tampered(full, (d) => {
        const file = path.join(d, 'events.jsonl');
        writeLines(file, lines(file).slice(0, keep));
        if (fixManifest) refreshManifest(d);
      });
    expectFailure(await verify(cut(105, false), ['--keys', keysFile]), 'truncation at seq 106', 'events_end_early');
    // Manifest rewritten to match: the signed checkpoint for seq 100 still shows events are missing.
    expectFailure(await verify(cut(90, true), ['--keys', keysFile]), 'truncation at seq 91', 'checkpoint_beyond_head');
    const midLine = tampered(full, (d) => {
      const file = path.join(d, 'events.jsonl');
      const text = fs.readFileSync(file);
      fs.writeFileSync(file, text.subarray(0, text.length - 40));
    });
    expectFailure(await verify(midLine, ['--keys', keysFile]), 'truncation at seq 110', 'incomplete_line');
  });

  it(`a first event that does not link to the anchor (${provider})`, async () => {
    const dir = tampered(anchored, (d) => {
      fs.writeFileSync(path.join(d, 'anchor.json'), `${tool.canonicalize({ hash: 'a'.repeat(64), seq: 40 })}\n`);
      refreshManifest(d);
    });
    expectFailure(await verify(dir, ['--keys', keysFile]), 'insertion at seq 41', 'anchor_mismatch');
  });

  it(`refuses usage errors and unreadable bundles with exit 2 (${provider})`, async () => {
    const missing = await verify(path.join(tmp, 'missing'), [], TOOL);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('is not a directory');
    expect((await verify(full, ['--keys', path.join(tmp, 'no-such-keys.json')])).code).toBe(2);
    expect((await verify(full, ['--bogus'])).code).toBe(2);
  });

  // Last: it appends audit.export (seq 121) to the chain the other tests exported.
  it(`npm run audit:export writes a bundle and records audit.export with the range (${provider})`, async () => {
    const out = path.join(tmp, 'cli');
    const run = await new Promise<Run>((resolve) => {
      execFile(
        'npx',
        ['tsx', '--conditions=react-server', 'scripts/audit-export.ts', '--from', '41', '--to', '100', '--out', out],
        { cwd: repoRoot, env: { ...process.env, DATABASE_URL: t.url, WARDEN_AUDIT_PUBLIC_KEYS_FILE: keysFile }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      );
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('seq 41 to 100, 60 events, 2 checkpoints');
    const recorded = await t.db.auditEvent.findFirst({ where: { operation: 'audit.export' } });
    expect(recorded).toMatchObject({ seq: EVENTS + 1, actorId: null, outcome: 'success', userAgent: 'warden-cli/audit-export' });
    expect(JSON.parse(recorded!.details)).toMatchObject({ fromSeq: 41, toSeq: 100, events: 60, checkpoints: 2 });
    const proof = await verify(out, ['--keys', keysFile]);
    expect(proof.code, proof.stdout).toBe(0);
    expect(proof.stdout).toContain('RESULT  VERIFIED: seq 41 to 100, 60 events, signed through seq 100');
    const usage = await new Promise<number>((resolve) => {
      execFile(
        'npx',
        ['tsx', '--conditions=react-server', 'scripts/audit-export.ts', '--from', 'yesterday'],
        { cwd: repoRoot, timeout: 60_000 },
        (error) => resolve(error && typeof error.code === 'number' ? error.code : 0),
      );
    });
    expect(usage).toBe(2);
  });
});

describe('GET /api/audit/verifier', () => {
  it.each([
    ['auditor', true, 200],
    ['superadmin', true, 200],
    ['admin', true, 404],
    ['support', true, 404],
    ['auditor', false, 404],
  ])('serves the verifier to %s (second factor %s) with status %i', async (role, mfaEnrolled, status) => {
    viewerMock.current = { userId: `usr_${role}`, role, mfaEnrolled };
    const { GET } = await import('@/app/api/audit/verifier/route');
    const response = await GET();
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    if (status === 200) {
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="warden-verify.mjs"');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(fs.readFileSync(TOOL));
    }
  });

  it('is not found for an anonymous caller', async () => {
    viewerMock.current = null;
    const { GET } = await import('@/app/api/audit/verifier/route');
    expect((await GET()).status).toBe(404);
  });
});
