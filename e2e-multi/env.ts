import path from 'node:path';

/**
 * The multi-instance environment (issue 12), shared by playwright.multi.config.ts,
 * scripts/multi-instance.sh (through `tsx e2e-multi/env.ts --print`) and the specs:
 * two production servers (server.mjs) on ports 3201 and 3202 against ONE
 * PostgreSQL database, `warden_multi` on the server TEST_PG_URL names. The suite
 * refuses any other database: scripts/multi-instance.sh drops and recreates it.
 *
 * Each instance gets its own APP_URL (its own origin, http://localhost:<port>),
 * because server actions and state-changing routes accept only their configured
 * origin (lib/request/origin.ts). Behind a real reverse proxy every instance has
 * the same APP_URL, the one public origin; here the browser reaches each instance
 * directly. The session cookie is host-only and cookies do not depend on the
 * port, so one browser carries the same session to both, as it would through a
 * proxy. Everything else (AUTH_SECRET, keys, the checkpoint log, the test clock)
 * is shared, as docs/deploy.md asks of N instances.
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const varDir = path.join(root, 'var/multi');

function multiDatabaseUrl(): string {
  const base = process.env.TEST_PG_URL;
  if (!base) throw new Error('The multi-instance suite needs TEST_PG_URL (a PostgreSQL server it may create a database on).');
  const url = new URL(base);
  url.pathname = '/warden_multi';
  return url.toString();
}

export const MULTI = {
  ports: { a: 3201, b: 3202 },
  urls: { a: 'http://localhost:3201', b: 'http://localhost:3202' },
  databaseUrl: multiDatabaseUrl(),
  varDir,
  clockFile: path.join(varDir, 'clock.json'),
  distDir: process.env.MULTI_DIST_DIR ?? '.next-e2e',
  /**
   * A checkpoint falls due this many minutes after the last one (when there are new
   * events; the production default): no run of the suite lasts that long, so only
   * the scheduled-job spec, which moves the shared clock past it, makes one due.
   */
  checkpointMinutes: 15,
  /** Env common to both instances (and to the CLIs the script and the specs run). */
  sharedEnv: {
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    HOST: '127.0.0.1',
    AUTH_SECRET: 'multi-instance-only-secret-0123456789abcdef0123456789',
    WARDEN_TEST_HOOKS: '1',
    WARDEN_TEST_CLOCK_FILE: path.join(varDir, 'clock.json'),
    WARDEN_AUDIT_SIGNING_KEY_FILE: path.join(varDir, 'audit/signing-key.pem'),
    WARDEN_AUDIT_PUBLIC_KEYS_FILE: path.join(varDir, 'audit/public-keys.json'),
    WARDEN_AUDIT_CHECKPOINT_DIR: path.join(varDir, 'audit/checkpoints'),
    WARDEN_AUDIT_CHECKPOINT_MINUTES: '15',
    WARDEN_OUTBOX_DIR: path.join(varDir, 'outbox'),
    DB_POOL_SIZE: '5',
    LOG_LEVEL: 'warn',
  } as Record<string, string>,
};

/** The environment of one instance. */
export function instanceEnv(which: 'a' | 'b'): Record<string, string> {
  return {
    ...MULTI.sharedEnv,
    DATABASE_URL: MULTI.databaseUrl,
    NEXT_DIST_DIR: MULTI.distDir,
    PORT: String(MULTI.ports[which]),
    APP_URL: MULTI.urls[which],
  };
}

if (new URL(MULTI.databaseUrl).pathname !== '/warden_multi' || !/^postgres(ql)?:$/.test(new URL(MULTI.databaseUrl).protocol)) {
  throw new Error('The multi-instance suite only runs against its own PostgreSQL database warden_multi.');
}

if (process.argv.includes('--print')) {
  for (const [k, v] of Object.entries({ ...MULTI.sharedEnv, DATABASE_URL: MULTI.databaseUrl })) console.log(`export ${k}='${v}'`);
}
