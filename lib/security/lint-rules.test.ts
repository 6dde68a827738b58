import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The security lint rules of eslint.config.mjs (SECURITY.md T35, T36) really
 * fire: the no-restricted-syntax entry that the project configuration applies
 * to a file is taken from that configuration (calculateConfigForFile) and run
 * on small code strings. Parsing without the type-aware project keeps it fast;
 * the selectors are syntactic.
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

type RuleEntry = Linter.RuleEntry;

async function restrictedSyntaxFor(file: string): Promise<RuleEntry> {
  const project = new ESLint({ cwd: root });
  const config = (await project.calculateConfigForFile(path.join(root, file))) as { rules?: Record<string, RuleEntry> };
  const entry = config.rules?.['no-restricted-syntax'];
  if (!entry) throw new Error(`no no-restricted-syntax rule applies to ${file}`);
  return entry;
}

/** The messages of no-restricted-syntax for `code` linted as `file` under the project's entry for that file. */
async function restrictedMessages(code: string, file: string, entry: RuleEntry): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts', '**/*.tsx', '**/*.mjs'],
        languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
        rules: { 'no-restricted-syntax': entry },
      },
    ],
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  const fatal = result!.messages.filter((m) => m.fatal);
  if (fatal.length) throw new Error(`could not parse the sample: ${fatal[0]!.message}`);
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('security lint rules', () => {
  const entries = new Map<string, RuleEntry>();
  const FILES = ['app/(console)/users/_components/sample.tsx', 'lib/dal/sample.ts', 'scripts/sample.ts', 'tests/integration/sample.ts'];

  beforeAll(async () => {
    for (const file of FILES) entries.set(file, await restrictedSyntaxFor(file));
  }, 60_000);

  const lint = (code: string, file: string) => restrictedMessages(code, file, entries.get(file)!);

  it('T35 the lint rule refuses dangerouslySetInnerHTML', async () => {
    const jsx = `export function Note({ html }: { html: string }) { return <div dangerouslySetInnerHTML={{ __html: html }} />; }`;
    const created = `import { createElement } from 'react';\nexport const n = (html: string) => createElement('div', { dangerouslySetInnerHTML: { __html: html } });`;
    const quoted = `export const props = (html: string) => ({ 'dangerouslySetInnerHTML': { __html: html } });`;
    for (const file of FILES) {
      const ext = file.replace(/\.ts$/, '.tsx');
      if (!entries.has(ext)) entries.set(ext, entries.get(file)!);
      expect(await lint(jsx, ext), `${file}: JSX attribute`).toEqual([expect.stringMatching(/dangerouslySetInnerHTML/)]);
      expect(await lint(created, file), `${file}: createElement props`).toEqual([expect.stringMatching(/dangerouslySetInnerHTML/)]);
      expect(await lint(quoted, file), `${file}: quoted key`).toEqual([expect.stringMatching(/dangerouslySetInnerHTML/)]);
    }
    // Text rendering is what the rule wants instead.
    expect(await lint(`export function Note({ text }: { text: string }) { return <div>{text}</div>; }`, FILES[0]!)).toEqual([]);
  });

  it('T36 the lint rule refuses raw SQL built from input', async () => {
    const file = 'lib/dal/sample.ts';
    const refused = [
      'export const f = (db: any, id: string) => db.$queryRawUnsafe(`SELECT * FROM "User" WHERE id = \'${id}\'`);',
      'export const f = (db: any, id: string) => db.$executeRawUnsafe(\'DELETE FROM "User" WHERE id = \' + id);',
      'export const f = (db: any, sql: string) => db.$queryRawUnsafe(sql);',
      'export const f = (db: any, id: string) => db.$queryRaw(`SELECT * FROM "User" WHERE id = \'${id}\'`);',
      'export const f = (db: any, q: string) => db.$executeRaw(q);',
      'export const f = (db: any, q: string) => db.$queryRaw<{ n: number }[]>("SELECT " + q);',
      'import { Prisma } from "@prisma/client";\nexport const f = (col: string) => Prisma.raw(col);',
      'import { Prisma } from "@prisma/client";\nexport const f = (col: string) => Prisma.raw(`"${col}"`);',
    ];
    for (const code of refused) {
      expect(await lint(code, file), code).toEqual([expect.stringMatching(/SQL|\$queryRaw|Prisma\.raw/)]);
    }
    const allowed = [
      "export const f = (db: any) => db.$queryRawUnsafe('SELECT 1');",
      'export const f = (db: any) => db.$executeRawUnsafe(`PRAGMA foreign_keys = ON`);',
      'export const f = (db: any, id: string) => db.$queryRaw`SELECT * FROM "User" WHERE id = ${id}`;',
      'import { Prisma } from "@prisma/client";\nexport const f = (db: any, id: string) => db.$queryRaw(Prisma.sql`SELECT ${id}`);',
      'import { Prisma } from "@prisma/client";\nexport const f = () => Prisma.raw(\'"User"\');',
      'export const f = (s: string) => String.raw`${s}`;',
    ];
    for (const code of allowed) expect(await lint(code, file), code).toEqual([]);
    // Scripts are held to it too; only the integration tests tamper with the database on purpose.
    expect(await lint(refused[2]!, 'scripts/sample.ts')).toHaveLength(1);
    expect(await lint(refused[2]!, 'tests/integration/sample.ts')).toEqual([]);
  });
});
