// Short-lived programs whose pids are known: the truth process events tests check a listener
// against. A shell (dash, /bin/sh) runs the program K times one after the other, in the
// background and waited for each time, and prints each one's pid ($!) as it starts it. dash
// forks once per background command and the child execs the program itself, so each printed
// pid is the one the kernel reports in the program's fork, exec and exit events.
import { spawn } from 'node:child_process';
import { trackChild } from './processes.js';

export interface ShortLivedRun {
  /** The shell's pid: the parent of every program (its forks name it). */
  spawnerPid: number;
  /** Every program's pid, in the order they ran. */
  pids: number[];
}

const LOOP =
  'i=0; while [ "$i" -lt "$0" ]; do "$@" >/dev/null 2>&1 </dev/null & echo $!; wait $!; i=$((i + 1)); done';

/**
 * Runs `argv` `count` times in sequence (each one started when the one before has exited) and
 * resolves once all have run, with their pids. The event loop stays free meanwhile, so a
 * listener in this process receives their events as they happen.
 */
export function runShortLived(count: number, argv: readonly string[]): Promise<ShortLivedRun> {
  if (!Number.isSafeInteger(count) || count < 1)
    throw new RangeError(`count must be a positive whole number, got ${count}`);
  if (argv.length === 0 || argv[0] === '') throw new TypeError('argv must name a program to run');
  const shell = trackChild(
    spawn('/bin/sh', ['-c', LOOP, String(count), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let stdout = '';
  let stderr = '';
  shell.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  shell.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    shell.once('error', reject);
    shell.once('close', (code, signal) => {
      const pids = stdout
        .split('\n')
        .filter((line) => line !== '')
        .map(Number);
      if (code !== 0 || pids.length !== count || !pids.every((pid) => pid > 0)) {
        reject(
          new Error(
            `the spawner (${code ?? signal}) printed ${pids.length} of ${count} pids: ${stderr.trim()}`,
          ),
        );
        return;
      }
      resolve({ spawnerPid: shell.pid as number, pids });
    });
  });
}
