import { COLON } from './bytes.js';
import { ParseError, type ProcFileKind, shownValue } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { formatIPv6 } from './net-address.js';
import { ColumnCursor, checkHeader, lineEnd } from './net-columns.js';
import { hexDigit, readInt } from './numbers.js';

/**
 * The transport of an inet socket table: `/proc/net/{tcp,udp,raw,udplite}` and their `6` twins,
 * and `/proc/net/icmp{,6}` (ICMP "ping" sockets: `SOCK_DGRAM` with `IPPROTO_ICMP`; the local port
 * is the echo identifier).
 */
export type InetProtocol = 'tcp' | 'udp' | 'raw' | 'udplite' | 'icmp';

/** Which table of a protocol: `inet` for `/proc/net/tcp`, `inet6` for `/proc/net/tcp6`. */
export type InetFamily = 'inet' | 'inet6';

/**
 * Names of the kernel's socket states (`TCP_ESTABLISHED` ... in `include/net/tcp_states.h`),
 * which every inet socket uses: an unconnected UDP or raw socket is `CLOSE` (7), a connected one
 * `ESTABLISHED` (1). `UNKNOWN` is for a number this table does not know.
 */
export type InetSocketStateName =
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT1'
  | 'FIN_WAIT2'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'NEW_SYN_RECV'
  | 'BOUND_INACTIVE'
  | 'UNKNOWN';

/** The kernel's socket state numbers and their names; numbers not in it are `UNKNOWN`. */
export const INET_SOCKET_STATE_NAMES: Readonly<
  Record<number, Exclude<InetSocketStateName, 'UNKNOWN'>>
> = Object.freeze({
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'NEW_SYN_RECV',
  13: 'BOUND_INACTIVE',
});

const STATE_NAME_LIST: readonly InetSocketStateName[] = [
  'UNKNOWN',
  ...Object.values(INET_SOCKET_STATE_NAMES),
];

/** The name of a kernel socket state number (`10` is `LISTEN`); `UNKNOWN` for any other number. */
export function inetSocketStateName(state: number): InetSocketStateName {
  return (Number.isInteger(state) && STATE_NAME_LIST[state]) || 'UNKNOWN';
}

/**
 * One row of an inet socket table. Every number is the kernel's, unscaled.
 *
 * The kernel sometimes writes rows in a shorter form; the fields it leaves out there read as it
 * wrote them: a TIME_WAIT socket (and a FIN_WAIT2 socket whose process closed it) has inode 0,
 * uid 0 and `timerActive` 3; a connection request not yet accepted has inode 0 and is written
 * with state 3 (`SYN_RECV`) even though the kernel holds it as `NEW_SYN_RECV`.
 */
export interface InetSocketEntry {
  family: InetFamily;
  protocol: InetProtocol;
  /** The `sl` column: the row's hash bucket (udp, raw) or a running number (tcp); not unique. */
  slot: number;
  /** Text of the local address: `127.0.0.1`, or RFC 5952 IPv6 (`::1`, `::ffff:127.0.0.1`). */
  localAddress: string;
  /** Local port; for raw sockets the IP protocol number the socket was opened for (1 is ICMP). */
  localPort: number;
  remoteAddress: string;
  /** Remote port; 0 when unconnected, and always 0 for raw sockets. */
  remotePort: number;
  /** The kernel's state number (`st`); see {@link inetSocketStateName}. */
  state: number;
  stateName: InetSocketStateName;
  /** Bytes queued to send (tcp: not yet acknowledged by the peer). */
  txQueue: number;
  /** Bytes received and not yet read; for a tcp listener, connections waiting for `accept`. */
  rxQueue: number;
  /**
   * The `tr` column, which timer is pending: 0 none, 1 retransmit (or loss probe), 2 keepalive,
   * 3 TIME_WAIT, 4 zero window probe. Always 0 for udp and raw.
   */
  timerActive: number;
  /** The `tm->when` column: clock ticks (USER_HZ, usually 100 a second) until the timer fires. */
  timerExpiresTicks: number;
  /** The `retrnsmt` column: unrecovered retransmit timeouts (tcp), or requests' SYN-ACK resends. */
  retransmits: number;
  /** Owner's uid as seen from the namespace of the process that read the file. */
  uid: number;
  /** The `timeout` column: for tcp, unanswered zero window or keepalive probes; 0 otherwise. */
  timeout: number;
  /** The socket's inode (the `N` of `socket:[N]` fd links); 0 for rows without a socket. */
  inode: number;
  /** The `ref` column: the kernel's reference count on the socket. */
  refCount: number;
  /** Datagrams dropped on receive (udp, udplite, raw); absent for tcp, which has no such column. */
  drops?: number;
}

/** What {@link parseNetInet} needs to know about the table it reads. */
export interface ParseNetInetOptions {
  protocol: InetProtocol;
  family: InetFamily;
  /**
   * Byte order of the machine that wrote the file: the kernel prints each 32-bit word of an
   * address as the number it is in that machine's memory. Default `true` (x86, arm64, riscv).
   */
  littleEndian?: boolean;
}

const BASE_HEADER = [
  'sl',
  'local_address',
  'rem_address',
  'st',
  'tx_queue',
  'rx_queue',
  'tr',
  'tm->when',
  'retrnsmt',
  'uid',
  'timeout',
  'inode',
];
const HEADERS: Record<InetProtocol, Record<InetFamily, readonly string[]>> = {
  tcp: headers([]),
  udp: headers(['ref', 'pointer', 'drops']),
  raw: headers(['ref', 'pointer', 'drops']),
  udplite: headers(['ref', 'pointer', 'drops']),
  icmp: headers(['ref', 'pointer', 'drops']),
};

function isInetProtocol(value: unknown): value is InetProtocol {
  return typeof value === 'string' && Object.hasOwn(KINDS, value);
}

function headers(tail: string[]): Record<InetFamily, readonly string[]> {
  const inet6 = BASE_HEADER.map((word) => (word === 'rem_address' ? 'remote_address' : word));
  return { inet: [...BASE_HEADER, ...tail], inet6: [...inet6, ...tail] };
}

const KINDS: Record<InetProtocol, ProcFileKind> = {
  tcp: 'net/tcp',
  udp: 'net/udp',
  udplite: 'net/udp',
  raw: 'net/raw',
  icmp: 'net/icmp',
};

/**
 * Parses an inet socket table: `/proc/net/{tcp,tcp6,udp,udp6,raw,raw6,udplite,udplite6,icmp,icmp6}` or the
 * same file under `/proc/<pid>/net/`, which shows that process's network namespace. The family
 * and protocol come from `options`, never from the look of an address, and the header must be
 * the one the kernel writes for them (udp, udplite, raw and icmp tables share one header, so
 * between those four the protocol cannot be checked).
 *
 * Returns one entry per row, in file order. Throws ParseError when the header is not the
 * expected one, when a row lacks a column or has a malformed one (the message names the line and
 * column), when the input does not end with a newline (the kernel ends every line, so it was cut
 * short), or when `options` names no known protocol or family.
 */
export function parseNetInet(input: ProcInput, options: ParseNetInetOptions): InetSocketEntry[] {
  const protocol = options?.protocol;
  const family = options?.family;
  if (!isInetProtocol(protocol)) {
    throw new ParseError('net/tcp', `unknown protocol "${shownValue(protocol)}"`, '', 0);
  }
  const kind = KINDS[protocol];
  checkInput(kind, input);
  if (family !== 'inet' && family !== 'inet6') {
    throw new ParseError(kind, `unknown family "${shownValue(family)}"`, '', 0);
  }
  const bytes = toBytes(input);
  const headerEnd = lineEnd(kind, bytes, 0, 1);
  checkHeader(kind, bytes, headerEnd, HEADERS[protocol][family]);
  const reader = new RowReader(kind, bytes, protocol, family, options.littleEndian !== false);
  const entries: InetSocketEntry[] = [];
  let line = 2;
  for (let start = headerEnd + 1; start < bytes.length; line++) {
    const end = lineEnd(kind, bytes, start, line);
    entries.push(reader.read(start, end, line));
    start = end + 1;
  }
  return entries;
}

/** Reads one row of an inet table, column by column. */
class RowReader extends ColumnCursor {
  private readonly addressDigits: number;
  private readonly scratch = new Uint8Array(16);
  // Most rows share a few IPv4 addresses (0.0.0.0, loopback, the host's own): format each once.
  private readonly ipv4Text = new Map<number, string>();

  constructor(
    kind: ProcFileKind,
    bytes: Uint8Array,
    private readonly protocol: InetProtocol,
    private readonly family: InetFamily,
    private readonly littleEndian: boolean,
  ) {
    super(kind, bytes);
    this.addressDigits = family === 'inet' ? 8 : 32;
  }

  read(start: number, end: number, line: number): InetSocketEntry {
    this.startRow(start, end, line);
    const slotStart = this.next('sl');
    if (this.pos - slotStart < 2 || this.bytes[this.pos - 1] !== COLON) {
      throw this.error('sl', this.pos - 1, 'does not end with ":"');
    }
    const slot = this.decimal('sl', slotStart, this.pos - 1);
    const localAddress = this.address('local_address');
    const localPort = this.port('local_address');
    const remoteName = this.family === 'inet' ? 'rem_address' : 'remote_address';
    const remoteAddress = this.address(remoteName);
    const remotePort = this.port(remoteName);
    const state = this.hexColumn('st');
    const txStart = this.next('tx_queue');
    const txEnd = this.colon('tx_queue', txStart);
    const txQueue = this.hex('tx_queue', txStart, txEnd);
    const rxQueue = this.hex('rx_queue', txEnd + 1, this.pos);
    const trStart = this.next('tr');
    const trEnd = this.colon('tr', trStart);
    const timerActive = this.hex('tr', trStart, trEnd);
    const timerExpiresTicks = this.hex('tm->when', trEnd + 1, this.pos);
    const retransmits = this.hexColumn('retrnsmt');
    const uid = this.decimalColumn('uid');
    const timeout = this.signedColumn('timeout');
    const inode = this.decimalColumn('inode');
    const refCount = this.signedColumn('ref');
    // The socket's kernel address, hashed or zeroed by kptr_restrict: present, never read.
    this.next('pointer');
    const entry: InetSocketEntry = {
      family: this.family,
      protocol: this.protocol,
      slot,
      localAddress,
      localPort,
      remoteAddress,
      remotePort,
      state,
      stateName: inetSocketStateName(state),
      txQueue,
      rxQueue,
      timerActive,
      timerExpiresTicks,
      retransmits,
      uid,
      timeout,
      inode,
      refCount,
    };
    // udp, udplite and raw rows end with a drop count; tcp rows go on with columns not read.
    if (this.protocol !== 'tcp') entry.drops = this.decimalColumn('drops');
    return entry;
  }

  private decimalColumn(column: string): number {
    const start = this.next(column);
    return this.decimal(column, start, this.pos);
  }

  private signedColumn(column: string): number {
    const start = this.next(column);
    try {
      return readInt(this.kind, this.bytes, start, this.pos);
    } catch (error) {
      throw this.rethrow(error, column, 'is not a decimal number');
    }
  }

  /** Offset of the `:` splitting the current column in two halves. */
  private colon(column: string, start: number): number {
    const at = this.bytes.indexOf(COLON, start);
    if (at < 0 || at >= this.pos) throw this.error(column, start, 'has no ":"');
    return at;
  }

  /** Reads the address half of an `ADDRESS:PORT` column and leaves `this.pos` at its colon. */
  private address(column: string): string {
    const start = this.next(column);
    const digits = this.addressDigits;
    if (this.pos - start !== digits + 5 || this.bytes[start + digits] !== COLON) {
      throw this.error(column, start, `is not ${digits} hex digits, ":" and a 4-digit hex port`);
    }
    this.pos = start + digits;
    if (digits === 8) {
      const word = this.word(column, start);
      let text = this.ipv4Text.get(word);
      if (text === undefined) {
        text = this.littleEndian
          ? `${word & 0xff}.${(word >>> 8) & 0xff}.${(word >>> 16) & 0xff}.${word >>> 24}`
          : `${word >>> 24}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
        this.ipv4Text.set(word, text);
      }
      return text;
    }
    const scratch = this.scratch;
    for (let i = 0; i < 4; i++) {
      const word = this.word(column, start + 8 * i);
      const at = 4 * i;
      if (this.littleEndian) {
        scratch[at] = word;
        scratch[at + 1] = word >>> 8;
        scratch[at + 2] = word >>> 16;
        scratch[at + 3] = word >>> 24;
      } else {
        scratch[at] = word >>> 24;
        scratch[at + 1] = word >>> 16;
        scratch[at + 2] = word >>> 8;
        scratch[at + 3] = word;
      }
    }
    return formatIPv6(scratch);
  }

  /** The port after the address: `this.pos` is at the colon, and moves to the column's end. */
  private port(column: string): number {
    const start = this.pos + 1;
    this.pos = start + 4;
    return this.hex(column, start, this.pos);
  }

  /** Eight hex digits at `start` as an unsigned 32-bit number. */
  private word(column: string, start: number): number {
    let value = 0;
    for (let i = start; i < start + 8; i++) {
      const digit = hexDigit(this.bytes[i] as number);
      if (digit < 0) throw this.error(column, i, 'has a byte that is not a hex digit');
      value = value * 16 + digit;
    }
    return value;
  }
}
