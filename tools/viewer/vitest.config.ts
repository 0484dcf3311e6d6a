import { sharedTestConfig } from '../../vitest.shared.js';

// The tests load the built page (dist/) into headless Chromium: `pnpm build` first (turbo's
// test task depends on build).
export default sharedTestConfig;
