// The load of the connection benchmark: 300 extra `sleep` processes and one python3 holding a
// TCP listener with 1,000 accepted loopback connections (2,001 sockets), so the bench's own fd
// table stays small. Both end with the bench: `stopLoad`, the exit handler (which also runs after
// process-children.mjs's SIGINT/SIGTERM handlers), and the holder's stdin pipe closing.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCrowd, stopCrowd } from './process-children.mjs';
import { PYTHON } from './processes.mjs';

export const EXTRA_PROCESSES = 300;
export const CLIENTS = 1000;
export const HELD_SOCKETS = 2 * CLIENTS + 1;

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const holders = new Set();
process.on('exit', () => {
  for (const child of holders) child.kill('SIGKILL');
});

/** python3 net-holder.py, with ulimit -n raised: resolves { child, pid, port, sockets }. */
async function startHolder(clients) {
  const child = spawn(
    'sh',
    ['-c', 'ulimit -n 8192 && exec "$0" "$@"', PYTHON, here('net-holder.py'), String(clients)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  holders.add(child);
  let errors = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    errors += chunk;
  });
  const [port, sockets] = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const match = /^ready (\d+) (\d+)\n/.exec(out);
      if (match) resolve([Number(match[1]), Number(match[2])]);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the socket holder exited (${signal ?? code})\n${errors}`)),
    );
    child.once('error', reject);
  });
  return { child, pid: child.pid, port, sockets };
}

/** Starts the crowd and the holder; on failure, whatever started is stopped again. */
export async function startLoad() {
  const crowd = await startCrowd(EXTRA_PROCESSES);
  try {
    const holder = await startHolder(CLIENTS);
    if (holder.sockets !== HELD_SOCKETS)
      throw new Error(`the holder holds ${holder.sockets} sockets, not ${HELD_SOCKETS}`);
    return { crowd, holder };
  } catch (error) {
    stopCrowd(crowd);
    throw error;
  }
}

export function stopLoad({ crowd, holder }) {
  holder.child.kill('SIGKILL');
  holders.delete(holder.child);
  stopCrowd(crowd);
}

/**
 * The holder's client ends as lookup queries (local = the client's side), from a tcp listing:
 * every established socket on 127.0.0.1 whose remote port is the listener's.
 */
export function clientQueries(tcpEntries, port) {
  return tcpEntries
    .filter(
      (e) =>
        e.state === 'ESTABLISHED' &&
        e.remotePort === port &&
        e.localAddress === '127.0.0.1' &&
        e.remoteAddress === '127.0.0.1',
    )
    .map((e) => ({
      protocol: 'tcp',
      localAddress: e.localAddress,
      localPort: e.localPort,
      remoteAddress: e.remoteAddress,
      remotePort: e.remotePort,
    }));
}

/** The entry of `entries` matching a query's 4-tuple (the `list()` + filter way). */
export function matchQuery(entries, q) {
  return entries.find(
    (e) =>
      e.localPort === q.localPort &&
      e.remotePort === q.remotePort &&
      e.localAddress === q.localAddress &&
      e.remoteAddress === q.remoteAddress,
  );
}
