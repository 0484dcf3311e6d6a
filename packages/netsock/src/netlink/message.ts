import type { ProcFileKind } from '@procmon/parse';
import {
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  NLMSGERR_MIN_LEN,
} from './constants.js';
import { errnoName } from './errno.js';
import { NetlinkError, NetlinkParseError } from './errors.js';

/** Whether this machine stores numbers little-endian: netlink headers are in host order. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** How bytes reach the kernel and back: the addon's socket, or captured replies in tests. */
export interface NetlinkTransport {
  send(bytes: Uint8Array): void;
  /** Receives one datagram into `buffer`; returns its full length (more than the buffer if cut). */
  recv(buffer: Uint8Array): number;
  /**
   * The port id of the socket (getsockname), when known: every message the kernel sends in
   * answer to this socket's request carries it as nlmsg_pid, so a message with another one is
   * not an answer to us and is skipped.
   */
  readonly portId?: number;
}

/** A request: struct nlmsghdr followed by `payload`, padded to 4 bytes. */
export function encodeRequest(
  type: number,
  flags: number,
  seq: number,
  payload: Uint8Array,
): Uint8Array {
  const length = NLMSG_HDRLEN + payload.length;
  const bytes = new Uint8Array((length + 3) & ~3);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length, HOST_LITTLE_ENDIAN);
  view.setUint16(4, type, HOST_LITTLE_ENDIAN);
  view.setUint16(6, flags, HOST_LITTLE_ENDIAN);
  view.setUint32(8, seq, HOST_LITTLE_ENDIAN);
  view.setUint32(12, 0, HOST_LITTLE_ENDIAN); // nlmsg_pid: 0, the kernel fills in the port
  bytes.set(payload, NLMSG_HDRLEN);
  return bytes;
}

/** The flags of a dump request, and of a request for one object. */
export const DUMP_FLAGS = NLM_F_REQUEST | NLM_F_DUMP;
export const GET_FLAGS = NLM_F_REQUEST;

/**
 * Called for each data message of a reply: its type and where its payload lies in `bytes`
 * (`view` is a DataView over the same buffer).
 */
export type MessageHandler = (
  bytes: Uint8Array,
  view: DataView,
  type: number,
  start: number,
  length: number,
) => void;

/** What a finished exchange tells beyond its messages. */
export interface ExchangeResult {
  /** Some message carried NLM_F_DUMP_INTR: the table changed during the dump. */
  interrupted: boolean;
  /** Data messages handed to the handler. */
  messages: number;
}

/** One request and how to read its reply (see {@link exchange}). */
/** What a reply is walked for: whose it is, what it holds, and who takes each message. */
export interface WalkOptions {
  /** The request's sequence number: messages with another are left over, and skipped. */
  seq: number;
  /** What a NetlinkParseError names as the file that did not parse. */
  kind: ProcFileKind;
  /** The type of the reply's data messages: any other is a NetlinkParseError. */
  expectedType: number;
  onMessage: MessageHandler;
}

export interface ExchangeOptions extends WalkOptions {
  /** The request, sequence number `seq` in its header. */
  request: Uint8Array;
  /** Where each datagram is received, and a DataView over it. */
  buffer: Uint8Array;
  view: DataView;
}

/**
 * One request and its whole reply: sends `request` (sequence number `seq`), then receives
 * datagrams into `buffer` until the reply ends: NLMSG_DONE for a dump; for a single get, the
 * first message that is not part of a multipart reply. Messages with another sequence number
 * (left over from an earlier exchange), or, when the transport knows its port id, with another
 * nlmsg_pid (not an answer to this socket), are skipped. NLMSG_ERROR with an error, or NLMSG_DONE
 * carrying a negative status, throws NetlinkError; a malformed reply throws NetlinkParseError.
 */
export function exchange(transport: NetlinkTransport, options: ExchangeOptions): ExchangeResult {
  transport.send(options.request);
  const result: ExchangeResult = { interrupted: false, messages: 0 };
  const { buffer, view } = options;
  for (;;) {
    const received = transport.recv(buffer);
    if (takeDatagram(buffer, view, received, buffer.length, options, result, transport.portId)) {
      return result;
    }
  }
}

/**
 * The reply of an exchange made elsewhere (the addon's exchangeAsync, on libuv's thread pool),
 * walked exactly as `exchange` walks the datagrams it receives: `records` is the datagrams as
 * received, each a u32 of recv's full length (host order) then its bytes (at most
 * `options.buffer.length` of them), padded to 4. A reply that stops before its end is a
 * NetlinkParseError.
 */
export function walkReply(
  records: ArrayBuffer,
  options: ExchangeOptions,
  portId: number | undefined,
): ExchangeResult {
  const result: ExchangeResult = { interrupted: false, messages: 0 };
  const capacity = options.buffer.length;
  const all = new DataView(records);
  let at = 0;
  while (records.byteLength - at >= 4) {
    const received = all.getUint32(at, HOST_LITTLE_ENDIAN);
    const kept = Math.min(received, capacity, records.byteLength - at - 4);
    const bytes = new Uint8Array(records, at + 4, kept);
    const view = new DataView(records, at + 4, kept);
    if (takeDatagram(bytes, view, received, capacity, options, result, portId)) return result;
    at += (4 + kept + 3) & ~3;
  }
  throw new NetlinkParseError(
    options.kind,
    'the reply stopped before its end (no NLMSG_DONE)',
    new Uint8Array(records),
    records.byteLength,
  );
}

/**
 * One received datagram (`received` bytes, as recv said, into `bytes` of `capacity`): checked,
 * then walked; true when the reply ended in it. The one decoder of both exchanges.
 */
function takeDatagram(
  bytes: Uint8Array,
  view: DataView,
  received: number,
  capacity: number,
  options: ExchangeOptions,
  result: ExchangeResult,
  portId: number | undefined,
): boolean {
  const { kind } = options;
  if (received > capacity) {
    throw new NetlinkParseError(
      kind,
      `a ${received}-byte datagram does not fit the ${capacity}-byte receive buffer`,
      bytes,
      capacity,
    );
  }
  if (received === 0) {
    throw new NetlinkParseError(kind, 'empty datagram before the end of the reply', bytes, 0);
  }
  return walkDatagram(bytes, view, received, options, result, portId);
}

/**
 * Walks the messages of one datagram; true when the reply ended in it. Messages whose sequence
 * number is not `seq`, or whose nlmsg_pid is not `portId` (when given), are skipped.
 */
export function walkDatagram(
  bytes: Uint8Array,
  view: DataView,
  end: number,
  { seq, kind, expectedType, onMessage }: WalkOptions,
  result: ExchangeResult,
  portId?: number,
): boolean {
  let offset = 0;
  while (offset < end) {
    if (end - offset < NLMSG_HDRLEN) {
      throw new NetlinkParseError(
        kind,
        `${end - offset} bytes left, less than a message header`,
        bytes.subarray(0, end),
        offset,
      );
    }
    const length = view.getUint32(offset, HOST_LITTLE_ENDIAN);
    if (length < NLMSG_HDRLEN || length > end - offset) {
      throw new NetlinkParseError(
        kind,
        `message length ${length} does not fit the ${end - offset} bytes left`,
        bytes.subarray(0, end),
        offset,
      );
    }
    const type = view.getUint16(offset + 4, HOST_LITTLE_ENDIAN);
    const flags = view.getUint16(offset + 6, HOST_LITTLE_ENDIAN);
    const messageSeq = view.getUint32(offset + 8, HOST_LITTLE_ENDIAN);
    const next = offset + ((length + 3) & ~3);
    if (
      messageSeq !== seq ||
      (portId !== undefined && view.getUint32(offset + 12, HOST_LITTLE_ENDIAN) !== portId)
    ) {
      offset = next;
      continue;
    }
    if (flags & NLM_F_DUMP_INTR) result.interrupted = true;
    const payload = offset + NLMSG_HDRLEN;
    switch (type) {
      case NLMSG_DONE: {
        // Since Linux 4.x the DONE message carries the dump's status, an int.
        if (length >= NLMSG_HDRLEN + 4) {
          const status = view.getInt32(payload, HOST_LITTLE_ENDIAN);
          if (status < 0) throw netlinkError(-status, 'the dump ended with an error');
        }
        return true;
      }
      case NLMSG_ERROR: {
        if (length < NLMSGERR_MIN_LEN) {
          throw new NetlinkParseError(
            kind,
            `NLMSG_ERROR of ${length} bytes, shorter than struct nlmsgerr`,
            bytes.subarray(0, end),
            offset,
          );
        }
        const error = view.getInt32(payload, HOST_LITTLE_ENDIAN);
        if (error === 0) return true; // an acknowledgement
        // The kernel writes -errno: a positive status is no reply of the kernel's.
        if (error > 0) {
          throw new NetlinkParseError(
            kind,
            `NLMSG_ERROR with the positive status ${error} (the kernel writes -errno)`,
            bytes.subarray(0, end),
            payload,
          );
        }
        throw netlinkError(-error, 'the kernel refused the request');
      }
      case NLMSG_NOOP:
        break;
      case NLMSG_OVERRUN:
        throw new NetlinkError(
          'the kernel dropped part of the reply (NLMSG_OVERRUN)',
          105,
          'ENOBUFS',
        );
      default: {
        if (type !== expectedType) {
          throw new NetlinkParseError(
            kind,
            `message type ${type}, expected ${expectedType}`,
            bytes.subarray(0, end),
            offset + 4,
          );
        }
        result.messages++;
        onMessage(bytes, view, type, payload, length - NLMSG_HDRLEN);
        if ((flags & NLM_F_MULTI) === 0) return true; // the one answer of a get
      }
    }
    offset = next;
  }
  return false;
}

function netlinkError(errno: number, what: string): NetlinkError {
  const code = errnoName(errno);
  return new NetlinkError(`${what}: ${code} (errno ${errno})`, errno, code);
}

/**
 * Walks the attributes (struct nlattr / rtattr: u16 length, u16 type, value, padded to 4) in
 * `bytes[start, end)`, calling `onAttribute` with each one's type and value range. An attribute
 * whose length runs past `end` or is shorter than its header is a NetlinkParseError.
 */
export function walkAttributes(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  kind: ProcFileKind,
  onAttribute: (type: number, valueStart: number, valueLength: number) => void,
): void {
  let offset = start;
  while (end - offset >= 4) {
    const length = view.getUint16(offset, HOST_LITTLE_ENDIAN);
    if (length < 4 || length > end - offset) {
      throw new NetlinkParseError(
        kind,
        `attribute length ${length} does not fit the ${end - offset} bytes left of its message`,
        bytes,
        offset,
      );
    }
    // The top two bits are NLA_F_NESTED and NLA_F_NET_BYTEORDER.
    const type = view.getUint16(offset + 2, HOST_LITTLE_ENDIAN) & 0x3fff;
    onAttribute(type, offset + 4, length - 4);
    offset += (length + 3) & ~3;
  }
  if (offset < end) {
    throw new NetlinkParseError(
      kind,
      `${end - offset} stray bytes after the attributes`,
      bytes,
      offset,
    );
  }
}
