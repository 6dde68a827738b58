import ts from 'typescript';

/**
 * The security test map (issue 11): every id T01–T48 of the project's security
 * requirements must be the first word of at least one test title, in a suite of
 * the layer the requirement names. `npm run security:coverage`
 * (scripts/security-coverage.ts) runs this over the test files and fails when an
 * id, or the layer it needs, is not covered.
 *
 * The ids and their layers are copied from the "Layer" column of the requirements'
 * test table (they live outside this repository, so CI could not read them).
 * Layer rules: an E2E layer needs a Playwright spec under e2e/; an INT layer needs an
 * integration test, or an E2E spec (it runs against a real database and server too);
 * a UNIT layer is met by a test of any kind; CI (T47) is met by a test of any kind
 * (the CI step itself is `npm run security:deps` in .ci/run).
 */

export type Layer = 'E2E' | 'INT' | 'UNIT' | 'CI';
export type FileKind = 'E2E' | 'INT' | 'UNIT';

export interface SecurityTestId {
  id: string;
  layers: readonly Layer[];
  /** A few words on what is tried. */
  about: string;
}

const row = (id: string, layers: string, about: string): SecurityTestId => ({
  id,
  layers: layers.split('+') as Layer[],
  about,
});

export const SECURITY_TEST_IDS: readonly SecurityTestId[] = [
  row('T01', 'E2E+INT', 'online guessing: delays, hard lock, per-IP limit'),
  row('T02', 'INT', 'account enumeration: identical answers and timing'),
  row('T03', 'INT', 'password policy: length, blocklist, no truncation'),
  row('T04', 'E2E', 'half-authenticated state reaches nothing'),
  row('T05', 'INT', 'concurrent TOTP replay'),
  row('T06', 'UNIT+INT', 'TOTP window, enrolment code, client time'),
  row('T07', 'INT', 'second-factor guessing'),
  row('T08', 'INT', 'TOTP seed sealed; tamper, swap, wrong key'),
  row('T09', 'INT', 'WebAuthn origin and RP ID from configuration'),
  row('T10', 'INT', 'WebAuthn challenge replay, expiry, binding'),
  row('T11', 'E2E', 'WebAuthn user verification required'),
  row('T12', 'INT', 'WebAuthn counter regression'),
  row('T13', 'INT+E2E', 'passkey registration rules'),
  row('T14', 'E2E', 'session fixation; rotation at sign-in and step-up'),
  row('T15', 'E2E', 'cookie attributes; nothing in web storage'),
  row('T16', 'E2E', 'idle timeout enforced by the server'),
  row('T17', 'E2E', 'absolute timeout'),
  row('T18', 'E2E+INT', 'cookie replay after sign-out'),
  row('T19', 'E2E', 'revocation and disabling take effect at once'),
  row('T20', 'E2E', 'role suspension takes effect at once'),
  row('T21', 'E2E', 'password and factor changes need re-authentication'),
  row('T22', 'E2E', 'concurrent session limit'),
  row('T23', 'E2E', 'step-up bound to action, session, time, single use'),
  row('T24', 'INT', 'destructive actions posted directly'),
  row('T25', 'INT', 'authorization matrix'),
  row('T26', 'INT', 'objects out of the viewer’s scope'),
  row('T27', 'INT', 'mass assignment'),
  row('T28', 'INT+E2E', 'privilege escalation; last superadmin'),
  row('T29', 'E2E', 'proxy bypass with internal headers'),
  row('T30', 'UNIT+INT', 'principal with a missing id'),
  row('T31', 'INT', 'forged, corrupt and oversized session cookies'),
  row('T32', 'E2E+INT', 'cross-site server action (Origin)'),
  row('T33', 'INT', 'forwarded Host / For spoofing'),
  row('T34', 'E2E', 'open redirects'),
  row('T35', 'E2E', 'stored XSS'),
  row('T36', 'INT', 'oversized and malformed action bodies'),
  row('T37', 'INT', 'log injection'),
  row('T38', 'E2E', 'CSV formula injection; export headers'),
  row('T39', 'E2E', 'security headers, CSP, framing'),
  row('T40', 'INT', 'audit completeness; no secrets in logs'),
  row('T41', 'INT', 'audit tampering'),
  row('T42', 'INT', 'audit failure fails closed'),
  row('T43', 'INT', 'audit chain under concurrency'),
  row('T44', 'E2E+INT', 'nobody edits the audit trail'),
  row('T45', 'E2E', 'errors leak nothing'),
  row('T46', 'INT', 'fail closed when data is unavailable'),
  row('T47', 'CI', 'dependency floors and npm audit'),
  row('T48', 'INT', 'abuse limits on expensive operations'),
];

/** Which suite a test file belongs to, from its path. */
export function kindOfPath(file: string): FileKind {
  const p = file.replaceAll('\\', '/');
  if (p.startsWith('e2e/') || p.endsWith('.spec.ts')) return 'E2E';
  if (p.startsWith('tests/integration/') || p.endsWith('.int.test.ts')) return 'INT';
  return 'UNIT';
}

/** Whether a path is a test file the scan reads. */
export function isTestFile(file: string): boolean {
  return /\.(test|spec)\.tsx?$/.test(file);
}

const TEST_FUNCTIONS = new Set(['it', 'test', 'describe']);

/** `it`, `test.describe.serial`, `it.skip`… : the base name is a test function. */
function isTestCallee(expr: ts.Expression): boolean {
  if (ts.isIdentifier(expr)) return TEST_FUNCTIONS.has(expr.text);
  if (ts.isPropertyAccessExpression(expr)) return isTestCallee(expr.expression);
  return false;
}

/** The static start of a title: a string, a template up to its first `${`, the left part of `'…' + x`. */
function staticPrefix(arg: ts.Expression): string | null {
  if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) return arg.text;
  if (ts.isTemplateExpression(arg)) return arg.head.text;
  if (ts.isBinaryExpression(arg) && arg.operatorToken.kind === ts.SyntaxKind.PlusToken) return staticPrefix(arg.left);
  if (ts.isParenthesizedExpression(arg)) return staticPrefix(arg.expression);
  return null;
}

export interface FoundTitle {
  title: string;
  line: number;
}

/**
 * Every test and suite title in a TypeScript source: the first argument of
 * `it(…)`, `test(…)`, `describe(…)` and their modifiers (`it.skip`, `test.describe.serial`…),
 * and of the function `it.each(table)` / `test.for(table)` returns.
 */
export function extractTitles(source: string, fileName = 'file.ts'): FoundTitle[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: FoundTitle[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = node.expression;
      const direct = isTestCallee(callee);
      const table =
        ts.isCallExpression(callee) &&
        ts.isPropertyAccessExpression(callee.expression) &&
        (callee.expression.name.text === 'each' || callee.expression.name.text === 'for') &&
        isTestCallee(callee.expression.expression);
      if (direct || table) {
        const title = staticPrefix(node.arguments[0]!);
        if (title !== null) {
          found.push({ title, line: sf.getLineAndCharacterOfPosition(node.arguments[0]!.getStart(sf)).line + 1 });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const LEADING_IDS = /^\s*(T\d{2}(?:\s*(?:[,/&+]|\band\b)?\s*T\d{2})*)(?![\w–-])/;

/**
 * The security ids a title starts with: `T23 …`, or a list at the very start —
 * `T14 T15 …`, `T26/T27 …`, `T14, T15 and T16 …`. An id later in the title, or a
 * range (`T09–T13`), counts for nothing: each id is named on its own, first.
 */
export function idsInTitle(title: string): string[] {
  const m = LEADING_IDS.exec(title);
  if (!m) return [];
  return [...new Set(m[1]!.match(/T\d{2}/g) ?? [])];
}

export interface Covering {
  file: string;
  kind: FileKind;
  /** Titles in the file that start with the id. */
  tests: number;
}

export interface CoverageRow {
  id: string;
  layers: readonly Layer[];
  about: string;
  files: Covering[];
  /** Layers the requirement names that no covering file provides. */
  missingLayers: Layer[];
  covered: boolean;
}

function layerMet(layer: Layer, kinds: Set<FileKind>): boolean {
  switch (layer) {
    case 'E2E':
      return kinds.has('E2E');
    case 'INT':
      return kinds.has('INT') || kinds.has('E2E');
    case 'UNIT':
    case 'CI':
      return kinds.size > 0;
  }
}

/** The coverage of every id over a set of test files (paths relative to the repository). */
export function computeCoverage(
  files: readonly { path: string; source: string }[],
  ids: readonly SecurityTestId[] = SECURITY_TEST_IDS,
): CoverageRow[] {
  const byId = new Map<string, Map<string, Covering>>();
  for (const f of files) {
    for (const { title } of extractTitles(f.source, f.path)) {
      for (const id of idsInTitle(title)) {
        const perFile = byId.get(id) ?? new Map<string, Covering>();
        const c = perFile.get(f.path) ?? { file: f.path, kind: kindOfPath(f.path), tests: 0 };
        c.tests += 1;
        perFile.set(f.path, c);
        byId.set(id, perFile);
      }
    }
  }
  return ids.map(({ id, layers, about }) => {
    const covering = [...(byId.get(id)?.values() ?? [])].sort((a, b) => a.file.localeCompare(b.file));
    const kinds = new Set(covering.map((c) => c.kind));
    const missingLayers = layers.filter((l) => !layerMet(l, kinds));
    return { id, layers, about, files: covering, missingLayers, covered: covering.length > 0 && missingLayers.length === 0 };
  });
}

/** Ids a title names that are not in the catalogue (a typo such as T49). */
export function unknownIds(files: readonly { path: string; source: string }[], ids = SECURITY_TEST_IDS): string[] {
  const known = new Set(ids.map((i) => i.id));
  const unknown = new Set<string>();
  for (const f of files)
    for (const { title } of extractTitles(f.source, f.path))
      for (const id of idsInTitle(title)) if (!known.has(id)) unknown.add(`${id} (${f.path})`);
  return [...unknown].sort();
}

/** The plain-text report the script prints. */
export function renderText(rows: readonly CoverageRow[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    const status = r.covered ? 'ok     ' : r.files.length === 0 ? 'MISSING' : 'LAYER  ';
    const need = r.layers.join('+').padEnd(8);
    const where = r.files.length ? r.files.map((c) => `${c.kind} ${c.file} (${c.tests})`).join(', ') : '—';
    const gap = r.missingLayers.length && r.files.length ? `  [needs ${r.missingLayers.join(', ')}]` : '';
    lines.push(`${r.id}  ${status}  ${need}  ${where}${gap}`);
  }
  return lines.join('\n');
}

/** The generated Markdown map (docs/security-coverage.md). */
export function renderMarkdown(rows: readonly CoverageRow[]): string {
  const covered = rows.filter((r) => r.covered).length;
  const out = [
    '# Security test coverage',
    '',
    '<!-- Generated by `npm run security:coverage -- --markdown` (scripts/security-coverage.ts). Do not edit by hand. -->',
    '',
    `Generated file: each security id, the layer its requirement names, and the test files whose test titles start`,
    `with it (the number of such titles in brackets). ${covered} of ${rows.length} ids covered.`,
    'An INT layer is also met by an E2E spec; UNIT and CI by a test of any kind.',
    '',
    '| id | layer | what | covered by | status |',
    '|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const where = r.files.length ? r.files.map((c) => `${c.kind} \`${c.file}\` (${c.tests})`).join('<br>') : '—';
    const status = r.covered ? 'covered' : r.files.length ? `needs ${r.missingLayers.join(', ')}` : '**missing**';
    out.push(`| ${r.id} | ${r.layers.join('+')} | ${r.about} | ${where} | ${status} |`);
  }
  return `${out.join('\n')}\n`;
}
