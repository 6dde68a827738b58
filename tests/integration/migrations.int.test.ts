import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDeploy, migrateReset, migrateStatus, projectPaths } from '@/lib/db/migrate';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  applied_steps_count: number | bigint;
}

function localMigrations(migrationsDir: string): string[] {
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * Awaits an operation the database must refuse and returns everything the error
 * says. On SQLite the model API reports a trigger abort as P2003 ("foreign key
 * constraint violated", the adapter's mapping of SQLITE_CONSTRAINT_TRIGGER); the
 * trigger's own message survives in `meta.driverAdapterError`.
 */
async function refusal(operation: Promise<unknown>): Promise<string> {
  const error: unknown = await operation.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, 'the database accepted the change').not.toBeNull();
  const { message, meta } = error as { message?: string; meta?: unknown };
  return `${message ?? String(error)} ${JSON.stringify(meta ?? {})}`;
}

const APPEND_ONLY = 'audit events are append-only';

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe.each(testProviders())('migrations on %s', (provider) => {
  const { migrationsDir } = projectPaths(provider);
  const local = localMigrations(migrationsDir);
  let t: TestDb;

  beforeAll(async () => {
    t = await createTestDb({ provider, migrate: false });
  });

  afterAll(async () => {
    await t?.cleanup();
  });

  it('starts with the init and audit_append_only migrations, in order, and has the CLI lockfile', () => {
    expect(local.length).toBeGreaterThanOrEqual(2);
    expect(local[0]).toMatch(/^\d{14}_init$/);
    expect(local[1]).toMatch(/^\d{14}_audit_append_only$/);
    expect([...local].sort()).toEqual(local);
    const connector = provider === 'postgres' ? 'postgresql' : 'sqlite';
    expect(fs.readFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'utf8')).toContain(`provider = "${connector}"`);
  });

  it('deploy on an empty database applies every migration', async () => {
    const before = await migrateStatus(t.url, { checkDrift: false });
    expect(before.hasMigrationsTable).toBe(false);
    expect(before.pending).toEqual(local);
    expect(before.upToDate).toBe(false);

    const result = await migrateDeploy(t.url);
    expect(result.provider).toBe(provider);
    expect(result.applied).toEqual(local);
  });

  it('status then reports up to date, with no drift despite the triggers', async () => {
    const status = await migrateStatus(t.url);
    expect(status.applied.map((record) => record.migrationName)).toEqual(local);
    expect(status.pending).toEqual([]);
    expect(status.failed).toEqual([]);
    expect(status.edited).toEqual([]);
    expect(status.unknown).toEqual([]);
    expect(status.driftChecked).toBe(true);
    expect(status.drift).toBeNull();
    expect(status.upToDate).toBe(true);
  });

  it('deploy again is a no-op', async () => {
    await t.db.$disconnect();
    const result = await migrateDeploy(t.url);
    expect(result.applied).toEqual([]);
    expect((await migrateStatus(t.url, { checkDrift: false })).applied).toHaveLength(local.length);
  });

  it('records every migration in _prisma_migrations with the checksum of its file', async () => {
    const rows = await t.db.$queryRawUnsafe<MigrationRow[]>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count ' +
        'FROM "_prisma_migrations" ORDER BY started_at',
    );
    expect(rows.map((row) => row.migration_name)).toEqual(local);
    for (const row of rows) {
      expect(row.checksum).toBe(sha256(path.join(migrationsDir, row.migration_name, 'migration.sql')));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
    }
  });

  it('seeds the single AuditLock row', async () => {
    expect(await t.db.auditLock.findMany()).toEqual([{ id: 1, appends: 0 }]);
  });

  describe('the audit trail is append-only', () => {
    beforeAll(async () => {
      const inserted = await t.db.$executeRaw`
        INSERT INTO "AuditEvent"
          ("seq", "id", "ts", "correlationId", "operation", "outcome", "details", "policyVersion", "prevHash", "hash")
        VALUES
          (1, 'evt_1', ${new Date('2024-01-01T00:00:00.000Z')}, 'req-1', 'auth.sign_in', 'success', '{}',
           'policies@test', ${'0'.repeat(64)}, ${'1'.repeat(64)})`;
      expect(inserted).toBe(1);
    });

    it('refuses UPDATE', async () => {
      expect(await refusal(t.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "outcome" = 'failure' WHERE "seq" = 1`))).toContain(APPEND_ONLY);
      expect(
        await refusal(
          t.db.auditEvent.update({
            where: { seq: 1 },
            data: { outcome: 'denied' },
          }),
        ),
      ).toContain(APPEND_ONLY);
    });

    it('refuses DELETE', async () => {
      expect(await refusal(t.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 1`))).toContain(APPEND_ONLY);
      expect(await refusal(t.db.auditEvent.deleteMany({}))).toContain(APPEND_ONLY);
    });

    it.runIf(provider === 'postgres')('refuses TRUNCATE, with its own SQLSTATE', async () => {
      const message = await refusal(t.db.$executeRawUnsafe(`TRUNCATE "AuditEvent"`));
      expect(message).toContain(APPEND_ONLY);
      expect(message).toContain('WA001');
    });

    it('still allows appends and leaves the row unchanged', async () => {
      const rows = await t.db.auditEvent.findMany();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        seq: 1,
        id: 'evt_1',
        outcome: 'success',
      });
      await t.db.auditEvent.create({
        data: {
          seq: 2,
          id: 'evt_2',
          ts: new Date(),
          correlationId: 'req-2',
          operation: 'auth.sign_out',
          outcome: 'success',
          details: '{}',
          policyVersion: 'policies@test',
          prevHash: '1'.repeat(64),
          hash: '2'.repeat(64),
        },
      });
      expect(await t.db.auditEvent.count()).toBe(2);
    });
  });

  it('detects drift when the schema is changed outside migrations', async () => {
    await t.db.$executeRawUnsafe('CREATE TABLE "Stray" ("id" INTEGER NOT NULL PRIMARY KEY)');
    try {
      const status = await migrateStatus(t.url);
      expect(status.drift).toContain('Stray');
      expect(status.upToDate).toBe(false);
    } finally {
      await t.db.$executeRawUnsafe('DROP TABLE "Stray"');
    }
    expect((await migrateStatus(t.url)).drift).toBeNull();
  });

  it('reset drops everything, protected audit rows included, and re-applies the migrations', async () => {
    expect(await t.db.auditEvent.count()).toBeGreaterThan(0);
    // SQLite migrations need the file for themselves (EXCLUSIVE locking mode);
    // the client reconnects on its next query.
    await t.db.$disconnect();
    const result = await migrateReset(t.url);
    expect(result.applied).toEqual(local);
    expect(await t.db.auditEvent.count()).toBe(0);
    expect(await t.db.auditLock.findMany()).toEqual([{ id: 1, appends: 0 }]);
    expect((await migrateStatus(t.url)).upToDate).toBe(true);
    await t.db.$executeRaw`
      INSERT INTO "AuditEvent"
        ("seq", "id", "ts", "correlationId", "operation", "outcome", "details", "policyVersion", "prevHash", "hash")
      VALUES (1, 'evt_1', ${new Date()}, 'req-1', 'auth.sign_in', 'success', '{}', 'policies@test', 'a', 'b')`;
    expect(await refusal(t.db.auditEvent.deleteMany({}))).toContain(APPEND_ONLY);
  });
});
