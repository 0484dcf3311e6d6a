// What the netsock fuzz targets share: the captured kernel replies as seed corpora (whole
// datagrams, and the messages inside them), a replayed transport that plays back damaged reply
// sequences, the errors a decoder may throw, and the documented shape of a decoded socket.
import { isIPv4, isIPv6 } from 'node:net';
import { ParseError } from '@procmon/parse';
import fc from 'fast-check';
import {
  check,
  isPort,
  isU32,
  isUbig,
  type MutationOptions,
  mutate,
  type Outcome,
  outcome,
} from '../../../../test-support/fuzz.js';
import { DumpInterruptedError, NetlinkError, NetlinkParseError } from '../../src/netlink/errors.js';
import { HOST_LITTLE_ENDIAN } from '../../src/netlink/message.js';
import type { DiagChannel } from '../../src/netlink/tables.js';
import type { SocketEntry } from '../../src/types.js';
import { replies } from '../replay.js';

export * from '../../../../test-support/fuzz.js';

/** The captured replies, by fixture: each a list of datagrams, in the order they came. */
export const REPLIES = {
  tcp: replies('tcp-compat-dump'), // four messages, then NLMSG_DONE
  udp: replies('udp4-dump'), // one message, then NLMSG_DONE
  raw: replies('raw4-dump'), // NLMSG_DONE carrying -ENOENT
  unix: replies('unix-dump'), // one message, then NLMSG_DONE
  unixGet: replies('unix-get'), // one message without NLM_F_MULTI
  unixMissing: replies('unix-get-missing'), // NLMSG_ERROR -ENOENT
};
/** Every captured datagram. */
export const DATAGRAMS: readonly Uint8Array[] = Object.values(REPLIES).flat();

/** The sequence number and port id of the captured replies (the replay channel's nextSeq). */
export const SEQ = 1000;
export const PORT_ID = 0x0bd3;

/** The payloads (after the 16-byte nlmsghdr) of the data messages of some datagrams. */
function payloads(datagrams: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const datagram of datagrams) {
    const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    for (let at = 0; at + 16 <= datagram.length; ) {
      const length = view.getUint32(at, HOST_LITTLE_ENDIAN);
      if (length < 16 || at + length > datagram.length) break;
      if (view.getUint16(at + 4, HOST_LITTLE_ENDIAN) > 3) {
        out.push(datagram.slice(at + 16, at + length));
      }
      at += (length + 3) & ~3;
    }
  }
  return out;
}

/** struct inet_diag_msg and its attributes, from the TCP and UDP dumps. */
export const INET_MESSAGES = payloads([...REPLIES.tcp, ...REPLIES.udp]);
/** struct unix_diag_msg and its attributes, from the unix dump and lookup. */
export const UNIX_MESSAGES = payloads([...REPLIES.unix, ...REPLIES.unixGet]);

/** Binary mutations: words rewritten at aligned offsets, no lines. */
export const BINARY: MutationOptions = { separators: [], words: true, maxMutations: 4 };

type SequenceOperation = 'bytes' | 'split' | 'merge' | 'duplicate' | 'drop' | 'swap' | 'insert';
// By weight: damaged bytes most often.
const SEQUENCE_OPERATIONS: readonly SequenceOperation[] = [
  ...Array<SequenceOperation>(6).fill('bytes'),
  'split',
  'merge',
  'duplicate',
  'drop',
  'swap',
  'insert',
];

/**
 * One change to a reply sequence, from three u32s [operation, which datagram, argument]; a
 * 'bytes' change applies the next up to three byte mutations of `bytes` to its datagram.
 */
function applySequence(
  datagrams: Uint8Array[],
  [code, which, argument]: [number, number, number],
  bytes: { list: Uint32Array; at: number },
): Uint8Array[] {
  const out = [...datagrams];
  const operation = SEQUENCE_OPERATIONS[code % SEQUENCE_OPERATIONS.length] as SequenceOperation;
  if (out.length === 0)
    return operation === 'insert' ? [DATAGRAMS[argument % DATAGRAMS.length]!] : out;
  const i = which % out.length;
  const datagram = out[i]!;
  switch (operation) {
    case 'bytes': {
      const list = bytes.list.subarray(bytes.at, bytes.at + 9);
      bytes.at += 9;
      out[i] = mutate(
        datagram,
        list.length >= 3 ? list : Uint32Array.of(0, argument, argument),
        DATAGRAMS,
        BINARY,
      );
      break;
    }
    case 'split': {
      const at = argument % (datagram.length + 1);
      out.splice(i, 1, datagram.slice(0, at), datagram.slice(at));
      break;
    }
    case 'merge':
      if (i + 1 < out.length) {
        const next = out[i + 1]!;
        const merged = new Uint8Array(datagram.length + next.length);
        merged.set(datagram);
        merged.set(next, datagram.length);
        out.splice(i, 2, merged);
      }
      break;
    case 'duplicate':
      out.splice(i, 0, datagram.slice());
      break;
    case 'drop':
      out.splice(i, 1);
      break;
    case 'swap': {
      const j = argument % out.length;
      [out[i], out[j]] = [out[j]!, datagram];
      break;
    }
    case 'insert':
      out.splice(i, 0, DATAGRAMS[argument % DATAGRAMS.length]!.slice());
      break;
  }
  return out;
}

/**
 * A reply sequence: one of `bases` (lists of datagrams), damaged by 0 to 3 changes to its
 * datagrams (bytes, words) or to the sequence (datagrams split, merged, repeated, dropped,
 * swapped, or taken from another reply).
 */
export function replySequence(bases: readonly Uint8Array[][]): fc.Arbitrary<Uint8Array[]> {
  return fc
    .tuple(
      fc.nat(bases.length - 1),
      fc.uint32Array({ maxLength: 9 }),
      fc.uint32Array({ maxLength: 27 }),
    )
    .map(([index, changes, list]) => {
      let datagrams: Uint8Array[] = bases[index]!.map((datagram) => datagram.slice());
      const bytes = { list, at: 0 };
      for (let c = 0; c + 2 < changes.length; c += 3) {
        datagrams = applySequence(
          datagrams,
          [changes[c]!, changes[c + 1]!, changes[c + 2]!],
          bytes,
        );
      }
      return datagrams;
    });
}

/** Each base sequence with one of its datagrams cut at every length: a reply cut short. */
export function cutSequences(bases: readonly Uint8Array[][]): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (const base of bases) {
    base.forEach((datagram, i) => {
      for (let length = 0; length < datagram.length; length++) {
        out.push(base.map((d, j) => (j === i ? d.subarray(0, length) : d)));
      }
    });
  }
  return out;
}

/** The message type of a captured datagram's first message (18 for the TCP dump, else 20). */
export const typeOf = (datagram: Uint8Array): number =>
  datagram.length >= 6 ? datagram[4]! | (datagram[5]! << 8) : 20;

/** The replayed channel ran out of datagrams: a reply that never ended. */
export class ReplayExhausted extends Error {
  override name = 'ReplayExhausted';
}

// Receive buffers by size, reused from case to case as the addon reuses its own: what an earlier
// reply left past the end of a datagram must not matter (and zeroing 64 KiB a channel cost more
// than the decoding).
const buffers = new Map<number, { buffer: Uint8Array; view: DataView }>();
function receiveBuffer(size: number): { buffer: Uint8Array; view: DataView } {
  let found = buffers.get(size);
  if (found === undefined) {
    const buffer = new Uint8Array(size);
    found = { buffer, view: new DataView(buffer.buffer) };
    buffers.set(size, found);
  }
  return found;
}

/**
 * A channel that answers each recv with the next datagram (cut to the buffer, returning its full
 * length, as recv with MSG_TRUNC does), and throws ReplayExhausted once there are none left: a
 * real socket would wait there for the rest of the reply. Channels of one size share a buffer.
 */
export function replayedChannel(
  datagrams: readonly Uint8Array[],
  bufferBytes = 65536,
  portId?: number,
): DiagChannel & { sent: Uint8Array[]; received: number } {
  const { buffer, view } = receiveBuffer(bufferBytes);
  let next = 0;
  const channel = {
    buffer,
    view,
    unsupported: new Set<string>(),
    supported: new Set<string>(),
    sent: [] as Uint8Array[],
    received: 0,
    nextSeq: () => SEQ,
    send(bytes: Uint8Array) {
      channel.sent.push(bytes);
    },
    recv(into: Uint8Array) {
      const datagram = datagrams[next++];
      if (datagram === undefined) throw new ReplayExhausted('no more datagrams');
      channel.received++;
      into.set(datagram.subarray(0, Math.min(datagram.length, into.length)));
      return datagram.length;
    },
    ...(portId === undefined ? {} : { portId }),
  };
  return channel;
}

/**
 * Errors a dump may end with: the ParseError kind (NetlinkParseError), the kernel's refusals
 * (NetlinkError), a dump interrupted twice, and the replay running out (a reply never ended).
 */
export const NETLINK_ERRORS = [ParseError, NetlinkError, ReplayExhausted, DumpInterruptedError];
/** What a message decoder may throw: only the ParseError kind. */
export const NetlinkParseErrorOnly = [ParseError];

/**
 * Runs a decoder: its value, or one of `allowed`. A ParseError must be a NetlinkParseError of
 * `kind`, with an offset inside the bytes (`length`); a NetlinkError must carry an errno and a
 * code.
 */
export function decoded<T>(
  run: () => T,
  kind: string,
  length: number,
  allowed: readonly (abstract new (...args: never[]) => Error)[] = NETLINK_ERRORS,
): Outcome<T> {
  const result = outcome(run, allowed);
  if (result.ok) return result;
  const error = result.error;
  if (error instanceof ParseError) {
    check(
      error instanceof NetlinkParseError,
      () => `a ParseError that is not netlink's: ${error.message}`,
    );
    check(error.kind === kind, () => `kind ${error.kind}, expected ${kind}`);
    check(
      Number.isSafeInteger(error.offset) && error.offset >= 0 && error.offset <= length,
      () => `offset ${error.offset} outside the ${length} bytes: ${error.message}`,
    );
  } else if (error instanceof NetlinkError) {
    // The docs promise a positive errno (a positive status in a reply is a parse error).
    check(
      Number.isSafeInteger(error.errno) && error.errno > 0 && typeof error.code === 'string',
      () => `NetlinkError errno ${error.errno} code ${error.code}: ${error.message}`,
    );
  } else if (error instanceof DumpInterruptedError) {
    check(Array.isArray(error.partial), 'DumpInterruptedError without partial entries');
  }
  return result;
}

const INET_STATES = new Set([
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
  'BOUND_INACTIVE',
  'UNKNOWN',
]);
const UNIX_STATES = new Set(['LISTEN', 'ESTABLISHED', 'UNCONNECTED', 'CONNECTING', 'UNKNOWN']);
const UNIX_TYPES = new Set(['stream', 'dgram', 'seqpacket']);

const INET_KEYS = new Set([
  'family',
  'protocol',
  'inode',
  'uid',
  'state',
  'localAddress',
  'localPort',
  'remoteAddress',
  'remotePort',
  'rxQueue',
  'txQueue',
  'backlog',
  'interfaceIndex',
  'cookie',
]);
const UNIX_KEYS = new Set([
  'family',
  'protocol',
  'inode',
  'uid',
  'state',
  'path',
  'abstract',
  'type',
  'peerInode',
  'rxQueue',
  'txQueue',
  'backlog',
  'cookie',
]);

/** Checks a decoded socket against SocketEntry's docs for its protocol. */
export function checkEntry(entry: SocketEntry, protocol: string): void {
  const where = () => JSON.stringify(entry, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  check(entry.protocol === protocol, () => `protocol of ${where()}`);
  check(isU32(entry.inode), () => `inode of ${where()}`);
  check(isUbig(entry.cookie), () => `cookie of ${where()}`);
  for (const key of ['rxQueue', 'txQueue', 'backlog', 'peerInode', 'interfaceIndex'] as const) {
    if (key in entry) check(isU32(entry[key]), () => `${key} of ${where()}`);
  }
  if (protocol === 'unix') {
    for (const key of Object.keys(entry)) check(UNIX_KEYS.has(key), () => `key ${key}`);
    check(entry.family === 'unix', 'family');
    check(entry.uid === -1 || isU32(entry.uid), () => `uid of ${where()}`);
    check(UNIX_STATES.has(entry.state), () => `state of ${where()}`);
    check(entry.type === undefined || UNIX_TYPES.has(entry.type), () => `type of ${where()}`);
    check(
      'path' in entry === 'abstract' in entry &&
        (entry.path === undefined || typeof entry.path === 'string'),
      () => `path of ${where()}`,
    );
    check(!('backlog' in entry) || entry.state === 'LISTEN', () => `backlog of ${where()}`);
    return;
  }
  for (const key of Object.keys(entry)) check(INET_KEYS.has(key), () => `key ${key}`);
  check(entry.family === 'inet' || entry.family === 'inet6', () => `family of ${where()}`);
  const isAddress = entry.family === 'inet' ? isIPv4 : isIPv6;
  check(
    isAddress(entry.localAddress ?? '') && isAddress(entry.remoteAddress ?? ''),
    () => `addresses of ${where()}`,
  );
  check(isPort(entry.localPort) && isPort(entry.remotePort), () => `ports of ${where()}`);
  check(isU32(entry.uid), () => `uid of ${where()}`);
  check(INET_STATES.has(entry.state), () => `state of ${where()}`);
  check(
    !('backlog' in entry) || (entry.state === 'LISTEN' && protocol === 'tcp'),
    () => `backlog of ${where()}`,
  );
}
