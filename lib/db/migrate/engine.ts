/**
 * One schema-engine session against one database: the engine, the adapter it
 * talks through, the provider's schema files and migrations folder. Sessions are
 * short-lived; `withEngine` always releases every connection (including the
 * shadow database) when the work is done or has failed.
 */
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { providerOf, type DbProvider } from '../url';
import { createMigrationAdapter } from './adapters';
import { connectorTypeOf, projectPaths, readSchemaFiles, type ConnectorType, type ProjectPaths, type SchemaFile } from './project';
import { loadSchemaEngine, type SchemaEngine } from './wasm';

/** Options shared by every migration command. */
/**
 * Tables created by hand-written migration SQL that the Prisma schema cannot
 * describe: the SQLite FTS5 index over audit reasons and its shadow tables
 * (migration audit_browser). Listed as external (SQLite only) so that `migrate dev`
 * and `diff` do not propose dropping them.
 */
export const EXTERNAL_TABLES = [
  'AuditReasonFts',
  'AuditReasonFts_config',
  'AuditReasonFts_data',
  'AuditReasonFts_docsize',
  'AuditReasonFts_idx',
] as const;

export interface MigrateOptions {
  /** Repository root holding `prisma/<provider>/`; defaults to this checkout. */
  rootDir?: string;
  /** Receives the engine's JSON log lines (tracing events), for debugging. */
  engineLog?: (line: string) => void;
}

export interface EngineSession {
  engine: SchemaEngine;
  provider: DbProvider;
  connector: ConnectorType;
  paths: ProjectPaths;
  schemaFiles: SchemaFile[];
  /** The filters argument the engine wants on most calls: the hand-written tables it must leave alone. */
  filters: { externalTables: string[]; externalEnums: string[] };
}

/** An engine failure with Prisma's error code (e.g. P3005) when it has one. */
export class MigrateError extends Error {
  readonly code: string | undefined;

  constructor(message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrateError';
    this.code = code;
  }
}

/**
 * Turns an engine error into a MigrateError: keeps Prisma's code and drops the
 * Rust span trace ("   0: sql_schema_connector::…") appended to the message.
 */
export function toMigrateError(error: unknown): MigrateError {
  if (error instanceof MigrateError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.split(/\n\s*0: /)[0]?.trim() || raw;
  const code = (error as { code?: unknown } | null)?.code;
  return new MigrateError(message, typeof code === 'string' ? code : undefined, { cause: error });
}

/**
 * Opens an engine session for `url`, runs `work`, then frees the engine and closes
 * every connection it opened. Engine errors come out as MigrateError.
 */
export async function withEngine<T>(url: string, options: MigrateOptions, work: (session: EngineSession) => Promise<T>): Promise<T> {
  const provider = providerOf(url);
  const paths = projectPaths(provider, options.rootDir);
  const schemaFiles = await readSchemaFiles(paths.schemaDir);
  const { SchemaEngine } = await loadSchemaEngine();
  const adapter = createMigrationAdapter(url);
  const log = options.engineLog ?? (() => {});
  let engine: SchemaEngine | undefined;
  try {
    engine = await SchemaEngine.new(
      {
        datamodels: schemaFiles.map((file): [string, string] => [file.path, file.content]),
      },
      (line: string) => log(line),
      bindMigrationAwareSqlAdapterFactory(adapter.factory),
    );
    return await work({
      engine,
      provider,
      connector: connectorTypeOf(provider),
      paths,
      schemaFiles,
      // PostgreSQL would want schema-qualified names; its hand-written objects are an index, which it does not diff.
      filters: { externalTables: provider === 'sqlite' ? [...EXTERNAL_TABLES] : [], externalEnums: [] },
    });
  } catch (error) {
    const failure = toMigrateError(error);
    if (provider === 'sqlite' && failure.code === 'P1008') {
      // The engine holds SQLite in EXCLUSIVE locking mode while it works, so
      // any other open connection (a running app, a test client) blocks it.
      throw new MigrateError(
        `${failure.message} The SQLite file is in use: migrations need exclusive access, close other connections (stop the app) and retry.`,
        failure.code,
        { cause: error },
      );
    }
    throw failure;
  } finally {
    engine?.free();
    await adapter.close();
  }
}
