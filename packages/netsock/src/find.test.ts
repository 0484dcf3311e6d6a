// find(): a connection by its tuple, live. The test listens, a child (test/connection-peer.py)
// connects; the known truth is what the OS gave each side (the child's getsockname, the
// accepted socket's remote address) and the inode behind each descriptor (/proc/<pid>/fd).
// Every case runs on both backends, sync and async, from one table.
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readdirSync, readlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, firstLine, trackChild } from '../../../test-support/processes.js';
import { cleanup, PYTHON } from '../test/helpers.js';
import { loadAddon } from './addon.js';
import { NetlinkChannel, netsockBackend } from './backend.js';
import type { ConnectionQuery } from './connection-query.js';
import { runNow } from './netlink/channel-exchange.js';
import { AF_INET, IPPROTO_TCP } from './netlink/constants.js';
import { lookupInetByTuple } from './netlink/inet-lookup.js';
import { SocketResolver } from './resolver.js';
import type { SocketBackendName, SocketEntry } from './types.js';

const backends: SocketBackendName[] =
  netsockBackend().name === 'netlink' ? ['netlink', 'procfs'] : ['procfs'];
const peerScript = fileURLToPath(new URL('../test/connection-peer.py', import.meta.url));
const uid = process.getuid?.() ?? -1;

interface PeerSocket {
  fd: number;
  inode: number;
  local: [string, number];
  remote: [string, number] | null;
}

/** The inode behind a descriptor link `socket:[N]`. */
function inodeOf(pid: number | 'self', fd: number | string): number | undefined {
  try {
    const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The socket inodes this process holds. */
function ownInodes(): Set<number> {
  const inodes = new Set<number>();
  for (const fd of readdirSync('/proc/self/fd')) {
    const inode = inodeOf('self', fd);
    if (inode !== undefined) inodes.add(inode);
  }
  return inodes;
}

const listening = (server: Server, options: { host: string; ipv6Only?: boolean }) =>
  new Promise<number>((resolve) => {
    server.listen({ ...options, port: 0 }, () =>
      resolve((server.address() as { port: number }).port),
    );
  });

let tcp4: Server;
let tcp6: Server;
let dual: Server;
let udp: UdpSocket;
const ports = { tcp4: 0, tcp6: 0, dual: 0, udp: 0 };
const accepted: Socket[] = [];
let peer: ChildProcess;
let sockets: Record<string, PeerSocket>;
let udpliteError: string | undefined;

beforeAll(async () => {
  const track = (server: Server) => server.on('connection', (socket) => accepted.push(socket));
  tcp4 = track(createServer());
  tcp6 = track(createServer());
  dual = track(createServer());
  ports.tcp4 = await listening(tcp4, { host: '127.0.0.1' });
  ports.tcp6 = await listening(tcp6, { host: '::1' });
  ports.dual = await listening(dual, { host: '::', ipv6Only: false });
  udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  ports.udp = udp.address().port;
  peer = trackChild(
    spawn(PYTHON, [peerScript, ...[ports.tcp4, ports.tcp6, ports.dual, ports.udp].map(String)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const described = JSON.parse(await firstLine(peer)) as Record<string, unknown>;
  udpliteError = described['udplite-error'] as string | undefined;
  delete described['udplite-error'];
  sockets = {};
  for (const [name, socket] of Object.entries(described as Record<string, PeerSocket>)) {
    const inode = inodeOf(peer.pid as number, socket.fd);
    if (inode === undefined) throw new Error(`fd ${socket.fd} of the peer is no socket`);
    sockets[name] = { ...socket, inode };
  }
  await eventually(() => (accepted.length === 3 ? true : undefined), 'three accepted connections');
});

afterAll(async () => {
  for (const socket of accepted) socket.destroy();
  for (const server of [tcp4, tcp6, dual]) server.close();
  udp.close();
  await cleanup();
});

const held = (name: string) => sockets[name] as PeerSocket;
/** The accepted socket whose peer is the child's `name` socket. */
const acceptedFrom = (name: string) => {
  const socket = accepted.find((s) => s.remotePort === held(name).local[1]);
  if (socket === undefined) throw new Error(`no accepted socket from ${name}`);
  return socket;
};

interface Case {
  name: string;
  skip?: () => string | undefined;
  query: () => ConnectionQuery;
  /** Checks the answer (undefined expected when absent). */
  check?: (entry: SocketEntry) => void;
}

const theChilds = (name: string, state: string) => (entry: SocketEntry) => {
  const socket = held(name);
  expect(entry.inode).toBe(socket.inode);
  expect(entry.uid).toBe(uid);
  expect(entry.state).toBe(state);
  expect(entry.localPort).toBe(socket.local[1]);
};
// Called when the test runs: the ports are known only then.
const ours =
  (state: string, more: Partial<SocketEntry> = {}) =>
  (entry: SocketEntry) => {
    expect(ownInodes().has(entry.inode)).toBe(true);
    expect(entry.uid).toBe(uid);
    expect(entry.state).toBe(state);
    expect(entry).toMatchObject(more);
  };
const noUdplite = () => (udpliteError === undefined ? undefined : `no UDP-Lite: ${udpliteError}`);

const cases: Case[] = [
  {
    name: "tcp: the child's side, from the tuple the listener's accepted socket saw",
    query: () => {
      const server = acceptedFrom('tcp4');
      return {
        protocol: 'tcp',
        localAddress: server.remoteAddress as string,
        localPort: server.remotePort as number,
        remoteAddress: server.localAddress as string,
        remotePort: server.localPort as number,
      };
    },
    check: theChilds('tcp4', 'ESTABLISHED'),
  },
  {
    name: 'tcp: the accepted side is held by this process',
    query: () => ({
      protocol: 'tcp',
      localAddress: '127.0.0.1',
      localPort: ports.tcp4,
      remoteAddress: held('tcp4').local[0],
      remotePort: held('tcp4').local[1],
    }),
    check: (entry) => {
      ours('ESTABLISHED', { family: 'inet', localPort: ports.tcp4 })(entry);
      expect(entry.remotePort).toBe(held('tcp4').local[1]);
    },
  },
  {
    name: "tcp over IPv6 (::1): the child's side",
    query: () => ({
      protocol: 'tcp',
      localAddress: '::1',
      localPort: held('tcp6').local[1],
      remoteAddress: '::1',
      remotePort: ports.tcp6,
    }),
    check: (entry) => {
      theChilds('tcp6', 'ESTABLISHED')(entry);
      expect(entry).toMatchObject({ family: 'inet6', localAddress: '::1' });
    },
  },
  {
    name: "tcp, IPv4 tuple of a dual-stack listener's accepted socket: given as the kernel has it (inet6, ::ffff:)",
    query: () => ({
      protocol: 'tcp',
      localAddress: '127.0.0.1',
      localPort: ports.dual,
      remoteAddress: '127.0.0.1',
      remotePort: held('dual').local[1],
    }),
    check: ours('ESTABLISHED', { family: 'inet6', localAddress: '::ffff:127.0.0.1' }),
  },
  {
    name: 'tcp, the same tuple in IPv4-mapped text',
    query: () => ({
      protocol: 'tcp',
      localAddress: '::ffff:127.0.0.1',
      localPort: ports.dual,
      remoteAddress: '::ffff:127.0.0.1',
      remotePort: held('dual').local[1],
    }),
    check: (entry) => {
      ours('ESTABLISHED', { family: 'inet6' })(entry);
      expect(entry.remotePort).toBe(held('dual').local[1]);
    },
  },
  {
    name: "tcp: the dual-stack client's side is an IPv4 socket",
    query: () => ({
      protocol: 'tcp',
      localAddress: '127.0.0.1',
      localPort: held('dual').local[1],
      remoteAddress: '127.0.0.1',
      remotePort: ports.dual,
    }),
    check: (entry) => {
      theChilds('dual', 'ESTABLISHED')(entry);
      expect(entry.family).toBe('inet');
    },
  },
  {
    name: 'tcp without a remote side: the dual-stack listener, for an IPv4 address',
    query: () => ({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: ports.dual }),
    check: (entry) =>
      ours('LISTEN', { family: 'inet6', localAddress: '::', localPort: ports.dual })(entry),
  },
  {
    name: 'tcp over IPv6 without a remote side: the dual-stack listener, for ::1',
    query: () => ({ protocol: 'tcp', localAddress: '::1', localPort: ports.dual }),
    check: (entry) =>
      ours('LISTEN', { family: 'inet6', localAddress: '::', localPort: ports.dual })(entry),
  },
  {
    name: 'tcp over IPv6: an IPv4 listener is not found for ::1',
    query: () => ({ protocol: 'tcp', localAddress: '::1', localPort: ports.tcp4 }),
  },
  {
    name: 'tcp: a tuple no socket is connected with gives the listener on its local port',
    query: () => ({
      protocol: 'tcp',
      localAddress: '127.0.0.1',
      localPort: ports.tcp4,
      remoteAddress: '127.0.0.1',
      remotePort: 1,
    }),
    check: (entry) =>
      ours('LISTEN', { family: 'inet', localAddress: '127.0.0.1', localPort: ports.tcp4 })(entry),
  },
  {
    name: 'tcp: no listener fallback for an address the listener is not bound to (127.0.0.2)',
    query: () => ({
      protocol: 'tcp',
      localAddress: '127.0.0.2',
      localPort: ports.tcp4,
      remoteAddress: '127.0.0.1',
      remotePort: held('tcp4').local[1],
    }),
  },
  {
    name: 'udp: an unconnected socket bound to 0.0.0.0, asked for 127.0.0.1 and its port',
    query: () => ({
      protocol: 'udp',
      localAddress: '127.0.0.1',
      localPort: held('udp-unconnected').local[1],
    }),
    check: (entry) => {
      theChilds('udp-unconnected', 'CLOSE')(entry);
      expect(entry.localAddress).toBe('0.0.0.0');
    },
  },
  {
    name: 'udp: an unconnected socket, asked with a remote side, still answers (it receives from anyone)',
    query: () => ({
      protocol: 'udp',
      localAddress: '127.0.0.1',
      localPort: held('udp-unconnected').local[1],
      remoteAddress: '127.0.0.1',
      remotePort: ports.udp,
    }),
    check: theChilds('udp-unconnected', 'CLOSE'),
  },
  {
    name: 'udp: a dual-stack socket bound to ::, asked for 127.0.0.1 and its port',
    query: () => ({
      protocol: 'udp',
      localAddress: '127.0.0.1',
      localPort: held('udp-dual').local[1],
    }),
    check: (entry) => {
      theChilds('udp-dual', 'CLOSE')(entry);
      expect(entry).toMatchObject({ family: 'inet6', localAddress: '::' });
    },
  },
  {
    name: 'udp: a connected socket by its 4-tuple',
    query: () => ({
      protocol: 'udp',
      localAddress: held('udp-connected').local[0],
      localPort: held('udp-connected').local[1],
      remoteAddress: '127.0.0.1',
      remotePort: ports.udp,
    }),
    check: (entry) => {
      theChilds('udp-connected', 'ESTABLISHED')(entry);
      expect(entry.remotePort).toBe(ports.udp);
    },
  },
  {
    name: 'udp: a connected socket is not found without its remote side',
    query: () => ({
      protocol: 'udp',
      localAddress: held('udp-connected').local[0],
      localPort: held('udp-connected').local[1],
    }),
  },
  {
    name: 'udp: a connected socket is not found with another remote side',
    query: () => ({
      protocol: 'udp',
      localAddress: held('udp-connected').local[0],
      localPort: held('udp-connected').local[1],
      remoteAddress: '127.0.0.1',
      remotePort: ports.udp === 65535 ? 65534 : ports.udp + 1,
    }),
  },
  {
    name: 'udp: a socket this process bound (127.0.0.1), unconnected',
    query: () => ({ protocol: 'udp', localAddress: '127.0.0.1', localPort: ports.udp }),
    check: (entry) => ours('CLOSE', { localAddress: '127.0.0.1', localPort: ports.udp })(entry),
  },
  {
    name: "udp: not tcp (the tcp listener's port asked as udp)",
    query: () => ({ protocol: 'udp', localAddress: '127.0.0.1', localPort: ports.tcp4 }),
  },
  {
    name: 'udplite: unconnected',
    skip: noUdplite,
    query: () => ({
      protocol: 'udplite',
      localAddress: '127.0.0.1',
      localPort: held('udplite-unconnected').local[1],
    }),
    check: (entry) => {
      theChilds('udplite-unconnected', 'CLOSE')(entry);
      expect(entry.protocol).toBe('udplite');
    },
  },
  {
    name: 'udplite: connected, by its 4-tuple',
    skip: noUdplite,
    query: () => ({
      protocol: 'udplite',
      localAddress: '127.0.0.1',
      localPort: held('udplite-connected').local[1],
      remoteAddress: '127.0.0.1',
      remotePort: held('udplite-unconnected').local[1],
    }),
    check: theChilds('udplite-connected', 'ESTABLISHED'),
  },
];

describe.each(backends)('find on the %s backend', (backend) => {
  let resolver: SocketResolver;
  beforeAll(() => {
    resolver = new SocketResolver({ backend });
  });
  afterAll(() => resolver.close());

  describe.each(['sync', 'async'] as const)('%s', (mode) => {
    const find = (query: ConnectionQuery, pid?: number) => {
      const options = pid === undefined ? undefined : { pid };
      return mode === 'sync' ? resolver.find(query, options) : resolver.findAsync(query, options);
    };
    for (const c of cases) {
      test(c.name, async (context) => {
        const why = c.skip?.();
        if (why !== undefined) context.skip(why);
        const entry = await find(c.query());
        if (c.check === undefined) {
          expect(entry).toBeUndefined();
        } else {
          expect(entry).toBeDefined();
          c.check(entry as SocketEntry);
        }
      });
    }
  });
});

// What the README says of dual-stack sockets: the AF_INET request alone finds them (the
// IPv4-mapped second request is for kernels that do not).
describe.skipIf(!backends.includes('netlink'))('the AF_INET request alone, live', () => {
  test('finds the dual-stack listener and its accepted IPv4 connection', () => {
    const loaded = loadAddon();
    if (!('addon' in loaded)) throw new Error('netlink backend without its addon');
    const channel = new NetlinkChannel(loaded.addon);
    const ask = (localPort: number, remote: number[], remotePort: number) =>
      runNow(
        lookupInetByTuple(channel, {
          family: AF_INET,
          protocol: IPPROTO_TCP,
          protocolName: 'tcp',
          kind: 'net/tcp',
          local: new Uint8Array([127, 0, 0, 1]),
          localPort,
          remote: new Uint8Array(remote),
          remotePort,
        }),
      );
    try {
      expect(ask(ports.dual, [0, 0, 0, 0], 0)).toMatchObject({ family: 'inet6', state: 'LISTEN' });
      expect(ask(ports.dual, [127, 0, 0, 1], held('dual').local[1])).toMatchObject({
        family: 'inet6',
        state: 'ESTABLISHED',
        remotePort: held('dual').local[1],
      });
    } finally {
      channel.close();
    }
  });
});
