/**
 * npm run security:coverage [-- --markdown]
 *
 * Lists every security id T01–T48 with the test files whose test titles start
 * with it, and exits 1 when an id has no test or lacks the layer (E2E / INT) its
 * requirement names. With --markdown it also writes docs/security-coverage.md.
 * The logic (and its unit tests) is in lib/security/coverage.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { computeCoverage, isTestFile, renderMarkdown, renderText, unknownIds } from '../lib/security/coverage';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SCAN = ['tests', 'e2e', 'lib', 'policies', 'app', 'scripts'];
const SKIP = new Set(['node_modules', '.next', 'generated']);

function walk(dir: string, out: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (isTestFile(entry.name)) out.push(full);
  }
}

const paths: string[] = [];
for (const d of SCAN) walk(path.join(root, d), paths);
const files = paths.sort().map((p) => ({ path: path.relative(root, p).replaceAll(path.sep, '/'), source: fs.readFileSync(p, 'utf8') }));

const rows = computeCoverage(files);
console.log(`Security test coverage (${files.length} test files scanned)\n`);
console.log(renderText(rows));

if (process.argv.includes('--markdown')) {
  const target = path.join(root, 'docs/security-coverage.md');
  fs.writeFileSync(target, renderMarkdown(rows));
  console.log(`\nwrote ${path.relative(root, target)}`);
}

const unknown = unknownIds(files);
if (unknown.length) console.log(`\nnote: titles name ids outside T01–T48: ${unknown.join(', ')}`);

const missing = rows.filter((r) => r.files.length === 0).map((r) => r.id);
const layer = rows.filter((r) => r.files.length > 0 && !r.covered).map((r) => `${r.id} (needs ${r.missingLayers.join(', ')})`);
const covered = rows.filter((r) => r.covered).length;
console.log(`\n${covered}/${rows.length} ids covered.`);
if (missing.length) console.error(`No test starts with: ${missing.join(' ')}`);
if (layer.length) console.error(`Covered, but not in the layer the requirement names: ${layer.join('; ')}`);
if (missing.length || layer.length) process.exit(1);
