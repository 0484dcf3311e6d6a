// Builds the native addon (build/Release/procfs.node) with node-gyp against the local Node
// headers, offline. Run by the package's `install` script: it always exits 0. When a prebuilt
// addon for this platform is in prebuilds/ (the packed package carries linux-x64), nothing is
// built. When the addon cannot be built, it prints one line, and procfs reads with node:fs
// (procfsBackend() says why).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAddon } from './toolchain.mjs';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fallback = 'procfs reads with node:fs';

function say(line) {
  console.log(`@procmon/procfs: ${line}`);
}

/** Whether prebuilds/<platform>-<arch>/ holds an addon (node-gyp-build loads it). */
function hasPrebuild() {
  const folder = path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`);
  return existsSync(folder) && readdirSync(folder).some((name) => name.endsWith('.node'));
}

const quiet = process.argv.includes('--quiet');
if (process.platform !== 'linux') {
  say(`no native addon on ${process.platform} (/proc is Linux only)`);
} else if (process.env.PROCMON_PROCFS_SKIP_BUILD) {
  say(`PROCMON_PROCFS_SKIP_BUILD is set: addon not built; ${fallback}`);
} else if (hasPrebuild() && !process.argv.includes('--force')) {
  if (!quiet) say(`prebuilt addon for ${process.platform}-${process.arch} present`);
} else {
  buildAddon({ packageRoot, target: 'procfs', say, fallback, quiet });
}
process.exitCode = 0;
