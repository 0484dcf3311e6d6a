// Builds prebuilds/<platform>-<arch>/procfs.node with prebuildify (--napi --strip), offline:
// node-gyp is given the local Node headers (npm_config_nodedir) and npm's bundled node-gyp.
// Run by `prepack`, so the packed package carries the linux-x64 addon and installs without a
// compiler. Unlike the install script, a failure here fails: a package must not ship without it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeDir, nodeGypScript } from './toolchain.mjs';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = nodeDir();
if (!dir) {
  console.error('@procmon/procfs: node headers (include/node/node_api.h) not found');
  process.exit(1);
}
const env = { ...process.env, npm_config_nodedir: dir };
const script = nodeGypScript();
if (script) env.PREBUILD_NODE_GYP = script;
const prebuildify = createRequire(import.meta.url).resolve('prebuildify/bin.js');
const run = spawnSync(process.execPath, [prebuildify, '--napi', '--strip'], {
  cwd: packageRoot,
  env,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
