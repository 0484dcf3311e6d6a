import { describe, expect, it } from 'vitest';
import { fixtures } from '../test/helpers.js';
import { idle, tcp4, tcp6 } from '../test/net-inet.js';
import { type ParseNetInetOptions, parseNetInet } from './net-inet.js';
import { parseNetUnix } from './net-unix.js';

// The live-* fixtures come from test/net-capture.sh: a fresh network namespace in which
// test/net-sockets.mjs (uid 65534) and test/net-sockets.py (uid 0) opened known sockets; the
// ports, addresses and states below are the ones those scripts asked for, and the inodes are
// the ones `ls -l /proc/<pid>/fd` showed (live-fds-*.txt).
const fixture = fixtures('net');

describe('parseNetInet on live tables', () => {
  it('reads /proc/<pid>/net/tcp: listener, open, half-closed and orphaned connections', () => {
    expect(parseNetInet(fixture('live-tcp'), tcp4)).toStrictEqual([
      {
        ...tcp4,
        slot: 0,
        localAddress: '127.0.0.1',
        localPort: 47011,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 10,
        stateName: 'LISTEN',
        ...idle,
        uid: 65534,
        inode: 14444,
        refCount: 1,
      },
      {
        // The client side of the dual-stack connection: plain IPv4 here.
        ...tcp4,
        slot: 1,
        localAddress: '127.0.0.1',
        localPort: 47105,
        remoteAddress: '127.0.0.1',
        remotePort: 47013,
        state: 1,
        stateName: 'ESTABLISHED',
        ...idle,
        uid: 65534,
        inode: 14458,
        refCount: 2,
      },
      {
        ...tcp4,
        slot: 2,
        localAddress: '127.0.0.1',
        localPort: 47101,
        remoteAddress: '127.0.0.1',
        remotePort: 47011,
        state: 1,
        stateName: 'ESTABLISHED',
        ...idle,
        uid: 65534,
        inode: 14445,
        refCount: 2,
      },
      {
        // end() without close: FIN sent and acknowledged, the socket still held.
        ...tcp4,
        slot: 3,
        localAddress: '127.0.0.1',
        localPort: 47102,
        remoteAddress: '127.0.0.1',
        remotePort: 47011,
        state: 5,
        stateName: 'FIN_WAIT2',
        ...idle,
        uid: 65534,
        inode: 14447,
        refCount: 1,
      },
      {
        // destroy() in FIN_WAIT2: a timewait socket, written in the short form (no inode, no
        // uid, timer 3 with 0x174D ticks left, nothing after the pointer).
        ...tcp4,
        slot: 4,
        localAddress: '127.0.0.1',
        localPort: 47103,
        remoteAddress: '127.0.0.1',
        remotePort: 47011,
        state: 5,
        stateName: 'FIN_WAIT2',
        txQueue: 0,
        rxQueue: 0,
        timerActive: 3,
        timerExpiresTicks: 5965,
        retransmits: 0,
        uid: 0,
        timeout: 0,
        inode: 0,
        refCount: 3,
      },
      {
        ...tcp4,
        slot: 5,
        localAddress: '127.0.0.1',
        localPort: 47011,
        remoteAddress: '127.0.0.1',
        remotePort: 47103,
        state: 8,
        stateName: 'CLOSE_WAIT',
        ...idle,
        uid: 65534,
        inode: 14450,
        refCount: 1,
      },
      {
        ...tcp4,
        slot: 6,
        localAddress: '127.0.0.1',
        localPort: 47011,
        remoteAddress: '127.0.0.1',
        remotePort: 47101,
        state: 1,
        stateName: 'ESTABLISHED',
        ...idle,
        uid: 65534,
        inode: 14446,
        refCount: 1,
      },
      {
        ...tcp4,
        slot: 7,
        localAddress: '127.0.0.1',
        localPort: 47011,
        remoteAddress: '127.0.0.1',
        remotePort: 47102,
        state: 8,
        stateName: 'CLOSE_WAIT',
        ...idle,
        uid: 65534,
        inode: 14448,
        refCount: 1,
      },
    ]);
  });

  it('reads /proc/<pid>/net/tcp6: zero-tailed, tied-run, loopback, any and mapped addresses', () => {
    const listener = (slot: number, localAddress: string, localPort: number, inode: number) => ({
      ...tcp6,
      slot,
      localAddress,
      localPort,
      remoteAddress: '::',
      remotePort: 0,
      state: 10,
      stateName: 'LISTEN',
      ...idle,
      uid: 65534,
      inode,
      refCount: 1,
    });
    expect(parseNetInet(fixture('live-tcp6'), tcp6)).toStrictEqual([
      listener(0, '2001:db8::', 47021, 14460),
      listener(1, '2001:db8:0:1:1:1:1:1', 47023, 14464),
      listener(2, '2001:db8::1:0:0:1', 47022, 14463),
      listener(3, '::1', 47012, 14452),
      // The dual-stack listener on [::]:47013.
      listener(4, '::', 47013, 14457),
      {
        ...tcp6,
        slot: 5,
        localAddress: '2001:db8::',
        localPort: 47106,
        remoteAddress: '2001:db8::',
        remotePort: 47021,
        state: 1,
        stateName: 'ESTABLISHED',
        ...idle,
        uid: 65534,
        inode: 14461,
        refCount: 2,
      },
      {
        ...tcp6,
        slot: 6,
        localAddress: '::1',
        localPort: 47012,
        remoteAddress: '::1',
        remotePort: 47104,
        state: 1,
        stateName: 'ESTABLISHED',
        ...idle,
        uid: 65534,
        inode: 14456,
        refCount: 1,
      },
      {
        ...tcp6,
        slot: 7,
        localAddress: '::1',
        localPort: 47104,
        remoteAddress: '::1',
        remotePort: 47012,
        state: 1,
        stateName: 'ESTABLISHED',
        ...idle,
        uid: 65534,
        inode: 14455,
        refCount: 2,
      },
      {
        ...tcp6,
        slot: 8,
        localAddress: '2001:db8::',
        localPort: 47021,
        remoteAddress: '2001:db8::',
        remotePort: 47106,
        state: 1,
        stateName: 'ESTABLISHED',
        ...idle,
        uid: 65534,
        inode: 14462,
        refCount: 1,
      },
      {
        // Accepted by the [::] listener from 127.0.0.1: the kernel keeps it IPv6, mapped.
        ...tcp6,
        slot: 9,
        localAddress: '::ffff:127.0.0.1',
        localPort: 47013,
        remoteAddress: '::ffff:127.0.0.1',
        remotePort: 47105,
        state: 1,
        stateName: 'ESTABLISHED',
        ...idle,
        uid: 65534,
        inode: 14459,
        refCount: 1,
      },
    ]);
  });

  it('finds every socket the capturing processes held, each in exactly one row', () => {
    const tables: [string, ParseNetInetOptions][] = [
      ['live-tcp', tcp4],
      ['live-tcp6', tcp6],
      ['live-udp', { family: 'inet', protocol: 'udp' }],
      ['live-udp6', { family: 'inet6', protocol: 'udp' }],
      ['live-raw', { family: 'inet', protocol: 'raw' }],
      ['live-raw6', { family: 'inet6', protocol: 'raw' }],
      ['live-udplite', { family: 'inet', protocol: 'udplite' }],
      ['live-udplite6', { family: 'inet6', protocol: 'udplite' }],
    ];
    const inodes = [
      ...tables.flatMap(([name, options]) => parseNetInet(fixture(name), options)),
      ...parseNetUnix(fixture('live-unix')),
    ]
      .map((entry) => entry.inode)
      .filter((inode) => inode !== 0);
    const held = ['live-fds-node.txt', 'live-fds-python.txt'].flatMap((name) =>
      new TextDecoder()
        .decode(fixture(name))
        .trim()
        .split('\n')
        .map((line) => Number(line.split(' ')[1])),
    );
    expect(held).toHaveLength(25 + 11);
    expect([...inodes].sort()).toEqual([...held].sort());
  });

  it('reads a string the same as its bytes', () => {
    const bytes = fixture('live-tcp6');
    expect(parseNetInet(new TextDecoder().decode(bytes), tcp6)).toStrictEqual(
      parseNetInet(bytes, tcp6),
    );
  });
});
