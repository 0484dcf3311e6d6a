import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.shared.js';

// shims: the CJS build gets import.meta.url, which locates build/Release/netsock.node.
export default defineConfig({
  ...libraryBuild('node'),
  entry: ['src/index.ts', 'src/netlink.ts'],
  shims: true,
});
