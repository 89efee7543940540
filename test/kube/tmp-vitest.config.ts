import { defineConfig } from 'vitest/config';
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/kube/**/*.integration.test.ts'],
    globalSetup: ['test/kube/tmp-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
