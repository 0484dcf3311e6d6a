// Where the tools to build an addon offline are (the local Node headers and node-gyp), and the
// build itself.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** A folder whose include/node/node_api.h matches the running Node, or undefined. */
export function nodeDir() {
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

/** node-gyp's script: npm's bundled copy, or undefined (then `node-gyp` on PATH). */
export function nodeGypScript() {
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
  return bundled.find((file) => existsSync(file));
}

/**
 * Builds `build/Release/<target>.node` in `packageRoot` with node-gyp against the local Node
 * headers, offline (`--nodedir`: node-gyp downloads nothing), and says in one line what came of
 * it. Never throws: an install must not fail for want of a compiler. Shared by the install
 * scripts of @procmon/procfs and @procmon/netsock (which finds it through its dependency).
 *
 * @param {{ packageRoot: string, target: string, say: (line: string) => void,
 *   fallback: string, quiet?: boolean }} options `fallback` ends a line saying it was not built
 *   (what the package does instead).
 */
export function buildAddon({ packageRoot, target, say, fallback, quiet = false }) {
  try {
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
      { cwd: packageRoot, encoding: 'utf8', env: { ...process.env, npm_config_nodedir: dir } },
    );
    const file = `build/Release/${target}.node`;
    if (run.status === 0 && existsSync(path.join(packageRoot, file))) {
      if (!quiet) say(`native addon built (${file})`);
      return;
    }
    const reason = run.error
      ? `${gyp.command} could not run (${run.error.code ?? run.error.message})`
      : firstProblem(`${run.stderr ?? ''}\n${run.stdout ?? ''}`) || `exit ${run.status}`;
    say(`addon not built (${reason}); ${fallback}`);
  } catch (error) {
    say(`addon not built (${error instanceof Error ? error.message : String(error)}); ${fallback}`);
  }
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
