import { decodeText, type ProcFileKind, UNIX_SOCKET_TYPE_NAMES } from '@procmon/parse';
import type { SocketEntry } from '../types.js';
import {
  AF_UNIX,
  INET_DIAG_NOCOOKIE,
  TCP_CLOSE,
  TCP_ESTABLISHED,
  TCP_LISTEN,
  TCP_SYN_SENT,
  UDIAG_SHOW_NAME,
  UDIAG_SHOW_PEER,
  UDIAG_SHOW_RQLEN,
  UDIAG_SHOW_UID,
  UNIX_DIAG_MSG_LEN,
  UNIX_DIAG_NAME,
  UNIX_DIAG_PEER,
  UNIX_DIAG_REQ_LEN,
  UNIX_DIAG_RQLEN,
  UNIX_DIAG_UID,
} from './constants.js';
import { checkMessageHead, NetlinkParseError } from './errors.js';
import { readCookie } from './inet.js';
import { HOST_LITTLE_ENDIAN, walkAttributes } from './message.js';

const KIND: ProcFileKind = 'net/unix';

/** What the resolver asks unix_diag to show: name, peer, queue lengths, owner. */
export const UNIX_SHOW = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;

/** What a unix_diag_req asks for. */
export interface UnixDiagRequest {
  /** Bit `1 << state` for each state wanted (TCP_ESTABLISHED, TCP_LISTEN, TCP_CLOSE, ...). */
  states: number;
  /** UDIAG_SHOW_* bits. */
  show: number;
  /** For a lookup of one socket: its inode (a dump leaves it 0). */
  inode?: number;
  /** For a lookup of one socket: its cookie, or undefined for "any" (INET_DIAG_NOCOOKIE). */
  cookie?: bigint;
}

/** The payload of a SOCK_DIAG_BY_FAMILY request for unix sockets: struct unix_diag_req. */
export function encodeUnixDiagRequest(request: UnixDiagRequest): Uint8Array {
  const bytes = new Uint8Array(UNIX_DIAG_REQ_LEN);
  const view = new DataView(bytes.buffer);
  bytes[0] = AF_UNIX;
  view.setUint32(4, request.states >>> 0, HOST_LITTLE_ENDIAN);
  view.setUint32(8, request.inode ?? 0, HOST_LITTLE_ENDIAN);
  view.setUint32(12, request.show >>> 0, HOST_LITTLE_ENDIAN);
  const cookie = request.cookie;
  view.setUint32(
    16,
    cookie === undefined ? INET_DIAG_NOCOOKIE : Number(cookie & 0xffffffffn),
    HOST_LITTLE_ENDIAN,
  );
  view.setUint32(
    20,
    cookie === undefined ? INET_DIAG_NOCOOKIE : Number((cookie >> 32n) & 0xffffffffn),
    HOST_LITTLE_ENDIAN,
  );
  return bytes;
}

/** The name of a unix socket's sock_diag state (the kernel uses TCP state numbers for them). */
export function unixStateName(state: number): string {
  switch (state) {
    case TCP_ESTABLISHED:
      return 'ESTABLISHED';
    case TCP_LISTEN:
      return 'LISTEN';
    case TCP_CLOSE:
      return 'UNCONNECTED';
    case TCP_SYN_SENT:
      return 'CONNECTING';
    default:
      return 'UNKNOWN';
  }
}

/** The inode of the unix_diag_msg at `start`. */
export function unixMessageInode(view: DataView, start: number): number {
  return view.getUint32(start + 4, HOST_LITTLE_ENDIAN);
}

const UNIX_FAMILIES: readonly number[] = [AF_UNIX];

/** Checks the fixed part of a struct unix_diag_msg; throws NetlinkParseError otherwise. */
export function checkUnixMessage(bytes: Uint8Array, start: number, length: number): void {
  checkMessageHead(KIND, 'unix_diag_msg', UNIX_DIAG_MSG_LEN, UNIX_FAMILIES, bytes, start, length);
}

/**
 * Decodes a struct unix_diag_msg and its attributes (checked as they are walked). The name
 * attribute holds `sun_path` as bound: an abstract name starts with a NUL (left out of `path`;
 * NULs inside it are kept), a filesystem path ends with one (left out).
 */
export function decodeUnixMessage(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  length: number,
): SocketEntry {
  const type = bytes[start + 1] as number;
  const state = bytes[start + 2] as number;
  const inode = view.getUint32(start + 4, HOST_LITTLE_ENDIAN);
  const cookie = readCookie(view, start + 8);
  const entry: SocketEntry = {
    family: 'unix',
    protocol: 'unix',
    inode,
    uid: -1,
    state: unixStateName(state),
    cookie,
  };
  const typeName = UNIX_SOCKET_TYPE_NAMES[type];
  if (typeName !== undefined) entry.type = typeName;
  walkAttributes(bytes, view, start + UNIX_DIAG_MSG_LEN, start + length, KIND, (attr, at, size) => {
    switch (attr) {
      case UNIX_DIAG_NAME: {
        if (size === 0) break;
        if (bytes[at] === 0) {
          entry.abstract = true;
          entry.path = decodeText(KIND, bytes, at + 1, at + size, 'escape');
        } else {
          let end = bytes.indexOf(0, at);
          if (end < 0 || end > at + size) end = at + size;
          entry.abstract = false;
          entry.path = decodeText(KIND, bytes, at, end, 'escape');
        }
        break;
      }
      case UNIX_DIAG_PEER:
        need(bytes, at, size, 4, 'UNIX_DIAG_PEER');
        entry.peerInode = view.getUint32(at, HOST_LITTLE_ENDIAN);
        break;
      case UNIX_DIAG_RQLEN: {
        need(bytes, at, size, 8, 'UNIX_DIAG_RQLEN');
        const rqueue = view.getUint32(at, HOST_LITTLE_ENDIAN);
        const wqueue = view.getUint32(at + 4, HOST_LITTLE_ENDIAN);
        entry.rxQueue = rqueue;
        if (state === TCP_LISTEN) {
          entry.txQueue = 0;
          entry.backlog = wqueue;
        } else {
          entry.txQueue = wqueue;
        }
        break;
      }
      case UNIX_DIAG_UID:
        need(bytes, at, size, 4, 'UNIX_DIAG_UID');
        entry.uid = view.getUint32(at, HOST_LITTLE_ENDIAN);
        break;
    }
  });
  return entry;
}

function need(bytes: Uint8Array, at: number, size: number, wanted: number, what: string): void {
  if (size < wanted) {
    throw new NetlinkParseError(KIND, `${what} of ${size} bytes, expected ${wanted}`, bytes, at);
  }
}
