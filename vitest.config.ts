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
    // Two test files run at once on two cores: a wasm thread pool per file would oversubscribe them
    // (and spin); packages/node/test/wasm-threads.test.ts runs the threaded build on purpose.
    env: { WARMUP_WASM_THREADS: '1' },
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
