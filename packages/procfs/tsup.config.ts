import { defineConfig } from 'tsup';
import { browserBuild, libraryBuild } from '../../tsup.shared.js';

// shims: the CJS build gets import.meta.url, which locates build/ and prebuilds/ (the addon).
// The browser build swaps root-folder, backend-choice, node-backend and machine-word for their
// .browser.ts twins: no node:*, and a ProcFS there needs its backend given.
export default defineConfig([{ ...libraryBuild('node'), shims: true }, browserBuild()]);
