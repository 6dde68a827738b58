import { describe, expect, it } from 'vitest';
import { checkFloors, compareVersions, packagesFromLock, parseAudit, VERSION_FLOORS, type InstalledPackage } from './version-floors';

const at = (name: string, version: string, where = `node_modules/${name}`): InstalledPackage => ({ name, version, where });
const PATCHED = [
  at('next', '16.4.6'),
  at('react', '19.3.1'),
  at('react-dom', '19.3.1'),
  at('next-auth', '5.0.0-beta.32'),
  at('@casl/ability', '7.0.1'),
];

describe('T47 dependency version floors', () => {
  it('T47 the floors are those the security requirements name', () => {
    expect(Object.fromEntries(VERSION_FLOORS.map((f) => [f.name, f.min]))).toEqual({
      next: '16.2.11',
      react: '19.2.5',
      'react-dom': '19.2.5',
      'react-server-dom-*': '19.2.5',
      'next-auth': '5.0.0-beta.32',
      '@casl/ability': '6.7.5',
    });
  });

  it('T47 the patched set passes; a version below any floor fails with its name, version and floor', () => {
    expect(checkFloors(PATCHED)).toEqual([]);
    for (const [name, low] of [
      ['next', '16.2.10'],
      ['next', '15.5.9'],
      ['react', '19.2.4'],
      ['react-dom', '19.1.9'],
      ['next-auth', '5.0.0-beta.31'],
      ['@casl/ability', '6.7.4'],
    ] as const) {
      const v = checkFloors(PATCHED.map((p) => (p.name === name ? at(name, low) : p)));
      expect(v).toHaveLength(1);
      expect(v[0]).toMatchObject({ name, found: low });
      expect(v[0]!.message).toContain(`${name}@${low}`);
    }
  });

  it('T47 prerelease ordering follows SemVer: beta.9 < beta.31 < beta.32 < beta.100 < 5.0.0', () => {
    expect(compareVersions('5.0.0-beta.9', '5.0.0-beta.32')).toBe(-1);
    expect(compareVersions('5.0.0-beta.31', '5.0.0-beta.32')).toBe(-1);
    expect(compareVersions('5.0.0-beta.32', '5.0.0-beta.32')).toBe(0);
    expect(compareVersions('5.0.0-beta.100', '5.0.0-beta.32')).toBe(1);
    expect(compareVersions('5.0.0', '5.0.0-beta.32')).toBe(1);
    expect(compareVersions('5.0.0-alpha.40', '5.0.0-beta.32')).toBe(-1);
    expect(compareVersions('4.24.11', '5.0.0-beta.32')).toBe(-1);
    expect(compareVersions('5.0.0-beta', '5.0.0-beta.1')).toBe(-1);
    expect(compareVersions('1.0.0-1', '1.0.0-alpha')).toBe(-1);
    expect(compareVersions('16.10.0', '16.2.11')).toBe(1);
    expect(compareVersions('16.2.11+build.5', '16.2.11')).toBe(0);
    // A canary of the next line is above the floor; a canary of the floor's own release is below it.
    expect(checkFloors(PATCHED.map((p) => (p.name === 'next' ? at('next', '16.3.0-canary.4') : p)))).toEqual([]);
    expect(checkFloors(PATCHED.map((p) => (p.name === 'next' ? at('next', '16.2.11-canary.1') : p)))).toHaveLength(1);
    expect(checkFloors(PATCHED.map((p) => (p.name === 'next-auth' ? at('next-auth', '5.0.0-beta.4') : p)))).toHaveLength(1);
  });

  it('T47 a missing required package or an unreadable version fails; an absent optional one does not', () => {
    const v = checkFloors(PATCHED.filter((p) => p.name !== 'next-auth'));
    expect(v).toEqual([expect.objectContaining({ name: 'next-auth', found: null })]);
    expect(checkFloors(PATCHED.map((p) => (p.name === 'react' ? at('react', 'latest') : p)))).toEqual([
      expect.objectContaining({ name: 'react', found: 'latest' }),
    ]);
    // react-server-dom-* is usually vendored by Next.js; when present, it is checked.
    expect(checkFloors([...PATCHED, at('react-server-dom-webpack', '19.2.0')])).toEqual([
      expect.objectContaining({ name: 'react-server-dom-webpack', found: '19.2.0' }),
    ]);
  });

  it('T47 every copy in package-lock.json is checked, nested ones included', () => {
    const lock = {
      packages: {
        '': { version: '0.1.0' },
        'node_modules/next': { version: '16.4.6' },
        'node_modules/react': { version: '19.3.1' },
        'node_modules/react-dom': { version: '19.3.1' },
        'node_modules/next-auth': { version: '5.0.0-beta.32' },
        'node_modules/@casl/ability': { version: '7.0.1' },
        'node_modules/@casl/prisma/node_modules/@casl/ability': { version: '6.7.3' },
        'node_modules/react-is': { version: '16.0.0' },
      },
    };
    const found = packagesFromLock(lock);
    expect(found.map((p) => p.where)).not.toContain('node_modules/react-is');
    expect(checkFloors(found)).toEqual([
      expect.objectContaining({ name: '@casl/ability', found: '6.7.3', where: 'node_modules/@casl/prisma/node_modules/@casl/ability' }),
    ]);
    expect(() => packagesFromLock({})).toThrow(/lockfileVersion/);
  });

  it('T47 npm audit: high and critical findings are reported; an unreachable endpoint is an error, never a pass', () => {
    const report = JSON.stringify({
      auditReportVersion: 2,
      vulnerabilities: {
        lodash: { severity: 'high', range: '<4.17.21', via: [{ title: 'Prototype pollution', url: 'https://github.com/advisories/x' }] },
        debug: { severity: 'low', range: '<2.6.9', via: ['ms'] },
        x: { severity: 'critical', range: '*', via: ['lodash'] },
      },
    });
    expect(parseAudit(report).findings.map((f) => `${f.name}:${f.severity}`)).toEqual(['lodash:high', 'x:critical']);
    expect(parseAudit(JSON.stringify({ auditReportVersion: 2, vulnerabilities: {} })).findings).toEqual([]);
    expect(() => parseAudit(JSON.stringify({ statusCode: 405, message: '405 Method Not Allowed', error: { summary: '' } }))).toThrow(
      /no report \(HTTP 405/,
    );
    expect(() => parseAudit(JSON.stringify({ error: { code: 'ENOTFOUND', summary: 'getaddrinfo' } }))).toThrow(/ENOTFOUND/);
    expect(() => parseAudit('')).toThrow(/JSON/);
  });
});
