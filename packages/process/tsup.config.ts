import { defineConfig } from 'tsup';
import { browserBuild, libraryBuild } from '../../tsup.shared.js';

// The browser build is the same entry with no twin of its own: the model imports no node:*,
// and procfs, netsock and hash resolve to their own browser builds (the `browser` condition).
export default defineConfig([libraryBuild('node'), browserBuild()]);
