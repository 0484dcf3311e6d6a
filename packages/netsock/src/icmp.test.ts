// ICMP "ping" sockets (SOCK_DGRAM with IPPROTO_ICMP / IPPROTO_ICMPV6): sock_diag has no handler
// for them, /proc/net/icmp and icmp6 list them. A child opens one of each, and both backends
// resolve them by inode. Opening one needs the caller's gid in net.ipv4.ping_group_range: set
// here for the test when root, restored after.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { firstLine, trackChild } from '../../../test-support/processes.js';
import { cleanup, isRoot, PYTHON } from '../test/helpers.js';
import { netsockBackend } from './backend.js';
import { SocketResolver } from './resolver.js';
import type { SocketBackendName } from './types.js';

const RANGE = '/proc/sys/net/ipv4/ping_group_range';
const gid = process.getgid?.() ?? 0;
const original = readFileSync(RANGE, 'utf8').trim();
const [low, high] = original.split(/\s+/).map(Number) as [number, number];
const allowed = low <= gid && gid <= high;

const HOLDER = `
import json, os, socket, sys, time
p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
p.bind(('127.0.0.1', 0)); p.connect(('127.0.0.1', 0))
q = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM, socket.IPPROTO_ICMPV6)
q.bind(('::1', 0))
print(json.dumps({'pid': os.getpid(),
  'v4': [os.fstat(p.fileno()).st_ino, p.getsockname()[1]],
  'v6': [os.fstat(q.fileno()).st_ino, q.getsockname()[1]]}), flush=True)
sys.stdin.read()
`;

interface Held {
  pid: number;
  v4: [number, number];
  v6: [number, number];
}

const canRun = allowed || isRoot;
describe.skipIf(!canRun)(
  `ICMP ping sockets${canRun ? '' : ` (skipped: gid ${gid} is outside ping_group_range "${original}" and this is not root)`}`,
  () => {
    let held: Held;
    beforeAll(async () => {
      if (!allowed) writeFileSync(RANGE, `${gid} ${gid}`);
      const child = trackChild(
        spawn(PYTHON, ['-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] }),
      );
      held = JSON.parse(await firstLine(child)) as Held;
    });
    afterAll(async () => {
      if (!allowed) writeFileSync(RANGE, original);
      await cleanup();
    });

    const backends: SocketBackendName[] =
      netsockBackend().name === 'netlink' ? ['netlink', 'procfs'] : ['procfs'];
    test.each(backends)(
      'the %s backend resolves both, with the echo identifier as local port',
      (backend) => {
        const resolver = new SocketResolver({ backend });
        try {
          const found = resolver.resolve([held.v4[0], held.v6[0]], { pid: held.pid });
          expect(found.get(held.v4[0])).toMatchObject({
            family: 'inet',
            protocol: 'icmp',
            inode: held.v4[0],
            uid: process.getuid?.() ?? 0,
            state: 'ESTABLISHED',
            localAddress: '127.0.0.1',
            localPort: held.v4[1],
            remoteAddress: '127.0.0.1',
            remotePort: 0,
          });
          expect(found.get(held.v6[0])).toMatchObject({
            family: 'inet6',
            protocol: 'icmp',
            inode: held.v6[0],
            state: 'CLOSE',
            localAddress: '::1',
            localPort: held.v6[1],
          });
          expect(resolver.lookup(held.v6[0], { pid: held.pid })?.protocol).toBe('icmp');
          expect(
            resolver
              .list({ tables: ['icmp'], pid: held.pid })
              .map((e) => e.inode)
              .filter((inode) => inode === held.v4[0] || inode === held.v6[0])
              .sort(),
          ).toEqual([held.v4[0], held.v6[0]].sort());
        } finally {
          resolver.close();
        }
      },
    );
  },
);
