// datagramRivals: which other sockets could be the local side of a UDP tuple, on hand-written
// entries. Known truth: the bind rules (same port; the address itself, 0.0.0.0, or `::`, which
// also sends IPv4 unless IPV6_V6ONLY; an IPv6 tuple is not sent from 0.0.0.0).
import { describe, expect, it } from 'vitest';
import { datagramRivals } from './connection-query.js';
import type { SocketEntry } from './types.js';

const entry = (
  inode: number,
  family: 'inet' | 'inet6',
  localAddress: string,
  localPort: number,
  protocol: 'udp' | 'udplite' | 'tcp' = 'udp',
): SocketEntry =>
  ({
    family,
    protocol,
    state: 'UNCONN',
    localAddress,
    localPort,
    remoteAddress: family === 'inet' ? '0.0.0.0' : '::',
    remotePort: 0,
    inode,
    uid: 0,
  }) as unknown as SocketEntry;

const answer = entry(1, 'inet', '127.0.0.1', 5000);
const table = [
  answer,
  entry(2, 'inet', '0.0.0.0', 5000),
  entry(3, 'inet6', '::', 5000),
  entry(4, 'inet', '127.0.0.2', 5000),
  entry(5, 'inet', '127.0.0.1', 5001),
  entry(6, 'inet', '127.0.0.1', 5000, 'udplite'),
  entry(7, 'inet6', '::ffff:127.0.0.1', 5000),
];
const inodes = (entries: SocketEntry[]) => entries.map((e) => e.inode);

describe('datagramRivals', () => {
  it('an IPv4 tuple: its address (in both families), 0.0.0.0 and ::, on its port and protocol', () => {
    const query = {
      protocol: 'udp',
      localAddress: '127.0.0.1',
      localPort: 5000,
      remoteAddress: '127.0.0.1',
      remotePort: 9,
    } as const;
    expect(inodes(datagramRivals(table, query, answer))).toEqual([2, 3, 7]);
  });

  it('an IPv6 tuple: its address and ::, never 0.0.0.0', () => {
    const own = entry(10, 'inet6', '::1', 5000);
    const query = { protocol: 'udp', localAddress: '::1', localPort: 5000 } as const;
    expect(inodes(datagramRivals([own, ...table], query, own))).toEqual([3]);
  });

  it('none for a lone socket, and none for TCP (a 4-tuple names one connection)', () => {
    const query = { protocol: 'udp', localAddress: '127.0.0.1', localPort: 5001 } as const;
    expect(datagramRivals(table, query, table[4] as SocketEntry)).toEqual([]);
    const tcp = { protocol: 'tcp', localAddress: '127.0.0.1', localPort: 5000 } as const;
    expect(datagramRivals(table, tcp, answer)).toEqual([]);
  });
});
