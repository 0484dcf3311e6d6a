// Malformed, truncated, refused and interrupted replies: each a typed error or a reported flag,
// never a crash or a silently shorter result.
import { ParseError } from '@procmon/parse';
import { defaultProcFS } from '@procmon/procfs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fixture, recordsOf, replayChannel, replies } from '../../test/replay.js';
import type { SocketEntry } from '../types.js';
import { DumpInterruptedError, NetlinkError, NetlinkParseError } from './errors.js';
import { HOST_LITTLE_ENDIAN } from './message.js';
import {
  type DumpSink,
  dumpTable,
  dumpTableFlow,
  dumpTableRetrying,
  listSink,
  resolveSink,
} from './tables.js';

const TCP = replies('tcp-compat-dump'); // [4 messages, DONE]
const DONE = TCP[1] as Uint8Array;
const FOUR = TCP[0] as Uint8Array;
// Offsets of the 4 messages in the first datagram (each starts with its length).
const STARTS = [0, 0x7c, 0x100, 0x17c];

function collect(): DumpSink & { entries: SocketEntry[] } {
  const entries: SocketEntry[] = [];
  return { entries, wants: () => true, add: (entry) => entries.push(entry) };
}

function dumpOf(datagrams: Uint8Array[]): SocketEntry[] {
  const sink = collect();
  dumpTable(replayChannel(datagrams), 'tcp', 0xffffffff, sink);
  return sink.entries;
}

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const setU32 = (bytes: Uint8Array, at: number, value: number) =>
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, HOST_LITTLE_ENDIAN);
const setU16 = (bytes: Uint8Array, at: number, value: number) =>
  new DataView(bytes.buffer, bytes.byteOffset).setUint16(at, value, HOST_LITTLE_ENDIAN);
const getU16 = (bytes: Uint8Array, at: number) =>
  new DataView(bytes.buffer, bytes.byteOffset).getUint16(at, HOST_LITTLE_ENDIAN);

/** A datagram of one NLMSG_ERROR answering seq 1000 with `-errno`. */
function errorDatagram(errno: number): Uint8Array {
  const bytes = new Uint8Array(36);
  setU32(bytes, 0, 36);
  setU16(bytes, 4, 2);
  setU32(bytes, 8, 1000);
  setU32(bytes, 16, -errno >>> 0);
  return bytes;
}

describe('truncated and malformed replies are ParseErrors', () => {
  test('the first datagram cut at every byte inside a message', () => {
    for (let cut = 1; cut < FOUR.length; cut++) {
      if (STARTS.includes(cut)) continue; // a whole number of messages is a valid datagram
      const error = errorOf(() => dumpOf([FOUR.slice(0, cut), DONE]));
      expect(error, `cut at ${cut}`).toBeInstanceOf(ParseError);
      expect(error).toBeInstanceOf(NetlinkParseError);
      expect((error as ParseError).kind).toBe('net/tcp');
    }
  });

  test('a message length shorter than its header, or past the datagram', () => {
    for (const length of [0, 15, FOUR.length + 4]) {
      const bytes = FOUR.slice();
      setU32(bytes, 0, length);
      expect(errorOf(() => dumpOf([bytes, DONE]))).toBeInstanceOf(ParseError);
    }
  });

  test('an inet_diag_msg shorter than the struct', () => {
    const bytes = FOUR.slice(0, 16 + 40);
    setU32(bytes, 0, 16 + 40);
    const error = errorOf(() => dumpOf([bytes, DONE]));
    expect(error).toBeInstanceOf(ParseError);
    expect(String((error as Error).message)).toMatch(/inet_diag_msg of 40 bytes/);
  });

  test('an attribute whose length runs past its message', () => {
    const bytes = FOUR.slice();
    // The first attribute of the first message starts after nlmsghdr + inet_diag_msg.
    setU16(bytes, 16 + 72, 200);
    expect(errorOf(() => dumpOf([bytes, DONE]))).toBeInstanceOf(ParseError);
  });

  test('a message of a family that is not inet', () => {
    const bytes = FOUR.slice();
    bytes[16] = 1;
    expect(errorOf(() => dumpOf([bytes, DONE]))).toBeInstanceOf(ParseError);
  });

  test('a message of another type than the request', () => {
    const bytes = FOUR.slice();
    setU16(bytes, 4, 20);
    expect(errorOf(() => dumpOf([bytes, DONE]))).toBeInstanceOf(ParseError);
  });

  test('a unix_diag_msg cut short, or with a short UNIX_DIAG_PEER value', () => {
    const unix = replies('unix-dump');
    const first = unix[0] as Uint8Array;
    const short = first.slice(0, 16 + 12);
    setU32(short, 0, 16 + 12);
    const sink = collect();
    expect(
      errorOf(() => dumpTable(replayChannel([short, unix[1] as Uint8Array]), 'unix', 0, sink)),
    ).toBeInstanceOf(ParseError);
    // Turn the UNIX_DIAG_RQLEN attribute (12 bytes) into a 12-byte UNIX_DIAG_UID: fine; into
    // a 4-byte-long RQLEN: too short for its two counters.
    const rqlen = first.slice();
    const at = 16 + 16 + 112; // after nlmsghdr, unix_diag_msg and the 112-byte name attribute
    expect(getU16(rqlen, at + 2)).toBe(4);
    setU16(rqlen, at, 4);
    expect(
      errorOf(() => dumpTable(replayChannel([rqlen, unix[1] as Uint8Array]), 'unix', 0, collect())),
    ).toBeInstanceOf(ParseError);
  });

  test('a datagram larger than the receive buffer', () => {
    const sink = collect();
    const error = errorOf(() => dumpTable(replayChannel(TCP, 256), 'tcp', 0xffffffff, sink));
    expect(error).toBeInstanceOf(ParseError);
    expect(String((error as Error).message)).toMatch(/does not fit the 256-byte receive buffer/);
  });

  test('a datagram larger than the receive buffer, received off the thread: the same error', async () => {
    // exchangeAsync keeps at most the buffer's size of a datagram, with its full length.
    const channel = Object.assign(replayChannel([], 256), {
      exchangeAsync: async () => recordsOf(TCP, 256),
    });
    const flow = dumpTableFlow(channel, 'tcp', 0xffffffff, collect());
    const error = await defaultProcFS()
      .runAsync(flow)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(ParseError);
    expect(String((error as Error).message)).toMatch(/does not fit the 256-byte receive buffer/);
  });

  test('an NLMSG_ERROR too short to hold struct nlmsgerr', () => {
    const bytes = errorDatagram(1).slice(0, 16);
    setU32(bytes, 0, 16);
    expect(errorOf(() => dumpOf([bytes]))).toBeInstanceOf(ParseError);
  });
});

describe('refusals are NetlinkErrors with the errno', () => {
  test('NLMSG_ERROR -EPERM', () => {
    const error = errorOf(() => dumpOf([errorDatagram(1)]));
    expect(error).toBeInstanceOf(NetlinkError);
    expect(error).toMatchObject({ errno: 1, code: 'EPERM' });
  });

  test('NLMSG_DONE carrying -EINVAL at the end of a dump', () => {
    const udp = replies('udp4-dump');
    const done = (udp[1] as Uint8Array).slice();
    setU32(done, 16, -22 >>> 0);
    const channel = replayChannel([udp[0] as Uint8Array, done]);
    const error = errorOf(() => dumpTable(channel, 'udp', 0xffffffff, collect()));
    expect(error).toBeInstanceOf(NetlinkError);
    expect(error).toMatchObject({ errno: 22, code: 'EINVAL' });
  });

  test('a kernel without the legacy TCP request: the per-family requests instead, remembered', () => {
    const four = FOUR.slice();
    for (const at of STARTS) setU16(four, at + 4, 20); // SOCK_DIAG_BY_FAMILY replies
    const channel = replayChannel([errorDatagram(22), four, DONE, DONE, four, DONE, DONE]);
    expect(dumpTable(channel, 'tcp', 0xffffffff, collect())).toEqual({ interrupted: false });
    expect(channel.sent.map((r) => getU16(r, 4))).toEqual([18, 20, 20]);
    expect(channel.sent.map((r) => r[16])).toEqual([2, 2, 10]);
    dumpTable(channel, 'tcp', 0xffffffff, collect());
    expect(channel.sent.map((r) => getU16(r, 4))).toEqual([18, 20, 20, 20, 20]);
  });
});

describe('interrupted dumps and repeated entries', () => {
  const interrupted = () => {
    const bytes = FOUR.slice();
    setU16(bytes, 6, getU16(bytes, 6) | 0x10); // NLM_F_DUMP_INTR on the first message
    return bytes;
  };

  test('NLM_F_DUMP_INTR is reported with the data read', () => {
    const sink = collect();
    const result = dumpTable(replayChannel([interrupted(), DONE]), 'tcp', 0xffffffff, sink);
    expect(result).toEqual({ interrupted: true });
    expect(sink.entries).toHaveLength(4);
  });

  test('an interrupted dump is asked once more; interrupted again, DumpInterruptedError with the partial data', () => {
    const found = new Map<number, SocketEntry>();
    const sink = resolveSink(new Set([479539, 479540, 999]), found);
    const channel = replayChannel([interrupted(), DONE, interrupted(), DONE]);
    const error = errorOf(() =>
      dumpTableRetrying(channel, 'tcp', 0xffffffff, sink, () => [...found.values()]),
    );
    expect(error).toBeInstanceOf(DumpInterruptedError);
    expect((error as DumpInterruptedError).partial.map((e) => e.inode)).toEqual([479539, 479540]);
    expect(channel.sent).toHaveLength(2);
  });

  test('a retry that comes back whole is fine', () => {
    const found = new Map<number, SocketEntry>();
    const sink = resolveSink(new Set([479541]), found);
    const channel = replayChannel([interrupted(), DONE, FOUR, DONE]);
    expect(dumpTableRetrying(channel, 'tcp', 0xffffffff, sink, () => [...found.values()])).toBe(
      'done',
    );
    expect([...found.keys()]).toEqual([479541]);
  });

  test('a socket that appears twice in a dump is kept once (by inode; by cookie when inode is 0)', () => {
    const first = FOUR.slice(0, 0x7c);
    const twice = new Uint8Array(FOUR.length + first.length);
    twice.set(FOUR);
    twice.set(first, FOUR.length);
    const entries: SocketEntry[] = [];
    dumpTable(replayChannel([twice, DONE]), 'tcp', 0xffffffff, listSink(entries));
    expect(entries.map((e) => e.inode)).toEqual([479539, 479542, 479540, 479541]);

    const found = new Map<number, SocketEntry>();
    dumpTable(
      replayChannel([twice, DONE]),
      'tcp',
      0xffffffff,
      resolveSink(new Set([479539]), found),
    );
    expect(found.size).toBe(1);

    // Two inode-0 sockets (TIME_WAIT) with the same cookie are one socket; other cookies are not.
    const zero = (cookie: number) => {
      const bytes = first.slice();
      setU32(bytes, 16 + 68, 0);
      setU32(bytes, 16 + 44, cookie);
      return bytes;
    };
    const tw = new Uint8Array(0x7c * 3);
    tw.set(zero(7), 0);
    tw.set(zero(7), 0x7c);
    tw.set(zero(8), 0xf8);
    const listed: SocketEntry[] = [];
    dumpTable(replayChannel([tw, DONE]), 'tcp', 0xffffffff, listSink(listed));
    expect(listed.map((e) => e.cookie)).toEqual([7n, 8n]);
  });

  test('messages of another sequence number (an earlier exchange) are skipped', () => {
    const stale = FOUR.slice();
    for (const at of STARTS) setU32(stale, at + 8, 999);
    expect(dumpOf([stale, FOUR, DONE]).map((e) => e.inode)).toEqual([
      479539, 479542, 479540, 479541,
    ]);
    expect(fixture('tcp-compat-dump', 'request.bin')).toHaveLength(76);
  });
});

describe('any damage to a real reply', () => {
  // Bytes overwritten anywhere in a captured TCP dump: the decoder gives entries or a typed error
  // (ParseError, NetlinkError, DumpInterruptedError), never a TypeError or RangeError of its own.
  test('gives entries or a typed error', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(FOUR.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (edits) => {
          const damaged = FOUR.slice();
          for (const [at, value] of edits) damaged[at] = value;
          try {
            // What decodes is shaped as entries are: an inode and a family, whatever the bytes.
            for (const entry of dumpOf([damaged, DONE])) {
              expect(Number.isSafeInteger(entry.inode)).toBe(true);
              expect(['inet', 'inet6']).toContain(entry.family);
            }
          } catch (error) {
            const typed =
              error instanceof ParseError ||
              error instanceof NetlinkError ||
              error instanceof DumpInterruptedError;
            if (!typed) throw error;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
