// The fork storm (tools/bench/native/forkstorm.c) for packages' tests: compiled with cc into a
// temp folder once per test file, run in the background so a listener in the test's process
// keeps receiving while it runs. The bench drives the same program from tools/bench/src/
// forkstorm.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempFolder, trackChild } from './processes.js';

const source = fileURLToPath(new URL('../tools/bench/native/forkstorm.c', import.meta.url));
let binary: string | undefined;

export interface ForkStormResult {
  workers: number;
  /** Children forked (the workers themselves not counted). */
  forks: number;
  failed: number;
  seconds: number;
  workerPids: number[];
  /** With `pids`: every child's pid, as forked. */
  childPids: number[];
}

export interface ForkStormOptions {
  /** Worker processes (default: one per CPU). */
  workers?: number;
  seconds?: number;
  count?: number;
  pids?: boolean;
}

/** Compiles forkstorm.c once (throws with cc's message when it cannot). */
export function forkStormBinary(): string {
  if (binary && existsSync(binary)) return binary; // cleanup() removes the temp folder
  const output = join(tempFolder('procmon-forkstorm-'), 'forkstorm');
  const run = spawnSync('cc', ['-O2', '-o', output, source], { encoding: 'utf8' });
  if (run.error || run.status !== 0)
    throw new Error(`cc forkstorm.c failed: ${run.error?.message ?? run.stderr}`);
  binary = output;
  return output;
}

/** Runs a storm in the background; resolves with its summary when it has ended. */
export function runForkStorm(options: ForkStormOptions): Promise<ForkStormResult> {
  const args: string[] = [];
  if (options.workers !== undefined) args.push('--workers', String(options.workers));
  if (options.seconds !== undefined) args.push('--seconds', String(options.seconds));
  if (options.count !== undefined) args.push('--count', String(options.count));
  if (options.pids) args.push('--pids');
  const storm = trackChild(spawn(forkStormBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  storm.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  storm.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    storm.once('error', reject);
    storm.once('close', (code, signal) => {
      const lines = stdout.split('\n').filter((line) => line !== '');
      const summary = lines.pop();
      if (code !== 0 || !summary?.startsWith('{')) {
        reject(new Error(`forkstorm failed (${code ?? signal}): ${stderr.trim()}`));
        return;
      }
      resolve({ ...JSON.parse(summary), childPids: lines.map(Number) });
    });
  });
}
