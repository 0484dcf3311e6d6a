// formatConnection: the ss/lsof order, each case written out by hand from what `ss -tuanx`
// prints for the same socket.
import { describe, expect, test } from 'vitest';
import { formatConnection } from './format.js';
import type { SocketEntry } from './types.js';

const inet = (more: Partial<SocketEntry>): SocketEntry => ({
  family: 'inet',
  protocol: 'tcp',
  inode: 1,
  uid: 0,
  state: 'ESTABLISHED',
  localAddress: '127.0.0.1',
  localPort: 5432,
  remoteAddress: '10.0.0.2',
  remotePort: 51000,
  ...more,
});

describe('formatConnection', () => {
  test.each<[string, Partial<SocketEntry>, string]>([
    ['a TCP connection', {}, 'tcp 127.0.0.1:5432 -> 10.0.0.2:51000 ESTABLISHED'],
    [
      'a listener: the remote port is *',
      { state: 'LISTEN', localPort: 45257, remoteAddress: '0.0.0.0', remotePort: 0 },
      'tcp 127.0.0.1:45257 -> 0.0.0.0:* LISTEN',
    ],
    [
      'IPv6 in brackets',
      {
        family: 'inet6',
        state: 'LISTEN',
        localAddress: '::1',
        localPort: 443,
        remoteAddress: '::',
        remotePort: 0,
      },
      'tcp [::1]:443 -> [::]:* LISTEN',
    ],
    [
      'an IPv4-mapped address is IPv6, in brackets',
      { family: 'inet6', localAddress: '::ffff:127.0.0.1', remoteAddress: '::ffff:10.0.0.2' },
      'tcp [::ffff:127.0.0.1]:5432 -> [::ffff:10.0.0.2]:51000 ESTABLISHED',
    ],
    [
      'unconnected UDP: UNCONN, as ss says (the kernel calls it CLOSE)',
      {
        protocol: 'udp',
        state: 'CLOSE',
        localPort: 53,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
      },
      'udp 127.0.0.1:53 -> 0.0.0.0:* UNCONN',
    ],
    [
      'connected UDP keeps its state',
      { protocol: 'udp' },
      'udp 127.0.0.1:5432 -> 10.0.0.2:51000 ESTABLISHED',
    ],
    [
      'a TCP socket in CLOSE is not UDP: its state as it is',
      { state: 'CLOSE', remotePort: 0, remoteAddress: '0.0.0.0' },
      'tcp 127.0.0.1:5432 -> 0.0.0.0:* CLOSE',
    ],
  ])('%s', (_, more, line) => {
    expect(formatConnection(inet(more))).toBe(line);
  });

  const unix = (more: Partial<SocketEntry>): SocketEntry => ({
    family: 'unix',
    protocol: 'unix',
    inode: 9,
    uid: 0,
    type: 'stream',
    state: 'LISTEN',
    ...more,
  });

  test('unix: type, name, the peer when known, state', () => {
    expect(formatConnection(unix({ path: '/run/app.sock', abstract: false }))).toBe(
      'unix stream /run/app.sock LISTEN',
    );
    expect(
      formatConnection(
        unix({ path: 'bus\0x', abstract: true, state: 'ESTABLISHED', peerInode: 4244 }),
      ),
    ).toBe('unix stream @bus@x -> socket:[4244] ESTABLISHED');
    expect(formatConnection(unix({ type: 'dgram', state: 'UNCONNECTED' }))).toBe(
      'unix dgram (unnamed) UNCONNECTED',
    );
  });

  test('a hostile name stays one line; an unproven entry says so', () => {
    expect(
      formatConnection(unix({ path: '/tmp/x\n\u001b[2Jtcp 1.1.1.1:1', unverified: 'row' })),
    ).toBe('unix stream /tmp/x\\x0a\\x1b[2Jtcp 1.1.1.1:1 LISTEN (unverified: row)');
  });
});
