import { formatIPv6, INET_SOCKET_STATE_NAMES, type ProcFileKind } from '@procmon/parse';
import type { SocketEntry, SocketProtocol } from '../types.js';
import {
  AF_INET,
  AF_INET6,
  INET_DIAG_MSG_LEN,
  INET_DIAG_NOCOOKIE,
  INET_DIAG_REQ_LEN,
  INET_DIAG_REQ_V2_LEN,
  TCP_LISTEN,
} from './constants.js';
import { checkMessageHead } from './errors.js';
import { HOST_LITTLE_ENDIAN, walkAttributes } from './message.js';

/** struct inet_diag_sockid of a request: which socket an exact lookup wants. */
export interface InetSocketId {
  sourcePort: number;
  destinationPort: number;
  /** 4 bytes (IPv4) or 16 (IPv6), network order. */
  source: Uint8Array;
  destination: Uint8Array;
  interfaceIndex: number;
  /** The cookie, or undefined for INET_DIAG_NOCOOKIE. */
  cookie?: bigint;
}

/** What an inet_diag_req_v2 asks for. */
export interface InetDiagRequest {
  family: typeof AF_INET | typeof AF_INET6;
  protocol: number;
  /** Bit `1 << state` for each TCP state wanted. */
  states: number;
  /** Extensions (INET_DIAG_* bits, `1 << (ext - 1)`); 0 for none. */
  extensions?: number;
  /** For raw sockets: the IP protocol of the sockets (sdiag_raw_protocol); 0 for any. */
  rawProtocol?: number;
  /** An exact lookup's socket; a dump leaves it zero. */
  id?: InetSocketId;
  /**
   * A dump of only the sockets bound to this local port: a filter the kernel runs (an
   * INET_DIAG_REQ_BYTECODE attribute, `sport >= P && sport <= P`), so a table of thousands of
   * sockets returns the few on the port.
   */
  localPort?: number;
}

/** The request's INET_DIAG_REQ_BYTECODE attribute type. */
const INET_DIAG_REQ_BYTECODE = 1;
/** Bytecode ops (struct inet_diag_bc_op's code): the local port at least, at most. */
const INET_DIAG_BC_S_GE = 2;
const INET_DIAG_BC_S_LE = 3;
/** One op, and the op after a port comparison that holds the port: 4 bytes each. */
const BC_OP_LEN = 4;

/**
 * The attribute: `S_GE port; S_LE port`, each op followed by the port in the next op's `no`.
 * An op's `yes` skips to the next comparison, its `no` jumps past the end (4 bytes beyond
 * it), which the kernel reads as "not matched"; reaching the end exactly is "matched".
 */
function localPortBytecode(port: number): Uint8Array {
  const ops = 4 * BC_OP_LEN;
  const bytes = new Uint8Array(4 + ops);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, bytes.length, HOST_LITTLE_ENDIAN); // nla_len
  view.setUint16(2, INET_DIAG_REQ_BYTECODE, HOST_LITTLE_ENDIAN); // nla_type
  const op = (at: number, code: number, yes: number, no: number) => {
    bytes[4 + at] = code;
    bytes[4 + at + 1] = yes;
    view.setUint16(4 + at + 2, no, HOST_LITTLE_ENDIAN);
  };
  op(0, INET_DIAG_BC_S_GE, 2 * BC_OP_LEN, ops + BC_OP_LEN);
  op(BC_OP_LEN, 0, 0, port);
  op(2 * BC_OP_LEN, INET_DIAG_BC_S_LE, 2 * BC_OP_LEN, 2 * BC_OP_LEN + BC_OP_LEN);
  op(3 * BC_OP_LEN, 0, 0, port);
  return bytes;
}

function writeSockId(
  view: DataView,
  bytes: Uint8Array,
  at: number,
  id: InetSocketId | undefined,
): void {
  if (id === undefined) {
    view.setUint32(at + 40, INET_DIAG_NOCOOKIE, HOST_LITTLE_ENDIAN);
    view.setUint32(at + 44, INET_DIAG_NOCOOKIE, HOST_LITTLE_ENDIAN);
    return;
  }
  view.setUint16(at, id.sourcePort, false);
  view.setUint16(at + 2, id.destinationPort, false);
  bytes.set(id.source.subarray(0, 16), at + 4);
  bytes.set(id.destination.subarray(0, 16), at + 20);
  view.setUint32(at + 36, id.interfaceIndex, HOST_LITTLE_ENDIAN);
  const cookie = id.cookie;
  const low = cookie === undefined ? INET_DIAG_NOCOOKIE : Number(cookie & 0xffffffffn);
  const high = cookie === undefined ? INET_DIAG_NOCOOKIE : Number((cookie >> 32n) & 0xffffffffn);
  view.setUint32(at + 40, low, HOST_LITTLE_ENDIAN);
  view.setUint32(at + 44, high, HOST_LITTLE_ENDIAN);
}

/** The payload of a SOCK_DIAG_BY_FAMILY request for inet sockets: struct inet_diag_req_v2. */
export function encodeInetDiagRequest(request: InetDiagRequest): Uint8Array {
  const filter = request.localPort === undefined ? undefined : localPortBytecode(request.localPort);
  const bytes = new Uint8Array(INET_DIAG_REQ_V2_LEN + (filter?.length ?? 0));
  if (filter !== undefined) bytes.set(filter, INET_DIAG_REQ_V2_LEN);
  const view = new DataView(bytes.buffer);
  bytes[0] = request.family;
  bytes[1] = request.protocol;
  bytes[2] = request.extensions ?? 0;
  bytes[3] = request.rawProtocol ?? 0;
  view.setUint32(4, request.states >>> 0, HOST_LITTLE_ENDIAN);
  writeSockId(view, bytes, 8, request.id);
  return bytes;
}

/**
 * The payload of the legacy TCPDIAG_GETSOCK request (struct inet_diag_req): the kernel dumps TCP
 * sockets of both families in one walk of its hash tables (a SOCK_DIAG_BY_FAMILY dump walks
 * them once per family).
 */
export function encodeTcpDiagCompatRequest(states: number, extensions = 0): Uint8Array {
  const bytes = new Uint8Array(INET_DIAG_REQ_LEN);
  const view = new DataView(bytes.buffer);
  bytes[0] = AF_INET; // ignored by the kernel's compat path, which dumps AF_UNSPEC
  bytes[3] = extensions;
  writeSockId(view, bytes, 4, undefined);
  view.setUint32(52, states >>> 0, HOST_LITTLE_ENDIAN);
  return bytes;
}

// Most sockets share a few IPv4 addresses: each 32-bit value is formatted once.
const ipv4Text = new Map<number, string>();
function ipv4(bytes: Uint8Array, view: DataView, at: number): string {
  const key = view.getUint32(at, false);
  let text = ipv4Text.get(key);
  if (text === undefined) {
    text = `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
    if (ipv4Text.size >= 4096) ipv4Text.clear();
    ipv4Text.set(key, text);
  }
  return text;
}

const LOOPBACK6 = '::1';
const ANY6 = '::';
function ipv6(bytes: Uint8Array, at: number): string {
  // The two commonest addresses without building text.
  let zeros = true;
  for (let i = at; i < at + 15; i++) {
    if (bytes[i] !== 0) {
      zeros = false;
      break;
    }
  }
  if (zeros) {
    const last = bytes[at + 15];
    if (last === 0) return ANY6;
    if (last === 1) return LOOPBACK6;
  }
  return formatIPv6(bytes, at);
}

/** The kernel's state name of an inet socket; `UNKNOWN` for a number it does not use. */
export function inetStateName(state: number): string {
  return INET_SOCKET_STATE_NAMES[state] ?? 'UNKNOWN';
}

/** The inode of the inet_diag_msg at `start` (read before deciding to decode it all). */
export function inetMessageInode(view: DataView, start: number): number {
  return view.getUint32(start + 68, HOST_LITTLE_ENDIAN);
}

const INET_FAMILIES: readonly number[] = [AF_INET, AF_INET6];

/**
 * Checks that `length` bytes at `start` hold a struct inet_diag_msg of an inet family followed by
 * well-formed attributes; throws NetlinkParseError otherwise.
 */
export function checkInetMessage(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  length: number,
  kind: ProcFileKind,
): void {
  checkMessageHead(kind, 'inet_diag_msg', INET_DIAG_MSG_LEN, INET_FAMILIES, bytes, start, length);
  // The attributes' bounds, checked inline (no value is read): the common case costs a few loads.
  const end = start + length;
  let at = start + INET_DIAG_MSG_LEN;
  while (end - at >= 4) {
    const size = view.getUint16(at, HOST_LITTLE_ENDIAN);
    if (size < 4 || size > end - at) break;
    at += (size + 3) & ~3;
  }
  // Anything off: the careful walk names the problem.
  if (at < end) walkAttributes(bytes, view, start + INET_DIAG_MSG_LEN, end, kind, noop);
}

const noop = () => {};

/** The u32[2] cookie at `at` (word 0 the low half, in host order) as one 64-bit number. */
export function readCookie(view: DataView, at: number): bigint {
  if (HOST_LITTLE_ENDIAN) return view.getBigUint64(at, true);
  return (BigInt(view.getUint32(at + 4, false)) << 32n) | BigInt(view.getUint32(at, false));
}

/** Decodes a checked struct inet_diag_msg into an entry. */
export function decodeInetMessage(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  protocol: SocketProtocol,
): SocketEntry {
  const inet6 = bytes[start] === AF_INET6;
  const state = bytes[start + 1] as number;
  const localPort = view.getUint16(start + 4, false);
  const remotePort = view.getUint16(start + 6, false);
  const localAddress = inet6 ? ipv6(bytes, start + 8) : ipv4(bytes, view, start + 8);
  const remoteAddress = inet6 ? ipv6(bytes, start + 24) : ipv4(bytes, view, start + 24);
  const interfaceIndex = view.getUint32(start + 40, HOST_LITTLE_ENDIAN);
  const cookie = readCookie(view, start + 44);
  const rqueue = view.getUint32(start + 56, HOST_LITTLE_ENDIAN);
  const wqueue = view.getUint32(start + 60, HOST_LITTLE_ENDIAN);
  const uid = view.getUint32(start + 64, HOST_LITTLE_ENDIAN);
  const inode = view.getUint32(start + 68, HOST_LITTLE_ENDIAN);
  const entry: SocketEntry = {
    family: inet6 ? 'inet6' : 'inet',
    protocol,
    inode,
    uid,
    state: inetStateName(state),
    localAddress,
    localPort,
    remoteAddress,
    remotePort,
    rxQueue: rqueue,
    // A TCP listener's wqueue is its backlog limit, not bytes: /proc/net/tcp says 0 there.
    txQueue: state === TCP_LISTEN && protocol === 'tcp' ? 0 : wqueue,
    interfaceIndex,
    cookie,
  };
  if (state === TCP_LISTEN && protocol === 'tcp') entry.backlog = wqueue;
  return entry;
}
