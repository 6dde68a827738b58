#!/usr/bin/env node
// Generates one Prisma client per provider (generated/sqlite, generated/postgres).
// Runs offline: `prisma generate` never executes the schema engine, but the Prisma 7
// CLI insists on finding it before any command, so we point it at an existing
// executable (see STACK-NOTES.md, "Prisma 7 without internet").
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}

for (const provider of ['sqlite', 'postgres']) {
  const result = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate', '--schema', `prisma/${provider}`], {
    stdio: 'inherit',
    env,
  });
  if (result.status !== 0) {
    console.error(`prisma generate failed for ${provider} (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}
