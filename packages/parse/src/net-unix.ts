import { checkInput, type ProcInput, toBytes } from './input.js';
import { ColumnCursor, checkHeader, lineEnd } from './net-columns.js';
import { hexDigit, readUint } from './numbers.js';
import { decodeText, type TextDecoding } from './text.js';

/** A unix socket's type by name: `SOCK_STREAM` (1), `SOCK_DGRAM` (2), `SOCK_SEQPACKET` (5). */
export type UnixSocketTypeName = 'stream' | 'dgram' | 'seqpacket' | 'unknown';

/**
 * The `St` column by name (the kernel's `SS_*` socket states). A socket the kernel has not yet
 * handed to a process (a connection waiting in a listener's queue) is `CONNECTING`, or
 * `DISCONNECTING` once its peer is gone.
 */
export type UnixSocketStateName =
  | 'UNCONNECTED'
  | 'CONNECTING'
  | 'CONNECTED'
  | 'DISCONNECTING'
  | 'UNKNOWN';

/** One row of `/proc/net/unix`. */
export interface UnixSocketEntry {
  /** The `RefCount` column: the kernel's reference count on the socket. */
  refCount: number;
  /** The `Protocol` column; always 0 for unix sockets. */
  protocol: number;
  /** The `Flags` column: `__SO_ACCEPTCON` (0x10000) on a listener, no other bit in use. */
  flags: number;
  /** Whether the socket is listening (`__SO_ACCEPTCON` set). */
  listening: boolean;
  /** The socket type number (`Type`); see `typeName`. */
  type: number;
  /** The type's name; `unknown` for a number other than 1, 2 or 5 (the number stays in `type`). */
  typeName: UnixSocketTypeName;
  /** The `St` column: 1 unconnected, 2 connecting, 3 connected, 4 disconnecting. */
  state: number;
  /** The state's name; `UNKNOWN` for any other number (the number stays in `state`). */
  stateName: UnixSocketStateName;
  /** The socket's inode (the `N` of `socket:[N]` fd links); 0 for a socket no process has yet. */
  inode: number;
  /**
   * The bound name, or null for an unnamed socket. For an abstract name, without the leading `@`
   * the kernel writes. The kernel's text is lossy here, and so is this field:
   * - it writes each NUL byte of an abstract name as `@`, so `@` in an abstract name may have
   *   been a NUL (a name bound with the full `sun_path` length ends in many `@`s);
   * - a relative filesystem path that starts with `@` looks exactly like an abstract name;
   * - a newline in a name ends the kernel's line. A following line that does not read as a row
   *   is taken as the rest of the name (so a name with a newline reads right), but a name can
   *   hold text that reads as a whole row, which then appears as a separate entry: any process
   *   can forge rows this way. When that matters, ask sock_diag (UNIX_DIAG_NAME) instead.
   */
  path: string | null;
  /** Whether `path` was written as an abstract name (leading `@`). */
  abstract: boolean;
}

/** Options of {@link parseNetUnix}. */
export interface ParseNetUnixOptions {
  /** How path bytes become a string; default `'escape'` (lossless). */
  decoding?: TextDecoding;
}

const KIND = 'net/unix';
const _SPACE = 0x20;
const COLON = 0x3a;
const _NEWLINE = 0x0a;
const AT = 0x40;
const SO_ACCEPTCON = 0x10000;
const HEADER = ['Num', 'RefCount', 'Protocol', 'Flags', 'Type', 'St', 'Inode', 'Path'];

const TYPE_NAMES: readonly (UnixSocketTypeName | undefined)[] = [
  undefined,
  'stream',
  'dgram',
  undefined,
  undefined,
  'seqpacket',
];
const STATE_NAMES: readonly (UnixSocketStateName | undefined)[] = [
  undefined,
  'UNCONNECTED',
  'CONNECTING',
  'CONNECTED',
  'DISCONNECTING',
];

// sun_path holds 108 bytes; an abstract name is printed with a leading "@".
const MAX_PRINTED_NAME_BYTES = 108 + 1;

/**
 * Parses `/proc/net/unix` (or `/proc/<pid>/net/unix`, the table of that process's network
 * namespace). Paths may hold any byte but NUL and are decoded as `options.decoding` says.
 *
 * Returns one entry per socket, in file order. Throws ParseError when the header is not the
 * kernel's, when a row lacks a column or has a malformed one (the message names the line and
 * column) and is not the continuation of a name with a newline, when the input does not end with
 * a newline (it was cut short, maybe inside a path), or for an unknown decoding.
 */
export function parseNetUnix(input: ProcInput, options?: ParseNetUnixOptions): UnixSocketEntry[] {
  checkInput(KIND, input);
  const decoding = options?.decoding ?? 'escape';
  decodeText(KIND, new Uint8Array(0), 0, 0, decoding); // rejects an unknown decoding up front
  const bytes = toBytes(input);
  const headerEnd = lineEnd(KIND, bytes, 0, 1);
  checkHeader(KIND, bytes, headerEnd, HEADER);
  const reader = new UnixRowReader(bytes, decoding);
  const entries: UnixSocketEntry[] = [];
  let lastPathStart = -1;
  let line = 2;
  for (let start = headerEnd + 1; start < bytes.length; line++) {
    const end = lineEnd(KIND, bytes, start, line);
    let entry: UnixSocketEntry;
    // A line that is not a row may continue the name above (a name holding a newline), but no
    // name is longer than sun_path: past that, such a line is an error. This also keeps the
    // re-decoding of a growing name linear.
    reader.probing = lastPathStart >= 0 && end - lastPathStart <= MAX_PRINTED_NAME_BYTES;
    try {
      entry = reader.read(start, end, line);
    } catch (error) {
      const last = entries[entries.length - 1];
      if (error !== NOT_A_ROW || last === undefined) throw error;
      // The previous row's name went on past a newline.
      last.path = reader.path(lastPathStart, end, last.abstract);
      start = end + 1;
      continue;
    }
    lastPathStart = reader.pathStart;
    entries.push(entry);
    start = end + 1;
  }
  return entries;
}

// Thrown instead of a ParseError while a line may still be the rest of a name: building an
// error's message and stack for every such line would let names with many newlines slow the
// parse down by microseconds a line.
const NOT_A_ROW = Object.freeze({ notARow: true });

class UnixRowReader extends ColumnCursor {
  /** Where the last row's name starts (at its `@` if abstract), or -1 if it has none. */
  pathStart = -1;
  /** Whether a line that is not a row would continue the previous name rather than be an error. */
  probing = false;

  constructor(
    bytes: Uint8Array,
    private readonly decoding: TextDecoding,
  ) {
    super(KIND, bytes);
  }

  read(start: number, end: number, line: number): UnixSocketEntry {
    this.startRow(start, end, line);
    this.pathStart = -1;
    // The socket's kernel address (`%pK`: hashed, zeroed or, for the privileged, real, so it can
    // pass 2^53): only its shape is checked.
    const numStart = this.next('Num');
    if (this.pos - numStart < 2 || this.bytes[this.pos - 1] !== COLON) {
      throw this.error('Num', this.pos - 1, 'does not end with ":"');
    }
    for (let i = numStart; i < this.pos - 1; i++) {
      if (hexDigit(this.bytes[i] as number) < 0) throw this.error('Num', i, 'is not hex digits');
    }
    const refCount = this.hexColumn('RefCount');
    const protocol = this.hexColumn('Protocol');
    const flags = this.hexColumn('Flags');
    const type = this.hexColumn('Type');
    const state = this.hexColumn('St');
    const inodeStart = this.next('Inode');
    let inode: number;
    try {
      inode = readUint(KIND, this.bytes, inodeStart, this.pos);
    } catch (error) {
      throw this.rethrow(error, 'Inode', 'is not a decimal number');
    }
    let path: string | null = null;
    let abstract = false;
    // Exactly one space before the name: any further spaces are part of it.
    if (this.pos < end) {
      const pathStart = this.pos + 1;
      if (pathStart >= end) throw this.error('Path', pathStart, 'is empty after its space');
      // A whole row: from here on its errors (a path that is not UTF-8 under 'strict') are real.
      this.probing = false;
      abstract = this.bytes[pathStart] === AT;
      path = this.path(pathStart, end, abstract);
      this.pathStart = pathStart;
    }
    return {
      refCount,
      protocol,
      flags,
      listening: (flags & SO_ACCEPTCON) !== 0,
      type,
      typeName: TYPE_NAMES[type] ?? 'unknown',
      state,
      stateName: STATE_NAMES[state] ?? 'UNKNOWN',
      inode,
      path,
      abstract,
    };
  }

  /** The name written at `bytes[start, end)`, without the `@` of an abstract one. */
  path(start: number, end: number, abstract: boolean): string {
    return decodeText(KIND, this.bytes, abstract ? start + 1 : start, end, this.decoding);
  }

  // While probing, a line that is not a row is cheap to reject: no message, no stack.
  protected override error(column: string, offset: number, problem: string): unknown {
    return this.probing ? NOT_A_ROW : super.error(column, offset, problem);
  }
}
