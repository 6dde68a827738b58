import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATIONS, type OperationDefinition } from '@/policies/operations';

/**
 * `ls app/**\/_actions` is the list of public endpoints (house style 3). This
 * checks, from the source, that each of them is exactly one action built by
 * defineAction for a catalog operation, and that every operation a user can
 * trigger on a record has an endpoint (T25: nothing reachable outside the matrix).
 */
const root = path.resolve(__dirname, '../..');

function actionFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return actionFiles(p);
    return p.includes(`${path.sep}_actions${path.sep}`) && /\.tsx?$/.test(e.name) && !e.name.includes('.test.') ? [p] : [];
  });
}

const files = actionFiles(path.join(root, 'app'));
const entries = files.map((file) => {
  const source = fs.readFileSync(file, 'utf8');
  return { file: path.relative(root, file), source, op: /defineAction\(\s*\{\s*op:\s*'([^']+)'/.exec(source)?.[1] };
});

describe('T25 server action inventory', () => {
  it('finds the action files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(entries)('$file is one defineAction export for a catalog operation', ({ source, op }) => {
    expect(source.startsWith("'use server';")).toBe(true);
    const exports = [...source.matchAll(/^export\s+(?:const|async function|function|default|\{)\s*(\w*)/gm)];
    expect(exports).toHaveLength(1);
    expect(exports[0]?.[1]).toMatch(/^[a-z][A-Za-z]*Action$/);
    expect(source).toMatch(new RegExp(`export const ${exports[0]?.[1]} = defineAction\\(`));
    expect(op && op in OPERATIONS).toBe(true);
  });

  it('every operation on a record or a new record has an endpoint', () => {
    const covered = new Set(entries.map((e) => e.op));
    const needed = (Object.values(OPERATIONS) as OperationDefinition[]).filter((o) => o.target === 'record' || o.target === 'draft');
    for (const op of needed) expect(covered.has(op.id), op.id).toBe(true);
  });
});
