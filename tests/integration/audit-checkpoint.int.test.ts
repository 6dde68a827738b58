import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAuditEvent, verifyChain } from '@/lib/audit';
import {
  CheckpointError,
  createCheckpoint,
  maybeCheckpoint,
  storedCheckpointFromRow,
  verifyCheckpointSignature,
  type StoredCheckpoint,
} from '@/lib/audit/checkpoint';
import { externalLogPath, readExternalCheckpoints } from '@/lib/audit/external-log';
import {
  generateKeyPair,
  loadPublicKeys,
  loadSigningKey,
  rotateSigningKey,
  savePublicKeys,
  type SigningKey,
} from '@/lib/audit/signing-keys';
import type { Db } from '@/lib/db/client';
import { createTestDb, testProviders } from '../helpers/test-db';

type TestDb = Awaited<ReturnType<typeof createTestDb>>;

async function appendEvents(db: Db, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await db.$transaction((tx) =>
      appendAuditEvent(tx, {
        actor: null,
        correlationId: `cp-${i}`,
        operation: 'system.seed',
        target: null,
        outcome: 'success',
        policyVersion: 'policies@test',
      }),
    );
  }
}

async function dbCheckpoints(db: Db): Promise<StoredCheckpoint[]> {
  const rows = await db.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } });
  return rows.map(storedCheckpointFromRow);
}

async function externalCheckpoints(dir: string): Promise<unknown[]> {
  const lines: unknown[] = [];
  for await (const line of readExternalCheckpoints(dir)) lines.push('checkpoint' in line ? line.checkpoint : line);
  return lines;
}

describe.each(testProviders())('audit checkpoints (%s)', (provider) => {
  let t: TestDb;
  let tmp: string;
  let key: SigningKey;
  let opts: { signingKey: SigningKey; publicKeysFile: string; dir: string };

  beforeEach(async () => {
    t = await createTestDb({ provider });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-cp-'));
    key = loadSigningKey({ pem: generateKeyPair().privatePem })!;
    const keyFile = path.join(tmp, 'keys', 'signing-key.pem');
    fs.mkdirSync(path.dirname(keyFile));
    fs.writeFileSync(keyFile, key.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
    key = loadSigningKey({ file: keyFile })!;
    opts = { signingKey: key, publicKeysFile: path.join(tmp, 'public-keys.json'), dir: path.join(tmp, 'checkpoints') };
    savePublicKeys(
      {
        format: 'warden.public-keys.v1',
        keys: [{ keyId: key.keyId, publicKey: key.publicKey, validFrom: '2020-01-01T00:00:00.000Z', validUntil: null }],
      },
      opts.publicKeysFile,
    );
  });

  afterEach(async () => {
    await t.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('makes one signed checkpoint per distinct head and mirrors it to the external log', async () => {
    expect(await createCheckpoint(t.db, opts)).toBeNull(); // empty trail
    await appendEvents(t.db, 3);
    const head = await t.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } });
    const first = await createCheckpoint(t.db, opts);
    expect(first).toMatchObject({ format: 'warden.checkpoint.v1', seq: 3, headHash: head!.hash, keyId: key.keyId, prev: null });
    expect(verifyCheckpointSignature(first, loadPublicKeys(opts.publicKeysFile)).ok).toBe(true);
    expect(await createCheckpoint(t.db, opts)).toBeNull(); // unchanged head
    await appendEvents(t.db, 1);
    const second = await createCheckpoint(t.db, opts);
    expect(second).toMatchObject({ seq: 4, prev: first!.digest });
    expect(await dbCheckpoints(t.db)).toEqual([first, second]);
    expect(await externalCheckpoints(opts.dir)).toEqual([first, second]);
  });

  it('makes checkpoints every N events or after M minutes with new events', async () => {
    const every = { ...opts, every: 5, minutes: 15 };
    const made: number[] = [];
    for (let i = 0; i < 12; i++) {
      await appendEvents(t.db, 1);
      const cp = await maybeCheckpoint(t.db, every);
      if (cp) made.push(cp.seq);
    }
    expect(made).toEqual([5, 10]);
    const last = (await dbCheckpoints(t.db)).at(-1)!;
    const later = (minutes: number) => new Date(Date.parse(last.ts) + minutes * 60_000);
    expect(await maybeCheckpoint(t.db, { ...every, now: later(14) })).toBeNull();
    expect(await maybeCheckpoint(t.db, { ...every, now: later(15) })).toMatchObject({ seq: 12 });
    // Nothing new: no checkpoint however long it has been.
    expect(await maybeCheckpoint(t.db, { ...every, now: later(60) })).toBeNull();
    const stored = await dbCheckpoints(t.db);
    expect(stored.map((c) => c.seq)).toEqual([5, 10, 12]);
    expect(stored.map((c) => c.prev)).toEqual([null, stored[0]!.digest, stored[1]!.digest]);
    expect(await externalCheckpoints(opts.dir)).toEqual(stored);
  });

  it('refuses to make an unsigned checkpoint or one with an unpublished key', async () => {
    await appendEvents(t.db, 2);
    await expect(createCheckpoint(t.db, { ...opts, signingKey: null })).rejects.toMatchObject({
      code: 'no_signing_key',
      message: expect.stringMatching(/WARDEN_AUDIT_SIGNING_KEY_FILE/) as unknown,
    });
    const stranger = loadSigningKey({ pem: generateKeyPair().privatePem })!;
    await expect(createCheckpoint(t.db, { ...opts, signingKey: stranger })).rejects.toMatchObject({ code: 'key_not_usable' });
    expect(await t.db.auditCheckpoint.count()).toBe(0);
    expect(fs.existsSync(externalLogPath(opts.dir))).toBe(false);
  });

  it('brings the external log up to date after a failed append', async () => {
    await appendEvents(t.db, 2);
    fs.writeFileSync(opts.dir, 'not a directory'); // the external location is unavailable
    const error = await createCheckpoint(t.db, opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ code: 'external_log_failed', checkpoint: { seq: 2 } });
    expect(await t.db.auditCheckpoint.count()).toBe(1); // committed before the append
    fs.rmSync(opts.dir);
    expect(await maybeCheckpoint(t.db, { ...opts, every: 1000, minutes: 15 })).toBeNull(); // not due, but syncs the log
    expect(await externalCheckpoints(opts.dir)).toEqual(await dbCheckpoints(t.db));
    await appendEvents(t.db, 1);
    await createCheckpoint(t.db, opts);
    expect(await externalCheckpoints(opts.dir)).toEqual(await dbCheckpoints(t.db));
  });

  it('makes exactly one checkpoint when several run at once', async () => {
    await appendEvents(t.db, 3);
    const results = await Promise.all(Array.from({ length: 5 }, () => createCheckpoint(t.db, opts)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await t.db.auditCheckpoint.count()).toBe(1);
    expect(await externalCheckpoints(opts.dir)).toEqual(await dbCheckpoints(t.db));
  });

  it('rotates the key: old checkpoints stay verifiable, the old key may no longer sign', async () => {
    await appendEvents(t.db, 2);
    const old = await createCheckpoint(t.db, opts);
    const out = path.join(tmp, 'keys', 'next.pem');
    const rotation = await rotateSigningKey(t.db, { current: key, out, publicKeysFile: opts.publicKeysFile });
    expect(rotation).toMatchObject({ oldKeyId: key.keyId, privateKeyFile: out });
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const next = loadSigningKey({ file: out })!;
    expect(next.keyId).toBe(rotation.newKeyId);

    const keys = loadPublicKeys(opts.publicKeysFile);
    expect(keys.keys).toEqual([
      { keyId: key.keyId, publicKey: key.publicKey, validFrom: '2020-01-01T00:00:00.000Z', validUntil: rotation.at },
      { keyId: next.keyId, publicKey: next.publicKey, validFrom: rotation.at, validUntil: null },
    ]);
    const event = await t.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } });
    expect(event).toMatchObject({
      operation: 'audit.key_rotate',
      actorId: null,
      outcome: 'success',
      targetType: 'AuditSigningKey',
      targetId: next.keyId,
    });
    expect(JSON.parse(event!.details)).toEqual({ newKeyId: next.keyId, oldKeyId: key.keyId, approval: null });

    expect(verifyCheckpointSignature(old, keys).ok).toBe(true);
    await expect(createCheckpoint(t.db, opts)).rejects.toMatchObject({
      code: 'key_not_usable',
      message: expect.stringMatching(/restart/) as unknown,
    });
    const fresh = await createCheckpoint(t.db, { ...opts, signingKey: next });
    expect(fresh).toMatchObject({ seq: 3, keyId: next.keyId, prev: old!.digest });
    expect(verifyCheckpointSignature(fresh, keys).ok).toBe(true);
    expect((await verifyChain(t.db)).ok).toBe(true);

    // A second rotation to the same file is refused before anything changes.
    await expect(rotateSigningKey(t.db, { current: next, out, publicKeysFile: opts.publicKeysFile })).rejects.toThrow(
      /refusing to overwrite/,
    );
    expect(loadPublicKeys(opts.publicKeysFile)).toEqual(keys);
    expect(await t.db.auditEvent.count()).toBe(3);
  });

  it('refuses to sign on top of a chain that no longer matches the last checkpoint', async () => {
    await appendEvents(t.db, 3);
    await createCheckpoint(t.db, opts);
    // What a database superuser could do: bypass the trigger and recompute event 3's hash.
    if (provider === 'sqlite') await t.db.$executeRawUnsafe(`DROP TRIGGER "AuditEvent_no_update"`);
    else await t.db.$executeRawUnsafe(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_no_update_delete"`);
    await t.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "hash" = '${'e'.repeat(64)}' WHERE "seq" = 3`);
    await expect(createCheckpoint(t.db, opts)).rejects.toMatchObject({ code: 'head_mismatch' });
    await appendEvents(t.db, 2);
    await expect(createCheckpoint(t.db, opts)).rejects.toMatchObject({
      code: 'head_mismatch',
      message: expect.stringMatching(/event 3 .*audit:verify/) as unknown,
    });
    expect(await t.db.auditCheckpoint.count()).toBe(1);
  });

  it('refuses UPDATE and DELETE of checkpoints (and TRUNCATE on PostgreSQL)', async () => {
    await appendEvents(t.db, 1);
    await createCheckpoint(t.db, opts);
    await expect(t.db.$executeRawUnsafe(`UPDATE "AuditCheckpoint" SET "headHash" = 'x' WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
    await expect(t.db.$executeRawUnsafe(`DELETE FROM "AuditCheckpoint" WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
    await expect(t.db.auditCheckpoint.update({ where: { seq: 1 }, data: { signature: 'x' } })).rejects.toThrow();
    await expect(t.db.auditCheckpoint.deleteMany({})).rejects.toThrow();
    if (provider === 'postgres') {
      // Witness cosignatures reference checkpoints, so a plain TRUNCATE stops at the foreign
      // key; with CASCADE it reaches the append-only triggers of both tables.
      await expect(t.db.$executeRawUnsafe(`TRUNCATE "AuditCheckpoint"`)).rejects.toThrow(/append-only|foreign key/);
      await expect(t.db.$executeRawUnsafe(`TRUNCATE "AuditCheckpoint" CASCADE`)).rejects.toThrow(/append-only/);
    }
    expect(await t.db.auditCheckpoint.count()).toBe(1);
  });
});
