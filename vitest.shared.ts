import { defineConfig } from 'vitest/config';

/**
 * The test setup every package shares: tests beside the code, fixture trees never searched
 * (they hold symlinks captured from /proc), and a JSON report that scripts/test-summary.mjs
 * counts for CI's closing line.
 */
export const sharedTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/fixtures/**'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    // CI runs every package's suite at once on two cores: a test that takes 1 s alone can take
    // 7 s there. Time is never asserted on; these limits only catch a test that hangs.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Live tests read a machine that every other suite changes at the same time (descriptors of
    // a shared worker, socket tables, the process list). A test that fails once runs once more;
    // scripts/test-summary.mjs names each one that needed it, with its first failure, in CI's
    // last lines: a flaky test is a defect to mend, shown, never hidden.
    retry: 1,
  },
});
