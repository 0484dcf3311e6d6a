// list({ localPort }): only the inet sockets bound to one port, the kernel filtering the netlink
// dumps (an INET_DIAG_REQ_BYTECODE attribute whose bytes are checked here by hand) and every
// entry checked again. Live: UDP sockets this test binds (two sharing a port with SO_REUSEADDR,
// others on ports of their own) and a TCP listener, on both backends.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { netsockBackend } from './backend.js';
import { AF_INET, IPPROTO_UDP } from './netlink/constants.js';
import { encodeInetDiagRequest } from './netlink/inet.js';
import { HOST_LITTLE_ENDIAN } from './netlink/message.js';
import type { TableName } from './netlink/tables.js';
import { SocketResolver } from './resolver.js';
import type { SocketBackendName } from './types.js';

const netlink = netsockBackend().name === 'netlink';
const backends: SocketBackendName[] = netlink ? ['netlink', 'procfs'] : ['procfs'];

describe('the port filter request', () => {
  test('is inet_diag_req_v2, then S_GE port and S_LE port as one bytecode attribute', () => {
    const port = 0x1234;
    const bytes = encodeInetDiagRequest({
      family: AF_INET,
      protocol: IPPROTO_UDP,
      states: 0xffffffff,
      localPort: port,
    });
    const plain = encodeInetDiagRequest({
      family: AF_INET,
      protocol: IPPROTO_UDP,
      states: 0xffffffff,
    });
    expect(bytes.subarray(0, 56)).toEqual(plain);
    const u16 = (value: number) =>
      HOST_LITTLE_ENDIAN ? [value & 0xff, value >> 8] : [value >> 8, value & 0xff];
    expect([...bytes.subarray(56)]).toEqual([
      ...u16(20), // nla_len: the header and four ops
      ...u16(1), // nla_type: INET_DIAG_REQ_BYTECODE
      2,
      8,
      ...u16(20), // S_GE: yes to the next test, no past the end (16 + 4)
      0,
      0,
      ...u16(port),
      3,
      8,
      ...u16(12), // S_LE: yes to the end, no past the end (8 + 4)
      0,
      0,
      ...u16(port),
    ]);
  });
});

const udp: UdpSocket[] = [];
let shared = 0;
let alone = 0;
let server: Server;
let tcpPort = 0;

function bind(port: number, address: string): Promise<number> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  udp.push(socket);
  return new Promise((resolve) => socket.bind(port, address, () => resolve(socket.address().port)));
}

beforeAll(async () => {
  shared = await bind(0, '127.0.0.1');
  await bind(shared, '0.0.0.0');
  alone = await bind(0, '127.0.0.1');
  for (let i = 0; i < 20; i++) await bind(0, '127.0.0.1');
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tcpPort = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of udp) socket.close();
  await new Promise((resolve) => server.close(resolve));
});

const endpoints = (entries: { localAddress?: string; localPort?: number }[]) =>
  entries.map((entry) => `${entry.localAddress}:${entry.localPort}`).sort();

describe.each(backends)('list({ localPort }), %s backend', (backend) => {
  const resolver = new SocketResolver({ backend });
  afterAll(() => resolver.close());

  test('gives the two UDP sockets sharing a port, and no other', () => {
    expect(endpoints(resolver.list({ tables: ['udp'], localPort: shared }))).toEqual(
      [`0.0.0.0:${shared}`, `127.0.0.1:${shared}`].sort(),
    );
    expect(endpoints(resolver.list({ tables: ['udp'], localPort: alone }))).toEqual([
      `127.0.0.1:${alone}`,
    ]);
  });

  test('filters the tcp and unix tables too (no unix socket has a port)', () => {
    // Not udp: its ports are another space, where another test may hold the same number.
    const found = resolver.list({ tables: ['tcp', 'unix'], localPort: tcpPort });
    expect(found.map((entry) => [entry.protocol, entry.state, entry.localPort])).toEqual([
      ['tcp', 'LISTEN', tcpPort],
    ]);
  });

  test.each([-1, 65536, 1.5, Number.NaN])('refuses localPort %s with a RangeError', (port) => {
    expect(() => resolver.list({ tables: ['udp'], localPort: port })).toThrow(RangeError);
  });

  test.each(['udp4', 'tcp6', '', 'TCP'])(
    'refuses the table name %j with a TypeError naming it',
    (name) => {
      expect(() => resolver.list({ tables: [name as TableName] })).toThrow(
        new TypeError(
          `tables: ${JSON.stringify(name)} is not a socket table (tcp, unix, udp, udplite, raw, icmp, sctp; udp and tcp hold both IPv4 and IPv6)`,
        ),
      );
    },
  );
});
