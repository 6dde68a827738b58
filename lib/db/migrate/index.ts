/**
 * Offline Prisma Migrate for both providers (see commands.ts). Scripts and tests
 * import from here; no `server-only` marker, plain TypeScript runnable by tsx.
 */
export {
  migrateDeploy,
  migrateDev,
  migrateDiff,
  migrateReset,
  migrateStatus,
  type DeployResult,
  type DevOptions,
  type DevResult,
  type DiffOptions,
  type DiffResult,
  type DiffSide,
  type MigrationStatus,
  type StatusOptions,
} from './commands';
export { pgConnectionFields, quotePgIdent, type PgConnectionFields } from './adapters';
export { MigrateError, type MigrateOptions } from './engine';
export type { MigrationRecord } from './history';
export { projectPaths, type ProjectPaths } from './project';
export { schemaEngineVersion } from './wasm';
