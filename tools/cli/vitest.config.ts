import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

// Every test here starts the built binary, some several times: a Node start each, a fifth of a
// second on an idle machine and seconds on a loaded 2-core CI runner, past vitest's 5 s default.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { testTimeout: 30_000 } }));
