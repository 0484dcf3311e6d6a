// Where the tools to build the addon offline are: the local Node headers and node-gyp.
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
