import 'server-only';
import { env } from '@/lib/env';
import { createDb, type DbHandle } from './client';

export type { Db, Tx } from './client';

// One client per process. Kept on globalThis so that dev-mode module reloads and
// the separate bundles of a production build share one connection (pool).
const globalForDb = globalThis as unknown as { wardenDb?: Promise<DbHandle> };

/** The process-wide database handle, chosen by DATABASE_URL. */
export function dbHandle(): Promise<DbHandle> {
  if (!globalForDb.wardenDb) {
    const created = createDb({ url: env().DATABASE_URL, poolSize: env().DB_POOL_SIZE });
    // A failed first connection is not kept: the next request tries again, so the
    // server recovers by itself once the database is back (every request is denied meanwhile).
    created.catch(() => {
      if (globalForDb.wardenDb === created) globalForDb.wardenDb = undefined;
    });
    globalForDb.wardenDb = created;
  }
  return globalForDb.wardenDb;
}

/** The Prisma client. Only lib/dal, lib/audit and lib/auth may import this module. */
export async function db() {
  return (await dbHandle()).db;
}
