import { describe, expect, test } from 'vitest';
import { formatSocket } from './format.js';
import type { SocketEntry } from './types.js';

const tcp: SocketEntry = {
  family: 'inet',
  protocol: 'tcp',
  inode: 4242,
  uid: 0,
  state: 'ESTABLISHED',
  localAddress: '10.0.0.2',
  localPort: 41234,
  remoteAddress: '93.184.216.34',
  remotePort: 443,
};

describe('formatSocket', () => {
  test('the inode where OpenSnitch printed the fd number, ports beside their addresses', () => {
    expect(formatSocket(tcp)).toBe(
      'socket:[4242] - 41234:10.0.0.2 -> 93.184.216.34:443, state: ESTABLISHED',
    );
  });

  test('the remote address by the name resolveHost gives, or as it is', () => {
    const names = new Map([['93.184.216.34', 'example.org']]);
    const resolveHost = (address: string) => names.get(address);
    expect(formatSocket(tcp, { resolveHost })).toBe(
      'socket:[4242] - 41234:10.0.0.2 -> example.org:443, state: ESTABLISHED',
    );
    expect(formatSocket({ ...tcp, remoteAddress: '::1' }, { resolveHost })).toBe(
      'socket:[4242] - 41234:10.0.0.2 -> ::1:443, state: ESTABLISHED',
    );
  });

  test('unix sockets: type, name (path, @abstract, unnamed), peer', () => {
    const unix: SocketEntry = {
      family: 'unix',
      protocol: 'unix',
      inode: 7,
      uid: 1000,
      state: 'ESTABLISHED',
      type: 'stream',
      peerInode: 8,
    };
    expect(formatSocket(unix)).toBe(
      'socket:[7] - unix stream (unnamed) -> socket:[8], state: ESTABLISHED',
    );
    expect(formatSocket({ ...unix, path: '/run/dbus/system_bus_socket', abstract: false })).toBe(
      'socket:[7] - unix stream /run/dbus/system_bus_socket -> socket:[8], state: ESTABLISHED',
    );
    expect(
      formatSocket({ ...unix, path: 'bus\0\0', abstract: true, peerInode: 0, state: 'LISTEN' }),
    ).toBe('socket:[7] - unix stream @bus@@, state: LISTEN');
    expect(formatSocket({ ...unix, path: '/tmp/a\nb', abstract: false, type: 'dgram' })).toBe(
      'socket:[7] - unix dgram /tmp/a\\x0ab -> socket:[8], state: ESTABLISHED',
    );
  });
});
