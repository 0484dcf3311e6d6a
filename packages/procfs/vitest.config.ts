import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

// The whole suite runs once per backend: both must give the same results. The native project
// fails at its first ProcFS when the addon is not built (PROCMON_BACKEND=native says why).
export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          // native-backend.test.ts sets the two backends side by side itself: once is enough.
          test: {
            name: 'node',
            env: { PROCMON_BACKEND: 'node' },
            exclude: ['src/native-backend.test.ts'],
          },
        },
        { extends: true, test: { name: 'native', env: { PROCMON_BACKEND: 'native' } } },
      ],
    },
  }),
);
