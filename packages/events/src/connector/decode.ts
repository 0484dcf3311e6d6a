// One datagram of the kernel's proc connector into events. Pure: no node:*. The layout is
// linux/netlink.h (nlmsghdr), linux/connector.h (cn_msg) and linux/cn_proc.h (proc_event), in
// the host's byte order. Every length is checked before a field is read: a message that does not
// hold what its type needs is reported as malformed, never turned into an event.

import { decodeText } from '@procmon/parse';
import type { ProcessEvent } from '../types.js';

/** CN_IDX_PROC / CN_VAL_PROC: the only connector channel believed here. */
export const CN_IDX_PROC = 1;
export const CN_VAL_PROC = 1;
const NLMSG_DONE = 3;
const NLMSG_HEADER_BYTES = 16;
const CN_MSG_BYTES = 20;
/** what, cpu, timestamp_ns: the proc_event head before its union. */
const EVENT_HEAD_BYTES = 16;

/** proc_event.what (enum proc_cn_event). */
export const PROC_EVENT = {
  NONE: 0,
  FORK: 0x1,
  EXEC: 0x2,
  UID: 0x4,
  GID: 0x40,
  SID: 0x80,
  PTRACE: 0x100,
  COMM: 0x200,
  /** A filter flag of the LISTEN request (only exits with a non-zero code); never sent as `what`. */
  NONZERO_EXIT: 0x20000000,
  COREDUMP: 0x40000000,
  EXIT: 0x80000000,
} as const;

/** The union bytes each `what` needs (older kernels lack the parent fields of exit and coredump). */
const UNION_BYTES = new Map<number, number>([
  [PROC_EVENT.NONE, 4],
  [PROC_EVENT.FORK, 16],
  [PROC_EVENT.EXEC, 8],
  [PROC_EVENT.UID, 16],
  [PROC_EVENT.GID, 16],
  [PROC_EVENT.SID, 8],
  [PROC_EVENT.PTRACE, 16],
  [PROC_EVENT.COMM, 24],
  [PROC_EVENT.COREDUMP, 8],
  [PROC_EVENT.EXIT, 16],
]);
const COMM_BYTES = 16;

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One proc connector message, read: its numbering, and the event or the ack it carries. */
export interface ConnectorMessage {
  /** cn_msg.seq: the kernel numbers proc events per CPU (cn_proc.c, `local_event.count`). */
  seq: number;
  /** cn_msg.ack: on a LISTEN's ack, the request's ack plus one. */
  ack: number;
  cpu: number;
  what: number;
  /** The event, for a `what` known here. */
  event?: ProcessEvent | undefined;
  /** For `what` NONE, the answer to a LISTEN or IGNORE request: 0, or the errno. */
  listenError?: number | undefined;
}

/** Why a message was not read. */
export interface SkippedMessage {
  offset: number;
  reason: string;
  /** Whether it was broken (a length that lies, a cut field) rather than merely not ours. */
  malformed: boolean;
}

export interface DecodedDatagram {
  /** The messages read, in order; one with an unknown `what` has no event (but its seq counts). */
  messages: ConnectorMessage[];
  skipped: SkippedMessage[];
}

/** Decodes every netlink message of one datagram. Never throws on bad input: see `skipped`. */
export function decodeDatagram(bytes: Uint8Array): DecodedDatagram {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const messages: ConnectorMessage[] = [];
  const skipped: SkippedMessage[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < NLMSG_HEADER_BYTES) {
      skipped.push({
        offset: at,
        reason: `${bytes.length - at} bytes left, no nlmsghdr`,
        malformed: true,
      });
      break;
    }
    const length = view.getUint32(at, HOST_LITTLE_ENDIAN);
    if (length < NLMSG_HEADER_BYTES || length > bytes.length - at) {
      const reason = `nlmsg_len ${length} with ${bytes.length - at} bytes left`;
      skipped.push({ offset: at, reason, malformed: true });
      break;
    }
    const read = readMessage(view, at, length);
    if ('reason' in read) skipped.push(read);
    else messages.push(read);
    at += (length + 3) & ~3;
  }
  return { messages, skipped };
}

function readMessage(
  view: DataView,
  at: number,
  length: number,
): ConnectorMessage | SkippedMessage {
  const u32 = (offset: number) => view.getUint32(offset, HOST_LITTLE_ENDIAN);
  const type = view.getUint16(at + 4, HOST_LITTLE_ENDIAN);
  if (type !== NLMSG_DONE) return { offset: at, reason: `nlmsg_type ${type}`, malformed: false };
  if (length < NLMSG_HEADER_BYTES + CN_MSG_BYTES) {
    return { offset: at, reason: `nlmsg_len ${length}, no room for cn_msg`, malformed: true };
  }
  const cn = at + NLMSG_HEADER_BYTES;
  const idx = u32(cn);
  const val = u32(cn + 4);
  if (idx !== CN_IDX_PROC || val !== CN_VAL_PROC) {
    return { offset: at, reason: `connector id ${idx}/${val}, not proc`, malformed: false };
  }
  const dataBytes = view.getUint16(cn + 16, HOST_LITTLE_ENDIAN);
  if (dataBytes > length - NLMSG_HEADER_BYTES - CN_MSG_BYTES) {
    const reason = `cn_msg.len ${dataBytes} past nlmsg_len ${length}`;
    return { offset: at, reason, malformed: true };
  }
  if (dataBytes < EVENT_HEAD_BYTES) {
    return { offset: at, reason: `cn_msg.len ${dataBytes}, no proc_event head`, malformed: true };
  }
  const event = cn + CN_MSG_BYTES;
  const what = u32(event);
  const message: ConnectorMessage = {
    seq: u32(cn + 8),
    ack: u32(cn + 12),
    cpu: u32(event + 4),
    what,
  };
  const needs = UNION_BYTES.get(what);
  if (needs === undefined) return message; // a newer kernel's event: numbered, not understood
  const unionBytes = dataBytes - EVENT_HEAD_BYTES;
  if (unionBytes < needs) {
    const reason = `what 0x${what.toString(16)} needs ${needs} bytes of event data, has ${unionBytes}`;
    return { offset: at, reason, malformed: true };
  }
  if (what === PROC_EVENT.NONE) {
    message.listenError = u32(event + EVENT_HEAD_BYTES);
    return message;
  }
  message.event = eventOf(view, event, what, unionBytes);
  return message;
}

/** The event of a known, long enough proc_event at `start`. */
function eventOf(view: DataView, start: number, what: number, unionBytes: number): ProcessEvent {
  const data = start + EVENT_HEAD_BYTES;
  const i32 = (index: number) => view.getInt32(data + index * 4, HOST_LITTLE_ENDIAN);
  const u32 = (index: number) => view.getUint32(data + index * 4, HOST_LITTLE_ENDIAN);
  const base = {
    timestampNs: view.getBigUint64(start + 8, HOST_LITTLE_ENDIAN),
    cpu: view.getUint32(start + 4, HOST_LITTLE_ENDIAN),
    source: 'connector' as const,
  };
  const ids = { pid: i32(0), tgid: i32(1) };
  switch (what) {
    case PROC_EVENT.FORK:
      return {
        type: 'fork',
        ...base,
        parentPid: i32(0),
        parentTgid: i32(1),
        childPid: i32(2),
        childTgid: i32(3),
      };
    case PROC_EVENT.EXEC:
      return { type: 'exec', ...base, ...ids };
    case PROC_EVENT.UID:
    case PROC_EVENT.GID:
      return {
        type: what === PROC_EVENT.UID ? 'uid' : 'gid',
        ...base,
        ...ids,
        real: u32(2),
        effective: u32(3),
      };
    case PROC_EVENT.SID:
      return { type: 'sid', ...base, ...ids };
    case PROC_EVENT.PTRACE:
      return { type: 'ptrace', ...base, ...ids, tracerPid: i32(2), tracerTgid: i32(3) };
    case PROC_EVENT.COMM:
      return { type: 'comm', ...base, ...ids, comm: commOf(view, data + 8) };
    case PROC_EVENT.COREDUMP:
      return { type: 'coredump', ...base, ...ids, ...parentsOf(unionBytes >= 16, i32) };
    default:
      return exitOf(
        base,
        ids,
        u32(2),
        u32(3),
        parentsOf(unionBytes >= 24, (index) => i32(index + 2)),
      );
  }
}

function parentsOf(
  present: boolean,
  i32: (index: number) => number,
): { parentPid?: number; parentTgid?: number } {
  return present ? { parentPid: i32(2), parentTgid: i32(3) } : {};
}

/** Exit: `status` is the wait status (task->exit_code): a code, or the killing signal. */
function exitOf(
  base: { timestampNs: bigint; cpu: number; source: 'connector' },
  ids: { pid: number; tgid: number },
  status: number,
  exitSignal: number,
  parents: { parentPid?: number; parentTgid?: number },
): ProcessEvent {
  const signal = status & 0x7f;
  const outcome = signal === 0 ? { code: (status >> 8) & 0xff } : { signal };
  return { type: 'exit', ...base, ...ids, ...outcome, status, exitSignal, ...parents };
}

/** comm[16]: the kernel's bytes up to the first NUL, decoded as parse decodes a stat's comm. */
function commOf(view: DataView, start: number): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + start, COMM_BYTES);
  let end = bytes.indexOf(0);
  if (end < 0) end = COMM_BYTES;
  return decodeText('stat', bytes, 0, end, 'escape');
}
