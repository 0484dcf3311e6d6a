// Fuzz targets of whole table dumps (dumpTable for tcp, udp, raw and unix) over a replayed
// transport playing back damaged reply sequences: the entries have the documented shape, and
// every sink sees the same sockets (a list without repeats, a lookup of some inodes, a recording
// decoded later), as their docs promise.
import fc from 'fast-check';
import {
  DumpRecording,
  type DumpSink,
  dumpTable,
  dumpTableRetrying,
  listSink,
  resolveSink,
  type TableName,
} from '../../src/netlink/tables.js';
import type { SocketEntry } from '../../src/types.js';
import {
  accepted,
  check,
  checkEntry,
  cutSequences,
  decoded,
  fuzzFile,
  PORT_ID,
  REPLIES,
  replayedChannel,
  replySequence,
  same,
  sameOutcome,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

function collect(): DumpSink & { entries: SocketEntry[] } {
  const entries: SocketEntry[] = [];
  return { entries, wants: () => true, add: (entry) => entries.push(entry) };
}

/** listSink's rule: the first socket of each inode (of each cookie, for inode 0). */
function withoutRepeats(entries: SocketEntry[]): SocketEntry[] {
  const seen = new Set<number | bigint>();
  return entries.filter((entry) => {
    const key = entry.inode !== 0 ? entry.inode : entry.cookie;
    if (key === undefined) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const TABLES: Record<
  'tcp' | 'udp' | 'raw' | 'unix',
  { protocol: string; kind: string; bases: Uint8Array[][] }
> = {
  tcp: { protocol: 'tcp', kind: 'net/tcp', bases: [REPLIES.tcp] },
  // The IPv6 request of udp and raw is answered by a lone NLMSG_DONE.
  udp: { protocol: 'udp', kind: 'net/udp', bases: [[...REPLIES.udp, REPLIES.udp[1]!]] },
  raw: {
    protocol: 'raw',
    kind: 'net/raw',
    bases: [REPLIES.raw, [...REPLIES.udp, REPLIES.udp[1]!]],
  },
  unix: { protocol: 'unix', kind: 'net/unix', bases: [REPLIES.unix, REPLIES.unixGet] },
};
// Other tables' replies now and then: a reply to the wrong request.
const ALL_BASES = [
  REPLIES.tcp,
  REPLIES.udp,
  REPLIES.raw,
  REPLIES.unix,
  REPLIES.unixGet,
  REPLIES.unixMissing,
];

for (const table of ['tcp', 'udp', 'raw', 'unix'] as const) {
  const { protocol, kind, bases } = TABLES[table];
  fuzz.target(
    `dumpTable ${table}`,
    fc.record({
      datagrams: fc.oneof(
        { weight: 8, arbitrary: replySequence(bases) },
        { weight: 1, arbitrary: replySequence(ALL_BASES) },
      ),
      states: fc.oneof(fc.constant(0xffffffff), fc.nat()),
      bufferBytes: fc.constantFrom<number>(65536, 65536, 65536, 256, 64),
      portId: fc.constantFrom<number | undefined>(undefined, undefined, PORT_ID, 7),
      other: fc.constantFrom('list', 'resolve', 'recording', 'retrying'),
      wanted: fc.array(
        fc.oneof(fc.constantFrom(479539, 479540, 479541, 479542, 479543, 479544, 0), fc.nat()),
        {
          maxLength: 4,
        },
      ),
    }),
    ({ datagrams, states, bufferBytes, portId, other, wanted }) => {
      const channel = () => replayedChannel(datagrams, bufferBytes, portId);
      const run = <T>(dump: () => T) => decoded(dump, kind, bufferBytes);
      // Every socket, decoded as it comes.
      const all = collect();
      const direct = run(() => dumpTable(channel(), table as TableName, states, all));
      if (direct.ok) {
        accepted();
        const result = direct.value;
        check(
          result === 'unsupported' ||
            (Object.keys(result).join() === 'interrupted' &&
              typeof result.interrupted === 'boolean'),
          () => `result ${JSON.stringify(result)}`,
        );
      }
      for (const entry of all.entries) checkEntry(entry, protocol);
      switch (other) {
        case 'list': {
          // wants() is always true, as for `all`: the same outcome, repeats left out.
          const entries: SocketEntry[] = [];
          const listed = run(() =>
            dumpTable(channel(), table as TableName, states, listSink(entries)),
          );
          check(sameOutcome(listed, direct), 'listSink and a plain sink end differently');
          check(
            same(entries, withoutRepeats(all.entries)),
            'listSink is not the sockets without repeats',
          );
          break;
        }
        case 'resolve': {
          // Decodes only what it wants: where the full decode went through, it finds the first
          // socket of each wanted inode.
          const found = new Map<number, SocketEntry>();
          const resolved = run(() =>
            dumpTable(channel(), table as TableName, states, resolveSink(new Set(wanted), found)),
          );
          if (!direct.ok) break;
          check(resolved.ok && same(resolved.value, direct.value), 'resolveSink ended differently');
          const expected = new Map<number, SocketEntry>();
          for (const entry of all.entries) {
            if (wanted.includes(entry.inode) && !expected.has(entry.inode))
              expected.set(entry.inode, entry);
          }
          check(same(found, expected), 'resolveSink found other sockets');
          break;
        }
        case 'recording': {
          // Kept raw and decoded later: the same sockets, or an error at one of the two steps.
          const recording = new DumpRecording();
          const later = collect();
          const recorded = run(() => {
            const result = dumpTable(channel(), table as TableName, states, recording);
            recording.replay(later);
            return result;
          });
          for (const entry of later.entries) checkEntry(entry, protocol);
          check(recorded.ok === direct.ok, 'a recording fails where decoding at once does not');
          if (direct.ok) {
            check(
              same(recorded.ok && recorded.value, direct.value),
              'the recording ended differently',
            );
            check(same(later.entries, all.entries), 'the recording decodes other sockets');
          }
          break;
        }
        case 'retrying': {
          // Asked once more when interrupted; the replies are played twice for the second ask.
          const again = collect();
          const twice = replayedChannel([...datagrams, ...datagrams], bufferBytes, portId);
          const retried = run(() =>
            dumpTableRetrying(twice, table as TableName, states, again, () => again.entries),
          );
          if (retried.ok)
            check(retried.value === 'done' || retried.value === 'unsupported', 'retry result');
          for (const entry of again.entries) checkEntry(entry, protocol);
          break;
        }
      }
    },
    {
      sweep: {
        what: 'each reply with a datagram cut at every length',
        values: cutSequences(bases).map((datagrams, i) => ({
          datagrams,
          states: 0xffffffff,
          bufferBytes: 65536,
          portId: undefined,
          other: (['list', 'resolve', 'recording', 'retrying'] as const)[i % 4]!,
          wanted: [479539, 479541, 479543, 479544],
        })),
      },
    },
  );
}
