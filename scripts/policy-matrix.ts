/**
 * Writes policies/matrix.md from the rules and the catalog (`npm run policy:matrix`).
 * With --check, exits 1 when the committed file differs instead of writing it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderMatrix } from '../policies/matrix';

const file = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'policies', 'matrix.md');
const text = renderMatrix();
if (process.argv.includes('--check')) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current !== text) {
    console.error('policies/matrix.md is out of date: run npm run policy:matrix and review the diff.');
    process.exit(1);
  }
  console.log('policies/matrix.md is up to date.');
} else {
  fs.writeFileSync(file, text);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
