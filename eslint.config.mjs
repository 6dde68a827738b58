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
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^\\$(queryRawUnsafe|executeRawUnsafe)$/] > :first-child:not(Literal)',
          message: 'Raw SQL must be a literal; never build SQL from input.',
        },
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through lib/env.ts.' },
      ],
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
    // Process configuration is read in one validated module; CLIs, tests and tooling read their own.
    files: ['lib/env.ts', 'lib/db/migrate/**', 'scripts/**', 'bench/**', 'tests/**', 'e2e/**', '*.config.*', 'proxy.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
