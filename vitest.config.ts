import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real bundlers run in these tests; two workers match this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
