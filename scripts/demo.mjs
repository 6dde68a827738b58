#!/usr/bin/env node
// One command from a fresh clone to a running console with demo data:
// writes .env on first run (random AUTH_SECRET, embedded SQLite), applies the
// migrations, seeds the demo organisation (once), builds and starts on
// http://localhost:3000.
import { spawnSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

// Signs audit checkpoints; created below by `audit:keys -- init` (var/ is never committed).
const AUDIT_KEY_LINE = 'WARDEN_AUDIT_SIGNING_KEY_FILE=var/audit/signing-key.pem';

if (!fs.existsSync('.env')) {
  fs.writeFileSync(
    '.env',
    [
      '# Written by `npm run demo` on first run. See README "Configuration".',
      'DATABASE_URL=file:./var/warden.db',
      `AUTH_SECRET=${randomBytes(32).toString('base64url')}`,
      'APP_URL=http://localhost:3000',
      AUDIT_KEY_LINE,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  console.log('Wrote .env with a fresh AUTH_SECRET and the embedded SQLite database (var/warden.db).');
}

if (!/^\s*WARDEN_AUDIT_SIGNING_KEY(_FILE)?=/m.test(fs.readFileSync('.env', 'utf8'))) {
  fs.appendFileSync('.env', `\n${AUDIT_KEY_LINE}\n`);
  console.log('Added WARDEN_AUDIT_SIGNING_KEY_FILE to .env (audit checkpoint signing key).');
}

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1' };
for (const [label, args] of [
  ['Applying migrations', ['run', 'db:migrate']],
  ['Seeding the demo organisation', ['run', 'db:seed', '--', '--demo']],
  ['Creating the audit signing key (if needed)', ['run', 'audit:keys', '--', 'init']],
  ['Building the console', ['run', 'build']],
]) {
  console.log(`\n▶ ${label}…`);
  const r = spawnSync('npm', args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`\n✖ ${label} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

console.log('\n▶ Starting Warden on http://localhost:3000 (Ctrl+C to stop)\n');
const server = spawn(process.execPath, ['server.mjs'], { stdio: 'inherit', env: { ...env, NODE_ENV: 'production' } });
server.on('exit', (code) => process.exit(code ?? 0));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => server.kill(s));
