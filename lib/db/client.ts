/**
 * Prisma client construction for either provider. This file has no server-only
 * marker so that CLIs and integration tests can build a client for an explicit
 * URL; application code imports `db()` from lib/db instead.
 *
 * Each generated client embeds its provider's query compiler, so there is one
 * per provider (generated/sqlite, generated/postgres). The model APIs are the
 * same; the PostgreSQL client is typed as the SQLite one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from '../../generated/sqlite/client';
import { PrismaClient as PostgresClient } from '../../generated/postgres/client';
import { providerOf, sqliteFilePath, type DbProvider } from './url';

export type Db = SqliteClient;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface DbHandle {
  db: Db;
  provider: DbProvider;
}

/** Options for a client: the URL and, for PostgreSQL, the pool size. */
export interface CreateDbOptions {
  url: string;
  poolSize?: number;
}

/**
 * Interactive transactions: every audited write queues on the audit chain lock
 * (lib/audit/append), so in a burst a transaction may wait for a pool connection
 * and then for the lock well beyond Prisma's defaults (2 s to start, 5 s to run).
 * Waiting is correct there; giving up would fail a legitimate change.
 */
const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 20_000 };

/**
 * Creates a client. SQLite: the file's folder is created, WAL is switched on (it
 * persists in the file), foreign keys are enforced and writers wait up to 10 s
 * for the lock instead of failing with SQLITE_BUSY.
 */
export async function createDb({ url, poolSize = 10 }: CreateDbOptions): Promise<DbHandle> {
  const provider = providerOf(url);
  if (provider === 'postgres') {
    const adapter = new PrismaPg({ connectionString: url, max: poolSize });
    const db = new PostgresClient({ adapter, transactionOptions: TRANSACTION_OPTIONS }) as unknown as Db;
    return { db, provider };
  }
  const file = sqliteFilePath(url);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const adapter = new PrismaBetterSqlite3({ url: file, timeout: 10_000 });
  const db = new SqliteClient({ adapter, transactionOptions: TRANSACTION_OPTIONS });
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  await db.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  return { db, provider };
}
