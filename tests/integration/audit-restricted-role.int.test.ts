import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '@/lib/audit/append';
import { verifyChain } from '@/lib/audit/verify';
import { createDb, type Db } from '@/lib/db/client';
import { createTestDb, type TestDb } from '../helpers/test-db';

/**
 * docs/operators.md "PostgreSQL: a role that cannot rewrite history": the SQL printed
 * there is run as written (minus CREATE ROLE: scripts/ci/start-postgres.sh creates
 * `warden_app`, and the database name is this test's), then the console's audited
 * writes run as that role, and every way of rewriting the trail is refused by the
 * database's privileges — before any trigger is even consulted.
 */
const APP_ROLE = 'warden_app';
const APP_PASSWORD = 'warden_app';

function documentedGrants(database: string): string[] {
  const doc = fs.readFileSync(path.join(__dirname, '../../docs/operators.md'), 'utf8');
  const section = doc.slice(doc.indexOf('**PostgreSQL: a role that cannot rewrite history.**'));
  const sql = /```sql\n([\s\S]*?)```/.exec(section)?.[1];
  if (!sql) throw new Error('docs/operators.md has no SQL block for the restricted role');
  return sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, '').trim())
    .filter((line) => line && !line.startsWith('CREATE ROLE'))
    .map((line) => line.replace(/ON DATABASE warden /, `ON DATABASE "${database}" `).replace(/;$/, ''));
}

describe.runIf(!!process.env.TEST_PG_URL)('a console running as the restricted PostgreSQL role', () => {
  let owner: TestDb;
  let app: Db;

  beforeAll(async () => {
    owner = await createTestDb({ provider: 'postgres' });
    const url = new URL(owner.url);
    for (const statement of documentedGrants(url.pathname.slice(1))) await owner.db.$executeRawUnsafe(statement);
    url.username = APP_ROLE;
    url.password = APP_PASSWORD;
    app = (await createDb({ url: url.toString() })).db;
  });
  afterAll(async () => {
    await app?.$disconnect();
    await owner?.cleanup();
  });

  it('appends audited changes as usual', async () => {
    for (let n = 1; n <= 3; n++) {
      await app.$transaction(async (tx) => {
        await tx.user.create({ data: { id: `usr_${n}`, email: `user${n}@example.test`, name: `User ${n}`, role: 'member' } });
        await tx.user.update({ where: { id: `usr_${n}` }, data: { status: 'suspended' } });
        return appendAuditEvent(tx, {
          actor: null,
          ip: null,
          userAgent: 'restricted-role test',
          correlationId: `req-${n}`,
          operation: 'user.suspend',
          target: { type: 'User', id: `usr_${n}` },
          outcome: 'success',
          reason: 'restricted role',
          details: {},
          policyVersion: 'policies@test',
          decision: 'rule:test',
        });
      });
    }
    expect(await verifyChain(app)).toMatchObject({ ok: true, count: 3 });
  });

  it.each([
    ['UPDATE "AuditEvent" SET "reason" = \'rewritten\''],
    ['DELETE FROM "AuditEvent" WHERE "seq" = 2'],
    ['TRUNCATE "AuditEvent"'],
    ['UPDATE "AuditCheckpoint" SET "keyId" = \'forged\''],
    ['DELETE FROM "AuditCheckpoint"'],
    ['TRUNCATE "AuditCheckpoint"'],
    ['ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL'],
  ])('refuses %s (insufficient privilege)', async (statement) => {
    await expect(app.$executeRawUnsafe(statement)).rejects.toThrow(/permission denied|must be owner/);
    expect(await verifyChain(app)).toMatchObject({ ok: true, count: 3 });
  });

  it('refuses to drop the append-only triggers', async () => {
    const triggers = await owner.db.$queryRawUnsafe<{ name: string; table: string }[]>(
      `SELECT tgname AS name, tgrelid::regclass::text AS table FROM pg_trigger WHERE tgrelid IN ('"AuditEvent"'::regclass, '"AuditCheckpoint"'::regclass) AND NOT tgisinternal`,
    );
    expect(triggers.length).toBeGreaterThanOrEqual(4);
    for (const t of triggers) {
      await expect(app.$executeRawUnsafe(`DROP TRIGGER "${t.name}" ON ${t.table}`)).rejects.toThrow(/must be owner/);
    }
  });
});
