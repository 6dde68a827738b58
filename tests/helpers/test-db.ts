/**
 * Fresh, fully migrated databases for integration tests: one per call, so test
 * files (which run in parallel processes) and tests never share state.
 *
 * - SQLite: a file in a new temporary folder under os.tmpdir().
 * - PostgreSQL: a new database with a random name on the server of TEST_PG_URL
 *   (e.g. postgresql://warden:warden@127.0.0.1:5432/postgres, printed by
 *   scripts/ci/start-postgres.sh); its role needs CREATEDB.
 *
 * The schema comes from the real migrations (lib/db/migrate), so tests also
 * exercise what production deploys, triggers included. To migrate or reset
 * `url` yourself on SQLite, `$disconnect()` the client first: the schema engine
 * needs the file for itself (the client reconnects on its next query).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb, type Db } from '../../lib/db/client';
import { migrateDeploy, pgConnectionFields, quotePgIdent } from '../../lib/db/migrate';
import type { DbProvider } from '../../lib/db/url';

export interface TestDbOptions {
  /** Defaults to TEST_DB_PROVIDER, else sqlite. */
  provider?: DbProvider;
  /** Apply the migrations (default true); false gives an empty database. */
  migrate?: boolean;
}

export interface TestDb {
  /** Client from lib/db/client.ts createDb, connected to the test database. */
  db: Db;
  url: string;
  provider: DbProvider;
  /** Disconnects and deletes the database. Safe to call more than once. */
  cleanup(): Promise<void>;
}

function defaultProvider(): DbProvider {
  const value = process.env.TEST_DB_PROVIDER;
  if (value === undefined || value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'postgres' || value === 'postgresql') return 'postgres';
  throw new Error(`TEST_DB_PROVIDER must be sqlite or postgres, not "${value}"`);
}

/**
 * The providers integration tests should cover here: SQLite always, PostgreSQL
 * when TEST_PG_URL points at a server. For `describe.each(testProviders())`.
 */
export function testProviders(): DbProvider[] {
  return process.env.TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

async function withAdminClient<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...pgConnectionFields(serverUrl) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createPostgresDatabase(): Promise<{
  url: string;
  drop: () => Promise<void>;
}> {
  const serverUrl = process.env.TEST_PG_URL;
  if (!serverUrl) throw new Error('TEST_PG_URL is not set (see scripts/ci/start-postgres.sh)');
  const name = `warden_test_${Date.now().toString(36)}_${randomBytes(6).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE ${quotePgIdent(name)}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      // FORCE ends connections a failed test may have leaked (PostgreSQL 13+). It
      // fails while an autovacuum worker (a superuser process) is still in the
      // database, so it is tried again for a few seconds.
      for (let attempt = 1; ; attempt++) {
        try {
          await withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quotePgIdent(name)} WITH (FORCE)`));
          return;
        } catch (error) {
          if (attempt >= 10) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    },
  };
}

function createSqliteFile(): { url: string; drop: () => Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-test-'));
  return {
    url: `file:${path.join(dir, 'warden.db')}`,
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Creates a new database, applies every migration (unless `migrate: false`) and
 * connects a client to it. Always pair with `cleanup()` (e.g. in afterAll);
 * if anything fails on the way, what was created is removed before rethrowing.
 */
export async function createTestDb(opts: TestDbOptions = {}): Promise<TestDb> {
  const provider = opts.provider ?? defaultProvider();
  const target = provider === 'postgres' ? await createPostgresDatabase() : createSqliteFile();
  let db: Db | undefined;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    try {
      await db?.$disconnect();
    } finally {
      await target.drop();
    }
  };
  try {
    if (opts.migrate !== false) await migrateDeploy(target.url);
    db = (await createDb({ url: target.url, poolSize: 5 })).db;
    return { db, url: target.url, provider, cleanup };
  } catch (error) {
    await cleanup().catch(() => {});
    throw error;
  }
}
