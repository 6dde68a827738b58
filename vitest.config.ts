import path from 'node:path';
import { defineConfig } from 'vitest/config';

const root = path.dirname(new URL(import.meta.url).pathname);

// `server-only` throws outside a React Server Components build; tests run the same
// modules in plain Node, so it resolves to an empty module here.
const alias = {
  '@': root,
  'server-only': path.join(root, 'tests/helpers/empty-module.ts'),
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'policies/**/*.test.ts', 'scripts/**/*.test.ts', 'app/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.int.test.ts', 'lib/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file gets its own database; files run in parallel processes.
          fileParallelism: true,
          // next-auth's ESM imports `next/server` without an extension, which Node's
          // resolver refuses; processed by Vite it resolves, and its `next/headers`
          // import then sees the request scope the action harness mocks.
          server: { deps: { inline: ['next-auth'] } },
        },
      },
    ],
  },
});
