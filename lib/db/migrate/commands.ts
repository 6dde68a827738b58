/**
 * `prisma migrate deploy | dev | status | reset` and `prisma migrate diff`,
 * re-implemented on the WebAssembly schema engine so that they run offline (the
 * Prisma 7 CLI downloads a native engine before every command). The engine does
 * the real work (diffing, applying, bookkeeping in `_prisma_migrations`); this
 * module drives it the way the CLI does and writes the same files.
 *
 * Engine limits of the wasm build that shape the code:
 * - `createMigration` and `evaluateDataLoss` do not get the adapter's shadow
 *   database (SQLite: always; PostgreSQL: as soon as there is a migration), so
 *   new migrations come from `diff` (history → schema), which does, and data
 *   loss is checked by data-loss.ts;
 * - `diff` takes no URL: the live database is the `schemaDatasource` target;
 * - its SQLite `reset` only deletes rows (see dropSqliteSchema);
 * - while it migrates SQLite it holds the file in EXCLUSIVE locking mode, so no
 *   other connection may have it open (in WAL mode even an idle one blocks it).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { DiffTarget } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { providerOf, sqliteFilePath, type DbProvider } from '../url';
import { evaluateDataLoss, warningsHeader } from './data-loss';
import { MigrateError, withEngine, type EngineSession, type MigrateOptions } from './engine';
import { readMigrationRecords, type MigrationRecord } from './history';
import {
  DEFAULT_ROOT_DIR,
  newMigrationName,
  onlyMigrations,
  projectPaths,
  readMigrationList,
  slugifyMigrationName,
  withLockfile,
  writeMigration,
  type MigrationList,
} from './project';

export type { MigrateOptions } from './engine';

/** SQLite only: switch the file to WAL (persistent), as lib/db/client.ts expects. */
function enableWal(url: string): void {
  const file = sqliteFilePath(url);
  if (file === ':memory:') return;
  const sqlite = new Database(file, { timeout: 10_000 });
  try {
    sqlite.pragma('journal_mode = WAL');
  } finally {
    sqlite.close();
  }
}

/**
 * The schema a migration history produces, replayed into a shadow database. Used
 * even for an empty history: unlike the `empty` target, a fresh shadow database
 * has PostgreSQL's `public` schema, so the first migration does not start with
 * `CREATE SCHEMA "public"` (as with the official `migrate dev`).
 */
function migrationsTarget(list: MigrationList, session: EngineSession): DiffTarget {
  return { tag: 'migrations', ...withLockfile(list, session.connector) };
}

function schemaTarget(session: EngineSession): DiffTarget {
  return { tag: 'schemaDatamodel', files: session.schemaFiles };
}

function databaseTarget(session: EngineSession, rootDir: string): DiffTarget {
  return {
    tag: 'schemaDatasource',
    files: session.schemaFiles,
    configDir: rootDir,
  };
}

async function applyPending(session: EngineSession): Promise<string[]> {
  const list = await readMigrationList(session.paths.migrationsDir);
  const result = await session.engine.applyMigrations({
    migrationsList: list,
    filters: session.filters,
  });
  return result.appliedMigrationNames;
}

/** Result of `migrateDeploy` and `migrateReset`. */
export interface DeployResult {
  provider: DbProvider;
  /** Migrations applied by this call, in order (empty when already up to date). */
  applied: string[];
}

/**
 * Applies every pending migration of `prisma/<provider>/migrations`, like
 * `prisma migrate deploy`: never generates SQL, never resets, fails on a failed
 * or edited migration. Used at install/upgrade time and by the test harness.
 * Creates the SQLite file (and its folder) if needed, then enables WAL.
 */
export async function migrateDeploy(url: string, options: MigrateOptions = {}): Promise<DeployResult> {
  const applied = await withEngine(url, options, applyPending);
  if (providerOf(url) === 'sqlite') enableWal(url);
  return { provider: providerOf(url), applied };
}

/** Where the database stands relative to the migrations folder. */
export interface MigrationStatus {
  provider: DbProvider;
  migrationsDir: string;
  /** Migration folders, in order. */
  local: string[];
  hasMigrationsTable: boolean;
  /** Rows of migrations that finished and were not rolled back, oldest first. */
  applied: MigrationRecord[];
  /** Local migrations not applied yet. */
  pending: string[];
  /** Migrations that started and neither finished nor were rolled back. */
  failed: string[];
  /** Applied migrations whose migration.sql changed since (checksum mismatch). */
  edited: string[];
  /** Migrations recorded in the database but absent from the folder. */
  unknown: string[];
  /** Whether the drift check ran (it needs a shadow database). */
  driftChecked: boolean;
  /**
   * The engine's summary of how the live schema differs from what the applied
   * migrations produce (changes made outside migrations), or null if none.
   */
  drift: string | null;
  /** Nothing pending, failed, edited or unknown, and no drift. */
  upToDate: boolean;
}

/** Options of `migrateStatus`. */
export interface StatusOptions extends MigrateOptions {
  /** Compare the live schema with the applied migrations (default true). */
  checkDrift?: boolean;
}

/**
 * Reports applied, pending, failed and edited migrations and schema drift, like
 * `prisma migrate status` plus the drift check of `prisma migrate dev`. Read-only:
 * it never creates the database, the migrations table or a migration. Drift is
 * computed by replaying the applied migrations into a shadow database and
 * diffing it against the live one.
 */
export async function migrateStatus(url: string, options: StatusOptions = {}): Promise<MigrationStatus> {
  const provider = providerOf(url);
  const rootDir = options.rootDir ?? DEFAULT_ROOT_DIR;
  const { migrationsDir } = projectPaths(provider, rootDir);
  const list = await readMigrationList(migrationsDir);
  const local = list.migrationDirectories.map((dir) => dir.path);
  const records = await readMigrationRecords(url);

  const status: MigrationStatus = {
    provider,
    migrationsDir,
    local,
    hasMigrationsTable: records !== null,
    applied: [],
    pending: [...local],
    failed: [],
    edited: [],
    unknown: [],
    driftChecked: false,
    drift: null,
    upToDate: false,
  };

  const appliedNames = new Set<string>();
  if (records !== null) {
    const live = records.filter((record) => record.rolledBackAt === null);
    status.applied = live.filter((record) => record.finishedAt !== null);
    for (const record of status.applied) appliedNames.add(record.migrationName);
    status.pending = local.filter((name) => !appliedNames.has(name));
    status.unknown = [...appliedNames].filter((name) => !local.includes(name));
  }

  const checkDrift = options.checkDrift !== false;
  const databaseExists = provider === 'postgres' || fs.existsSync(sqliteFilePath(url));
  if (records !== null || (checkDrift && databaseExists)) {
    await withEngine(url, { ...options, rootDir }, async (session) => {
      if (records !== null) {
        const diagnosis = await session.engine.diagnoseMigrationHistory({
          migrationsList: list,
          optInToShadowDatabase: false,
          filters: session.filters,
        });
        status.failed = diagnosis.failedMigrationNames;
        status.edited = diagnosis.editedMigrationNames;
      }
      if (!checkDrift) return;
      const diff = await session.engine.diff({
        from: migrationsTarget(onlyMigrations(list, appliedNames), session),
        to: databaseTarget(session, rootDir),
        script: false,
        exitCode: true,
        filters: session.filters,
      });
      status.driftChecked = true;
      status.drift = diff.exitCode === 2 ? (diff.stdout ?? '').trim() || 'the schemas differ' : null;
    });
  } else {
    // No database at all: nothing can have drifted.
    status.driftChecked = checkDrift;
  }

  status.upToDate =
    status.pending.length === 0 &&
    status.failed.length === 0 &&
    status.edited.length === 0 &&
    status.unknown.length === 0 &&
    status.drift === null;
  return status;
}

/** Options of `migrateDev`. */
export interface DevOptions extends MigrateOptions {
  /** Write the migration but do not apply it (to edit it by hand first). */
  createOnly?: boolean;
  /** Apply a migration whose SQL carries data-loss warnings. */
  acceptDataLoss?: boolean;
}

/** Result of `migrateDev`. */
export interface DevResult {
  provider: DbProvider;
  /** Folder name of the migration written, or null when the schema had no changes. */
  created: string | null;
  /** Path of the migration.sql written, or null. */
  file: string | null;
  /** Migrations applied by this call (pending ones and the new one). */
  applied: string[];
  /** Data-loss warnings (and unexecutable steps) written at the top of the new migration. */
  warnings: string[];
}

/**
 * `prisma migrate dev --name <name>`: checks that the database matches its
 * history (no failed or edited migration, no drift; otherwise it asks for a
 * reset instead of prompting), applies pending migrations, diffs the schema
 * against the history, writes `<timestamp>_<name>/migration.sql` and applies it.
 * With `createOnly` the migration is written (even empty) and not applied.
 * Developer-only: it may need a shadow database.
 */
export async function migrateDev(url: string, name: string, options: DevOptions = {}): Promise<DevResult> {
  const provider = providerOf(url);
  const rootDir = options.rootDir ?? DEFAULT_ROOT_DIR;
  const status = await migrateStatus(url, { ...options, rootDir });
  const blockers = [
    status.failed.length > 0 && `failed migrations: ${status.failed.join(', ')}`,
    status.edited.length > 0 && `migrations edited after they were applied: ${status.edited.join(', ')}`,
    status.unknown.length > 0 && `applied migrations missing from ${status.migrationsDir}: ${status.unknown.join(', ')}`,
    status.drift !== null && `drift detected, the database schema differs from its migration history:\n${status.drift}`,
  ].filter((reason): reason is string => typeof reason === 'string');
  if (blockers.length > 0) {
    throw new MigrateError(`The database must be reset first (db:reset; all data is lost). ${blockers.join('; ')}`);
  }

  const engineOptions = { ...options, rootDir };
  // First session: catch up with the history, then diff it against the schema.
  const { applied, list, script, changed, connector } = await withEngine(url, engineOptions, async (session) => {
    const appliedNow = options.createOnly ? [] : await applyPending(session);
    const history = await readMigrationList(session.paths.migrationsDir);
    const diff = await session.engine.diff({
      from: migrationsTarget(history, session),
      to: schemaTarget(session),
      script: true,
      exitCode: true,
      filters: session.filters,
    });
    return {
      applied: appliedNow,
      list: history,
      script: diff.stdout ?? '',
      changed: diff.exitCode === 2,
      connector: session.connector,
    };
  });
  const finish = (result: DevResult): DevResult => {
    if (provider === 'sqlite' && result.applied.length > 0) enableWal(url);
    return result;
  };
  if (!changed && !options.createOnly) return finish({ provider, created: null, file: null, applied, warnings: [] });

  // The live data can only be judged when the database is at the head of the
  // history (always, unless createOnly skipped the pending migrations). Done
  // between sessions: the engine keeps SQLite locked while it runs.
  const atHead = !options.createOnly || status.pending.length === 0;
  const loss = changed && atHead ? await evaluateDataLoss(url, script) : { warnings: [], unexecutable: [] };
  if (!options.createOnly && loss.unexecutable.length > 0) {
    throw new MigrateError(
      `The migration cannot run on the current data (use --create-only and edit it):\n- ${loss.unexecutable.join('\n- ')}`,
    );
  }
  if (!options.createOnly && !options.acceptDataLoss && loss.warnings.length > 0) {
    throw new MigrateError(
      `The migration would lose data (pass --accept-data-loss, or --create-only to edit it):\n- ${loss.warnings.join('\n- ')}`,
    );
  }

  if (slugifyMigrationName(name) === '') throw new MigrateError('The new migration needs a name (letters or digits)');
  const created = newMigrationName(
    name,
    list.migrationDirectories.map((dir) => dir.path),
  );
  const { migrationsDir } = projectPaths(provider, rootDir);
  const file = await writeMigration(migrationsDir, created, warningsHeader(loss) + script, connector);
  if (!options.createOnly) applied.push(...(await withEngine(url, engineOptions, applyPending)));
  return finish({ provider, created, file, applied, warnings: [...loss.warnings, ...loss.unexecutable] });
}

function quoteSqliteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Empties a SQLite database of every table, view and trigger (the file stays, so
 * processes that have it open keep a valid handle). The engine cannot be used
 * here: through a driver adapter its SQLite reset only runs `DELETE FROM` on each
 * table, which leaves the schema in place (re-applying the migrations then fails)
 * and which the audit triggers refuse anyway.
 */
function dropSqliteSchema(url: string): void {
  const file = sqliteFilePath(url);
  if (file === ':memory:' || !fs.existsSync(file)) return;
  const sqlite = new Database(file, { timeout: 10_000 });
  try {
    // Like the engine: take the file for ourselves first, so that a reset with
    // the app still running fails before anything is dropped.
    sqlite.pragma('locking_mode = EXCLUSIVE');
    try {
      sqlite.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
      throw new MigrateError(
        'The SQLite file is in use: a reset needs exclusive access, close other connections (stop the app) and retry.',
        'P1008',
        { cause: error },
      );
    }
    const objects = sqlite
      .prepare(`SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view', 'table') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`)
      .all() as Array<{ type: 'trigger' | 'view' | 'table'; name: string }>;
    const order = { trigger: 0, view: 1, table: 2 } as const;
    objects.sort((a, b) => order[a.type] - order[b.type]);
    sqlite.pragma('foreign_keys = OFF');
    sqlite.transaction(() => {
      for (const { type, name } of objects) sqlite.exec(`DROP ${type.toUpperCase()} IF EXISTS ${quoteSqliteIdent(name)}`);
      const sequence = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`).get();
      if (sequence !== undefined) sqlite.exec('DELETE FROM sqlite_sequence');
    })();
    sqlite.exec('VACUUM');
  } finally {
    sqlite.close();
  }
}

/**
 * `prisma migrate reset`: drops everything in the database (data included) and
 * re-applies every migration. For development and tests only; callers must get
 * the user's consent first. PostgreSQL: the engine drops and recreates the
 * `public` schema (the role must own it, as with the official CLI).
 */
export async function migrateReset(url: string, options: MigrateOptions = {}): Promise<DeployResult> {
  const provider = providerOf(url);
  if (provider === 'sqlite') dropSqliteSchema(url);
  const applied = await withEngine(url, options, async (session) => {
    if (provider === 'postgres') await session.engine.reset({ filter: session.filters });
    return applyPending(session);
  });
  if (provider === 'sqlite') enableWal(url);
  return { provider, applied };
}

/** A side of `migrateDiff`. */
export type DiffSide = 'empty' | 'schema' | 'migrations' | 'database';

/** Options of `migrateDiff`. */
export interface DiffOptions extends MigrateOptions {
  from?: DiffSide;
  to?: DiffSide;
  /** SQL script instead of a human-readable summary. */
  script?: boolean;
}

/** Result of `migrateDiff`. */
export interface DiffResult {
  changed: boolean;
  output: string;
}

/**
 * `prisma migrate diff` between two of: nothing, the Prisma schema, the
 * migrations folder, the live database (default: migrations → schema, i.e. "is a
 * migration missing?"). For SQLite without a `database` side, no file is opened.
 */
export async function migrateDiff(url: string, options: DiffOptions = {}): Promise<DiffResult> {
  const from = options.from ?? 'migrations';
  const to = options.to ?? 'schema';
  const rootDir = options.rootDir ?? DEFAULT_ROOT_DIR;
  const needsDatabase = from === 'database' || to === 'database';
  const sessionUrl = providerOf(url) === 'sqlite' && !needsDatabase ? 'file::memory:' : url;
  if (needsDatabase && providerOf(url) === 'sqlite' && !fs.existsSync(sqliteFilePath(url))) {
    throw new MigrateError(`The database file ${sqliteFilePath(url)} does not exist`);
  }
  return withEngine(sessionUrl, { ...options, rootDir }, async (session) => {
    const list = await readMigrationList(session.paths.migrationsDir);
    const target = (side: DiffSide): DiffTarget => {
      switch (side) {
        case 'empty':
          return { tag: 'empty' };
        case 'schema':
          return schemaTarget(session);
        case 'migrations':
          return migrationsTarget(list, session);
        case 'database':
          return databaseTarget(session, rootDir);
      }
    };
    const result = await session.engine.diff({
      from: target(from),
      to: target(to),
      script: options.script ?? false,
      exitCode: true,
      filters: session.filters,
    });
    return { changed: result.exitCode === 2, output: result.stdout ?? '' };
  });
}
