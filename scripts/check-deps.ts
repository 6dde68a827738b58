/**
 * npm run security:deps (T47) — run by .ci/run before the tests.
 *
 *  1. Version floors: every copy of next, react, react-dom, react-server-dom-*,
 *     next-auth and @casl/ability in package-lock.json, and the copy installed in
 *     node_modules, must be at or above its floor (lib/security/version-floors.ts).
 *  2. `npm audit --omit=dev --audit-level=high`: no high or critical advisory in a
 *     production dependency. The audit asks the npm registry; when its advisory
 *     endpoint cannot be used the check never passes: it exits 3 ("incomplete",
 *     floors checked, audit not run) so the caller decides (`--skip-audit` skips
 *     only this part, for an offline build — and says so in the build log).
 *
 * Exit 0 when both pass, 1 on a floor not met or an advisory (one line per
 * problem), 3 when the floors pass but the audit could not run.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checkFloors, packagesFromLock, parseAudit, VERSION_FLOORS, type InstalledPackage } from '../lib/security/version-floors';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const problems: string[] = [];

// 1. Floors, in the lock file …
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Parameters<typeof packagesFromLock>[0];
const locked = packagesFromLock(lock);
// … and as installed (what actually runs).
const installed: InstalledPackage[] = [];
const nm = path.join(root, 'node_modules');
if (fs.existsSync(nm)) {
  const names = new Set<string>();
  for (const f of VERSION_FLOORS) {
    if (!f.name.endsWith('*')) names.add(f.name);
    else for (const d of fs.readdirSync(nm)) if (d.startsWith(f.name.slice(0, -1))) names.add(d);
  }
  for (const name of names) {
    const pj = path.join(nm, name, 'package.json');
    if (!fs.existsSync(pj)) continue;
    const { version } = JSON.parse(fs.readFileSync(pj, 'utf8')) as { version?: string };
    installed.push({ name, version: version ?? '(none)', where: path.relative(root, pj) });
  }
}
for (const v of checkFloors(locked)) problems.push(`floor: ${v.message}`);
for (const v of checkFloors(
  installed,
  VERSION_FLOORS.map((f) => ({ ...f, required: false })),
))
  problems.push(`floor: ${v.message}`);

console.log('Version floors (package-lock.json):');
for (const f of VERSION_FLOORS) {
  const copies = locked.filter((p) => (f.name.endsWith('*') ? p.name.startsWith(f.name.slice(0, -1)) : p.name === f.name));
  const seen = copies.length
    ? copies.map((c) => `${c.version}${c.where === `node_modules/${c.name}` ? '' : ` (${c.where})`}`).join(', ')
    : 'not installed';
  console.log(`  ${f.name.padEnd(20)} ≥ ${f.min.padEnd(14)} ${seen}`);
}

// 2. npm audit of the production dependencies.
let unavailable: string | null = null;
if (process.argv.includes('--skip-audit')) {
  console.log('\nnpm audit: SKIPPED on request (--skip-audit)');
} else {
  console.log('\nnpm audit --omit=dev --audit-level=high:');
  const run = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) {
    unavailable = `could not run (${run.error.message})`;
  } else {
    try {
      const { findings } = parseAudit(run.stdout);
      if (!findings.length) console.log('  no high or critical advisories in production dependencies');
      for (const f of findings) problems.push(`audit: ${f.severity} in ${f.name} ${f.range}: ${f.via.join('; ')}`);
    } catch (error) {
      unavailable = `${(error as Error).message}. The registry's audit endpoint could not be used`;
    }
  }
}

if (problems.length) {
  console.error(`\nsecurity:deps FAILED (${problems.length}):`);
  for (const p of problems) console.error(`  - ${p}`);
  console.error('How to update: docs/security/updating-dependencies.md');
  process.exit(1);
}
// The floors passed, but nobody could say whether an advisory applies: a distinct
// exit code (3), never a pass, so the caller decides (.ci/run reports it loudly).
if (unavailable) {
  console.error(`\nsecurity:deps INCOMPLETE: npm audit: ${unavailable}. The version floors passed; the advisory check did not run.`);
  process.exit(3);
}
console.log('\nsecurity:deps passed.');
