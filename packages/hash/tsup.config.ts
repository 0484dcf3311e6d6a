import { defineConfig } from 'tsup';
import { browserBuild, libraryBuild } from '../../tsup.shared.js';

// The browser build swaps algorithms and file-ops for their .browser.ts twins: the API is
// there (the process model imports it), and every checksum throws NodeOnlyError.
export default defineConfig([libraryBuild('node'), browserBuild()]);
