// list({ family }): only the inet sockets of one family, and with netlink only that family's dump
// asked of the kernel (each dump walks the kernel's whole table). Live: a UDP socket on 127.0.0.1
// and an IPv6-only one on ::1 that this test binds on one port, on both backends; the requests
// counted through the real addon.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { realAddon, resolverWithAddon } from '../test/helpers.js';
import { netsockBackend } from './backend.js';
import { AF_INET, AF_INET6 } from './netlink/constants.js';
import type { InetFamily } from './netlink/tables.js';
import { SocketResolver } from './resolver.js';
import type { SocketBackendName } from './types.js';

const netlink = netsockBackend().name === 'netlink';
const backends: SocketBackendName[] = netlink ? ['netlink', 'procfs'] : ['procfs'];
const udp: UdpSocket[] = [];
let port = 0;

function bind(type: 'udp4' | 'udp6', at: number, address: string): Promise<number> {
  const socket = createSocket({ type, ipv6Only: type === 'udp6' });
  udp.push(socket);
  return new Promise((resolve) => socket.bind(at, address, () => resolve(socket.address().port)));
}

beforeAll(async () => {
  port = await bind('udp4', 0, '127.0.0.1');
  await bind('udp6', port, '::1');
});

afterAll(() => {
  for (const socket of udp) socket.close();
});

const endpoints = (entries: { family: string; localAddress?: string; localPort?: number }[]) =>
  entries.map((entry) => `${entry.family} ${entry.localAddress}:${entry.localPort}`).sort();

describe.each(backends)('list({ family }), %s backend', (backend) => {
  const resolver = new SocketResolver({ backend });
  afterAll(() => resolver.close());

  test('gives the sockets of the family asked, on the port, and no other', () => {
    const onPort = (family?: InetFamily) =>
      endpoints(resolver.list({ tables: ['udp'], localPort: port, ...(family ? { family } : {}) }));
    expect(onPort('inet')).toEqual([`inet 127.0.0.1:${port}`]);
    expect(onPort('inet6')).toEqual([`inet6 ::1:${port}`]);
    expect(onPort()).toEqual([`inet 127.0.0.1:${port}`, `inet6 ::1:${port}`]);
  });

  test('leaves the unix table out: it has no inet socket', () => {
    expect(resolver.list({ tables: ['unix'], family: 'inet6' })).toEqual([]);
  });

  test.each(['unix', 'INET', '', 4])('refuses family %j with a TypeError', (family) => {
    expect(() => resolver.list({ tables: ['udp'], family: family as InetFamily })).toThrow(
      new TypeError(`family must be 'inet' or 'inet6', got ${String(family)}`),
    );
  });
});

describe.runIf(netlink)('list({ family }) with netlink', () => {
  test("asks the kernel for that family's UDP dump only", () => {
    const families: number[] = [];
    const addon = realAddon();
    const resolver = resolverWithAddon({
      send(fd: number, bytes: Uint8Array) {
        families.push(bytes[16] as number); // sdiag_family, after the 16-byte nlmsghdr
        return addon.send(fd, bytes);
      },
    });
    try {
      resolver.list({ tables: ['udp'], localPort: port, family: 'inet6' });
      expect(families).toEqual([AF_INET6]);
      resolver.list({ tables: ['udp'], localPort: port, family: 'inet' });
      expect(families).toEqual([AF_INET6, AF_INET]);
      resolver.list({ tables: ['udp'], localPort: port });
      expect(families).toEqual([AF_INET6, AF_INET, AF_INET, AF_INET6]);
    } finally {
      resolver.close();
    }
  });
});
