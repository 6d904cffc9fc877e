import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: run test files in two forks so training tests do not starve each other.
    pool: 'forks',
    maxWorkers: 2,
  },
});
