import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

// netsock's live tests read whole socket tables of the machine, which every other package's
// suite (running at the same time in CI) changes under them. A test that fails once is run once
// more; scripts/test-summary.mjs names every test that needed it, with its first failure, so a
// flaky test is seen in CI's last lines, not hidden.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { retry: 1 } }));
