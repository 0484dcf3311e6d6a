// find()'s exchange with the kernel, played back: the request it sends (an exact lookup, not a
// dump; UDP's sides swapped), and replies that are not the answer to it (another socket, another
// cookie, another sender or sequence number) never given as the answer.
import { createSocket } from 'node:dgram';
import { readdirSync, readlinkSync } from 'node:fs';
import { defaultProcFS } from '@procmon/procfs';
import { describe, expect, test } from 'vitest';
import { recordsOf, replayChannel } from '../test/replay.js';
import type { NetlinkChannel } from './backend.js';
import type { Source } from './channels.js';
import { type ConnectionQuery, checkQuery } from './connection-query.js';
import { findFlow } from './find.js';
import { NLM_F_DUMP, NLM_F_MULTI, NLM_F_REQUEST } from './netlink/constants.js';
import { NetlinkError } from './netlink/errors.js';
import { HOST_LITTLE_ENDIAN } from './netlink/message.js';
import type { SocketEntry } from './types.js';

const PORT_ID = 3027;
const SEQ = 1000; // replayChannel's every sequence number

interface Message {
  family?: number;
  state?: number;
  localPort: number;
  remotePort: number;
  local: number[];
  remote: number[];
  inode: number;
  cookie?: bigint;
  seq?: number;
  pid?: number;
}

function header(
  bytes: Uint8Array,
  length: number,
  type: number,
  flags: number,
  seq: number,
  pid: number,
) {
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length, HOST_LITTLE_ENDIAN);
  view.setUint16(4, type, HOST_LITTLE_ENDIAN);
  view.setUint16(6, flags, HOST_LITTLE_ENDIAN);
  view.setUint32(8, seq, HOST_LITTLE_ENDIAN);
  view.setUint32(12, pid, HOST_LITTLE_ENDIAN);
  return view;
}

/** One SOCK_DIAG_BY_FAMILY reply message: struct inet_diag_msg as the kernel writes it. */
function reply(m: Message): Uint8Array {
  const bytes = new Uint8Array(16 + 72);
  const view = header(bytes, bytes.length, 20, 0, m.seq ?? SEQ, m.pid ?? PORT_ID);
  bytes[16] = m.family ?? 2;
  bytes[17] = m.state ?? 1;
  view.setUint16(20, m.localPort, false);
  view.setUint16(22, m.remotePort, false);
  bytes.set(m.local, 24);
  bytes.set(m.remote, 40);
  view.setBigUint64(16 + 44, m.cookie ?? 77n, HOST_LITTLE_ENDIAN);
  view.setUint32(16 + 68, m.inode, HOST_LITTLE_ENDIAN);
  return bytes;
}

function error(errno: number): Uint8Array {
  const bytes = new Uint8Array(16 + 4 + 16);
  const view = header(bytes, bytes.length, 2, 0, SEQ, PORT_ID);
  view.setInt32(16, -errno, HOST_LITTLE_ENDIAN);
  return bytes;
}

function done(): Uint8Array {
  const bytes = new Uint8Array(20);
  header(bytes, 20, 3, NLM_F_MULTI, SEQ, PORT_ID);
  return bytes;
}

const LO = [127, 0, 0, 1];
const tcp: ConnectionQuery = {
  protocol: 'tcp',
  localAddress: '127.0.0.1',
  localPort: 40000,
  remoteAddress: '127.0.0.1',
  remotePort: 5432,
};
const itself: Message = { localPort: 40000, remotePort: 5432, local: LO, remote: LO, inode: 4242 };

function channelOf(datagrams: Uint8Array[]) {
  return Object.assign(replayChannel(datagrams), { portId: PORT_ID });
}

function sourceOf(channel: ReturnType<typeof channelOf>): Source {
  return {
    backend: 'netlink',
    channel: channel as unknown as NetlinkChannel,
    pid: undefined,
    reason: 'replayed',
  };
}

const dropped: unknown[] = [];
const context = { procfs: defaultProcFS(), drop: (channel: unknown) => dropped.push(channel) };

/** find() over the replayed datagrams, sync, and async as exchangeAsync would give them. */
async function both(
  query: ConnectionQuery,
  datagrams: Uint8Array[],
): Promise<SocketEntry | undefined> {
  const sync = defaultProcFS().run(
    findFlow(context, sourceOf(channelOf(datagrams)), checkQuery(query)),
  );
  const channel = Object.assign(channelOf([]), {
    // One exchange: every datagram is its reply.
    exchangeAsync: async () => recordsOf(datagrams.splice(0)),
  });
  const async = await defaultProcFS().runAsync(
    findFlow(context, sourceOf(channel), checkQuery(query)),
  );
  expect(async).toEqual(sync);
  return sync;
}

describe('the request', () => {
  const sent = (query: ConnectionQuery) => {
    const channel = channelOf([
      reply({ ...itself, localPort: query.localPort, remotePort: query.remotePort ?? 0 }),
    ]);
    defaultProcFS().run(findFlow(context, sourceOf(channel), checkQuery(query)));
    const bytes = channel.sent[0] as Uint8Array;
    return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset) };
  };

  test('tcp: an exact lookup (no NLM_F_DUMP), id.src the local side, no cookie', () => {
    const { bytes, view } = sent(tcp);
    expect(view.getUint16(4, HOST_LITTLE_ENDIAN)).toBe(20); // SOCK_DIAG_BY_FAMILY
    const flags = view.getUint16(6, HOST_LITTLE_ENDIAN);
    expect(flags & NLM_F_REQUEST).toBe(NLM_F_REQUEST);
    expect(flags & NLM_F_DUMP).toBe(0);
    expect([bytes[16], bytes[17]]).toEqual([2, 6]); // AF_INET, IPPROTO_TCP
    expect(view.getUint32(20, HOST_LITTLE_ENDIAN)).toBe(0xffffffff); // every state
    expect(view.getUint16(24, false)).toBe(40000); // idiag_sport
    expect(view.getUint16(26, false)).toBe(5432); // idiag_dport
    expect([...bytes.subarray(28, 32)]).toEqual(LO);
    expect([...bytes.subarray(44, 48)]).toEqual(LO);
    expect(view.getUint32(64, HOST_LITTLE_ENDIAN)).toBe(0xffffffff); // INET_DIAG_NOCOOKIE
    expect(view.getUint32(68, HOST_LITTLE_ENDIAN)).toBe(0xffffffff);
  });

  test('udp: id.src the remote side (udp_dump_one looks up as for a packet from it)', () => {
    const { bytes, view } = sent({ ...tcp, protocol: 'udp', remoteAddress: '127.0.0.2' });
    expect(bytes[17]).toBe(17);
    expect(view.getUint16(24, false)).toBe(5432);
    expect(view.getUint16(26, false)).toBe(40000);
    expect([...bytes.subarray(28, 32)]).toEqual([127, 0, 0, 2]);
    expect([...bytes.subarray(44, 48)]).toEqual(LO);
  });

  test('a cookie is sent in both words; IPv6 in 16 bytes', () => {
    const cookie = 0x1234_5678_9abc_def0n;
    const { bytes, view } = sent({ ...tcp, localAddress: '::1', remoteAddress: '::1', cookie });
    expect(bytes[16]).toBe(10);
    expect(bytes[28 + 15]).toBe(1);
    expect(view.getUint32(64, HOST_LITTLE_ENDIAN)).toBe(0x9abcdef0);
    expect(view.getUint32(68, HOST_LITTLE_ENDIAN)).toBe(0x12345678);
  });
});

describe('replies', () => {
  test('the socket asked for is the answer', async () => {
    expect((await both(tcp, [reply(itself)]))?.inode).toBe(4242);
  });

  test('a reply for another socket is not the answer', async () => {
    expect(await both(tcp, [reply({ ...itself, localPort: 40001 })])).toBeUndefined();
    expect(await both(tcp, [reply({ ...itself, remotePort: 5433 })])).toBeUndefined();
    expect(await both(tcp, [reply({ ...itself, local: [127, 0, 0, 9] })])).toBeUndefined();
    expect(await both(tcp, [reply({ ...itself, remote: [10, 0, 0, 1] })])).toBeUndefined();
    // A listener on another port, or one bound elsewhere, is no fallback either.
    const listener = { ...itself, state: 10, remotePort: 0, remote: [0, 0, 0, 0] };
    expect(await both(tcp, [reply({ ...listener, localPort: 40001 })])).toBeUndefined();
    expect(await both(tcp, [reply({ ...listener, local: [127, 0, 0, 9] })])).toBeUndefined();
  });

  test('a listener on the local port (the kernel falls back to it) is the answer', async () => {
    const listener = { ...itself, state: 10, remotePort: 0, remote: [0, 0, 0, 0], inode: 99 };
    expect((await both(tcp, [reply(listener)]))?.state).toBe('LISTEN');
    expect((await both(tcp, [reply({ ...listener, local: [0, 0, 0, 0] })]))?.inode).toBe(99);
  });

  test('a reply with another cookie than asked is not the answer', async () => {
    expect(await both({ ...tcp, cookie: 78n }, [reply(itself)])).toBeUndefined();
    expect((await both({ ...tcp, cookie: 77n }, [reply(itself)]))?.inode).toBe(4242);
  });

  test('messages from another sender or with another sequence number are skipped', async () => {
    const forged = [
      reply({ ...itself, inode: 666, pid: 4242 }),
      reply({ ...itself, inode: 667, seq: 999 }),
    ];
    expect((await both(tcp, [...forged, reply(itself)]))?.inode).toBe(4242);
  });

  test('ENOENT is "no such socket" once the kernel is known to have the handler', async () => {
    // IPv4 asked as AF_INET, then AF_INET6 with mapped addresses, then an empty dump tells
    // the handler exists.
    const channel = channelOf([error(2), error(2), done()]);
    expect(
      defaultProcFS().run(findFlow(context, sourceOf(channel), checkQuery(tcp))),
    ).toBeUndefined();
    expect(channel.sent).toHaveLength(3);
    const [first, second, probe] = channel.sent as [Uint8Array, Uint8Array, Uint8Array];
    expect([first[16], second[16]]).toEqual([2, 10]);
    expect([...second.subarray(28 + 10, 28 + 16)]).toEqual([0xff, 0xff, ...LO]);
    const probeView = new DataView(probe.buffer, probe.byteOffset);
    expect(probeView.getUint16(6, HOST_LITTLE_ENDIAN) & NLM_F_DUMP).toBe(NLM_F_DUMP);
    expect(channel.supported.has('tcp')).toBe(true);
  });

  test('another error is thrown, and the channel let go', () => {
    const channel = channelOf([error(1)]);
    dropped.length = 0;
    expect(() =>
      defaultProcFS().run(findFlow(context, sourceOf(channel), checkQuery(tcp))),
    ).toThrow(NetlinkError);
    expect(dropped).toEqual([channel]);
  });
});

describe("a kernel without the protocol's diag handler", () => {
  test('ENOENT, and ENOENT to the empty dump: /proc/net is read instead, and then at once', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    try {
      const query: ConnectionQuery = {
        protocol: 'udp',
        localAddress: '127.0.0.1',
        localPort: udp.address().port,
      };
      const channel = channelOf([error(2), error(2), error(2)]);
      const entry = defaultProcFS().run(findFlow(context, sourceOf(channel), checkQuery(query)));
      expect(channel.unsupported.has('udp')).toBe(true);
      // The socket found in /proc/net/udp is the one this process holds.
      const ours = readdirSync('/proc/self/fd').map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      });
      expect(ours).toContain(`socket:[${entry?.inode}]`);
      expect(entry).toMatchObject({ protocol: 'udp', localPort: query.localPort, state: 'CLOSE' });
      // Known unsupported now: no request at all the next time.
      defaultProcFS().run(findFlow(context, sourceOf(channel), checkQuery(query)));
      expect(channel.sent).toHaveLength(3);
    } finally {
      await new Promise<void>((resolve) => udp.close(resolve));
    }
  });
});
