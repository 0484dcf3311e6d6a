import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.shared.js';

// shims: the CJS build gets import.meta.url, which locates build/ and prebuilds/ (the addon).
export default defineConfig({ ...libraryBuild('node'), shims: true });
