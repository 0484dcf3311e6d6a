// The processes the @procmon/process bench needs beyond processes.mjs: a crowd of extra `sleep`
// processes for the scan, and psutil's timing loop (process-psutil.py).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './processes.mjs';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

/** The pids of live processes whose parent is `ppid` and whose comm is `comm` (from /proc). */
export function childrenOf(ppid, comm) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    if (Number(fields[1]) === ppid && stat.slice(stat.indexOf('(') + 1, close) === comm)
      found.push(Number(name));
  }
  return found;
}

const crowds = new Set();
const killCrowd = (crowd) => {
  try {
    // The shell leads its own process group: one signal ends it and every sleep it started.
    process.kill(-crowd.pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
process.on('exit', () => {
  for (const crowd of crowds) killCrowd(crowd);
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    for (const crowd of crowds) killCrowd(crowd);
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

/**
 * `count` extra processes: one `sh` (leader of its own process group) that starts `count` times
 * `sleep 600 <i> 0.5` in the background, then waits on a read of its stdin, a pipe from this
 * process. When the bench ends in any way (even SIGKILL), the pipe closes, the read returns and
 * the shell kills its whole group; `stopCrowd` and the exit and signal handlers also kill the
 * group. Resolves once all `count` children have exec'd `sleep`: { pid (the shell), pids }.
 */
export async function startCrowd(count) {
  const script = `i=0; while [ $i -lt ${count} ]; do i=$((i+1)); sleep 600 $i 0.5 >/dev/null & done; echo started; read _; kill -KILL 0`;
  const child = spawn('sh', ['-c', script], {
    detached: true,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  crowds.add(child);
  try {
    await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('started\n')) resolve();
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`the crowd's shell exited (${signal ?? code}) before starting`)),
      );
      child.once('error', reject);
    });
    for (let i = 0; i < 500; i++) {
      const pids = childrenOf(child.pid, 'sleep');
      if (pids.length === count) return { pid: child.pid, pids, child };
      await sleep(20);
    }
    throw new Error(`fewer than ${count} sleep children started`);
  } catch (error) {
    stopCrowd({ child });
    throw error;
  }
}

/** Kills the crowd's whole process group. */
export function stopCrowd(crowd) {
  killCrowd(crowd.child);
  crowds.delete(crowd.child);
}

/**
 * One psutil mode of process-psutil.py (environ, stat, statm, io, cmdline, details,
 * details-oneshot, scan) timed in one python3 for at least `minMs` ms and `minSamples` calls:
 * { version, view (what the last call returned), samples (ns) }.
 */
export function runPsutilMode(mode, pid, minMs, minSamples) {
  const run = spawnSync(
    PYTHON,
    [here('process-psutil.py'), mode, String(pid), String(minMs), String(minSamples)],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`process-psutil.py ${mode} failed:\n${run.stderr}`);
  const result = JSON.parse(run.stdout);
  return { version: result.psutil, view: result.view, samples: result.samples };
}
