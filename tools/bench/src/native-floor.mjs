// The C floor of the native bench: native/floor.c compiled with `cc -O2` into tools/bench/build/
// (ignored by git) and run per timing round, so its figures come from the same run as the rows
// beside it.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../native/floor.c', import.meta.url));
const buildDir = fileURLToPath(new URL('../build/', import.meta.url));

/** Compiles floor.c: { binary } or { problem } (no cc, or it failed). */
export function compileFloor() {
  mkdirSync(buildDir, { recursive: true });
  const binary = `${buildDir}floor`;
  const run = spawnSync('cc', ['-O2', '-Wall', '-o', binary, source], { encoding: 'utf8' });
  if (run.error) return { problem: `cc cannot run (${run.error.code ?? run.error.message})` };
  if (run.status !== 0) return { problem: `cc -O2 native/floor.c failed: ${run.stderr.trim()}` };
  return { binary };
}

/**
 * One run of the floor: `mode` is `read:NAME`, `details`, `scan` or `fds` (see floor.c), timed
 * for at least `minMs` ms and `minSamples` samples of `batch` ops. Returns { median, mean,
 * samples, check }.
 */
export function runFloor(binary, mode, pid, minMs, batch, minSamples = 12) {
  const args = [mode, String(pid), String(minMs), String(batch), String(minSamples)];
  const run = spawnSync(binary, args, {
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`floor ${mode} ${pid} failed: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout);
}

/** A row for measureInterleaved: the floor run once per round (it times itself). */
export function floorRow(binary, mode, pid, { minMs, batch, name, key, minSamples = 12 }) {
  return {
    key,
    name,
    external: true,
    time: async () => runFloor(binary, mode, pid, minMs, batch, minSamples),
  };
}
