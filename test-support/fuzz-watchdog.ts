import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';

// The watchdog: a worker thread that watches a counter the property bumps for every case. A case
// that never returns (an endless loop in a parser) blocks the test's thread, so vitest's timeout
// never fires and CI would hang; the worker writes which target and seed were stuck (to stderr
// with a direct write, and to test-results/fuzz/<file>.hang.txt) and kills the process. vitest
// then reports an unhandled error and exits non-zero, but its JSON report shows the file's tests
// as skipped: scripts/test-summary.mjs counts the .hang.txt and every fuzz test that did not run
// as failures.
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const state = new Int32Array(workerData.shared);
const pause = new Int32Array(new SharedArrayBuffer(4));
let lastBeat = -1;
let still = 0;
for (;;) {
  Atomics.wait(pause, 0, 0, 1000);
  const phase = Atomics.load(state, 0);
  if (phase === 2) break;
  const beat = Atomics.load(state, 1);
  if (phase !== 1 || beat !== lastBeat) {
    lastBeat = beat;
    still = 0;
    continue;
  }
  if (++still < workerData.stuckSeconds) continue;
  const target = workerData.targets[Atomics.load(state, 3)];
  const seed = Atomics.load(state, 2);
  const call = Atomics.load(state, 4);
  const message =
    'fuzz watchdog: ' + workerData.file + ': target "' + target + '" made no progress for ' +
    still + ' s in case ' + call + ' (an endless loop?). ' +
    (seed < 0
      ? 'It was case ' + call + ' of its sweep.'
      : 'Replay: PROCMON_FUZZ_SEED=' + seed + ' PROCMON_FUZZ_PATH=' + call + ' vitest run ' +
        workerData.file + ' -t "' + target + ' (random"') + '\\n';
  writeSync(2, message);
  try {
    mkdirSync(workerData.outDir, { recursive: true });
    writeFileSync(join(workerData.outDir, workerData.hangFile), message);
  } catch {}
  process.kill(process.pid, 'SIGKILL');
}
`;

export class Watchdog {
  // [0] phase: 0 idle, 1 running a target, 2 stopped; [1] beat; [2] seed; [3] target; [4] case.
  private readonly state = new Int32Array(new SharedArrayBuffer(5 * 4));
  private worker: Worker | undefined;

  constructor(
    private readonly outDir: string,
    private readonly file: string,
    private readonly targets: string[],
    private readonly stuckSeconds: number,
  ) {}

  start(target: number, seed: number): void {
    if (this.worker === undefined) {
      this.worker = new Worker(WATCHDOG_SOURCE, {
        eval: true,
        workerData: {
          shared: this.state.buffer,
          targets: this.targets,
          file: this.file,
          outDir: this.outDir,
          hangFile: `${basename(this.file).replace(/\.test\.ts$/, '')}.hang.txt`,
          stuckSeconds: this.stuckSeconds,
        },
      });
      this.worker.unref();
    }
    Atomics.store(this.state, 2, seed | 0);
    Atomics.store(this.state, 3, target);
    Atomics.store(this.state, 4, 0);
    Atomics.store(this.state, 0, 1);
  }

  beat(call: number): void {
    this.state[4] = call;
    Atomics.add(this.state, 1, 1);
  }

  idle(): void {
    Atomics.store(this.state, 0, 0);
  }

  stop(): void {
    Atomics.store(this.state, 0, 2);
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
