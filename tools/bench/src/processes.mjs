// The processes the procfs bench reads: a sleeping target with a known environment, a holder of
// thousands of descriptors, and psutil's timing loop. Every child is killed when the bench ends.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Kills a child this module started (by its handle) and waits for it to exit. */
export async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  children.delete(child);
}

/**
 * `env -i NAME=value ... sleep 1000`: a long-lived process whose environment is exactly the given
 * environ bytes (NUL-terminated `NAME=value` entries, in order). Resolves once `env` has exec'd
 * `sleep`, so the pid's files are sleep's.
 */
export async function startSleeper(environBytes) {
  const pairs = new TextDecoder().decode(environBytes).split('\0');
  if (pairs.pop() !== '') throw new Error('environ must end with a NUL');
  const child = spawn('env', ['-i', ...pairs, 'sleep', '1000'], { stdio: 'ignore' });
  children.add(child);
  const cmdline = `/proc/${child.pid}/cmdline`;
  for (let i = 0; i < 200; i++) {
    try {
      if (readFileSync(cmdline, 'latin1').startsWith('sleep\0')) return child;
    } catch {
      // not there yet, or env failed: see below
    }
    if (child.exitCode !== null) break;
    await sleep(10);
  }
  await stop(child);
  throw new Error('env -i ... sleep 1000 did not start');
}

/** /usr/bin/python3 (Debian's, which sees python3-psutil) when present, else python3 on PATH. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Why psutil cannot be used here, or null when `import psutil` works. */
export function psutilProblem() {
  const run = spawnSync(PYTHON, ['-c', 'import psutil'], { encoding: 'utf8' });
  if (run.error) return `${PYTHON} cannot run (${run.error.code ?? run.error.message})`;
  if (run.status !== 0) {
    const last = run.stderr.trim().split('\n').pop();
    return `${PYTHON} -c 'import psutil' failed (${last}); install it with apt-get install -y python3-psutil`;
  }
  return null;
}

/**
 * A Python process holding exactly `total` descriptors (stdio included): /dev/null, the regular
 * file `regularFile`, pipe ends and Unix socket pairs in turn. Started as
 * `sh -c 'ulimit -n 8192 && exec python3 fd-holder.py ...'` so the limit is not the default 1,024.
 */
export async function startFdHolder(total, regularFile) {
  const limit = Math.max(8192, total + 256);
  const child = spawn(
    'sh',
    [
      '-c',
      `ulimit -n ${limit} && exec "$0" "$@"`,
      PYTHON,
      here('fd-holder.py'),
      String(total),
      regularFile,
    ],
    // stderr is a pipe too (not the bench's own stderr), so the holder's descriptors are its own.
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.add(child);
  let errors = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    errors += chunk;
  });
  const ready = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /^ready (\d+)\n/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `the descriptor holder exited (${signal ?? code}) before it was ready\n${errors}`,
        ),
      ),
    );
    child.once('error', reject);
  });
  if (ready !== total) {
    await stop(child);
    throw new Error(`the descriptor holder holds ${ready} descriptors, not ${total}`);
  }
  return child;
}

/**
 * psutil's Process(pid).num_fds() + open_files(), timed in one Python process for at least
 * `minMs` milliseconds and `minSamples` calls: { version, numFds, openFiles, samples (ns) }.
 */
export function runPsutil(pid, minMs, minSamples) {
  const run = spawnSync(
    PYTHON,
    [here('psutil-fds.py'), String(pid), String(minMs), String(minSamples)],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`psutil-fds.py failed:\n${run.stderr}`);
  const result = JSON.parse(run.stdout);
  return {
    version: result.psutil,
    numFds: result.num_fds,
    openFiles: result.open_files,
    samples: result.samples,
  };
}
