/**
 * T41 in full (docs/SECURITY.md; docs/audit-chain-format.md "What the verifier checks,
 * and the attack classes it names"), on SQLite and PostgreSQL: 5,000 events with a
 * signed checkpoint every 1,000 in the database and in an external "WORM" directory,
 * then each attack on a fresh copy, each detected and named with its first bad seq.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent, computeEventHash, verifyChain, type AuditEventInput } from '@/lib/audit';
import { createCheckpoint } from '@/lib/audit/checkpoint';
import { CHECKPOINT_FORMAT, signCheckpoint, storedCheckpointFromRow } from '@/lib/audit/checkpoint-format';
import { appendExternalCheckpoints } from '@/lib/audit/external-log';
import { generateKeyPair, loadSigningKey, savePublicKeys, type SigningKey } from '@/lib/audit/signing-keys';
import { verifyAuditIntegrity } from '@/lib/audit/verify-sources';
import { createDb, type Db } from '@/lib/db/client';
import { pgConnectionFields, quotePgIdent } from '@/lib/db/migrate';
import type { DbProvider } from '@/lib/db/url';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const EVENTS = 5000;

function eventInput(n: number): AuditEventInput {
  return {
    actor: { id: 'usr_admin', role: 'admin', sessionId: 'ses_admin' },
    ip: '203.0.113.10',
    userAgent: 'tamper-test',
    correlationId: `req-${n}`,
    operation: 'user.create',
    target: { type: 'User', id: `usr_${n}` },
    outcome: 'success',
    details: { after: { role: 'member', n } },
    policyVersion: 'policies@test',
  };
}

/** Appends events from..to in transactions of 100 (each append as the app does it). */
async function appendEvents(db: Db, from: number, to: number): Promise<void> {
  for (let start = from; start <= to; start += 100) {
    await db.$transaction(async (tx) => {
      for (let n = start; n <= Math.min(to, start + 99); n++) await appendAuditEvent(tx, eventInput(n));
    });
  }
}

/** What a DB owner or superuser could do: remove the append-only triggers of a table. */
async function dropTriggers(db: Db, provider: DbProvider, table: 'AuditEvent' | 'AuditCheckpoint'): Promise<void> {
  if (provider === 'sqlite') {
    const rows = await db.$queryRawUnsafe<{ name: string }[]>(
      `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '${table}'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const t of rows) await db.$executeRawUnsafe(`DROP TRIGGER "${t.name}"`);
  } else {
    await db.$executeRawUnsafe(`ALTER TABLE "${table}" DISABLE TRIGGER USER`);
  }
}

function withPgAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(pgConnectionFields(String(process.env.TEST_PG_URL)));
  return client.connect().then(
    () => work(client).finally(() => client.end()),
    (error: unknown) => Promise.reject(error),
  );
}

function runVerifyCli(url: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', '--conditions=react-server', 'scripts/audit-verify.ts', ...args],
      { cwd: repoRoot, env: { ...process.env, DATABASE_URL: url }, timeout: 90_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

interface Copy {
  db: Db;
  url: string;
  /** This copy's own external checkpoint directory. */
  ext: string;
  /** Reconnects (after the file or database was swapped underneath). */
  reconnect(): Promise<void>;
}

describe.each(testProviders())('T41 tamper detection on %s', (provider) => {
  let seeded: TestDb;
  let work: string;
  let keysFile: string;
  let key: SigningKey;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-t41-'));
    keysFile = path.join(work, 'public-keys.json');
    const pair = generateKeyPair();
    key = loadSigningKey({ pem: pair.privatePem })!;
    savePublicKeys(
      {
        format: 'warden.public-keys.v1',
        keys: [{ keyId: key.keyId, publicKey: key.publicKey, validFrom: '2020-01-01T00:00:00.000Z', validUntil: null }],
      },
      keysFile,
    );

    seeded = await createTestDb({ provider });
    for (let from = 1; from <= EVENTS; from += 1000) {
      await appendEvents(seeded.db, from, from + 999);
      await createCheckpoint(seeded.db, { signingKey: key, publicKeysFile: keysFile, dir: path.join(work, 'ext') });
    }
    if (provider === 'postgres') await seeded.db.$disconnect(); // a template database must have no connections
  }, 300_000);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await seeded?.cleanup();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  let copies = 0;
  /** A fresh copy of the seeded database and of its external log. */
  async function freshCopy(source: { url: string; db?: Db } = seeded): Promise<Copy> {
    copies += 1;
    const ext = path.join(work, `ext-${copies}`);
    fs.cpSync(path.join(work, 'ext'), ext, { recursive: true });
    let url: string;
    if (provider === 'sqlite') {
      const file = path.join(work, `copy-${copies}.db`);
      await (source.db ?? seeded.db).$executeRawUnsafe(`VACUUM INTO '${file}'`);
      url = `file:${file}`;
    } else {
      const name = `${new URL(source.url).pathname.slice(1).slice(0, 40)}_c${copies}`;
      await withPgAdmin((c) =>
        c.query(`CREATE DATABASE ${quotePgIdent(name)} TEMPLATE ${quotePgIdent(new URL(source.url).pathname.slice(1))}`),
      );
      const u = new URL(source.url);
      u.pathname = `/${name}`;
      url = u.toString();
      cleanups.push(() => withPgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${quotePgIdent(name)} WITH (FORCE)`)).then(() => undefined));
    }
    const copy: Copy = {
      db: (await createDb({ url, poolSize: 3 })).db,
      url,
      ext,
      reconnect: async () => {
        await copy.db.$disconnect();
        copy.db = (await createDb({ url, poolSize: 3 })).db;
      },
    };
    cleanups.push(() => copy.db.$disconnect());
    return copy;
  }

  const pinned = () => JSON.parse(fs.readFileSync(keysFile, 'utf8')).keys;
  const verify = (copy: Copy, externalDir: string | null = copy.ext) =>
    verifyAuditIntegrity(copy.db, { externalDir, publicKeys: pinned() });

  it(`the intact trail verifies: 5000 events, 5 checkpoints in the database and the external log (${provider})`, async () => {
    const copy = await freshCopy();
    const report = await verify(copy);
    expect(report).toMatchObject({ ok: true, chain: { ok: true, count: EVENTS, headSeq: EVENTS }, findings: [] });
    expect(report.checkpoints).toMatchObject({ database: 5, external: 5, verified: 10, keyIds: [key.keyId], newest: { seq: EVENTS } });

    const cli = await runVerifyCli(copy.url, ['--external', copy.ext, '--keys', keysFile]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(
      /^audit chain intact: 5000 events, head seq 5000, hash [0-9a-f]{64}\ncheckpoints verified: 10 \(database 5, external 5\), key ids /,
    );
  });

  it(`(a) UPDATE, DELETE (and TRUNCATE) of audit rows as the app are refused (${provider})`, async () => {
    const copy = await freshCopy();
    await expect(copy.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "reason" = 'edited' WHERE "seq" = 100`)).rejects.toThrow();
    await expect(copy.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 100`)).rejects.toThrow();
    await expect(copy.db.$executeRawUnsafe(`UPDATE "AuditCheckpoint" SET "headHash" = 'x' WHERE "seq" = 1000`)).rejects.toThrow();
    if (provider === 'postgres') await expect(copy.db.$executeRawUnsafe(`TRUNCATE "AuditEvent"`)).rejects.toThrow();
    expect((await verify(copy)).ok).toBe(true);
  });

  it(`(b) a payload edited with the trigger dropped is a modification at its seq (${provider})`, async () => {
    const copy = await freshCopy();
    await dropTriggers(copy.db, provider, 'AuditEvent');
    await copy.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "details" = '{"after":{"n":1234,"role":"admin"}}' WHERE "seq" = 1234`);
    expect((await verify(copy)).findings[0]).toMatchObject({ attackClass: 'modification', firstBadSeq: 1234 });
  });

  it(`(c) row 2500 deleted is a deletion at 2500 (${provider})`, async () => {
    const copy = await freshCopy();
    await dropTriggers(copy.db, provider, 'AuditEvent');
    await copy.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 2500`);
    expect((await verify(copy)).findings[0]).toMatchObject({ attackClass: 'deletion', firstBadSeq: 2500 });
  });

  it(`(d) two rows with swapped seq are a reordering at the lower seq (${provider})`, async () => {
    const copy = await freshCopy();
    await dropTriggers(copy.db, provider, 'AuditEvent');
    await copy.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = -1 WHERE "seq" = 1500`);
      await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = 1500 WHERE "seq" = 3500`);
      await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = 3500 WHERE "seq" = -1`);
    });
    expect((await verify(copy)).findings[0]).toMatchObject({ attackClass: 'reordering', firstBadSeq: 1500, problem: 'prev_hash_mismatch' });
  });

  it(`(e) the last 40 rows deleted are a truncation, detected only through the external checkpoint (${provider})`, async () => {
    const copy = await freshCopy();
    await dropTriggers(copy.db, provider, 'AuditEvent');
    await dropTriggers(copy.db, provider, 'AuditCheckpoint');
    await copy.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" > 4960`);
    await copy.db.$executeRawUnsafe(`DELETE FROM "AuditCheckpoint" WHERE "seq" > 4960`); // a careful attacker

    expect(await verifyChain(copy.db)).toMatchObject({ ok: true, count: 4960, headSeq: 4960 });
    expect((await verify(copy, null)).ok).toBe(true); // the database alone is consistent
    const report = await verify(copy);
    expect(report.findings[0]).toMatchObject({
      attackClass: 'truncation',
      firstBadSeq: 4961,
      checkpoint: { source: 'external', seq: 5000 },
    });

    const cli = await runVerifyCli(copy.url, ['--external', copy.ext, '--keys', keysFile, '--json']);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false, attackClass: 'truncation', firstBadSeq: 4961 });
  });

  it(`(f) an older copy of the database restored is a rollback (${provider})`, async () => {
    const live = await freshCopy();
    // The backup: a snapshot taken now (SQLite VACUUM INTO; PostgreSQL CREATE DATABASE … TEMPLATE).
    if (provider === 'postgres') await live.db.$disconnect();
    const backup = await freshCopy(live);
    if (provider === 'postgres') await live.reconnect();
    fs.rmSync(backup.ext, { recursive: true }); // the external log is the live one, not a copy
    // Life goes on: 100 more events and a checkpoint (database and external log).
    await appendEvents(live.db, EVENTS + 1, EVENTS + 100);
    expect(await createCheckpoint(live.db, { signingKey: key, publicKeysFile: keysFile, dir: live.ext })).toMatchObject({
      seq: EVENTS + 100,
    });

    let restored: Copy = backup;
    if (provider === 'sqlite') {
      // Put the backup file back in place of the live one.
      await live.db.$disconnect();
      const file = live.url.slice('file:'.length);
      for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
      await backup.db.$disconnect();
      fs.copyFileSync(backup.url.slice('file:'.length), file);
      await live.reconnect();
      restored = live;
    }
    expect((await verify(restored, null)).ok).toBe(true);
    const report = await verifyAuditIntegrity(restored.db, { externalDir: live.ext, publicKeys: pinned() });
    expect(report.findings[0]).toMatchObject({
      attackClass: 'rollback',
      firstBadSeq: EVENTS + 1,
      checkpoint: { source: 'external', seq: EVENTS + 100 },
    });
  });

  it(`(g) an edit with the whole chain recomputed is a recomputed_chain, from the last matching checkpoint (${provider})`, async () => {
    const copy = await freshCopy();
    await dropTriggers(copy.db, provider, 'AuditEvent');
    await copy.db.$transaction(
      async (tx) => {
        const rows = await tx.auditEvent.findMany({ where: { seq: { gte: 2345 } }, orderBy: { seq: 'asc' } });
        let prevHash = rows[0]!.prevHash;
        for (const row of rows) {
          const edited = row.seq === 2345 ? { ...row, reason: 'approved by the board' } : row;
          const hash = computeEventHash(prevHash, edited);
          await tx.auditEvent.update({ where: { seq: row.seq }, data: { reason: edited.reason, prevHash, hash } });
          prevHash = hash;
        }
      },
      { timeout: 120_000 },
    );
    expect(await verifyChain(copy.db)).toMatchObject({ ok: true, count: EVENTS });
    const report = await verify(copy);
    expect(report.findings[0]).toMatchObject({ attackClass: 'recomputed_chain', firstBadSeq: 2001, checkpoint: { seq: 3000 } });
    // The database's own checkpoints already catch it: the signing key is not in the database.
    expect((await verify(copy, null)).findings[0]).toMatchObject({ attackClass: 'recomputed_chain', firstBadSeq: 2001 });
  });

  it(`(h) a checkpoint signed with another key is forged under the pinned public keys (${provider})`, async () => {
    const copy = await freshCopy();
    await appendEvents(copy.db, EVENTS + 1, EVENTS + 10);
    const intruder = loadSigningKey({ pem: generateKeyPair().privatePem })!;
    const head = await copy.db.auditEvent.findUniqueOrThrow({ where: { seq: EVENTS + 10 } });
    const last = storedCheckpointFromRow(await copy.db.auditCheckpoint.findUniqueOrThrow({ where: { seq: EVENTS } }));
    const fake = signCheckpoint(
      {
        format: CHECKPOINT_FORMAT,
        seq: head.seq,
        headHash: head.hash,
        ts: new Date().toISOString(),
        keyId: intruder.keyId,
        prev: last.digest,
      },
      intruder.privateKey,
    );
    await copy.db.auditCheckpoint.create({
      data: {
        seq: fake.seq,
        headHash: fake.headHash,
        ts: new Date(fake.ts),
        keyId: fake.keyId,
        prev: fake.prev,
        digest: fake.digest,
        signature: fake.signature,
      },
    });
    appendExternalCheckpoints(copy.ext, [fake]);
    // The intruder also publishes their key in the unpinned public-keys file.
    const planted = path.join(work, `planted-${provider}.json`);
    savePublicKeys(
      {
        format: 'warden.public-keys.v1',
        keys: [
          ...pinned(),
          { keyId: intruder.keyId, publicKey: intruder.publicKey, validFrom: '2020-01-01T00:00:00.000Z', validUntil: null },
        ],
      },
      planted,
    );

    const report = await verify(copy);
    expect(report.findings[0]).toMatchObject({ attackClass: 'forged_checkpoint', firstBadSeq: EVENTS + 10, problem: 'unknown_key' });
    expect(report.findings.map((f) => f.checkpoint?.source).sort()).toEqual(['database', 'external']);

    const cli = await runVerifyCli(copy.url, ['--external', copy.ext, '--keys', keysFile]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/^audit trail BROKEN at seq 5010: forged_checkpoint \(unknown_key\) — /);
    // Trusting the planted file instead of the pinned one would hide it: hence --keys.
    const unpinned = await verifyAuditIntegrity(copy.db, {
      externalDir: copy.ext,
      publicKeys: JSON.parse(fs.readFileSync(planted, 'utf8')).keys,
    });
    expect(unpinned.ok).toBe(true);
  });
});
