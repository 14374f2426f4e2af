// One test runner for the whole workspace; heavy TF.js tests get generous timeouts because the
// CI machine has two cores and no GPU.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // The tfjs-node banner stays out of the test output (tests that never import @warmup/node too).
    setupFiles: ['packages/node/src/quiet-tfjs.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
