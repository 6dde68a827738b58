import path from 'node:path';

/**
 * The e2e environment, shared by playwright.config.ts, scripts/e2e.sh (through
 * `tsx e2e/env.ts --print`) and the fixtures. The suite refuses any database
 * that is not its own local file (house style 31).
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const port = Number(process.env.E2E_PORT ?? 3100);
const dbFile = path.join(root, 'var/e2e/warden-e2e.db');

export const E2E = {
  port,
  baseURL: `http://localhost:${port}`,
  databaseUrl: `file:${dbFile}`,
  clockFile: path.join(root, 'var/e2e/clock.json'),
  serverEnv: {
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    NEXT_DIST_DIR: '.next-e2e',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: `file:${dbFile}`,
    APP_URL: `http://localhost:${port}`,
    AUTH_SECRET: 'e2e-only-secret-0123456789abcdef0123456789abcdef',
    WARDEN_TEST_HOOKS: '1',
    WARDEN_TEST_CLOCK_FILE: path.join(root, 'var/e2e/clock.json'),
    // Audit checkpoint signing: scripts/e2e.sh creates the key (`audit:keys -- init`) in var/e2e, never committed.
    WARDEN_AUDIT_SIGNING_KEY_FILE: path.join(root, 'var/e2e/audit/signing-key.pem'),
    WARDEN_AUDIT_PUBLIC_KEYS_FILE: path.join(root, 'var/e2e/audit/public-keys.json'),
    WARDEN_AUDIT_CHECKPOINT_DIR: path.join(root, 'var/e2e/audit/checkpoints'),
    WARDEN_OUTBOX_DIR: path.join(root, 'var/e2e/outbox'),
    LOG_LEVEL: 'warn',
    // The test runner plays the trusted reverse proxy, so T01/T02 can rotate
    // X-Forwarded-For; any other peer's forwarded headers are still ignored.
    TRUSTED_PROXIES: '127.0.0.1',
  } as Record<string, string>,
};

if (!/^file:.*\/var\/e2e\/[^/]+\.db$/.test(E2E.databaseUrl)) {
  throw new Error('The e2e suite only runs against its own local SQLite file under var/e2e.');
}

if (process.argv.includes('--print')) {
  for (const [k, v] of Object.entries(E2E.serverEnv)) console.log(`export ${k}='${v}'`);
}
