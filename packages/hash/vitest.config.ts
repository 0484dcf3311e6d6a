import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Fixture trees hold symlinks captured from /proc: never search them for tests.
    exclude: ['**/node_modules/**', 'test/fixtures/**'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
