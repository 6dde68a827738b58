/**
 * Reads the `_prisma_migrations` table directly. The engine's own diagnosis says
 * which migrations are pending, failed or edited, but not when they ran, and on
 * SQLite it fails outright when the table does not exist yet (the wasm build
 * reports P1014 instead of "not initialised"), so status looks first.
 */
import fs from 'node:fs';
import { isDriverAdapterError, type SqlDriverAdapter, type SqlQuery } from '@prisma/driver-adapter-utils';
import { providerOf, sqliteFilePath } from '../url';
import { createMigrationAdapter } from './adapters';

/** One row of `_prisma_migrations`, as the official CLI writes it. */
export interface MigrationRecord {
  id: string;
  migrationName: string;
  /** SHA-256 (hex) of migration.sql when it was applied. */
  checksum: string;
  startedAt: Date;
  finishedAt: Date | null;
  rolledBackAt: Date | null;
  appliedStepsCount: number;
  logs: string | null;
}

const TABLE_EXISTS_SQL = {
  sqlite: `SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`,
  postgres:
    `SELECT table_name FROM information_schema.tables ` + `WHERE table_schema = current_schema() AND table_name = '_prisma_migrations'`,
} as const;

const ROWS_SQL =
  'SELECT id, migration_name, checksum, started_at, finished_at, rolled_back_at, applied_steps_count, logs ' +
  'FROM "_prisma_migrations" ORDER BY started_at ASC, migration_name ASC';

function query(sql: string): SqlQuery {
  return { sql, args: [], argTypes: [] };
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  // SQLite's current_timestamp has neither a `T` nor a zone; it is UTC.
  let text = String(value).replace(' ', 'T');
  if (typeof value === 'string' && !/([zZ]|[+-]\d\d:?\d\d)$/.test(text)) text += 'Z';
  const date = new Date(typeof value === 'number' ? value : text);
  return Number.isNaN(date.getTime()) ? null : date;
}

function toText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

async function readRows(connection: SqlDriverAdapter, provider: 'sqlite' | 'postgres'): Promise<MigrationRecord[] | null> {
  const exists = await connection.queryRaw(query(TABLE_EXISTS_SQL[provider]));
  if (exists.rows.length === 0) return null;
  const result = await connection.queryRaw(query(ROWS_SQL));
  const column = (name: string) => result.columnNames.indexOf(name);
  return result.rows.map((row) => ({
    id: String(row[column('id')]),
    migrationName: String(row[column('migration_name')]),
    checksum: String(row[column('checksum')]),
    startedAt: toDate(row[column('started_at')]) ?? new Date(0),
    finishedAt: toDate(row[column('finished_at')]),
    rolledBackAt: toDate(row[column('rolled_back_at')]),
    appliedStepsCount: Number(row[column('applied_steps_count')] ?? 0),
    logs: toText(row[column('logs')]),
  }));
}

/**
 * Returns the rows of `_prisma_migrations`, oldest first, or null when the table
 * (or, for SQLite, the database file) does not exist. Never creates anything.
 */
export async function readMigrationRecords(url: string): Promise<MigrationRecord[] | null> {
  const provider = providerOf(url);
  if (provider === 'sqlite') {
    const file = sqliteFilePath(url);
    if (file === ':memory:' || !fs.existsSync(file)) return null;
  }
  const adapter = createMigrationAdapter(url);
  try {
    const connection = await adapter.factory.connect();
    return await readRows(connection, provider);
  } catch (error) {
    throw readableAdapterError(error);
  } finally {
    await adapter.close();
  }
}

/**
 * Driver adapter errors carry only a kind (e.g. `AuthenticationFailed`) as their
 * message; the details (user, database, driver message) are in `cause`.
 */
function readableAdapterError(error: unknown): unknown {
  if (!isDriverAdapterError(error)) return error;
  const { kind, ...details } = error.cause as { kind: string } & Record<string, unknown>;
  const text = details.originalMessage ?? details.message;
  const extra = typeof text === 'string' ? text : Object.keys(details).length > 0 ? JSON.stringify(details) : 'no details';
  return new Error(`Database error ${kind}: ${extra}`, { cause: error });
}
