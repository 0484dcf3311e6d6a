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

  test('a unix entry the /proc/net fallback could not prove says so', () => {
    const claimed: SocketEntry = {
      family: 'unix',
      protocol: 'unix',
      inode: 9,
      uid: -1,
      state: 'LISTEN',
      type: 'stream',
      path: '/run/dbus/system_bus_socket',
      abstract: false,
    };
    expect(formatSocket({ ...claimed, unverified: 'row' })).toBe(
      'socket:[9] - unix stream /run/dbus/system_bus_socket, state: LISTEN, unverified: row',
    );
    expect(formatSocket({ ...claimed, unverified: 'path' })).toMatch(/, unverified: path$/);
    expect(formatSocket(claimed)).not.toContain('unverified');
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

  test('a unix name stays on one line and reads as it is: escaped by escapeText', () => {
    const unix: SocketEntry = {
      family: 'unix',
      protocol: 'unix',
      inode: 7,
      uid: 0,
      state: 'LISTEN',
      type: 'stream',
      abstract: false,
    };
    expect(formatSocket({ ...unix, path: '/tmp/a\u0085b\u009bc\u2028d\u2029e' })).toBe(
      'socket:[7] - unix stream /tmp/a\\u{85}b\\u{9b}c\\u{2028}d\\u{2029}e, state: LISTEN',
    );
    // Bidi overrides and isolates, zero-width characters, the BOM: a name that reads otherwise.
    expect(formatSocket({ ...unix, path: '/tmp/\u202etxt.exe\u2066\u200b\ufeff' })).toBe(
      'socket:[7] - unix stream /tmp/\\u{202e}txt.exe\\u{2066}\\u{200b}\\u{feff}, state: LISTEN',
    );
    // A backslash in the name is doubled, so `\x0a` in the output can only mean a newline.
    expect(formatSocket({ ...unix, path: '/tmp/\\x0a' })).toBe(
      'socket:[7] - unix stream /tmp/\\\\x0a, state: LISTEN',
    );
    // A byte that was not UTF-8 (kept by the parser as U+DC80 + byte) is \xNN, the character \u{H}.
    expect(formatSocket({ ...unix, path: '/tmp/\udc9b\u009b' })).toBe(
      'socket:[7] - unix stream /tmp/\\x9b\\u{9b}, state: LISTEN',
    );
    // Printable text outside ASCII is kept as it is.
    expect(formatSocket({ ...unix, path: '/tmp/é€😀\u00a0' })).toBe(
      'socket:[7] - unix stream /tmp/é€😀\u00a0, state: LISTEN',
    );
  });

  test('the host name resolveHost gives is escaped the same way', () => {
    const evil = 'example.org:443, state: ESTABLISHED\nsocket:[1] - 1:1.1.1.1 -> x';
    const line = formatSocket(tcp, { resolveHost: () => evil });
    expect(line.split(/[\n\r\u0085\u2028\u2029]/)).toHaveLength(1);
    expect(line).toBe(
      'socket:[4242] - 41234:10.0.0.2 -> example.org:443, state: ESTABLISHED\\x0asocket:[1] - 1:1.1.1.1 -> x:443, state: ESTABLISHED',
    );
    const escapes: [string, string][] = [
      ['\r', '\\x0d'],
      ['\u0085', '\\u{85}'],
      ['\u2028', '\\u{2028}'],
      ['\u2029', '\\u{2029}'],
      ['\u202e', '\\u{202e}'],
      ['\\', '\\\\'],
    ];
    for (const [character, shown] of escapes) {
      expect(formatSocket(tcp, { resolveHost: () => `a${character}b` })).toBe(
        `socket:[4242] - 41234:10.0.0.2 -> a${shown}b:443, state: ESTABLISHED`,
      );
    }
    // An empty name is no name: the address is shown.
    expect(formatSocket(tcp, { resolveHost: () => '' })).toContain('-> 93.184.216.34:443');
  });
});
