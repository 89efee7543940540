import { defineConfig } from 'vitest/config';

// Two projects: `unit` for pure logic beside the code, `integration` for suites that
// run against real servers started once per run by test/global-setup.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // Every package, including all-in-one, deploy, test and bench: a unit test is
          // found wherever it sits beside its code.
          include: ['**/*.test.{ts,tsx}'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.integration.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // Suites share one set of servers; each isolates itself by unique names
          // (schemas, buckets, queues, namespaces), so files may run in parallel.
          pool: 'forks',
        },
      },
    ],
  },
});
