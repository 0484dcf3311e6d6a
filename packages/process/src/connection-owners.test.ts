// Tuple → holders, live: a node child connects to a listener this test opens; the tuple the
// listener sees names the child (its fd read here with readlinkSync), the accepted side names
// this process, and a connection whose process exited names nobody, with the reason.
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { realpathSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { ConnectionQuery } from '@procmon/netsock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fdsHolding } from '../../../test-support/socket-links.js';
import { cleanup, exited, trackChild } from '../test/helpers.js';
import {
  type ConnectionOwners,
  type ConnectionOwnersOptions,
  connectionOwners,
  connectionOwnersAsync,
} from './connection-owners.js';
import { PidReusedError } from './errors.js';
import { SocketHolderIndex } from './holder-index.js';
import { openHolder, openHolderAsync } from './holder-process.js';
import type { SocketHolder } from './socket-holders.js';

const styles: [string, typeof connectionOwnersAsync][] = [
  ['sync', async (query, options) => connectionOwners(query, options)],
  ['async', connectionOwnersAsync],
];

const holdersOf = (owners: ConnectionOwners) => owners.holders.map((h) => [h.pid, h.fd]);

/** The client's end of its connection to the server, as the client sees it. */
const clientSide = (clientPort: number): ConnectionQuery => ({
  protocol: 'tcp',
  localAddress: '127.0.0.1',
  localPort: clientPort,
  remoteAddress: '127.0.0.1',
  remotePort: port,
});

let server: Server;
let port: number;
const accepted: Socket[] = [];

/** A node child connected to the server; resolves once the server has accepted it. */
async function connectChild(): Promise<{ child: ChildProcess; clientPort: number }> {
  const child = trackChild(
    spawn(
      process.execPath,
      [
        '-e',
        `const c = require('net').connect(${port}, '127.0.0.1', () => console.log(c.localPort)); process.stdin.on('end', () => process.exit(0)); process.stdin.resume()`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  const clientPort = await new Promise<number>((resolve) =>
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );
  // Accepted here: the server's side has a descriptor of this process.
  while (!accepted.some((socket) => socket.remotePort === clientPort)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { child, clientPort };
}

beforeAll(async () => {
  server = createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of accepted) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  await cleanup();
});

describe.each(styles)('connectionOwners (%s)', (_style, owners) => {
  it('names the child from the tuple the listener saw, and this process for the accepted side', async () => {
    const { child, clientPort } = await connectChild();
    const pid = child.pid as number;
    const outgoing: ConnectionQuery = clientSide(clientPort);
    const found = await owners(outgoing);
    expect(found.socket?.state).toBe('ESTABLISHED');
    expect(found.reason).toBeUndefined();
    expect(holdersOf(found)).toEqual(
      fdsHolding(pid, found.socket?.inode ?? -1).map((fd) => [pid, fd]),
    );
    const incoming = await owners({
      protocol: 'tcp',
      localAddress: '127.0.0.1',
      localPort: port,
      remoteAddress: '127.0.0.1',
      remotePort: clientPort,
    });
    expect(holdersOf(incoming)).toEqual(
      fdsHolding(process.pid, incoming.socket?.inode ?? -1).map((fd) => [process.pid, fd]),
    );
    expect(incoming.holders).toHaveLength(1);
  });

  it("opens the holder's Process with its details, and refuses a holder whose pid was reused", async () => {
    const { child, clientPort } = await connectChild();
    const found = await owners(clientSide(clientPort));
    const holder = found.holders[0] as SocketHolder;
    const opened = openHolder(holder);
    expect(opened.pid).toBe(child.pid);
    expect(opened.details().path).toBe(realpathSync(process.execPath));
    expect(() => openHolder({ ...holder, startTime: holder.startTime + 1 })).toThrow(
      PidReusedError,
    );
    await expect(openHolderAsync({ ...holder, startTime: holder.startTime - 1 })).rejects.toThrow(
      PidReusedError,
    );
  });

  it('names this process as the listener for a query without a remote side', async () => {
    const found = await owners({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: port });
    expect(found.socket?.state).toBe('LISTEN');
    expect(holdersOf(found)).toEqual(
      fdsHolding(process.pid, found.socket?.inode ?? -1).map((fd) => [process.pid, fd]),
    );
  });

  it('names nobody for a connection whose process exited, and says why', async () => {
    const { child, clientPort } = await connectChild();
    child.stdin?.end();
    await exited(child);
    const found = await owners(clientSide(clientPort));
    expect(found.holders).toEqual([]);
    // Its side closed first: TIME_WAIT (inode 0) or, once that ended, no socket at all.
    if (found.socket === undefined) expect(found.reason).toBe('no-socket');
    else {
      expect(found.socket.inode).toBe(0);
      expect(found.reason).toBe('no-inode');
    }
    expect(found.explanation).toMatch(/\w/);
  });

  it('says no-socket for a tuple the kernel has no socket for', async () => {
    const found = await owners({
      protocol: 'udp',
      localAddress: '127.0.0.1',
      localPort: 1,
      remoteAddress: '127.0.0.1',
      remotePort: 2,
    });
    expect(found).toMatchObject({ holders: [], reason: 'no-socket' });
    expect(found.socket).toBeUndefined();
  });

  it("keeps the caller's index warm: a second lookup is answered from it, still verified", async () => {
    const { child, clientPort } = await connectChild();
    const index = new SocketHolderIndex();
    const options: ConnectionOwnersOptions = { index };
    const query: ConnectionQuery = clientSide(clientPort);
    const first = await owners(query, options);
    expect(first.searched).not.toBe('index');
    const second = await owners(query, options);
    expect(second.searched).toBe('index');
    expect(holdersOf(second)).toEqual(holdersOf(first));
    expect(second.holders[0]?.pid).toBe(child.pid);
  });
});

describe.each(styles)('a UDP tuple more than one socket could send from (%s)', (_style, owners) => {
  // Known truth: this process binds 0.0.0.0:P, a child binds 127.0.0.1:P (both SO_REUSEADDR,
  // which needs no shared user): a datagram from 127.0.0.1:P may come from either. The kernel's
  // lookup answers with the child's (a reply would reach it); naming the child would pass this
  // process's datagrams off as the child's.
  it('names no holder and gives the rivals; a lone socket is still named', async () => {
    const wildcard = createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((resolve) => wildcard.bind(0, '0.0.0.0', resolve));
    const shared = wildcard.address().port;
    const child = trackChild(
      spawn(
        process.execPath,
        [
          '-e',
          `const u = require('dgram').createSocket({ type: 'udp4', reuseAddr: true }); u.bind(${shared}, '127.0.0.1', () => console.log('bound')); process.stdin.on('end', () => process.exit(0)); process.stdin.resume()`,
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      ),
    );
    await new Promise((resolve) => child.stdout?.once('data', resolve));
    const query: ConnectionQuery = {
      protocol: 'udp',
      localAddress: '127.0.0.1',
      localPort: shared,
      remoteAddress: '127.0.0.1',
      remotePort: 9,
    };
    try {
      const found = await owners(query);
      expect(found.socket?.localAddress).toBe('127.0.0.1');
      expect(found.holders).toEqual([]);
      expect(found.reason).toBe('ambiguous');
      expect(found.rivals?.map((r) => [r.localAddress, r.localPort])).toEqual([
        ['0.0.0.0', shared],
      ]);
    } finally {
      child.stdin?.end();
      await exited(child);
    }
    // The child gone, this process's socket is the only one there: named.
    const alone = await owners(query);
    expect(alone.socket?.localAddress).toBe('0.0.0.0');
    expect(alone.holders.map((h) => [h.pid, h.fd])).toEqual(
      fdsHolding(process.pid, alone.socket?.inode as number).map((fd) => [process.pid, fd]),
    );
    expect(alone.holders.length).toBe(1);
    wildcard.close();
  });
});

describe.each(styles)('a socket in flight over a unix socket (%s)', (_style, owners) => {
  // Known truth: a Python child binds a UDP socket, sends its descriptor over a socket pair
  // (SCM_RIGHTS), closes its own and never receives it: the socket is open, no process holds it.
  it('names no holder (a socket in flight is one reason it gives)', async () => {
    const script = [
      'import array, socket, sys',
      'a, b = socket.socketpair()',
      "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))",
      "a.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [u.fileno()]))])",
      'port = u.getsockname()[1]; u.close()',
      'print(port, flush=True); sys.stdin.read()',
    ].join('\n');
    const child = trackChild(
      spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    const inFlight = await new Promise<number>((resolve) =>
      child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    try {
      const found = await owners({
        protocol: 'udp',
        localAddress: '127.0.0.1',
        localPort: inFlight,
      });
      expect(found.socket?.localPort).toBe(inFlight);
      expect(found.holders).toEqual([]);
      // not-permitted where some process is not ours to read (a sandbox's, as root too).
      if (found.unreadable.length > 0) expect(found.reason).toBe('not-permitted');
      else expect(found.explanation).toMatch(/in flight over a unix socket/);
    } finally {
      child.stdin?.end();
      await exited(child);
    }
  });
});
