// The fork storm of the events bench and tests: native/forkstorm.c compiled with `cc -O2` into
// tools/bench/build/ (ignored by git), run as a child process. It reports how many forks it
// made, the truth a listener's event counts are checked against.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../native/forkstorm.c', import.meta.url));
const buildDir = fileURLToPath(new URL('../build/', import.meta.url));

/** Compiles forkstorm.c: { binary } or { problem } (no cc, or it failed). */
export function compileForkstorm() {
  mkdirSync(buildDir, { recursive: true });
  const binary = `${buildDir}forkstorm`;
  const run = spawnSync('cc', ['-O2', '-Wall', '-o', binary, source], { encoding: 'utf8' });
  if (run.error) return { problem: `cc cannot run (${run.error.code ?? run.error.message})` };
  if (run.status !== 0)
    return { problem: `cc -O2 native/forkstorm.c failed: ${run.stderr.trim()}` };
  return { binary };
}

/**
 * The command line for a storm: `{ workers, seconds | count, pids, exec }` where exec is true
 * (/bin/true) or an argv array.
 */
export function forkstormArgs({ workers, seconds, count, pids = false, exec } = {}) {
  const args = [];
  if (workers !== undefined) args.push('--workers', String(workers));
  if (seconds !== undefined) args.push('--seconds', String(seconds));
  if (count !== undefined) args.push('--count', String(count));
  if (pids) args.push('--pids');
  if (exec) args.push('--exec', ...(Array.isArray(exec) ? exec : []));
  return args;
}

/**
 * Reads a storm's stdout: the pid lines (with `pids`) and the closing JSON line, as
 * { workers, forks, failed, seconds, workerPids, childPids }.
 */
export function parseForkstormOutput(text) {
  const lines = text.split('\n').filter((line) => line !== '');
  const last = lines.pop();
  if (last === undefined || !last.startsWith('{'))
    throw new Error(`forkstorm printed no summary line: ${JSON.stringify(text.slice(-200))}`);
  const summary = JSON.parse(last);
  const childPids = lines.map((line) => {
    const pid = Number(line);
    if (!Number.isSafeInteger(pid) || pid <= 0)
      throw new Error(`forkstorm printed a line that is not a pid: ${JSON.stringify(line)}`);
    return pid;
  });
  return { ...summary, childPids };
}

/** Runs a storm to its end, synchronously (the calling thread is blocked: no listener here). */
export function runForkstorm(binary, options) {
  const run = spawnSync(binary, forkstormArgs(options), {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`forkstorm failed (${run.status}): ${run.stderr.trim()}`);
  return parseForkstormOutput(run.stdout);
}

/**
 * Starts a storm in the background: { pid, done } where done resolves to its summary when it
 * exits (the event loop stays free for a listener in this process).
 */
export function startForkstorm(binary, options) {
  const child = spawn(binary, forkstormArgs(options), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code !== 0) reject(new Error(`forkstorm failed (${code ?? signal}): ${stderr.trim()}`));
      else resolve(parseForkstormOutput(stdout));
    });
  });
  return { pid: child.pid, child, done };
}
