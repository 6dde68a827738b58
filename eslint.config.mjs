import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import tseslint from 'typescript-eslint';

const PRISMA_IMPORTS = {
  patterns: [
    {
      regex: '^(@/lib/db(/.*)?|@prisma/.*|(\\.\\./)*(@/)?generated/(sqlite|postgres)(/.*)?)$',
      message: 'Only lib/dal, lib/audit and lib/auth touch the database (house style 1).',
    },
  ],
};
/**
 * Security lint rules (SECURITY.md T35, T36), as no-restricted-syntax selectors.
 * They apply everywhere; only the rule against reading process.env is lifted where
 * configuration is read on purpose, and tests, e2e and bench keep their raw SQL (tamper tests, bulk seeding).
 */
const NO_INNER_HTML = [
  {
    selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
    message: 'Never dangerouslySetInnerHTML: render user data as text (T35, house style: everything user-supplied renders as text).',
  },
  {
    selector: "Property[key.name='dangerouslySetInnerHTML'], Property[key.value='dangerouslySetInnerHTML']",
    message: 'Never dangerouslySetInnerHTML: render user data as text (T35).',
  },
];
const NO_RAW_SQL_FROM_INPUT = [
  {
    // A constant string (or a template without substitutions) is fine; anything else builds SQL.
    selector:
      'CallExpression[callee.property.name=/^\\$(queryRawUnsafe|executeRawUnsafe)$/] > :first-child:not(Literal):not(TemplateLiteral[expressions.length=0])',
    message: 'Raw SQL must be a literal; never build SQL from input (T36). Use the tagged template $queryRaw`…${value}`.',
  },
  {
    // $queryRaw / $executeRaw only as a tagged template (or with a Prisma.sql`…` fragment): values become bind parameters.
    selector: 'CallExpression[callee.property.name=/^\\$(queryRaw|executeRaw)$/] > :first-child:not(TaggedTemplateExpression)',
    message: 'Call $queryRaw/$executeRaw as a tagged template ($queryRaw`…${value}`) so values are bound, never concatenated (T36).',
  },
  {
    selector:
      "CallExpression[callee.object.name='Prisma'][callee.property.name='raw'] > :first-child:not(Literal):not(TemplateLiteral[expressions.length=0])",
    message: 'Prisma.raw only with a literal; never build SQL from input (T36).',
  },
];
const NO_PROCESS_ENV = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read configuration through lib/env.ts.',
};

const NEXT_AUTH_IMPORTS = {
  patterns: [{ regex: '^(next-auth|@auth/core)(/.*)?$', message: 'Only lib/auth/next-auth.ts imports next-auth (house style 7).' }],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      '.next-*/**',
      'generated/**',
      'next-env.d.ts',
      'test-results/**',
      'playwright-report/**',
      'var/**',
    ],
  },
  ...nextVitals,
  ...nextTs,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [...PRISMA_IMPORTS.patterns, ...NEXT_AUTH_IMPORTS.patterns] }],
      'no-restricted-syntax': ['error', ...NO_INNER_HTML, ...NO_RAW_SQL_FROM_INPUT, NO_PROCESS_ENV],
    },
  },
  {
    // The data layer, audit and auth may use the database; so may the typed settings
    // reader and the approval registry, which run inside DAL transactions, and the
    // monitoring jobs (lib/monitoring: evaluation, deliveries, metrics).
    files: [
      'lib/dal/**',
      'lib/audit/**',
      'lib/auth/**',
      'lib/db/**',
      'lib/config/settings.ts',
      'lib/approvals/**',
      'lib/monitoring/**',
      'scripts/**',
      'bench/**',
      'tests/**',
      'e2e/**',
      'e2e-multi/**',
    ],
    rules: { 'no-restricted-imports': ['error', NEXT_AUTH_IMPORTS] },
  },
  {
    files: ['lib/auth/next-auth.ts'],
    rules: { 'no-restricted-imports': ['error', PRISMA_IMPORTS] },
  },
  {
    // policies/ is pure data and pure functions (ARCHITECTURE "Layout"): no I/O, no
    // server-only or framework imports, nothing from the app, so a reviewer can read
    // it as data and the matrix can be recomputed anywhere.
    files: ['policies/**/*.ts'],
    ignores: ['policies/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(@/(lib|app|components|generated)(/.*)?|server-only|node:.*|fs|path|next(/.*)?|react(/.*)?|@prisma/.*)$',
              message: 'policies/ must stay pure: no I/O, framework or app imports.',
            },
          ],
        },
      ],
    },
  },
  {
    // Plain JavaScript (server.mjs, configs): the markup rule holds there too.
    files: ['**/*.js', '**/*.jsx', '**/*.mjs', '**/*.cjs'],
    rules: { 'no-restricted-syntax': ['error', ...NO_INNER_HTML] },
  },
  {
    // Process configuration is read in one validated module; CLIs and tooling read their own.
    files: ['lib/env.ts', 'lib/db/migrate/**', 'scripts/**', '*.config.*', 'proxy.ts'],
    rules: { 'no-restricted-syntax': ['error', ...NO_INNER_HTML, ...NO_RAW_SQL_FROM_INPUT] },
  },
  {
    // Tests and benchmarks read their own environment; tests tamper with the database by raw
    // SQL on purpose (T41, T42) and benchmarks seed it in bulk. None of them serves a request.
    files: ['tests/**', 'e2e/**', 'e2e-multi/**', 'bench/**'],
    rules: { 'no-restricted-syntax': ['error', ...NO_INNER_HTML] },
  },
);
