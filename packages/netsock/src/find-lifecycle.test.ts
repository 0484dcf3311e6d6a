// find() and findByCookie() around a socket's life: cookies (netlink only), a connection that
// closed (TIME_WAIT as the kernel has it, then nothing), and a connection inside another
// network namespace (found with its process's pid, not without). Both backends where the
// answer exists on both, sync and async.
import { createSocket } from 'node:dgram';
import { readlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from '../../../test-support/processes.js';
import { canUnshare, cleanup, type HeldSocket, type Holder, startHolder } from '../test/helpers.js';
import { netsockBackend } from './backend.js';
import type { ConnectionQuery } from './connection-query.js';
import { SocketResolver } from './resolver.js';
import type { SocketBackendName, SocketEntry } from './types.js';

const netlink = netsockBackend().name === 'netlink';
const backends: SocketBackendName[] = netlink ? ['netlink', 'procfs'] : ['procfs'];
const modes = ['sync', 'async'] as const;
type Mode = (typeof modes)[number];

function finder(resolver: SocketResolver, mode: Mode) {
  return (
    query: ConnectionQuery,
    pid?: number,
  ): Promise<SocketEntry | undefined> | SocketEntry | undefined => {
    const options = pid === undefined ? undefined : { pid };
    return mode === 'sync' ? resolver.find(query, options) : resolver.findAsync(query, options);
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function connect(port: number): Promise<Socket> {
  const client = createConnection(port, '127.0.0.1');
  await new Promise<void>((resolve) => client.on('connect', resolve));
  return client;
}

/** A TCP connection over 127.0.0.1 from `localPort` to `remotePort`. */
const tcpQuery = (localPort: number, remotePort: number): ConnectionQuery => ({
  protocol: 'tcp',
  localAddress: '127.0.0.1',
  localPort,
  remoteAddress: '127.0.0.1',
  remotePort,
});

describe.skipIf(!netlink).each(modes)('cookies (netlink), %s', (mode) => {
  let resolver: SocketResolver;
  let server: Server;
  let client: Socket;
  let port: number;
  beforeAll(async () => {
    resolver = new SocketResolver({ backend: 'netlink' });
    server = createServer();
    port = await listen(server);
    client = await connect(port);
  });
  afterAll(() => {
    client.destroy();
    server.close();
    resolver.close();
  });
  const byCookie = (cookie: bigint) =>
    mode === 'sync' ? resolver.findByCookie(cookie) : resolver.findByCookieAsync(cookie);

  test('the right cookie finds the socket, another one finds nothing', async () => {
    const find = finder(resolver, mode);
    const query = tcpQuery(client.localPort as number, port);
    const entry = (await find(query)) as SocketEntry;
    expect(entry.localPort).toBe(client.localPort);
    expect(typeof entry.cookie).toBe('bigint');
    const cookie = entry.cookie as bigint;
    expect((await find({ ...query, cookie }))?.inode).toBe(entry.inode);
    expect(await find({ ...query, cookie: cookie + 1n })).toBeUndefined();
    // No listener fallback with a cookie either: the listener has its own.
    expect(
      await find({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: port, cookie }),
    ).toBeUndefined();
  });

  test('findByCookie gives the socket with that cookie, of any table', async () => {
    const find = finder(resolver, mode);
    const entry = (await find(tcpQuery(client.localPort as number, port))) as SocketEntry;
    expect(await byCookie(entry.cookie as bigint)).toEqual(entry);
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const udpPort = udp.address().port;
    const udpEntry = (await find({
      protocol: 'udp',
      localAddress: '127.0.0.1',
      localPort: udpPort,
    })) as SocketEntry;
    expect(await byCookie(udpEntry.cookie as bigint)).toMatchObject({
      protocol: 'udp',
      localPort: udpPort,
      inode: udpEntry.inode,
    });
    await new Promise<void>((resolve) => udp.close(resolve));
    // Closed: its cookie names no socket any more.
    expect(await byCookie(udpEntry.cookie as bigint)).toBeUndefined();
    const unix = resolver.list({ tables: ['unix'] }).find((e) => e.inode !== 0);
    if (unix !== undefined) {
      expect((await byCookie(unix.cookie as bigint))?.inode).toBe(unix.inode);
    }
  });
});

describe('cookies need netlink: the procfs backend says so', () => {
  const resolver = new SocketResolver({ backend: 'procfs' });
  const query = tcpQuery(1, 2);
  test('find with a cookie', async () => {
    expect(() => resolver.find({ ...query, cookie: 1n })).toThrow(
      /cookie needs the netlink backend/,
    );
    await expect(resolver.findAsync({ ...query, cookie: 1n })).rejects.toThrow(/netlink backend/);
  });
  test('findByCookie', async () => {
    expect(() => resolver.findByCookie(1n)).toThrow(/findByCookie needs the netlink backend/);
    await expect(resolver.findByCookieAsync(1n)).rejects.toThrow(/no socket cookies/);
  });
});

describe.each(backends)('a closed connection, %s backend', (backend) => {
  test.each(modes)('TIME_WAIT as the kernel has it (inode 0), then nothing (%s)', async (mode) => {
    const resolver = new SocketResolver({ backend });
    const find = finder(resolver, mode);
    // The client closes first, so its side waits in TIME_WAIT; the server's side ends.
    const server = createServer((socket) => socket.on('end', () => socket.end()));
    const port = await listen(server);
    const client = await connect(port);
    const clientPort = client.localPort as number;
    client.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const waiting = await eventually(() => {
      const entry = resolver.find(tcpQuery(clientPort, port));
      return entry?.state === 'TIME_WAIT' ? entry : undefined;
    }, 'the client side in TIME_WAIT');
    expect(waiting.inode).toBe(0);
    expect(await find(tcpQuery(clientPort, port))).toMatchObject({ state: 'TIME_WAIT', inode: 0 });
    // The server's side is gone, and so is the listener that would have answered in its place.
    await eventually(
      () => (resolver.find(tcpQuery(port, clientPort)) === undefined ? true : undefined),
      "the server's side gone",
    );
    expect(await find(tcpQuery(port, clientPort))).toBeUndefined();
    resolver.close();
  });

  test.each(modes)('a closed UDP socket is not found (%s)', async (mode) => {
    const resolver = new SocketResolver({ backend });
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const query: ConnectionQuery = {
      protocol: 'udp',
      localAddress: '127.0.0.1',
      localPort: udp.address().port,
    };
    expect(await finder(resolver, mode)(query)).toBeDefined();
    await new Promise<void>((resolve) => udp.close(resolve));
    expect(await finder(resolver, mode)(query)).toBeUndefined();
    resolver.close();
  });
});

const inCI = Boolean(process.env.CI);
describe.skipIf(!canUnshare && !inCI)('a connection inside another network namespace', () => {
  let holder: Holder;
  beforeAll(async () => {
    holder = await startHolder(true);
  });
  afterAll(cleanup);

  describe.each(backends)('%s backend', (backend) => {
    test.each(modes)('found with the pid of a process there, not without (%s)', async (mode) => {
      expect(readlinkSync(`/proc/${holder.pid}/ns/net`)).not.toBe(
        readlinkSync('/proc/self/ns/net'),
      );
      const resolver = new SocketResolver({ backend });
      const find = finder(resolver, mode);
      const client = holder.sockets['tcp4-client'] as HeldSocket;
      const [localAddress, localPort] = client.local as [string, number];
      const [remoteAddress, remotePort] = client.remote as [string, number];
      const query: ConnectionQuery = {
        protocol: 'tcp',
        localAddress,
        localPort,
        remoteAddress,
        remotePort,
      };
      const entry = await find(query, holder.pid);
      expect(entry?.inode).toBe(client.inode);
      expect(entry?.state).toBe('ESTABLISHED');
      expect(await find(query)).toBeUndefined();
      resolver.close();
    });
  });
});
