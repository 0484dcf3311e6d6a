// The short-lived client of issue #13: a client that connects, sends a byte and exits at once.
// The bench listens; at accept it asks who holds the client's end, and counts how often the
// answer names the client (its pid is known: the bench spawned it) and why not otherwise.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { PYTHON } from './processes.mjs';

const CLIENT = `import os, socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.send(b'x')
os._exit(0)`;

/**
 * Why a lookup did or did not name the client: 'attributed', or a short reason. `result` is what
 * an attribution method returned: `{ socket, holders, reason }` (socket undefined: the kernel had
 * no such connection any more; holders undefined with a socket: not looked up).
 */
export function outcomeOf(result, clientPid) {
  const { socket, holders, reason } = result;
  if (!socket) return 'no socket: the client end was gone at lookup';
  if (socket.inode === 0) return `no inode: the client end was already ${socket.state}`;
  if (holders.some((h) => h.pid === clientPid)) return 'attributed';
  if (holders.length > 0) return 'WRONG: holders that are not the client';
  return `no holder (${reason ?? 'no reason given'})`;
}

/** One client run: resolves once the client exited and the lookup at accept is done. */
function oneRun(server, port, attribute) {
  return new Promise((resolve, reject) => {
    let child;
    let outcome;
    let exited = false;
    const finish = () => {
      if (outcome !== undefined && exited) resolve(outcome);
    };
    const onConnection = (socket) => {
      const query = {
        protocol: 'tcp',
        localAddress: socket.remoteAddress,
        localPort: socket.remotePort,
        remoteAddress: socket.localAddress,
        remotePort: socket.localPort,
      };
      const started = process.hrtime.bigint();
      try {
        const result = attribute(query, child.pid);
        outcome = {
          outcome: outcomeOf(result, child.pid),
          ns: Number(process.hrtime.bigint() - started),
        };
      } catch (error) {
        outcome = { outcome: `error: ${error.message}`, ns: 0 };
      }
      socket.destroy();
      finish();
    };
    server.once('connection', onConnection);
    child = spawn(PYTHON, ['-c', CLIENT, String(port)], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => {
      exited = true;
      // A client that never connected leaves no connection to wait for.
      if (code !== 0 && outcome === undefined) {
        server.off('connection', onConnection);
        outcome = { outcome: `the client failed (exit ${code})`, ns: 0 };
      }
      finish();
    });
  });
}

/**
 * `runs` short-lived clients, one at a time, each looked up at accept with `attribute(query,
 * clientPid)` (the pid only for the upper-bound row, which reads the client's own fd table):
 * { counts: Map(outcome → n), medianNs (of the lookups at accept) }.
 */
export async function shortLivedClients(runs, attribute) {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const counts = new Map();
  const times = [];
  try {
    for (let i = 0; i < runs; i++) {
      const { outcome, ns } = await oneRun(server, port, attribute);
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      times.push(ns);
    }
  } finally {
    server.close();
  }
  times.sort((a, b) => a - b);
  return { counts, medianNs: times[times.length >> 1] };
}
