/**
 * Pure helpers about DATABASE_URL, shared by the app (lib/db) and the CLIs.
 * No server-only import: the migration script and tests use it too.
 */
import path from 'node:path';

export type DbProvider = 'sqlite' | 'postgres';

/** postgres:// or postgresql:// → PostgreSQL; file: (or a bare path) → SQLite. */
export function providerOf(url: string): DbProvider {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

/** Resolves a SQLite URL (`file:./var/warden.db`) to an absolute file path. */
export function sqliteFilePath(url: string, cwd = process.cwd()): string {
  const raw = url.replace(/^file:/, '').split('?')[0] ?? '';
  if (raw === ':memory:') return raw;
  return path.resolve(cwd, raw);
}
