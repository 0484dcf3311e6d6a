import { defineConfig } from 'tsup';
import { browserBuild, libraryBuild } from '../../tsup.shared.js';

// shims: the CJS build gets import.meta.url, which locates build/Release/netsock.node.
// The browser build (of the main entry only) swaps addon, own-namespace, ip-syntax and
// netlink/errno for their .browser.ts twins: no addon loads, so sockets come from /proc/<pid>/net.
export default defineConfig([
  { ...libraryBuild('node'), entry: ['src/index.ts', 'src/netlink.ts'], shims: true },
  browserBuild(),
]);
