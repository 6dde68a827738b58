/**
 * Prisma CLI configuration. The provider folder is chosen from the URL scheme of
 * DATABASE_URL (postgres:// or postgresql:// → prisma/postgres, anything else →
 * prisma/sqlite). The URL is read with a default, because `env()` throws when the
 * variable is unset and that would break `prisma generate` on a fresh clone.
 */
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL ?? 'file:./var/warden.db';
const provider = /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';

export default defineConfig({
  schema: `prisma/${provider}`,
  migrations: { path: `prisma/${provider}/migrations` },
  datasource: { url },
});
