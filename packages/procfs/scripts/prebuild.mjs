// Builds prebuilds/<platform>-<arch>/procfs.node with prebuildify (--napi --strip), offline:
// node-gyp is given the local Node headers (npm_config_nodedir) and npm's bundled node-gyp.
// Run by `prepack`, so the packed package carries the linux-x64 addon and installs without a
// compiler. Unlike the install script, a failure here fails: a package must not ship without it.
//
// It builds in a copy of the package's native sources, never in build/: `attw --pack` (the lint
// step) packs while the test suites of procfs and of every package above it load
// build/Release/procfs.node, which node-gyp's rebuild would delete under them. The finished
// folder is moved into place in one rename.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
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
const workspace = mkdtempSync(path.join(tmpdir(), 'procfs-prebuild-'));
try {
  for (const name of ['package.json', 'binding.gyp', 'native']) {
    cpSync(path.join(packageRoot, name), path.join(workspace, name), { recursive: true });
  }
  const run = spawnSync(process.execPath, [prebuildify, '--napi', '--strip'], {
    cwd: workspace,
    env,
    stdio: 'inherit',
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
  // Beside the target first (same file system), then one rename over the old folder.
  const staged = path.join(packageRoot, `.prebuilds-${process.pid}`);
  cpSync(path.join(workspace, 'prebuilds'), staged, { recursive: true });
  const target = path.join(packageRoot, 'prebuilds');
  if (existsSync(target)) rmSync(target, { recursive: true, force: true });
  renameSync(staged, target);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
