// Test support shared by the packages' tests: temp folders and child processes that are always
// cleaned up, and a poll that waits for a condition without asserting on time.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const temps: string[] = [];
const children: ChildProcess[] = [];

/** A fresh temp folder (its real path), removed by `cleanup()`. */
export function tempFolder(prefix: string): string {
  const folder = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  temps.push(folder);
  return folder;
}

/** Registers a child for `cleanup()` to kill, and returns it. */
export function trackChild<T extends ChildProcess>(child: T): T {
  children.push(child);
  return child;
}

/** Resolves when `child` has exited and been reaped (Node reaps before 'exit'). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * The first line `child` writes to its stdout (without the newline). A line can arrive in more
 * than one chunk, so the first 'data' event is not enough: the rest would still be unread, in
 * the child's socket queue, when the test looks at it. Rejects if the child exits first.
 */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdout = child.stdout;
    if (!stdout) {
      reject(new Error('the child has no stdout pipe'));
      return;
    }
    let text = '';
    const onData = (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end < 0) return;
      stdout.off('data', onData);
      child.off('exit', onExit);
      resolve(text.slice(0, end));
    };
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`the child exited (${code ?? signal}) before writing a line: ${text}`));
    stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
  });
}

/** Kills every tracked child, waits until each is reaped, and removes every temp folder. */
export async function cleanup(): Promise<void> {
  const running = children.splice(0);
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(running.map(exited));
  for (const folder of temps.splice(0)) remove(folder);
}

/**
 * Removes a folder tree. Node's recursive rm builds whole paths, which fail past PATH_MAX (the
 * deep trees of test-support/deep-path.ts); rm -rf walks down with openat.
 */
function remove(folder: string): void {
  try {
    rmSync(folder, { recursive: true, force: true });
  } catch {
    spawnSync('rm', ['-rf', folder]);
  }
}

/** Polls `test` (at most `tries` times, 20 ms apart) until it returns a value. Never about time. */
export async function eventually<T>(
  test: () => T | undefined,
  what: string,
  tries = 500,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = test();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * Options for spawnSync of a child that could hang: it is killed after 90 s and its test fails.
 * spawnSync blocks the test's thread, so vitest's own timeout cannot fire while it waits.
 */
export const HUNG_CHILD_LIMIT = { timeout: 90_000, killSignal: 'SIGKILL' } as const;
