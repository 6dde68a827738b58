import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appendAuditEvent,
  AuditAppendError,
  computeEventHash,
  verifyChain,
  type AuditEventInput,
  type VerifyChainResult,
} from '@/lib/audit';
import { createDb, type Db } from '@/lib/db/client';
import type { DbProvider } from '@/lib/db/url';
import { createTestDb, testProviders } from '../helpers/test-db';

type TestDb = Awaited<ReturnType<typeof createTestDb>>;

const repoRoot = path.resolve(import.meta.dirname, '../..');

function eventInput(n: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    actor: { id: 'usr_admin', role: 'admin', sessionId: 'ses_admin' },
    ip: '203.0.113.10',
    userAgent: 'integration-test',
    correlationId: `req-${n}`,
    operation: 'user.create',
    target: { type: 'User', id: `usr_${n}` },
    outcome: 'success',
    reason: `created user ${n} — prüfung`,
    details: { after: { email: `user${n}@example.test`, role: 'member' } },
    policyVersion: 'policies@test',
    decision: 'rule:admin.user.create',
    ...overrides,
  };
}

/** An audited mutation, as the DAL writes it: the change and its audit row in one transaction. */
async function createUserAudited(db: Db, n: number, audit: AuditEventInput = eventInput(n)) {
  return db.$transaction(async (tx) => {
    await tx.user.create({ data: { id: `usr_${n}`, email: `user${n}@example.test`, name: `User ${n}`, role: 'member' } });
    return appendAuditEvent(tx, audit);
  });
}

async function seedChain(db: Db, length: number): Promise<void> {
  for (let n = 1; n <= length; n++) await createUserAudited(db, n);
}

/** What a DB superuser could do: remove the append-only triggers so rows can be edited. */
async function dropAuditTriggers(db: Db, provider: DbProvider): Promise<void> {
  if (provider === 'sqlite') {
    const triggers = await db.$queryRawUnsafe<{ name: string }[]>(
      `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'AuditEvent'`,
    );
    expect(triggers.length).toBeGreaterThan(0);
    for (const t of triggers) await db.$executeRawUnsafe(`DROP TRIGGER "${t.name}"`);
    return;
  }
  const triggers = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT tgname AS name FROM pg_trigger WHERE tgrelid = '"AuditEvent"'::regclass AND NOT tgisinternal`,
  );
  expect(triggers.length).toBeGreaterThan(0);
  for (const t of triggers) await db.$executeRawUnsafe(`DROP TRIGGER "${t.name}" ON "AuditEvent"`);
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const NO_CHECKPOINT_FILES = {
  WARDEN_AUDIT_CHECKPOINT_DIR: path.join(repoRoot, 'var', 'no-such-checkpoint-dir'),
  WARDEN_AUDIT_PUBLIC_KEYS_FILE: path.join(repoRoot, 'var', 'no-such-public-keys.json'),
};

/** Runs the real `audit:verify` CLI in a child process against `url`. */
function runVerifyCli(url: string, args: string[] = []): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', '--conditions=react-server', 'scripts/audit-verify.ts', ...args],
      // No external log or public keys from the checkout's var/: this database has no checkpoints.
      { cwd: repoRoot, env: { ...process.env, DATABASE_URL: url, ...NO_CHECKPOINT_FILES }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// A second app instance: a child process that connects, reports "ready", waits
// for "go" on stdin and then runs `count` audited mutations concurrently.
const CHILD_APPENDER = `
import readline from 'node:readline';
import { appendAuditEvent } from '@/lib/audit';
import { createDb } from '@/lib/db/client';
void (async () => {
  const { db } = await createDb({ url: String(process.env.DATABASE_URL) });
  await db.auditEvent.count();
  process.stdout.write('ready\\n');
  await new Promise((go) => readline.createInterface({ input: process.stdin }).once('line', go));
  const from = Number(process.env.APPEND_FROM);
  await Promise.all(Array.from({ length: Number(process.env.APPEND_COUNT) }, (_, i) =>
    db.$transaction(async (tx) => {
      const n = from + i;
      await tx.user.create({ data: { id: 'usr_' + n, email: 'user' + n + '@example.test', name: 'User ' + n, role: 'member' } });
      await appendAuditEvent(tx, { actor: { id: 'usr_child', role: 'admin', sessionId: null }, correlationId: 'child-' + n,
        operation: 'user.create', target: { type: 'User', id: 'usr_' + n }, outcome: 'success', policyVersion: 'policies@test' });
    })));
  await db.$disconnect();
})().catch((error) => {
  process.stderr.write(String(error instanceof Error ? error.message : error) + '\\n');
  process.exitCode = 1;
});
`;

async function startChildAppender(url: string, from: number, count: number) {
  const child = spawn('npx', ['tsx', '--conditions=react-server', '-e', CHILD_APPENDER], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: url, APPEND_FROM: String(from), APPEND_COUNT: String(count) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    void exited.then((result) => reject(new Error(`child appender exited early: ${result.stderr}`)));
  });
  return {
    /** Releases the child and resolves when it has exited. */
    go: () => {
      child.stdin.end('go\n');
      return exited;
    },
  };
}

function brokenAt(result: VerifyChainResult): number | null {
  return result.ok ? null : result.firstBadSeq;
}

describe.each(testProviders())('audit chain on %s', (provider) => {
  const opened: TestDb[] = [];
  const extraClients: Db[] = [];

  async function freshDb(): Promise<TestDb> {
    const t = await createTestDb({ provider });
    opened.push(t);
    return t;
  }

  afterEach(async () => {
    for (const client of extraClients.splice(0)) await client.$disconnect();
    for (const t of opened.splice(0)) await t.cleanup();
  });

  it(`T43 50 concurrent audited mutations in separate transactions leave an intact chain 1..50 (${provider})`, async () => {
    const { db } = await freshDb();
    const appended = await Promise.all(Array.from({ length: 50 }, (_, i) => createUserAudited(db, i + 1)));

    expect(appended.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const result = await verifyChain(db);
    expect(result).toMatchObject({ ok: true, count: 50, headSeq: 50 });
    expect(await db.user.count()).toBe(50);
    expect(await db.auditLock.findUnique({ where: { id: 1 } })).toMatchObject({ appends: 50 });
  });

  // Two clients in ONE process only on PostgreSQL: better-sqlite3 waits for a
  // busy database synchronously, so a second SQLite connection in the same
  // process blocks the event loop that the lock holder needs in order to commit.
  it.runIf(provider === 'postgres')(
    `T43 50 concurrent audited mutations from two clients (two app instances) leave an intact chain (${provider})`,
    async () => {
      const { db, url } = await freshDb();
      const second = (await createDb({ url })).db;
      extraClients.push(second);

      const appended = await Promise.all(Array.from({ length: 50 }, (_, i) => createUserAudited(i % 2 === 0 ? db : second, i + 1)));

      expect(new Set(appended.map((a) => a.seq)).size).toBe(50);
      expect(await verifyChain(db)).toMatchObject({ ok: true, count: 50, headSeq: 50 });
      const rows = await db.auditEvent.findMany({ orderBy: { seq: 'asc' }, select: { seq: true } });
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    },
  );

  it(`T43 50 concurrent audited mutations from two processes leave an intact chain (${provider})`, async () => {
    const { db, url } = await freshDb();
    const child = await startChildAppender(url, 26, 25);

    const [, childExit] = await Promise.all([Promise.all(Array.from({ length: 25 }, (_, i) => createUserAudited(db, i + 1))), child.go()]);

    expect(childExit).toMatchObject({ code: 0 });
    expect(await verifyChain(db)).toMatchObject({ ok: true, count: 50, headSeq: 50 });
    expect(await db.user.count()).toBe(50);
    const actors = await db.auditEvent.groupBy({ by: ['actorId'], _count: { _all: true } });
    expect(actors.map((a) => a._count._all).sort()).toEqual([25, 25]);
  });

  it(`stores the event as given and its hash verifies (${provider})`, async () => {
    const { db } = await freshDb();
    const first = await createUserAudited(db, 1);
    const row = await db.auditEvent.findUniqueOrThrow({ where: { seq: first.seq } });

    expect(row).toMatchObject({
      id: first.id,
      hash: first.hash,
      prevHash: '0'.repeat(64),
      actorId: 'usr_admin',
      targetType: 'User',
      targetId: 'usr_1',
      reason: 'created user 1 — prüfung',
      details: '{"after":{"email":"user1@example.test","role":"member"}}',
    });
    expect(row.ts.getUTCMilliseconds()).toBe(row.ts.getTime() % 1000);
    expect(await verifyChain(db)).toMatchObject({ ok: true, headHash: first.hash });
  });

  it(`T41(a) UPDATE and DELETE of an audit row are refused by the database (${provider})`, async () => {
    const { db } = await freshDb();
    await seedChain(db, 3);
    const before = await db.auditEvent.findUniqueOrThrow({ where: { seq: 2 } });

    await expect(db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "reason" = 'edited' WHERE "seq" = 2`)).rejects.toThrow();
    await expect(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 2`)).rejects.toThrow();
    await expect(db.auditEvent.update({ where: { seq: 2 }, data: { outcome: 'denied' } })).rejects.toThrow();
    await expect(db.auditEvent.deleteMany({})).rejects.toThrow();

    expect(await db.auditEvent.findUniqueOrThrow({ where: { seq: 2 } })).toEqual(before);
    expect(await verifyChain(db)).toMatchObject({ ok: true, count: 3 });
  });

  it(`T42 a mutation whose audit append is rejected (invalid input) rolls back (${provider})`, async () => {
    const { db } = await freshDb();
    await seedChain(db, 2);

    const attempt = createUserAudited(db, 3, eventInput(3, { details: { password: 'hunter2' } }));
    await expect(attempt).rejects.toBeInstanceOf(AuditAppendError);

    expect(await db.user.findUnique({ where: { id: 'usr_3' } })).toBeNull();
    expect(await verifyChain(db)).toMatchObject({ ok: true, count: 2 });
  });

  it(`T42 a mutation rolls back when the audit lock row is missing: fail closed, no new chain (${provider})`, async () => {
    const { db } = await freshDb();
    await seedChain(db, 2);

    const attempt = db.$transaction(async (tx) => {
      await tx.auditLock.deleteMany({});
      await tx.user.create({ data: { id: 'usr_x', email: 'x@example.test', name: 'X', role: 'member' } });
      return appendAuditEvent(tx, eventInput(99));
    });
    await expect(attempt).rejects.toMatchObject({ code: 'lock_row_missing' });

    expect(await db.user.findUnique({ where: { id: 'usr_x' } })).toBeNull();
    expect(await db.auditLock.findUnique({ where: { id: 1 } })).not.toBeNull();
    expect(await verifyChain(db)).toMatchObject({ ok: true, count: 2 });
  });

  it(`an error after the append rolls the audit row back too, leaving no gap (${provider})`, async () => {
    const { db } = await freshDb();
    await seedChain(db, 2);

    const attempt = db.$transaction(async (tx) => {
      await appendAuditEvent(tx, eventInput(3));
      throw new Error('mutation failed after auditing');
    });
    await expect(attempt).rejects.toThrow('mutation failed after auditing');
    expect(await db.auditEvent.count()).toBe(2);

    const next = await createUserAudited(db, 4);
    expect(next.seq).toBe(3);
    expect(await verifyChain(db)).toMatchObject({ ok: true, count: 3 });
  });

  it(`detects an edited row whose own hash was recomputed, at the following seq (${provider})`, async () => {
    const { db } = await freshDb();
    await seedChain(db, 5);
    await dropAuditTriggers(db, provider);
    const row = await db.auditEvent.findUniqueOrThrow({ where: { seq: 3 } });
    const forged = { ...row, outcome: 'denied' };
    await db.auditEvent.update({
      where: { seq: 3 },
      data: { outcome: 'denied', hash: computeEventHash(row.prevHash, forged) },
    });

    const result = await verifyChain(db);
    expect(result).toMatchObject({ ok: false, problem: 'prev_hash_mismatch' });
    expect(brokenAt(result)).toBe(4);
  });

  it(`audit:verify exits 0 on an intact chain and prints the head (${provider})`, async () => {
    const { db, url } = await freshDb();
    await seedChain(db, 5);
    const head = await db.auditEvent.findUniqueOrThrow({ where: { seq: 5 } });

    const text = await runVerifyCli(url);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(`audit chain intact: 5 events, head seq 5, hash ${head.hash}`);

    const json = await runVerifyCli(url, ['--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, count: 5, headSeq: 5, headHash: head.hash, findings: [] });
  });

  it(`T41(b) audit:verify detects an edited row (${provider})`, async () => {
    const { db, url } = await freshDb();
    await seedChain(db, 5);
    await dropAuditTriggers(db, provider);
    await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "reason" = 'nothing to see here' WHERE "seq" = 3`);

    const run = await runVerifyCli(url);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^audit trail BROKEN at seq 3: modification \(hash_mismatch\) — /);
  });

  it(`T41(c) audit:verify detects a deleted row (${provider})`, async () => {
    const { db, url } = await freshDb();
    await seedChain(db, 5);
    await dropAuditTriggers(db, provider);
    await db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 3`);

    const run = await runVerifyCli(url, ['--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, count: 2, firstBadSeq: 3, problem: 'seq_gap' });
  });

  it(`T41(d) audit:verify detects two reordered rows (seqs swapped) (${provider})`, async () => {
    const { db, url } = await freshDb();
    await seedChain(db, 5);
    await dropAuditTriggers(db, provider);
    await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = -1 WHERE "seq" = 2`);
      await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = 2 WHERE "seq" = 4`);
      await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = 4 WHERE "seq" = -1`);
    });

    const run = await runVerifyCli(url);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^audit trail BROKEN at seq 2: reordering \(prev_hash_mismatch\) — /);
  });
});

describe('audit:verify usage and connection errors', () => {
  it('exits 2 on an unknown argument', async () => {
    const run = await runVerifyCli('file:./var/does-not-matter.db', ['--frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage:');
  });

  it('exits 2 without creating a file when the SQLite database does not exist', async () => {
    const missing = path.join(repoRoot, 'var', `missing-${process.pid}-${Date.now()}.db`);
    const run = await runVerifyCli(`file:${missing}`, ['--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: null, error: expect.stringContaining('not found') });
    expect(fs.existsSync(missing)).toBe(false);
  });
});
