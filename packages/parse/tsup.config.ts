import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.shared.js';

// neutral: @procmon/parse runs in browsers too.
export default defineConfig(libraryBuild('neutral'));
