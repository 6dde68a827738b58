/**
 * Driver adapters for the WebAssembly schema engine.
 *
 * The engine reaches the database only through a "migration-aware" adapter
 * factory (a connection to the main database plus one to a throw-away shadow
 * database). The stock Prisma adapters need a few corrections for that job, each
 * found by running the engine against them (see STACK-NOTES.md):
 *
 * - better-sqlite3 prepares every `executeRaw` as a single statement, but the
 *   engine sends whole migration scripts through it → multi-statement SQL without
 *   parameters goes to `executeScript` (SQLite `exec`).
 * - adapter-pg's `executeScript` splits the script on every `;`, which breaks
 *   dollar-quoted function bodies → the script is sent as one simple-protocol
 *   query, which PostgreSQL runs as one implicit transaction.
 * - adapter-pg's `connectToShadowDb()` connects the shadow pool to the main
 *   database when configured with a connection string, and drops the shadow
 *   database before closing that pool → we create, connect to and drop the shadow
 *   database ourselves, with discrete connection fields.
 * - adapter-pg has no column type for PostgreSQL's internal `"char"` (OID 18),
 *   used by the engine's catalogue queries → such columns are relabelled as text.
 *
 * Every connection handed out is tracked so that `close()` releases all of them,
 * whatever the engine did or did not dispose.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { DriverAdapterError, isDriverAdapterError } from '@prisma/driver-adapter-utils';
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';
import { providerOf, sqliteFilePath } from '../url';

/** A migration-aware adapter factory plus the means to release what it opened. */
export interface MigrationAdapter {
  readonly factory: SqlMigrationAwareDriverAdapterFactory;
  /** Disposes every connection the factory handed out and drops shadow databases. */
  close(): Promise<void>;
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

type Hook = () => Promise<void>;

/**
 * Delegates to a stock adapter, with per-provider fixes and an idempotent
 * `dispose` (the engine and `close()` may both call it).
 */
class MigrationDriverAdapter implements SqlDriverAdapter {
  readonly provider: SqlDriverAdapter['provider'];
  readonly adapterName: string;
  private disposed = false;

  constructor(
    private readonly inner: SqlDriverAdapter,
    private readonly afterDispose: Hook,
  ) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.inner.queryRaw(query).catch(explainBusy);
  }

  async executeRaw(query: SqlQuery): Promise<number> {
    try {
      return await this.inner.executeRaw(query);
    } catch (error) {
      if (this.provider === 'sqlite' && query.args.length === 0 && isMultiStatementError(error)) {
        await this.inner.executeScript(query.sql).catch(explainBusy);
        return 0;
      }
      return explainBusy(error);
    }
  }

  async executeScript(script: string): Promise<void> {
    if (this.provider === 'postgres') {
      // No parameters → node-pg uses the simple query protocol, which accepts
      // several statements; errors keep adapter-pg's conversion.
      await this.inner.executeRaw({ sql: script, args: [], argTypes: [] });
      return;
    }
    await this.inner.executeScript(script).catch(explainBusy);
  }

  startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    return this.inner.startTransaction(isolationLevel);
  }

  getConnectionInfo() {
    return this.inner.getConnectionInfo?.() ?? { supportsRelationJoins: false };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await this.inner.dispose();
    } finally {
      await this.afterDispose();
    }
  }
}

/**
 * better-sqlite3's adapter reports SQLITE_BUSY as `SocketTimeout`, a kind the
 * schema engine cannot decode ("unknown variant"); as a SQLite error with code 5
 * the engine reports it properly (P1008). See `withEngine` for the hint.
 */
function explainBusy(error: unknown): never {
  if (isDriverAdapterError(error) && error.cause.kind === 'SocketTimeout') {
    throw new DriverAdapterError({ kind: 'sqlite', extendedCode: 5, message: 'database is locked' });
  }
  throw error;
}

function isMultiStatementError(error: unknown): boolean {
  return error instanceof Error && /more than one statement/i.test(error.message);
}

/** Tracks open adapters so that they can all be released at the end. */
class AdapterRegistry {
  private readonly open = new Set<MigrationDriverAdapter>();

  track(inner: SqlDriverAdapter, afterDispose: Hook = async () => {}): MigrationDriverAdapter {
    const adapter: MigrationDriverAdapter = new MigrationDriverAdapter(inner, async () => {
      this.open.delete(adapter);
      await afterDispose();
    });
    this.open.add(adapter);
    return adapter;
  }

  async closeAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const adapter of [...this.open]) {
      await adapter.dispose().catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw errors[0];
  }
}

function sqliteMigrationAdapter(url: string): MigrationAdapter {
  const file = sqliteFilePath(url);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const stock = new PrismaBetterSqlite3({ url: file, timeout: 10_000 });
  const registry = new AdapterRegistry();
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: stock.provider,
    adapterName: stock.adapterName,
    connect: async () => registry.track(await stock.connect()),
    // The stock shadow database is a fresh in-memory database per call.
    connectToShadowDb: async () => registry.track(await stock.connectToShadowDb()),
  };
  return { factory, close: () => registry.closeAll() };
}

/** Discrete node-pg connection fields parsed from a postgres:// URL. */
export interface PgConnectionFields {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  ssl?: { rejectUnauthorized: boolean };
}

/**
 * Parses a PostgreSQL URL into discrete fields. Discrete fields (rather than a
 * `connectionString`) let us point a pool at another database on the same server:
 * node-pg lets a connection string override an explicit `database`.
 */
export function pgConnectionFields(url: string): PgConnectionFields {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  if (schema !== null && schema !== 'public') {
    throw new Error(`Only the "public" schema is supported, the URL asks for "${schema}"`);
  }
  const socketHost = parsed.searchParams.get('host');
  const sslmode = parsed.searchParams.get('sslmode');
  const fields: PgConnectionFields = {
    host: socketHost ?? (decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, '')) || 'localhost'),
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username),
  };
  if (sslmode === 'require' || sslmode === 'verify-ca' || sslmode === 'verify-full') {
    fields.ssl = { rejectUnauthorized: sslmode !== 'require' };
  }
  return fields;
}

/** Quotes a PostgreSQL identifier. */
export function quotePgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function relabelCharColumns(result: unknown): unknown {
  if (Array.isArray(result)) return result.map(relabelCharColumns);
  const fields = (result as { fields?: Array<{ dataTypeID: number }> } | null)?.fields;
  if (Array.isArray(fields)) {
    for (const field of fields) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

/**
 * A node-pg client that reports `"char"` result columns as text. Their values are
 * already strings (node-pg has no parser for OID 18); only the type id trips
 * adapter-pg, which refuses column types it does not know.
 */
class CharAsTextClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    const relabelled = (...args: unknown[]): unknown => {
      const first = args[0] as { submit?: unknown } | undefined;
      if (typeof first?.submit === 'function') return query(...args);
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        const callback = last as (error: unknown, result: unknown) => void;
        return query(...args.slice(0, -1), (error: unknown, result: unknown) =>
          callback(error, error ? result : relabelCharColumns(result)),
        );
      }
      return (query(...args) as Promise<unknown>).then(relabelCharColumns);
    };
    Object.assign(this, { query: relabelled });
  }
}

function newPool(fields: PgConnectionFields, database: string): pg.Pool {
  return new pg.Pool({ ...fields, database, max: 4, Client: CharAsTextClient });
}

function postgresMigrationAdapter(url: string): MigrationAdapter {
  const fields = pgConnectionFields(url);
  const registry = new AdapterRegistry();
  const connectPool = async (database: string, onEnd: Hook = async () => {}) => {
    const pool = newPool(fields, database);
    const stock = new PrismaPg(pool, { disposeExternalPool: true });
    return registry.track(await stock.connect(), onEnd);
  };

  const dropShadow = async (database: string) => {
    const admin = new pg.Client({ ...fields });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quotePgIdent(database)}`);
    } finally {
      await admin.end();
    }
  };

  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectPool(fields.database),
    connectToShadowDb: async () => {
      const database = `prisma_migrate_shadow_db_${randomUUID()}`;
      const admin = new pg.Client({ ...fields });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${quotePgIdent(database)}`);
      } finally {
        await admin.end();
      }
      return connectPool(database, () => dropShadow(database));
    },
  };
  return { factory, close: () => registry.closeAll() };
}

/** Builds the migration adapter for a DATABASE_URL of either provider. */
export function createMigrationAdapter(url: string): MigrationAdapter {
  return providerOf(url) === 'postgres' ? postgresMigrationAdapter(url) : sqliteMigrationAdapter(url);
}
