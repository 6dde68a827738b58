/**
 * Offline replacement for `prisma migrate` (the Prisma 7 CLI downloads a native
 * engine first, which fails without internet). Uses DATABASE_URL (from the
 * environment, else `.env`, else `file:./var/warden.db`); the provider follows
 * the URL scheme.
 *
 *   tsx scripts/db/migrate.ts deploy                       apply pending migrations
 *   tsx scripts/db/migrate.ts dev --name add_x             create + apply a migration from the schema
 *        [--create-only] [--accept-data-loss]
 *   tsx scripts/db/migrate.ts status [--skip-drift]        exit 1 unless up to date
 *   tsx scripts/db/migrate.ts reset [--force]              drop everything, re-apply (asks first)
 *   tsx scripts/db/migrate.ts diff [--from F] [--to T]     F, T: empty|schema|migrations|database
 *        [--script] [--exit-code]                          exit 2 on changes with --exit-code
 */
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { providerOf, sqliteFilePath } from '../../lib/db/url';
import {
  migrateDeploy,
  migrateDev,
  migrateDiff,
  migrateReset,
  migrateStatus,
  type DiffSide,
  type MigrationStatus,
} from '../../lib/db/migrate';

const COMMANDS = ['deploy', 'dev', 'status', 'reset', 'diff'] as const;
type Command = (typeof COMMANDS)[number];
const DIFF_SIDES: readonly DiffSide[] = ['empty', 'schema', 'migrations', 'database'];

class UsageError extends Error {}

function describeTarget(url: string): string {
  if (providerOf(url) === 'sqlite') {
    const file = sqliteFilePath(url);
    const relative = path.relative(process.cwd(), file);
    return `sqlite ${relative.startsWith('..') || path.isAbsolute(relative) ? file : relative}`;
  }
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return `postgres ${parsed.toString()}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function diffSide(value: string | undefined, fallback: DiffSide): DiffSide {
  if (value === undefined) return fallback;
  if (!(DIFF_SIDES as readonly string[]).includes(value)) {
    throw new UsageError(`--from/--to must be one of ${DIFF_SIDES.join(', ')}`);
  }
  return value as DiffSide;
}

/** One summary line, then the drift details (if any) indented below it. */
function statusReport(status: MigrationStatus, target: string): string {
  const problems = [
    status.failed.length > 0 && `${plural(status.failed.length, 'failed migration')}: ${status.failed.join(', ')}`,
    status.edited.length > 0 && `edited after applying: ${status.edited.join(', ')}`,
    status.unknown.length > 0 && `applied but missing locally: ${status.unknown.join(', ')}`,
    status.pending.length > 0 && `${status.pending.length} pending: ${status.pending.join(', ')}`,
    status.drift !== null && 'drift detected (schema changed outside migrations)',
  ].filter((problem): problem is string => typeof problem === 'string');
  const applied = plural(status.applied.length, 'migration');
  if (problems.length === 0) {
    return `Up to date: ${applied} applied, ${status.driftChecked ? 'no drift' : 'drift not checked'} (${target})`;
  }
  const details = status.drift === null ? '' : `\n${status.drift.replace(/^/gm, '    ')}`;
  return `Not up to date (${applied} applied): ${problems.join('; ')} (${target})${details}`;
}

async function confirmReset(url: string, force: boolean): Promise<boolean> {
  if (force) return true;
  if (!process.stdin.isTTY) throw new UsageError('reset deletes all data: pass --force to confirm');
  const prompt = createInterface({
    input: process.stdin,
    output: process.stderr,
  });
  try {
    const answer = await prompt.question(`Reset ${describeTarget(url)}? All data will be lost. [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

async function run(command: Command, url: string, values: Record<string, string | boolean | undefined>): Promise<number> {
  const target = describeTarget(url);
  switch (command) {
    case 'deploy': {
      const { applied } = await migrateDeploy(url);
      console.log(
        applied.length === 0
          ? `No pending migrations (${target})`
          : `Applied ${plural(applied.length, 'migration')} to ${target}: ${applied.join(', ')}`,
      );
      return 0;
    }
    case 'dev': {
      const name = typeof values.name === 'string' ? values.name : '';
      const result = await migrateDev(url, name, {
        createOnly: values['create-only'] === true,
        acceptDataLoss: values['accept-data-loss'] === true,
      });
      const pending = result.applied.filter((migration) => migration !== result.created);
      const before = pending.length > 0 ? `Applied ${pending.join(', ')}; ` : '';
      if (result.created === null) {
        console.log(`${before}Schema and migrations are in sync, nothing to create (${target})`);
      } else if (values['create-only'] === true) {
        console.log(`${before}Created ${path.relative(process.cwd(), result.file ?? '')} (not applied: edit it, then run deploy)`);
      } else {
        console.log(`${before}Created and applied ${result.created} to ${target}; run \`npm run db:generate\` if models changed`);
      }
      return 0;
    }
    case 'status': {
      const status = await migrateStatus(url, {
        checkDrift: values['skip-drift'] !== true,
      });
      console.log(statusReport(status, target));
      return status.upToDate ? 0 : 1;
    }
    case 'reset': {
      if (!(await confirmReset(url, values.force === true))) {
        console.log('Reset cancelled');
        return 1;
      }
      const { applied } = await migrateReset(url);
      console.log(`Reset ${target} and applied ${plural(applied.length, 'migration')}: ${applied.join(', ') || '-'}`);
      return 0;
    }
    case 'diff': {
      const result = await migrateDiff(url, {
        from: diffSide(values.from as string | undefined, 'migrations'),
        to: diffSide(values.to as string | undefined, 'schema'),
        script: values.script === true,
      });
      const output = result.output.trim();
      console.log(output === '' || !result.changed ? 'No difference detected.' : output);
      return result.changed && values['exit-code'] === true ? 2 : 0;
    }
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string', short: 'n' },
      'create-only': { type: 'boolean' },
      'accept-data-loss': { type: 'boolean' },
      'skip-drift': { type: 'boolean' },
      force: { type: 'boolean', short: 'f' },
      from: { type: 'string' },
      to: { type: 'string' },
      script: { type: 'boolean' },
      'exit-code': { type: 'boolean' },
    },
  });
  const command = positionals[0];
  commandName = command ?? '';
  if (positionals.length !== 1 || !(COMMANDS as readonly string[]).includes(command ?? '')) {
    throw new UsageError(`usage: tsx scripts/db/migrate.ts <${COMMANDS.join('|')}> [--name x]`);
  }
  const envFile = path.resolve('.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  const url = process.env.DATABASE_URL ?? 'file:./var/warden.db';
  return run(command as Command, url, values);
}

let commandName = '';

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    const prefix = error instanceof UsageError ? '' : `migrate${commandName ? ` ${commandName}` : ''} failed: `;
    const hint = /needs a name/.test(message) ? ' (pass --name <name>)' : '';
    console.error(`${prefix}${message}${hint}${typeof code === 'string' && code !== '' ? ` [${code}]` : ''}`);
    process.exitCode = 1;
  },
);
