// Builds the native addon (build/Release/netsock.node) with node-gyp against the local Node
// headers, offline: `--nodedir` points at the folder holding include/node/node_api.h, so node-gyp
// downloads nothing. Run by the package's `install` script: it always exits 0. When the
// addon cannot be built, it prints one line and exits 0, and the package uses its /proc/net
// backend (netsockBackend() says why).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');

function say(line) {
  console.log(`@procmon/netsock: ${line}`);
}

/** A folder whose include/node/node_api.h matches the running Node, or undefined. */
function nodeDir() {
  const candidates = [
    process.env.npm_config_nodedir,
    // The running node's own prefix (a tarball install, nvm, ...).
    path.resolve(path.dirname(process.execPath), '..'),
    '/usr',
    '/usr/local',
  ];
  for (const dir of candidates) {
    if (dir && existsSync(path.join(dir, 'include', 'node', 'node_api.h'))) return dir;
  }
  return undefined;
}

/** node-gyp: the one npm or pnpm put on PATH for install scripts, else npm's bundled copy. */
function nodeGyp() {
  const bundled = [
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  for (const file of bundled) {
    if (existsSync(file)) return { command: process.execPath, args: [file] };
  }
  return { command: 'node-gyp', args: [] };
}

function main() {
  if (process.platform !== 'linux') {
    say(`no native addon on ${process.platform} (sock_diag is Linux only); using /proc/net`);
    return;
  }
  if (process.env.PROCMON_NETSOCK_SKIP_BUILD) {
    say('PROCMON_NETSOCK_SKIP_BUILD is set: addon not built; using /proc/net');
    return;
  }
  const dir = nodeDir();
  if (!dir) {
    say('node headers (include/node/node_api.h) not found: addon not built; using /proc/net');
    return;
  }
  const gyp = nodeGyp();
  const run = spawnSync(
    gyp.command,
    [...gyp.args, 'rebuild', `--nodedir=${dir}`, '--loglevel=error'],
    {
      cwd: packageRoot,
      encoding: 'utf8',
      env: { ...process.env, npm_config_nodedir: dir },
    },
  );
  const built = existsSync(path.join(packageRoot, 'build', 'Release', 'netsock.node'));
  if (run.status === 0 && built) {
    if (!quiet) say('native addon built (build/Release/netsock.node)');
    return;
  }
  const reason = run.error
    ? `${gyp.command} could not run (${run.error.code ?? run.error.message})`
    : firstProblem(`${run.stderr ?? ''}\n${run.stdout ?? ''}`) || `exit ${run.status}`;
  say(`addon not built (${reason}); using /proc/net`);
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
  say(
    `addon not built (${error instanceof Error ? error.message : String(error)}); using /proc/net`,
  );
}
process.exitCode = 0;
