import { describe, expect, it } from 'vitest';
import { computeCoverage, extractTitles, idsInTitle, kindOfPath, SECURITY_TEST_IDS } from './coverage';

describe('security coverage: the title parser', () => {
  it('reads it, test, describe and their modifiers, and it.each / test.for tables', () => {
    const src = `
      describe('T26 an admin cannot reach above', () => {
        it('T26 one', async () => {});
        it.skip("T27 two", () => {});
        test.describe.serial('T19 serial suite', () => {});
        it.each(['a', 'b'] as const)(
          'T09 an assertion with origin %s is refused',
          async (origin) => {},
        );
        test.for([1, 2])('T10 table %i', () => {});
        it(\`T37 stores every hostile field (\${provider})\`, async () => {});
        it(\`T25 \${op} · own account\`, () => {});
        it('T02 ' + name, () => {});
        // it('T03 in a comment', () => {});
        const s = "it('T04 in a string')";
        expect(x).toBe('T05 not a title');
        something('T06 not a test function');
      });`;
    expect(extractTitles(src).map((t) => t.title)).toEqual([
      'T26 an admin cannot reach above',
      'T26 one',
      'T27 two',
      'T19 serial suite',
      'T09 an assertion with origin %s is refused',
      'T10 table %i',
      'T37 stores every hostile field (',
      'T25 ',
      'T02 ',
    ]);
  });

  it('gives each title its line', () => {
    expect(extractTitles("\n\nit('T01 x', () => {});")).toEqual([{ title: 'T01 x', line: 3 }]);
  });

  it('takes the ids a title starts with, alone or as a list', () => {
    expect(idsInTitle('T23 step-up bound to the action')).toEqual(['T23']);
    expect(idsInTitle('T14 T15 a planted cookie')).toEqual(['T14', 'T15']);
    expect(idsInTitle('T26/T27 a user with no ticket')).toEqual(['T26', 'T27']);
    expect(idsInTitle('T14, T15 and T16 cookies')).toEqual(['T14', 'T15', 'T16']);
    expect(idsInTitle('T28 [SUPERADMIN][APPROVAL] no one approves')).toEqual(['T28']);
    expect(idsInTitle('T37 ')).toEqual(['T37']);
  });

  it('ignores ids that are not first, ranges, and look-alikes', () => {
    expect(idsInTitle('[SUPPORT][PASSKEY] registers a passkey (T11, T14)')).toEqual([]);
    expect(idsInTitle('T09–T13 WebAuthn')).toEqual([]);
    expect(idsInTitle('T09-T13 WebAuthn')).toEqual([]);
    expect(idsInTitle('T1 short')).toEqual([]);
    expect(idsInTitle('T123 long')).toEqual([]);
    expect(idsInTitle('T23x')).toEqual([]);
    expect(idsInTitle('HS31 every operation')).toEqual([]);
    expect(idsInTitle('the T23 step-up')).toEqual([]);
  });

  it('tells the suite from the path', () => {
    expect(kindOfPath('e2e/auth/sessions.spec.ts')).toBe('E2E');
    expect(kindOfPath('tests/integration/throttle.int.test.ts')).toBe('INT');
    expect(kindOfPath('lib/audit/hash.int.test.ts')).toBe('INT');
    expect(kindOfPath('lib/auth/totp.test.ts')).toBe('UNIT');
  });
});

describe('security coverage: the map', () => {
  it('holds T01–T48 once each, with the layers of the requirements table', () => {
    expect(SECURITY_TEST_IDS.map((r) => r.id)).toEqual(Array.from({ length: 48 }, (_, i) => `T${String(i + 1).padStart(2, '0')}`));
    const layers = Object.fromEntries(SECURITY_TEST_IDS.map((r) => [r.id, r.layers.join('+')]));
    expect(layers).toMatchObject({ T01: 'E2E+INT', T03: 'INT', T06: 'UNIT+INT', T13: 'INT+E2E', T22: 'E2E', T47: 'CI' });
  });

  it('an id with no test is missing; one covered only by a unit test lacks its E2E or INT layer', () => {
    const files = [
      { path: 'lib/auth/x.test.ts', source: "it('T22 unit only', () => {}); it('T02 unit', () => {});" },
      { path: 'e2e/auth/y.spec.ts', source: "test('T01 e2e', async () => {}); test('T02 over HTTP', async () => {});" },
      { path: 'tests/integration/z.int.test.ts', source: "it('T06 int', async () => {}); it('T47 x', () => {})" },
    ];
    const rows = Object.fromEntries(computeCoverage(files).map((r) => [r.id, r]));
    expect(rows.T03).toMatchObject({ covered: false, files: [] });
    expect(rows.T22).toMatchObject({ covered: false, missingLayers: ['E2E'] });
    // An E2E spec meets an INT layer (it runs against a real database and server too).
    expect(rows.T02).toMatchObject({ covered: true, missingLayers: [] });
    expect(rows.T02!.files.map((f) => f.kind)).toEqual(['E2E', 'UNIT']);
    // E2E+INT: the E2E spec meets both.
    expect(rows.T01).toMatchObject({ covered: true });
    // UNIT+INT: the integration test meets both.
    expect(rows.T06).toMatchObject({ covered: true });
    expect(rows.T47).toMatchObject({ covered: true });
  });

  it('counts the titles per file', () => {
    const rows = computeCoverage([{ path: 'e2e/a.spec.ts', source: "test('T22 a', f); test('T22 b', f); test('T21 c', f);" }]);
    expect(rows.find((r) => r.id === 'T22')!.files).toEqual([{ file: 'e2e/a.spec.ts', kind: 'E2E', tests: 2 }]);
  });
});
