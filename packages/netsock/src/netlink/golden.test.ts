// Golden tests on real kernel replies captured by test/capture-fixtures.mjs in a fresh network
// namespace holding: a TCP listener on 127.0.0.1:4242 with one connection to it, a TCP listener
// on [::1]:4243, a UDP socket bound to 127.0.0.1:5353, and a unix stream listener on the
// abstract name "procmon-golden" (bound by Node with the full sun_path length, so the name is
// followed by NUL bytes). The expected entries below were written by hand from the hex dumps.
import { defaultProcFS } from '@procmon/procfs';
import { describe, expect, test } from 'vitest';
import { fixture, recordsOf, replayChannel as replay, replies } from '../../test/replay.js';
import type { SocketEntry } from '../types.js';
import { NetlinkError } from './errors.js';
import { encodeInetDiagRequest, encodeTcpDiagCompatRequest } from './inet.js';
import { encodeRequest, exchange, HOST_LITTLE_ENDIAN } from './message.js';
import { type DumpSink, dumpTable, dumpTableFlow } from './tables.js';
import { encodeUnixDiagRequest } from './unix.js';

function collect(): DumpSink & { entries: SocketEntry[] } {
  const entries: SocketEntry[] = [];
  return { entries, wants: () => true, add: (entry) => entries.push(entry) };
}

const LISTEN4: SocketEntry = {
  family: 'inet',
  protocol: 'tcp',
  inode: 479539,
  uid: 0,
  state: 'LISTEN',
  localAddress: '127.0.0.1',
  localPort: 4242,
  remoteAddress: '0.0.0.0',
  remotePort: 0,
  rxQueue: 0,
  txQueue: 0,
  backlog: 511,
  interfaceIndex: 0,
  cookie: 4097n,
};
const LISTEN6: SocketEntry = {
  family: 'inet6',
  protocol: 'tcp',
  inode: 479542,
  uid: 0,
  state: 'LISTEN',
  localAddress: '::1',
  localPort: 4243,
  remoteAddress: '::',
  remotePort: 0,
  rxQueue: 0,
  txQueue: 0,
  backlog: 511,
  interfaceIndex: 0,
  cookie: 4098n,
};
const CLIENT: SocketEntry = {
  family: 'inet',
  protocol: 'tcp',
  inode: 479540,
  uid: 0,
  state: 'ESTABLISHED',
  localAddress: '127.0.0.1',
  localPort: 59108,
  remoteAddress: '127.0.0.1',
  remotePort: 4242,
  rxQueue: 0,
  txQueue: 0,
  interfaceIndex: 0,
  cookie: 4099n,
};
const SERVER: SocketEntry = {
  ...CLIENT,
  inode: 479541,
  localPort: 4242,
  remotePort: 59108,
  cookie: 4100n,
};
const UDP: SocketEntry = {
  family: 'inet',
  protocol: 'udp',
  inode: 479543,
  uid: 0,
  state: 'CLOSE',
  localAddress: '127.0.0.1',
  localPort: 5353,
  remoteAddress: '0.0.0.0',
  remotePort: 0,
  rxQueue: 0,
  txQueue: 0,
  interfaceIndex: 0,
  cookie: 4101n,
};
const UNIX_LISTENER: SocketEntry = {
  family: 'unix',
  protocol: 'unix',
  inode: 479544,
  uid: 0,
  state: 'LISTEN',
  type: 'stream',
  path: `procmon-golden${'\0'.repeat(93)}`,
  abstract: true,
  rxQueue: 0,
  txQueue: 0,
  backlog: 511,
  cookie: 4102n,
};

describe('request encoding', () => {
  test('the legacy TCP request of both families, byte for byte', () => {
    const bytes = encodeRequest(18, 0x301, 1000, encodeTcpDiagCompatRequest(0xffffffff));
    expect(bytes).toEqual(fixture('tcp-compat-dump', 'request.bin'));
    // nlmsghdr: length 76, type TCPDIAG_GETSOCK, flags REQUEST|DUMP, seq 1000.
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(0, HOST_LITTLE_ENDIAN)).toBe(16 + 60);
    expect(view.getUint16(4, HOST_LITTLE_ENDIAN)).toBe(18);
    expect(view.getUint16(6, HOST_LITTLE_ENDIAN)).toBe(0x301);
  });

  test('inet_diag_req_v2 for UDP and raw over IPv4', () => {
    const udp = encodeInetDiagRequest({ family: 2, protocol: 17, states: 0xffffffff });
    expect(encodeRequest(20, 0x301, 1000, udp)).toEqual(fixture('udp4-dump', 'request.bin'));
    const raw = encodeInetDiagRequest({ family: 2, protocol: 255, states: 0xffffffff });
    expect(encodeRequest(20, 0x301, 1000, raw)).toEqual(fixture('raw4-dump', 'request.bin'));
  });

  test('unix_diag_req: a dump, and a lookup by inode with no cookie', () => {
    const dump = encodeUnixDiagRequest({ states: 0xffffffff, show: 0x55 });
    expect(encodeRequest(20, 0x301, 1000, dump)).toEqual(fixture('unix-dump', 'request.bin'));
    const get = encodeUnixDiagRequest({ states: 0xffffffff, show: 0x55, inode: 479544 });
    expect(encodeRequest(20, 1, 1000, get)).toEqual(fixture('unix-get', 'request.bin'));
  });

  test('an exact inet socket id with a cookie', () => {
    const bytes = encodeInetDiagRequest({
      family: 2,
      protocol: 6,
      states: 0xffffffff,
      id: {
        sourcePort: 4242,
        destinationPort: 59108,
        source: new Uint8Array([127, 0, 0, 1]),
        destination: new Uint8Array([127, 0, 0, 1]),
        interfaceIndex: 0,
        cookie: 0x100000001n,
      },
    });
    expect(Array.from(bytes.subarray(8, 12))).toEqual([0x10, 0x92, 0xe6, 0xe4]);
    expect(Array.from(bytes.subarray(12, 16))).toEqual([127, 0, 0, 1]);
    expect(Array.from(bytes.subarray(48, 56))).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  });
});

describe('reply decoding', () => {
  test('the TCP dump: listeners on both families and an established pair, to NLMSG_DONE', () => {
    const channel = replay(replies('tcp-compat-dump'));
    const sink = collect();
    expect(dumpTable(channel, 'tcp', 0xffffffff, sink)).toEqual({ interrupted: false });
    expect(sink.entries).toEqual([LISTEN4, LISTEN6, CLIENT, SERVER]);
    expect(channel.sent[0]).toEqual(fixture('tcp-compat-dump', 'request.bin'));
  });

  test('the UDP dump: one socket per family request (the IPv6 request answered empty)', () => {
    const empty6 = fixture('udp4-dump', 'reply-1.bin'); // a lone NLMSG_DONE
    const channel = replay([...replies('udp4-dump'), empty6]);
    const sink = collect();
    dumpTable(channel, 'udp', 0xffffffff, sink);
    expect(sink.entries).toEqual([UDP]);
    expect(channel.sent).toHaveLength(2);
  });

  test('the unix dump: the abstract name keeps its NUL padding exactly', () => {
    const sink = collect();
    dumpTable(replay(replies('unix-dump')), 'unix', 0xffffffff, sink);
    expect(sink.entries).toEqual([UNIX_LISTENER]);
  });

  test.each([
    ['tcp', 'tcp-compat-dump', [LISTEN4, LISTEN6, CLIENT, SERVER]],
    ['unix', 'unix-dump', [UNIX_LISTENER]],
  ] as const)(
    '%s: the same entries from the reply as exchangeAsync gives it',
    async (table, name, expected) => {
      // Each request's whole reply at once, as records (the addon's exchangeAsync), walked by the
      // decoder of the sync path.
      const channel = Object.assign(replay([]), {
        exchangeAsync: async () => recordsOf(replies(name)),
      });
      const sink = collect();
      const result = await defaultProcFS().runAsync(
        dumpTableFlow(channel, table, 0xffffffff, sink),
      );
      expect(result).toEqual({ interrupted: false });
      expect(sink.entries).toEqual(expected);
    },
  );

  test('raw: the kernel without raw_diag ends the dump with -ENOENT, the table is unsupported', () => {
    const channel = replay(replies('raw4-dump'));
    expect(dumpTable(channel, 'raw', 0xffffffff, collect())).toBe('unsupported');
    expect(channel.unsupported.has('raw')).toBe(true);
    // Asked again, the channel answers from memory, with no request sent.
    expect(dumpTable(channel, 'raw', 0xffffffff, collect())).toBe('unsupported');
    expect(channel.sent).toHaveLength(1);
  });

  test('a lookup of one unix socket by inode: one message, no NLM_F_MULTI, no DONE', () => {
    const channel = replay(replies('unix-get'));
    const seen: number[] = [];
    const result = exchange(channel, {
      request: fixture('unix-get', 'request.bin'),
      seq: 1000,
      kind: 'net/unix',
      buffer: channel.buffer,
      view: channel.view,
      expectedType: 20,
      onMessage: (_bytes, view, _type, start) =>
        seen.push(view.getUint32(start + 4, HOST_LITTLE_ENDIAN)),
    });
    expect(result).toEqual({ interrupted: false, messages: 1 });
    expect(seen).toEqual([479544]);
  });

  test('a lookup of a missing inode: NLMSG_ERROR -ENOENT is a NetlinkError with the errno', () => {
    const channel = replay(replies('unix-get-missing'));
    let error: unknown;
    try {
      exchange(channel, {
        request: fixture('unix-get-missing', 'request.bin'),
        seq: 1000,
        kind: 'net/unix',
        buffer: channel.buffer,
        view: channel.view,
        expectedType: 20,
        onMessage: () => {},
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NetlinkError);
    expect(error).toMatchObject({ errno: 2, code: 'ENOENT' });
  });
});
