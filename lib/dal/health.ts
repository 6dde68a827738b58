import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { dbHandle } from '@/lib/db';

export interface HealthDTO {
  database: 'ok' | 'unreachable';
  migrations: 'up_to_date' | 'pending' | 'unknown';
}

/**
 * Database reachability and migration status for /api/health. Compares the
 * migration folders shipped with this build against the applied rows of
 * `_prisma_migrations`. Reports states only, never error text or names.
 */
export async function checkHealth(): Promise<HealthDTO> {
  let handle;
  try {
    handle = await dbHandle();
    await handle.db.$queryRawUnsafe('SELECT 1');
  } catch {
    return { database: 'unreachable', migrations: 'unknown' };
  }
  try {
    const dir = path.join(process.cwd(), 'prisma', handle.provider, 'migrations');
    const shipped = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const applied = await handle.db.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const done = new Set(applied.map((r) => r.migration_name));
    return { database: 'ok', migrations: shipped.every((m) => done.has(m)) ? 'up_to_date' : 'pending' };
  } catch {
    return { database: 'ok', migrations: 'unknown' };
  }
}
