// Builds the native addon (build/Release/procfs.node) with node-gyp against the local Node
// headers, offline: `--nodedir` points at the folder holding include/node/node_api.h, so node-gyp
// downloads nothing. Run by the package's `install` script: it always exits 0. When a prebuilt
// addon for this platform is in prebuilds/ (the packed package carries linux-x64), nothing is
// built. When the addon cannot be built, it prints one line, and procfs reads with node:fs
// (procfsBackend() says why).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeDir, nodeGypScript } from './toolchain.mjs';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const fallback = 'procfs reads with node:fs';

function say(line) {
  console.log(`@procmon/procfs: ${line}`);
}

/** Whether prebuilds/<platform>-<arch>/ holds an addon (node-gyp-build loads it). */
function hasPrebuild() {
  const folder = path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`);
  return existsSync(folder) && readdirSync(folder).some((name) => name.endsWith('.node'));
}

function main() {
  if (process.platform !== 'linux') {
    say(`no native addon on ${process.platform} (/proc is Linux only)`);
    return;
  }
  if (process.env.PROCMON_PROCFS_SKIP_BUILD) {
    say(`PROCMON_PROCFS_SKIP_BUILD is set: addon not built; ${fallback}`);
    return;
  }
  if (hasPrebuild() && !process.argv.includes('--force')) {
    if (!quiet) say(`prebuilt addon for ${process.platform}-${process.arch} present`);
    return;
  }
  const dir = nodeDir();
  if (!dir) {
    say(`node headers (include/node/node_api.h) not found: addon not built; ${fallback}`);
    return;
  }
  const script = nodeGypScript();
  const gyp = script
    ? { command: process.execPath, args: [script] }
    : { command: 'node-gyp', args: [] };
  const run = spawnSync(
    gyp.command,
    [...gyp.args, 'rebuild', `--nodedir=${dir}`, '--loglevel=error'],
    {
      cwd: packageRoot,
      encoding: 'utf8',
      env: { ...process.env, npm_config_nodedir: dir },
    },
  );
  const built = existsSync(path.join(packageRoot, 'build', 'Release', 'procfs.node'));
  if (run.status === 0 && built) {
    if (!quiet) say('native addon built (build/Release/procfs.node)');
    return;
  }
  const reason = run.error
    ? `${gyp.command} could not run (${run.error.code ?? run.error.message})`
    : firstProblem(`${run.stderr ?? ''}\n${run.stdout ?? ''}`) || `exit ${run.status}`;
  say(`addon not built (${reason}); ${fallback}`);
}

/**
 * The line of a failed build that says what went wrong: the first compiler, make or shell line
 * with an error (`error:`, `not found`, `No such file`), not node-gyp's own summary lines (`gyp
 * ERR! not ok` comes last); else node-gyp's first error line; else the last line.
 */
function firstProblem(output) {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const problem = /\berror\b|not found|No such file/i;
  const fromGyp = (line) => /^gyp (ERR!|info|WARN)/.test(line);
  const line =
    lines.find((l) => !fromGyp(l) && problem.test(l)) ??
    lines.find((l) => fromGyp(l) && problem.test(l)) ??
    lines.at(-1);
  return line && line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

try {
  main();
} catch (error) {
  say(`addon not built (${error instanceof Error ? error.message : String(error)}); ${fallback}`);
}
process.exitCode = 0;
