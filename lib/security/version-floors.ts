/**
 * Dependency version floors (T47): the lowest release of each package that has
 * the fixes for the advisories the security requirements name — the Next.js proxy
 * bypass (CVE-2025-29927) and its successors, React Server Components
 * "React2Shell" (CVE-2025-55182), the server-action Origin check (CVE-2026-27978),
 * Auth.js GHSA-8fpg-xm3f-6cx3 and CASL CVE-2026-1774. `npm run security:deps`
 * (scripts/check-deps.ts) checks every copy of these packages in package-lock.json
 * and what is installed, and fails the build below a floor. Pure: no I/O.
 *
 * Raising a floor: docs/security/updating-dependencies.md.
 */

export interface VersionFloor {
  /** A package name, or a prefix ending in `*` (every package it starts). */
  name: string;
  min: string;
  /** Must the package be present? (react-server-dom-* usually is not: Next.js vendors it.) */
  required: boolean;
  why: string;
}

export const VERSION_FLOORS: readonly VersionFloor[] = [
  { name: 'next', min: '16.2.11', required: true, why: 'proxy bypass, RSC and server-action Origin fixes' },
  { name: 'react', min: '19.2.5', required: true, why: 'React Server Components (React2Shell) fixes' },
  { name: 'react-dom', min: '19.2.5', required: true, why: 'React Server Components fixes' },
  { name: 'react-server-dom-*', min: '19.2.5', required: false, why: 'React Server Components (React2Shell) fixes' },
  { name: 'next-auth', min: '5.0.0-beta.32', required: true, why: 'Auth.js GHSA-8fpg-xm3f-6cx3' },
  { name: '@casl/ability', min: '6.7.5', required: true, why: 'CASL CVE-2026-1774' },
];

interface Parsed {
  core: [number, number, number];
  pre: string[];
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses a semantic version (`1.2.3`, `1.2.3-beta.4`, build metadata ignored); null when it is not one. */
export function parseVersion(v: string): Parsed | null {
  const m = SEMVER.exec(v.trim());
  if (!m) return null;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

/**
 * Compares two versions by SemVer 2.0.0 precedence: the numbers first; a
 * prerelease sorts before its release (`5.0.0-beta.32` < `5.0.0`); prerelease
 * identifiers compare numerically when both are numbers (`beta.9` < `beta.32`),
 * numbers before words, otherwise as ASCII; a shorter list first when equal so far.
 */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) throw new Error(`not a semantic version: ${!x ? a : b}`);
  for (let i = 0; i < 3; i += 1) if (x.core[i] !== y.core[i]) return x.core[i]! < y.core[i]! ? -1 : 1;
  if (!x.pre.length || !y.pre.length) return x.pre.length === y.pre.length ? 0 : x.pre.length ? -1 : 1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i += 1) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) < Number(q) ? -1 : 1;
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/** One installed copy of a package: where it is (a package-lock key or a path) and its version. */
export interface InstalledPackage {
  name: string;
  version: string;
  where: string;
}

export interface FloorViolation {
  name: string;
  where: string;
  found: string | null;
  min: string;
  message: string;
}

function matches(floor: VersionFloor, name: string): boolean {
  return floor.name.endsWith('*') ? name.startsWith(floor.name.slice(0, -1)) : name === floor.name;
}

/**
 * Every violation of the floors: a copy below its floor, a version that cannot be
 * read (it fails too: an unknown version is not a patched one), a required package
 * that is not installed at all.
 */
export function checkFloors(installed: readonly InstalledPackage[], floors: readonly VersionFloor[] = VERSION_FLOORS): FloorViolation[] {
  const out: FloorViolation[] = [];
  for (const floor of floors) {
    const copies = installed.filter((p) => matches(floor, p.name));
    if (!copies.length && floor.required) {
      out.push({
        name: floor.name,
        where: '—',
        found: null,
        min: floor.min,
        message: `${floor.name} is not installed (floor ${floor.min}: ${floor.why})`,
      });
    }
    for (const copy of copies) {
      const ok = parseVersion(copy.version) ? compareVersions(copy.version, floor.min) >= 0 : false;
      if (!ok) {
        out.push({
          name: copy.name,
          where: copy.where,
          found: copy.version,
          min: floor.min,
          message: `${copy.name}@${copy.version} at ${copy.where} is below the floor ${floor.min} (${floor.why})`,
        });
      }
    }
  }
  return out;
}

/** The package copies in a package-lock.json (lockfileVersion 2 or 3) whose names a floor covers. */
export function packagesFromLock(
  lock: { packages?: Record<string, { version?: string; link?: boolean }> },
  floors = VERSION_FLOORS,
): InstalledPackage[] {
  if (!lock.packages) throw new Error('package-lock.json has no "packages" map (lockfileVersion ≥ 2 is required)');
  const out: InstalledPackage[] = [];
  for (const [key, entry] of Object.entries(lock.packages)) {
    const i = key.lastIndexOf('node_modules/');
    if (i < 0 || entry.link) continue;
    const name = key.slice(i + 'node_modules/'.length);
    if (floors.some((f) => matches(f, name))) out.push({ name, version: entry.version ?? '(none)', where: key });
  }
  return out;
}

export interface AuditSummary {
  /** Advisories at or above `high` in production dependencies. */
  findings: { name: string; severity: string; via: string[]; range: string }[];
}

/**
 * Reads `npm audit --json` output. Anything that is not an audit report (the
 * registry could not be reached, an error object) throws: the check must not
 * pass when it did not run.
 */
export function parseAudit(json: string, levels: readonly string[] = ['high', 'critical']): AuditSummary {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new Error('npm audit did not return JSON');
  }
  const report = (data ?? {}) as {
    error?: { code?: string; summary?: string };
    message?: string;
    statusCode?: number;
    vulnerabilities?: Record<string, { severity: string; via: unknown[]; range: string }>;
  };
  if (report.error || !report.vulnerabilities || typeof report.vulnerabilities !== 'object') {
    const why = [report.statusCode && `HTTP ${report.statusCode}`, report.message, report.error?.code, report.error?.summary]
      .filter(Boolean)
      .join(': ');
    throw new Error(`npm audit returned no report${why ? ` (${why})` : ''}`);
  }
  const findings = Object.entries(report.vulnerabilities)
    .filter(([, v]) => levels.includes(v.severity))
    .map(([name, v]) => ({
      name,
      severity: v.severity,
      range: v.range,
      via: v.via.map((x) =>
        typeof x === 'string' ? x : `${(x as { title?: string }).title ?? ''} ${(x as { url?: string }).url ?? ''}`.trim(),
      ),
    }));
  return { findings };
}
