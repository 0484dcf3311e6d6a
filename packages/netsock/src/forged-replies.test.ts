// Forged sock_diag replies: whoever owns a network namespace can send datagrams to any netlink
// port in it. The resolver's socket is connected to the kernel (others get ECONNREFUSED), drops
// datagrams from any other sender, and skips messages whose nlmsg_pid or sequence number is not
// its own.
import { spawnSync } from 'node:child_process';
import { defaultProcFS } from '@procmon/procfs';
import { describe, expect, test } from 'vitest';
import { PYTHON } from '../test/helpers.js';
import { recordsOf, replayChannel, replies } from '../test/replay.js';
import { loadAddon } from './addon.js';
import { NetlinkChannel, netsockBackend } from './backend.js';
import { ALL_STATES } from './netlink/constants.js';
import { NetlinkParseError } from './netlink/errors.js';
import { HOST_LITTLE_ENDIAN } from './netlink/message.js';
import { type DiagChannel, dumpTable, dumpTableFlow, resolveSink } from './netlink/tables.js';
import type { SocketEntry } from './types.js';

const TCP = replies('tcp-compat-dump'); // [4 messages, DONE], seq 1000, nlmsg_pid 3027
const FOUR = TCP[0] as Uint8Array;
const DONE = TCP[1] as Uint8Array;
const FIXTURE_PORT = 3027;
const STARTS = [0, 0x7c, 0x100, 0x17c];
const setU32 = (bytes: Uint8Array, at: number, value: number) =>
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, HOST_LITTLE_ENDIAN);

/** The fixture's messages, each rewritten with another nlmsg_pid and inode. */
function forged(pid: number, seq = 1000): Uint8Array {
  const bytes = FOUR.slice();
  for (const [i, at] of STARTS.entries()) {
    setU32(bytes, at + 12, pid);
    setU32(bytes, at + 8, seq);
    setU32(bytes, at + 16 + 68, 900_000 + i); // idiag_inode
  }
  return bytes;
}

function inodesOf(channel: DiagChannel, wanted: number[]): number[] {
  const found = new Map<number, SocketEntry>();
  dumpTable(channel, 'tcp', ALL_STATES, resolveSink(new Set(wanted), found));
  return [...found.keys()].sort();
}

/** inodesOf with the reply walked as the addon's exchangeAsync gives it (walkReply). */
async function inodesOfAsync(datagrams: Uint8Array[], wanted: number[]): Promise<number[]> {
  const channel = Object.assign(replayChannel([]), {
    portId: FIXTURE_PORT,
    exchangeAsync: async () => recordsOf(datagrams),
  });
  const found = new Map<number, SocketEntry>();
  const sink = resolveSink(new Set(wanted), found);
  await defaultProcFS().runAsync(dumpTableFlow(channel, 'tcp', ALL_STATES, sink));
  return [...found.keys()].sort();
}

describe('replies that are not the kernel answering this socket', () => {
  const wanted = [479539, 479540, 900_000, 900_001, 900_002, 900_003];
  const withPort = (datagrams: Uint8Array[]) =>
    Object.assign(replayChannel(datagrams), { portId: FIXTURE_PORT });

  test('messages with another nlmsg_pid are skipped, the real reply read', () => {
    expect(inodesOf(withPort([forged(4242), FOUR, DONE]), wanted)).toEqual([479539, 479540]);
    // A forged DONE does not end the dump early either.
    const forgedDone = DONE.slice();
    setU32(forgedDone, 12, 4242);
    expect(inodesOf(withPort([forgedDone, FOUR, DONE]), wanted)).toEqual([479539, 479540]);
  });

  test('messages with the right nlmsg_pid but another sequence number are skipped', () => {
    expect(inodesOf(withPort([forged(FIXTURE_PORT, 1001), FOUR, DONE]), wanted)).toEqual([
      479539, 479540,
    ]);
  });

  test('with the right nlmsg_pid and sequence number, a message is read', () => {
    expect(inodesOf(withPort([forged(FIXTURE_PORT), DONE]), wanted)).toEqual([
      900_000, 900_001, 900_002, 900_003,
    ]);
  });

  test('walked as exchangeAsync gives them: the same messages skipped, the same read', async () => {
    const forgedDone = DONE.slice();
    setU32(forgedDone, 12, 4242);
    const real = [479539, 479540];
    expect(await inodesOfAsync([forged(4242), FOUR, DONE], wanted)).toEqual(real);
    expect(await inodesOfAsync([forgedDone, FOUR, DONE], wanted)).toEqual(real);
    expect(await inodesOfAsync([forged(FIXTURE_PORT, 1001), FOUR, DONE], wanted)).toEqual(real);
    expect(await inodesOfAsync([forged(FIXTURE_PORT), DONE], wanted)).toEqual([
      900_000, 900_001, 900_002, 900_003,
    ]);
  });

  test('walked as exchangeAsync gives them: a reply without its end is a parse error', async () => {
    const error = await inodesOfAsync([FOUR], wanted).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(NetlinkParseError);
    expect((error as Error).message).toContain('stopped before its end');
  });

  test('sequence numbers do not start at 1', () => {
    const loaded = loadAddon();
    if (!('addon' in loaded)) return;
    const starts = Array.from({ length: 4 }, () => {
      const channel = new NetlinkChannel(loaded.addon);
      const seq = channel.nextSeq();
      channel.close();
      return seq;
    });
    expect(new Set(starts).size).toBeGreaterThan(1);
  });
});

// A second NETLINK_SOCK_DIAG socket in this namespace sends a reply shaped like the kernel's
// (right type, sequence number and nlmsg_pid) straight to the resolver's port.
const ATTACKER = `
import socket, struct, sys
port, seq, inode = (int(a) for a in sys.argv[1:4])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)
s.bind((0, 0))
def msg(typ, flags, payload):
    return struct.pack('=IHHII', 16 + len(payload), typ, flags, seq, port) + payload
sockid = struct.pack('>HH', 51515, 443) + bytes([10, 9, 8, 7]) + bytes(12) + bytes([93, 184, 216, 34]) + bytes(12) + struct.pack('=III', 0, 1, 0)
body = bytes([2, 1, 0, 0]) + sockid + struct.pack('=IIIII', 0, 0, 0, 0, inode)
try:
    s.sendto(msg(18, 2, body) + msg(3, 2, struct.pack('=i', 0)), (port, 0))
    print('sent')
except OSError as e:
    print(e.errno)
`;

describe.skipIf(netsockBackend().name !== 'netlink')('a live forger', () => {
  test('cannot reach the resolver socket, and its entry is never read', async () => {
    const loaded = loadAddon();
    if (!('addon' in loaded)) throw new Error(loaded.error);
    const channel = new NetlinkChannel(loaded.addon);
    try {
      const seq = 77_777;
      const inode = 3_999_999_999;
      const run = spawnSync(
        PYTHON,
        ['-c', ATTACKER, String(channel.portId), String(seq), String(inode)],
        {
          encoding: 'utf8',
        },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe('111'); // ECONNREFUSED: the socket is connected to the kernel
      // Even so, the dump that follows (with the sequence number the forger used) has no such entry.
      const fixedSeq: DiagChannel = {
        buffer: channel.buffer,
        view: channel.view,
        unsupported: channel.unsupported,
        supported: channel.supported,
        portId: channel.portId,
        nextSeq: () => seq,
        send: (bytes) => channel.send(bytes),
        recv: (buffer) => channel.recv(buffer),
      };
      expect(inodesOf(fixedSeq, [inode])).toEqual([]);
      // And so does one made on libuv's thread pool.
      const exchangeAsync = channel.exchangeAsync;
      if (exchangeAsync === undefined) throw new Error('the addon has no exchangeAsync');
      const found = new Map<number, SocketEntry>();
      await defaultProcFS().runAsync(
        dumpTableFlow(
          { ...fixedSeq, exchangeAsync },
          'tcp',
          ALL_STATES,
          resolveSink(new Set([inode]), found),
        ),
      );
      expect([...found.keys()]).toEqual([]);
    } finally {
      channel.close();
    }
  });
});
