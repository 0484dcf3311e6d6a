import { sharedTestConfig } from '../../vitest.shared.js';

// Every test here starts the built binary, some several times: a Node start each, a fifth of a
// second on an idle machine and seconds on a loaded 2-core CI runner; the shared 60 s limit holds.
export default sharedTestConfig;
