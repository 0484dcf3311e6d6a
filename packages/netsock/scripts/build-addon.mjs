// Builds the native addon (build/Release/netsock.node) with node-gyp against the local Node
// headers, offline, through the builder @procmon/procfs ships for its own addon (a dependency,
// so it is installed before this runs). Run by the package's `install` script: it always exits
// 0. When the addon cannot be built, it prints one line, and the package uses its /proc/net
// backend (netsockBackend() says why).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fallback = 'using /proc/net';

function say(line) {
  console.log(`@procmon/netsock: ${line}`);
}

/** procfs's scripts/toolchain.mjs, found beside its package.json (its one exported file). */
async function toolchain() {
  const manifest = createRequire(import.meta.url).resolve('@procmon/procfs/package.json');
  return import(pathToFileURL(path.join(path.dirname(manifest), 'scripts', 'toolchain.mjs')).href);
}

try {
  if (process.platform !== 'linux') {
    say(`no native addon on ${process.platform} (sock_diag is Linux only); ${fallback}`);
  } else if (process.env.PROCMON_NETSOCK_SKIP_BUILD) {
    say(`PROCMON_NETSOCK_SKIP_BUILD is set: addon not built; ${fallback}`);
  } else {
    const { buildAddon } = await toolchain();
    buildAddon({
      packageRoot,
      target: 'netsock',
      say,
      fallback,
      quiet: process.argv.includes('--quiet'),
    });
  }
} catch (error) {
  say(`addon not built (${error instanceof Error ? error.message : String(error)}); ${fallback}`);
}
process.exitCode = 0;
