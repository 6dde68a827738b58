import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateDataLoss, warningsHeader } from './data-loss';

const dirs: string[] = [];

function sqliteUrl(setup: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-data-loss-'));
  dirs.push(dir);
  const file = path.join(dir, 'test.db');
  const sqlite = new Database(file);
  sqlite.exec(setup);
  sqlite.close();
  return `file:${file}`;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const SETUP = `
  CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT, "old" TEXT);
  INSERT INTO "User" VALUES ('u1', 'Ann', 'x'), ('u2', NULL, NULL);
  CREATE TABLE "Empty" ("id" INTEGER NOT NULL PRIMARY KEY);
  CREATE TABLE "Full" ("id" INTEGER NOT NULL PRIMARY KEY);
  INSERT INTO "Full" VALUES (1);
`;

describe('evaluateDataLoss on SQLite', () => {
  it('warns about dropped tables only when they hold rows', async () => {
    const report = await evaluateDataLoss(sqliteUrl(SETUP), 'DROP TABLE "Empty";\n\nDROP TABLE "Full";\n');
    expect(report.warnings).toEqual(['You are about to drop the `Full` table, which is not empty (1 rows).']);
    expect(report.unexecutable).toEqual([]);
  });

  it('finds columns a table rebuild leaves out, and required columns the rows cannot fill', async () => {
    const script = [
      '-- RedefineTables',
      'PRAGMA foreign_keys=OFF;',
      'CREATE TABLE "new_User" (\n    "id" TEXT NOT NULL PRIMARY KEY,\n    "name" TEXT,\n    "role" TEXT NOT NULL,\n    "level" INTEGER NOT NULL DEFAULT 0\n);',
      'INSERT INTO "new_User" ("id", "name") SELECT "id", "name" FROM "User";',
      'DROP TABLE "User";',
      'ALTER TABLE "new_User" RENAME TO "User";',
      'PRAGMA foreign_keys=ON;',
      '',
    ].join('\n');
    const report = await evaluateDataLoss(sqliteUrl(SETUP), script);
    expect(report.warnings).toEqual([
      'You are about to drop the column `old` on the `User` table, which still contains 1 non-null values.',
    ]);
    expect(report.unexecutable).toEqual([
      'Added the required column `role` to the `User` table without a default value. There are 2 rows in this table, it is not possible to execute this step.',
    ]);
  });

  it('reports nothing for additive changes', async () => {
    const report = await evaluateDataLoss(sqliteUrl(SETUP), 'CREATE TABLE "Note" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
    expect(report).toEqual({ warnings: [], unexecutable: [] });
    expect(warningsHeader(report)).toBe('');
  });

  it('renders the CLI warnings block', () => {
    expect(warningsHeader({ warnings: ['a'], unexecutable: ['b'] })).toBe('/*\n  Warnings:\n\n  - a\n  - b\n\n*/\n');
  });
});
