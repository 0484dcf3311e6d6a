import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.shared.js';

// Two entries: everything (capture needs Node), and `read`, which runs in a browser.
export default defineConfig({ ...libraryBuild('node'), entry: ['src/index.ts', 'src/read.ts'] });
