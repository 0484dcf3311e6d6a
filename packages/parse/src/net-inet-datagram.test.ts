// parseNetInet on the live udp, raw, icmp and udplite captures.
import { describe, expect, it } from 'vitest';
import { fixtures, parseErrorOf } from '../test/helpers.js';
import { idle } from '../test/net-inet.js';
import { parseNetInet } from './net-inet.js';

// The live-* fixtures come from test/net-capture.sh: a fresh network namespace in which
// test/net-sockets.mjs (uid 65534) and test/net-sockets.py (uid 0) opened known sockets; the
// ports, addresses and states below are the ones those scripts asked for, and the inodes are
// the ones `ls -l /proc/<pid>/fd` showed (live-fds-*.txt).
const fixture = fixtures('net');

describe('parseNetInet on live udp, raw, icmp and udplite tables', () => {
  it('reads udp and udp6: unconnected sockets are CLOSE, connected ones ESTABLISHED', () => {
    const udp = { family: 'inet', protocol: 'udp' } as const;
    const udp6 = { family: 'inet6', protocol: 'udp' } as const;
    const quiet = { ...idle, uid: 65534, refCount: 2, drops: 0 };
    expect(parseNetInet(fixture('live-udp'), udp)).toStrictEqual([
      {
        ...udp,
        slot: 9989,
        localAddress: '127.0.0.1',
        localPort: 47014,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 7,
        stateName: 'CLOSE',
        ...quiet,
        inode: 14465,
      },
      {
        ...udp,
        slot: 9990,
        localAddress: '127.0.0.1',
        localPort: 47015,
        remoteAddress: '127.0.0.1',
        remotePort: 47014,
        state: 1,
        stateName: 'ESTABLISHED',
        ...quiet,
        inode: 14466,
      },
    ]);
    expect(parseNetInet(fixture('live-udp6'), udp6)).toStrictEqual([
      {
        ...udp6,
        slot: 9991,
        localAddress: '::1',
        localPort: 47016,
        remoteAddress: '::',
        remotePort: 0,
        state: 7,
        stateName: 'CLOSE',
        ...quiet,
        inode: 14467,
      },
      {
        ...udp6,
        slot: 9992,
        localAddress: '2001:db8::',
        localPort: 47017,
        remoteAddress: '::1',
        remotePort: 47016,
        state: 1,
        stateName: 'ESTABLISHED',
        ...quiet,
        inode: 14468,
      },
    ]);
  });

  it('reads raw and raw6, where the local port is the IP protocol number', () => {
    const raw = { family: 'inet', protocol: 'raw' } as const;
    const rest = { ...idle, uid: 0, refCount: 2, drops: 0 };
    expect(parseNetInet(fixture('live-raw'), raw)).toStrictEqual([
      {
        ...raw,
        slot: 82,
        localAddress: '127.0.0.1',
        localPort: 17, // IPPROTO_UDP
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 7,
        stateName: 'CLOSE',
        ...rest,
        inode: 14488,
      },
      {
        ...raw,
        slot: 111,
        localAddress: '0.0.0.0',
        localPort: 1, // IPPROTO_ICMP
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 7,
        stateName: 'CLOSE',
        ...rest,
        inode: 14487,
      },
    ]);
    expect(parseNetInet(fixture('live-raw6'), { family: 'inet6', protocol: 'raw' })).toStrictEqual([
      {
        family: 'inet6',
        protocol: 'raw',
        slot: 27,
        localAddress: '::1',
        localPort: 58, // IPPROTO_ICMPV6
        remoteAddress: '::',
        remotePort: 0,
        state: 7,
        stateName: 'CLOSE',
        ...rest,
        inode: 14489,
      },
    ]);
  });

  it('reads icmp and icmp6: ping sockets, the local port being the echo identifier', () => {
    // Captured with three ping sockets held: 127.0.0.1 id 501 (bound), ::1 id 502 (bound),
    // 127.0.0.1 id 503 connected to 127.0.0.1; uid 0 (ping_group_range opened for the capture).
    const icmp = { family: 'inet', protocol: 'icmp' } as const;
    const rest = { ...idle, uid: 0, refCount: 2, drops: 0 };
    expect(parseNetInet(fixture('live-icmp'), icmp)).toStrictEqual([
      {
        ...icmp,
        slot: 25,
        localAddress: '127.0.0.1',
        localPort: 501,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 7,
        stateName: 'CLOSE',
        ...rest,
        inode: 40502140,
      },
      {
        ...icmp,
        slot: 27,
        localAddress: '127.0.0.1',
        localPort: 503,
        remoteAddress: '127.0.0.1',
        remotePort: 0,
        state: 1,
        stateName: 'ESTABLISHED',
        ...rest,
        inode: 40502142,
      },
    ]);
    const icmp6 = { family: 'inet6', protocol: 'icmp' } as const;
    expect(parseNetInet(fixture('live-icmp6'), icmp6)).toStrictEqual([
      {
        ...icmp6,
        slot: 26,
        localAddress: '::1',
        localPort: 502,
        remoteAddress: '::',
        remotePort: 0,
        state: 7,
        stateName: 'CLOSE',
        ...rest,
        inode: 40502141,
      },
    ]);
  });

  it('names /proc/net/icmp in the error of a damaged icmp table', () => {
    const damaged = new TextDecoder()
      .decode(fixture('live-icmp'))
      .replace('0100007F:01F5', '0100007F:01G5');
    const error = parseErrorOf(() => parseNetInet(damaged, { family: 'inet', protocol: 'icmp' }));
    expect(error.kind).toBe('net/icmp');
  });

  it('reads udplite and udplite6', () => {
    const lite = { family: 'inet', protocol: 'udplite' } as const;
    const rest = { ...idle, uid: 0, refCount: 2, drops: 0 };
    expect(parseNetInet(fixture('live-udplite'), lite)).toStrictEqual([
      {
        ...lite,
        slot: 10006,
        localAddress: '127.0.0.1',
        localPort: 47031,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 7,
        stateName: 'CLOSE',
        ...rest,
        inode: 14490,
      },
      {
        ...lite,
        slot: 10007,
        localAddress: '127.0.0.1',
        localPort: 47032,
        remoteAddress: '127.0.0.1',
        remotePort: 47031,
        state: 1,
        stateName: 'ESTABLISHED',
        ...rest,
        inode: 14491,
      },
    ]);
    const lite6 = { family: 'inet6', protocol: 'udplite' } as const;
    expect(parseNetInet(fixture('live-udplite6'), lite6)).toStrictEqual([
      {
        ...lite6,
        slot: 10008,
        localAddress: '::',
        localPort: 47033,
        remoteAddress: '::',
        remotePort: 0,
        state: 7,
        stateName: 'CLOSE',
        ...rest,
        inode: 14492,
      },
    ]);
  });
});
