// Rows of the in-process `procmon ps` table beyond ours and psutil: the bare I/O floor of the
// same /proc reads, and one cold listing in a fresh Node (what a single `procmon ps` run pays).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { floorScan } from './io-harness.mjs';

const COLD = fileURLToPath(new URL('ps-cold.mjs', import.meta.url));

/**
 * The I/O of `procmon ps` with nothing else: list /proc, then per pid bare reads of the files
 * listProcesses reads (stat, cmdline, status, statm, cgroup) and the exe link. No parsing, no
 * second stat (ours re-reads it to catch a reused pid). A process that exits meanwhile is skipped.
 */
export function psFloor() {
  return floorScan(['stat', 'cmdline', 'status', 'statm', 'cgroup']);
}

/** `runs` cold listings, each in a fresh `node ps-cold.mjs`: their times in nanoseconds. */
export function coldListings(runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const run = spawnSync(process.execPath, [COLD], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`ps-cold.mjs failed:\n${run.stderr}`);
    samples.push(Number(run.stdout.trim()));
  }
  return samples;
}
