// A TCP socket bound but neither listening nor connected is in the kernel's bind table only:
// sock_diag dumps it (state CLOSE), /proc/net/tcp does not list it (as the README says).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { firstLine, trackChild } from '../../../test-support/processes.js';
import { cleanup, PYTHON } from '../test/helpers.js';
import { netsockBackend } from './backend.js';
import { SocketResolver } from './resolver.js';

const HOLDER = `
import json, os, socket, sys
b = socket.socket(); b.bind(('127.0.0.1', 0))
print(json.dumps({'pid': os.getpid(), 'inode': os.fstat(b.fileno()).st_ino, 'port': b.getsockname()[1]}), flush=True)
sys.stdin.read()
`;

let held: { pid: number; inode: number; port: number };
beforeAll(async () => {
  const child = trackChild(spawn(PYTHON, ['-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] }));
  held = JSON.parse(await firstLine(child));
});
afterAll(cleanup);

test.skipIf(netsockBackend().name !== 'netlink')(
  'a bound, not listening TCP socket: netlink finds it (CLOSE), /proc/net/tcp does not',
  () => {
    const netlink = new SocketResolver({ backend: 'netlink' });
    const procfs = new SocketResolver({ backend: 'procfs' });
    try {
      expect(netlink.resolve([held.inode], { pid: held.pid }).get(held.inode)).toMatchObject({
        protocol: 'tcp',
        state: 'CLOSE',
        localAddress: '127.0.0.1',
        localPort: held.port,
      });
      expect(procfs.resolve([held.inode], { pid: held.pid }).has(held.inode)).toBe(false);
    } finally {
      netlink.close();
    }
  },
);
