#!/usr/bin/env node
// Computes the policy version: SHA-256 over the sources in policies/ (sorted by
// path, each as "path\0content\0"), excluding tests. Written at install and build
// time to generated/policy-version.json; every audit event records it and the UI
// footer and /api/health show it.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = path.join(root, 'policies');

function walk(d) {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(d, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

const files = walk(dir)
  .filter((f) => !/\.test\.ts$/.test(f))
  .map((f) => path.relative(root, f).split(path.sep).join('/'))
  .sort();
const h = createHash('sha256');
for (const f of files) {
  h.update(f)
    .update('\0')
    .update(fs.readFileSync(path.join(root, f)))
    .update('\0');
}
const version = h.digest('hex');
fs.mkdirSync(path.join(root, 'generated'), { recursive: true });
fs.writeFileSync(
  path.join(root, 'generated/policy-version.json'),
  JSON.stringify({ version, short: version.slice(0, 12), files }, null, 2) + '\n',
);
if (process.argv.includes('--print')) console.log(version);
