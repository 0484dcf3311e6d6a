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
  },
});
