/**
 * Data-loss check for a migration `migrate dev` is about to apply, so that it
 * refuses to destroy data unless told to (the official CLI asks interactively).
 *
 * The engine's own `evaluateDataLoss` replays the history into a shadow database,
 * which the wasm build cannot open through an adapter (it fails as soon as there
 * is one migration). So we read the generated SQL, whose shape the engine fixes,
 * and count the rows and values it would touch in the live database. Messages
 * follow the engine's wording. Covered: dropped tables, dropped columns (explicit,
 * or left out of a SQLite table rebuild), type changes, and required columns that
 * the existing rows cannot satisfy.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { providerOf, sqliteFilePath } from '../url';
import { pgConnectionFields } from './adapters';

/** What applying a migration would cost. */
export interface DataLossReport {
  /** Data that would be lost (needs explicit consent). */
  warnings: string[];
  /** Steps that cannot run on the current data (e.g. a required column without default). */
  unexecutable: string[];
}

/** Counting queries against the live database. */
interface Inspector {
  tables(): Promise<Set<string>>;
  columns(table: string): Promise<string[]>;
  count(sql: string): Promise<number>;
  close(): Promise<void>;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function unquote(identifier: string | undefined): string {
  return (identifier ?? '').replace(/""/g, '"');
}

function sqliteInspector(file: string): Inspector {
  const sqlite = new Database(file, { readonly: true, timeout: 10_000 });
  return {
    tables: async () =>
      new Set(
        (sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>).map((row) => row.name),
      ),
    columns: async (table) =>
      (sqlite.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>).map((row) => row.name),
    count: async (sql) => Number((sqlite.prepare(sql).get() as { n: number | bigint }).n),
    close: async () => {
      sqlite.close();
    },
  };
}

async function postgresInspector(url: string): Promise<Inspector> {
  const client = new pg.Client({ ...pgConnectionFields(url) });
  await client.connect();
  return {
    tables: async () => {
      const result = await client.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
      );
      return new Set(result.rows.map((row) => row.name));
    },
    columns: async (table) => {
      const result = await client.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
        [table],
      );
      return result.rows.map((row) => row.name);
    },
    count: async (sql) => Number((await client.query<{ n: string }>(sql)).rows[0]?.n ?? 0),
    close: () => client.end(),
  };
}

const IDENT = '"((?:[^"]|"")+)"';

/** Splits the engine's SQL (one statement per `;`, no procedural bodies). */
function statements(script: string): string[] {
  return script
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter((statement) => statement !== '');
}

/** `"c" TEXT NOT NULL` without DEFAULT (nor an identity/serial) → required. */
function isRequiredWithoutDefault(definition: string): boolean {
  return /\bNOT NULL\b/i.test(definition) && !/\b(DEFAULT|AUTOINCREMENT|SERIAL|IDENTITY)\b/i.test(definition);
}

/** Checks what `script` would do to the data currently in the database at `url`. */
export async function evaluateDataLoss(url: string, script: string): Promise<DataLossReport> {
  const report: DataLossReport = { warnings: [], unexecutable: [] };
  let inspector: Inspector;
  if (providerOf(url) === 'sqlite') {
    const file = sqliteFilePath(url);
    if (file === ':memory:' || !fs.existsSync(file)) return report;
    inspector = sqliteInspector(file);
  } else {
    inspector = await postgresInspector(url);
  }
  try {
    const tables = await inspector.tables();
    const rows = (table: string) => inspector.count(`SELECT COUNT(*) AS n FROM ${quote(table)}`);
    const values = (table: string, column: string) =>
      inspector.count(`SELECT COUNT(*) AS n FROM ${quote(table)} WHERE ${quote(column)} IS NOT NULL`);
    const nulls = (table: string, column: string) =>
      inspector.count(`SELECT COUNT(*) AS n FROM ${quote(table)} WHERE ${quote(column)} IS NULL`);
    const dropColumn = async (table: string, column: string) => {
      const count = await values(table, column);
      if (count > 0) {
        report.warnings.push(
          `You are about to drop the column \`${column}\` on the \`${table}\` table, which still contains ${count} non-null values.`,
        );
      }
    };
    const addRequired = async (table: string, column: string) => {
      const count = await rows(table);
      if (count > 0) {
        report.unexecutable.push(
          `Added the required column \`${column}\` to the \`${table}\` table without a default value. There are ${count} rows in this table, it is not possible to execute this step.`,
        );
      }
    };

    const all = statements(script);
    // SQLite rebuilds a table as CREATE "new_T" + INSERT … SELECT + DROP "T" + RENAME.
    const rebuilt = new Map<string, { kept: string[]; definition: string }>();
    for (const statement of all) {
      const create = new RegExp(`^CREATE TABLE "new_((?:[^"]|"")+)" \\(([\\s\\S]*)\\)$`).exec(statement);
      if (create) rebuilt.set(unquote(create[1]), { kept: [], definition: create[2] ?? '' });
      const insert = new RegExp(`^INSERT INTO "new_((?:[^"]|"")+)" \\(([^)]*)\\) SELECT`).exec(statement);
      const entry = insert ? rebuilt.get(unquote(insert[1])) : undefined;
      if (insert && entry) entry.kept = [...(insert[2] ?? '').matchAll(new RegExp(IDENT, 'g'))].map((m) => unquote(m[1]));
    }

    for (const statement of all) {
      const drop = new RegExp(`^DROP TABLE ${IDENT}$`).exec(statement);
      if (drop) {
        const table = unquote(drop[1]);
        if (!tables.has(table)) continue;
        const rebuild = rebuilt.get(table);
        if (rebuild === undefined) {
          const count = await rows(table);
          if (count > 0) report.warnings.push(`You are about to drop the \`${table}\` table, which is not empty (${count} rows).`);
          continue;
        }
        for (const column of await inspector.columns(table)) {
          if (!rebuild.kept.includes(column)) await dropColumn(table, column);
        }
        for (const line of rebuild.definition.split('\n')) {
          const column = new RegExp(`^\\s*${IDENT}\\s`).exec(line);
          const name = column ? unquote(column[1]) : undefined;
          if (name !== undefined && !rebuild.kept.includes(name) && isRequiredWithoutDefault(line)) {
            await addRequired(table, name);
          }
        }
        continue;
      }

      const alter = new RegExp(`^ALTER TABLE ${IDENT}\\s+([\\s\\S]*)$`).exec(statement);
      if (!alter) continue;
      const table = unquote(alter[1]);
      if (!tables.has(table)) continue;
      for (const clause of (alter[2] ?? '').split(/,\s*\n/)) {
        const dropped = new RegExp(`^DROP COLUMN\\s+${IDENT}`).exec(clause.trim());
        if (dropped) await dropColumn(table, unquote(dropped[1]));
        const added = new RegExp(`^ADD COLUMN\\s+${IDENT}(.*)$`, 's').exec(clause.trim());
        if (added && isRequiredWithoutDefault(added[2] ?? '')) await addRequired(table, unquote(added[1]));
        const required = new RegExp(`^ALTER COLUMN\\s+${IDENT}\\s+SET NOT NULL`).exec(clause.trim());
        if (required) {
          const column = unquote(required[1]);
          const count = await nulls(table, column);
          if (count > 0) {
            report.unexecutable.push(
              `Made the column \`${column}\` on table \`${table}\` required, but there are ${count} existing NULL values.`,
            );
          }
        }
        const retyped = new RegExp(`^ALTER COLUMN\\s+${IDENT}\\s+SET DATA TYPE\\s+(.+)$`, 's').exec(clause.trim());
        if (retyped) {
          const column = unquote(retyped[1]);
          const count = await values(table, column);
          if (count > 0) {
            report.warnings.push(
              `You are about to alter the column \`${column}\` on the \`${table}\` table, which contains ${count} non-null values. The data in that column will be cast to \`${retyped[2]?.trim()}\`.`,
            );
          }
        }
      }
    }
  } finally {
    await inspector.close();
  }
  return report;
}

/** The comment block the official CLI puts at the top of a lossy migration. */
export function warningsHeader(report: DataLossReport): string {
  const lines = [...report.warnings, ...report.unexecutable];
  if (lines.length === 0) return '';
  return `/*\n  Warnings:\n\n${lines.map((line) => `  - ${line}`).join('\n')}\n\n*/\n`;
}
