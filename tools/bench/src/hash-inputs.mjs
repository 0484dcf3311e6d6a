// What the hash bench runs on: a temporary folder with a large random file and a copy of `sleep`,
// a herd of processes running that copy, and whole-command timing. The folder is removed and every
// child killed when the bench ends, by error or signal too.
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  rmSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set();
const folders = new Set();

function cleanUp() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders.clear();
}
process.on('exit', cleanUp);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    cleanUp();
    process.exit(code);
  });
}

/** A new folder under the system temp dir, removed by removeFolder or when the bench exits. */
export function makeFolder() {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'procmon-hash-bench-'));
  folders.add(folder);
  return folder;
}

export function removeFolder(folder) {
  rmSync(folder, { recursive: true, force: true });
  folders.delete(folder);
}

const CHUNK = 1024 * 1024;

/**
 * `bytes` of random content (a multiple of 1 MiB) written in 1 MiB chunks, fsync'ed so no
 * write-back runs during the timing, then read once so the page cache holds all of it.
 */
export function makeRandomFile(file, bytes) {
  const chunk = new Uint8Array(CHUNK);
  const fd = openSync(file, 'w');
  try {
    for (let done = 0; done < bytes; done += CHUNK) {
      randomFillSync(chunk);
      writeSync(fd, chunk);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  warmPageCache(file);
}

/** Reads the whole file once (into a reused buffer), so later reads come from the page cache. */
export function warmPageCache(file) {
  const chunk = new Uint8Array(CHUNK);
  const fd = openSync(file, 'r');
  let total = 0;
  try {
    for (;;) {
      const count = readSync(fd, chunk, 0, CHUNK, null);
      if (count === 0) break;
      total += count;
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

/** A copy of the system's `sleep` binary in `folder` (mode 755); returns its path. */
export function copySleep(folder) {
  const source = realpathSync('/bin/sleep');
  const copy = path.join(folder, 'sleep');
  copyFileSync(source, copy);
  chmodSync(copy, 0o755);
  return { source, copy };
}

/**
 * `count` processes running `binary 1000`. Resolves once every one of them has exec'd the binary
 * (its /proc/<pid>/exe points at it). On any failure, the ones already started are killed.
 */
export async function startHerd(binary, count) {
  const herd = [];
  try {
    for (let i = 0; i < count; i++) {
      const child = spawn(binary, ['1000'], { stdio: 'ignore' });
      children.add(child);
      herd.push(child);
      child.once('error', () => {});
    }
    const deadline = Date.now() + 15_000;
    for (const child of herd) {
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
          throw new Error(`a \`${binary} 1000\` process exited or did not start`);
        try {
          if (readlinkSync(`/proc/${child.pid}/exe`) === binary) break;
        } catch {
          // not exec'd yet
        }
        if (Date.now() > deadline)
          throw new Error(`${count} \`${binary} 1000\` processes did not start within 15 s`);
        await sleep(5);
      }
    }
    return herd;
  } catch (error) {
    await stopHerd(herd);
    throw error;
  }
}

/** Kills every process of the herd and waits for all of them to exit. */
export async function stopHerd(herd) {
  const exits = [];
  for (const child of herd) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      exits.push(new Promise((resolve) => child.once('exit', resolve)));
      child.kill('SIGKILL');
    }
  }
  await Promise.all(exits);
  for (const child of herd) children.delete(child);
}

/**
 * Runs a command to completion and times it whole (spawn, startup, work, exit), in ns. Throws
 * when it cannot start or exits non-zero.
 */
export function runCommand(file, args) {
  const start = process.hrtime.bigint();
  const run = spawnSync(file, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024,
  });
  const ns = Number(process.hrtime.bigint() - start);
  const shown = [file, ...args].join(' ');
  if (run.error) throw new Error(`${shown} could not run: ${run.error.message}`);
  if (run.status !== 0)
    throw new Error(`${shown} exited ${run.status ?? run.signal}: ${run.stderr.trim()}`);
  return { ns, stdout: run.stdout };
}

/** The first line of `command --version` (or `openssl version`), for the header. */
export function versionOf(file, args = ['--version']) {
  const run = spawnSync(file, args, { encoding: 'utf8' });
  if (run.error || run.status !== 0) return `${file}: not found`;
  return run.stdout.split('\n')[0].trim();
}
