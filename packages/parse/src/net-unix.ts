import { ParseError } from './errors.js';
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
   *   is taken as the rest of the name (so a name with a newline reads right; a name that starts
   *   with one leaves its row's line ending in a space, and the next line is always its text),
   *   but a name can hold text that reads as a whole row: that text is then an entry of its own,
   *   with `possiblyForged` set, and this name stops before it, with `pathMayContinue` set. Any
   *   process can bind such a name. Only sock_diag (UNIX_DIAG_NAME) gives names exactly.
   */
  path: string | null;
  /** Whether `path` was written as an abstract name (leading `@`). */
  abstract: boolean;
  /**
   * Whether this row may be text of a name rather than a row the kernel wrote. When true,
   * nothing in it is proven, not even that its inode is a unix socket; when false, its columns
   * are the kernel's (and its path, unless `pathMayContinue`).
   *
   * The kernel writes one row per socket and a name as it is, newlines included, so a process
   * can bind a name that holds a whole row, claiming any inode, name, type and state, and it
   * reads as a row: the text alone cannot tell it from the kernel's. It can only be where the
   * name's text is: right after the row of the socket that holds the name, within 108 bytes of
   * that name's start (the most the kernel prints of a name). So a row is possibly forged when
   * its line ends at most 109 bytes (one of margin) after the start of a name printed in an
   * earlier row, or when the kernel would not print it in this shape (column widths, case of the
   * hex digits, the first row's `Num` width). Out of reach of every earlier name and in the
   * kernel's shape, the kernel wrote it: false, as for the first row. A short name followed by
   * the next socket's row puts that row within reach too, so this is often true of rows the
   * kernel wrote; it means "not proven", not "forged". `Num` proves nothing: it is zeros for most
   * readers (kptr_restrict), or a value that anyone reading the file sees and can copy.
   */
  possiblyForged: boolean;
  /**
   * Whether `path` may go on past a newline into the next line, which reads as a row but is
   * within reach of this name's start: that row may be the rest of this name, so the name may be
   * longer than `path` (and `path` any prefix of it the binder chose). False for an unnamed
   * socket, for the last row, and when the next row is out of this name's reach.
   */
  pathMayContinue: boolean;
}

/** Options of {@link parseNetUnix}. */
export interface ParseNetUnixOptions {
  /** How path bytes become a string; default `'escape'` (lossless). */
  decoding?: TextDecoding;
}

const KIND = 'net/unix';
const SPACE = 0x20;
const COLON = 0x3a;
const _NEWLINE = 0x0a;
const AT = 0x40;
const SO_ACCEPTCON = 0x10000;
const HEADER = ['Num', 'RefCount', 'Protocol', 'Flags', 'Type', 'St', 'Inode', 'Path'];

/** The unix socket type numbers (`SOCK_*`) and their names; numbers not in it are `unknown`. */
export const UNIX_SOCKET_TYPE_NAMES: Readonly<
  Record<number, Exclude<UnixSocketTypeName, 'unknown'>>
> = Object.freeze({ 1: 'stream', 2: 'dgram', 5: 'seqpacket' });

/** The `St` numbers (the kernel's `SS_*`) and their names; numbers not in it are `UNKNOWN`. */
export const UNIX_SOCKET_STATE_NAMES: Readonly<
  Record<number, Exclude<UnixSocketStateName, 'UNKNOWN'>>
> = Object.freeze({ 1: 'UNCONNECTED', 2: 'CONNECTING', 3: 'CONNECTED', 4: 'DISCONNECTING' });

// The kernel prints at most 108 bytes of a name: a path of up to 108 bytes (sun_path, when not
// NUL-terminated), or an abstract name's leading NUL as "@" and up to 107 bytes after it. One
// byte of margin: a line that ends further than this from where a name starts cannot be part of
// that name.
const MAX_PRINTED_NAME_BYTES = 108 + 1;

/**
 * Parses `/proc/net/unix` (or `/proc/<pid>/net/unix`, the table of that process's network
 * namespace). Paths may hold any byte but NUL and are decoded as `options.decoding` says.
 *
 * Returns one entry per row, in file order. The kernel writes one row per socket, but a name
 * holding a newline can also hold text that reads as a row: such rows cannot be told apart from
 * the kernel's by their text, only by where they are, and each is returned with
 * `possiblyForged` set (see there). A row the kernel surely wrote has it unset. An inode in more
 * than one row: at least one of them is forged, or the table changed while it was read (a
 * socket that moves in the kernel's hash table, when bound, can be listed twice).
 *
 * Throws ParseError when the header is not the kernel's, when a row lacks a column or has a
 * malformed one (the message names the line and column) and is not the continuation of a name
 * with a newline, when the input does not end with a newline (it was cut short, maybe inside a
 * path), or for an unknown decoding.
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
  // Where each entry's name starts (at its "@" if abstract), -1 for an unnamed socket.
  const pathStarts: number[] = [];
  // The last entry with a name, and the end of the farthest line its name can reach (-1: none).
  // Names start further on with each row, so the last name reaches farthest.
  let lastNamed = -1;
  let reach = -1;
  // The width of Num in the kernel's rows (the first row's, 16 or 8: %pK pads a pointer to its
  // size); 0 when the first row is not in the kernel's shape (then none is).
  let numWidth = -1;
  // Whether the last row's line ended right after the space before its name: the name starts
  // with a newline, so the next line is more of it, whatever it reads as.
  let opened = false;
  let line = 2;
  for (let start = headerEnd + 1; start < bytes.length; line++) {
    const end = lineEnd(KIND, bytes, start, line);
    // A line that is not a row may continue a name above (a name holding a newline), but no
    // name is longer than MAX_PRINTED_NAME_BYTES: past that, such a line is an error. This also
    // keeps the re-decoding of a growing name linear.
    reader.probing = end <= reach;
    let entry: UnixSocketEntry | undefined;
    if (!opened) {
      try {
        entry = reader.read(start, end, line);
      } catch (error) {
        if (error !== NOT_A_ROW) throw error;
      }
    } else if (end > reach) {
      throw new ParseError(KIND, `line ${line}: longer than the rest of a name can be`, bytes, end);
    }
    if (entry === undefined) {
      // The last name went on past a newline, and so over any rows read since (all unnamed, or
      // one of them would be the last named): those were text of that name, not the kernel's.
      const named = entries[lastNamed] as UnixSocketEntry;
      entries.length = lastNamed + 1;
      pathStarts.length = lastNamed + 1;
      named.path = reader.path(pathStarts[lastNamed] as number, end, named.abstract);
      named.pathMayContinue = false;
      opened = false;
      start = end + 1;
      continue;
    }
    if (numWidth < 0) numWidth = firstRowNumWidth(bytes, start, end);
    entry.possiblyForged = end <= reach || !kernelShaped(bytes, start, end, numWidth);
    const previous = entries.length - 1;
    if (previous >= 0 && previous === lastNamed) {
      (entries[previous] as UnixSocketEntry).pathMayContinue = end <= reach;
    }
    if (reader.pathStart >= 0) {
      lastNamed = entries.length;
      reach = reader.pathStart + MAX_PRINTED_NAME_BYTES;
      opened = reader.pathStart === end;
    }
    pathStarts.push(reader.pathStart);
    entries.push(entry);
    start = end + 1;
  }
  if (opened) {
    // A name is never empty: the kernel wrote more of it, which is not there.
    const at = pathStarts[lastNamed] as number;
    throw new ParseError(
      KIND,
      `line ${line - 1}: column "Path" is empty after its space, and no line follows`,
      bytes,
      at,
    );
  }
  return entries;
}

const ZERO = 0x30;
const NINE = 0x39;
const UPPER_A = 0x41;
const UPPER_F = 0x46;
const LOWER_A = 0x61;
const LOWER_F = 0x66;
const isDigit = (byte: number) => byte >= ZERO && byte <= NINE;
const isLowerHex = (byte: number) => isDigit(byte) || (byte >= LOWER_A && byte <= LOWER_F);
const isUpperHex = (byte: number) => isDigit(byte) || (byte >= UPPER_A && byte <= UPPER_F);

// After Num: RefCount, Protocol and Flags (%08X), Type (%04X), St (%02X), each and a space.
const FIXED_WIDTHS = [8, 8, 8, 4, 2];

/** The width of the first row's Num when that row is in the kernel's shape with it, else 0. */
function firstRowNumWidth(bytes: Uint8Array, start: number, end: number): number {
  const colon = bytes.indexOf(COLON, start);
  const width = colon - start;
  if (width !== 16 && width !== 8) return 0;
  return kernelShaped(bytes, start, end, width) ? width : 0;
}

/**
 * Whether `bytes[start, end)` is a row exactly as unix_seq_show prints it:
 * `"%pK: %08X %08X %08X %04X %02X %5lu"`, then nothing or a space and a name (whose first byte
 * may be a newline, which ends the line). %pK is `numWidth` lowercase hex digits (zeros when the reader may not see pointers), %X
 * uppercase, %5lu the inode right-aligned in five columns (wider without padding when longer).
 * Only the shape is checked, not the values: a kernel that prints new flags or types still
 * prints rows of this shape.
 */
function kernelShaped(bytes: Uint8Array, start: number, end: number, numWidth: number): boolean {
  if (numWidth <= 0) return false;
  let pos = start + numWidth;
  if (pos + 2 > end) return false;
  for (let i = start; i < pos; i++) if (!isLowerHex(bytes[i] as number)) return false;
  if (bytes[pos] !== COLON || bytes[pos + 1] !== SPACE) return false;
  pos += 2;
  for (const width of FIXED_WIDTHS) {
    const stop = pos + width;
    if (stop >= end) return false;
    for (; pos < stop; pos++) if (!isUpperHex(bytes[pos] as number)) return false;
    if (bytes[pos++] !== SPACE) return false;
  }
  let digits = pos;
  while (digits < end && bytes[digits] === SPACE) digits++;
  let stop = digits;
  while (stop < end && isDigit(bytes[stop] as number)) stop++;
  const count = stop - digits;
  if (count === 0 || (count > 1 && bytes[digits] === ZERO)) return false;
  if (digits - pos !== Math.max(0, 5 - count)) return false;
  return stop === end || bytes[stop] === SPACE;
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
      // A whole row: from here on its errors (a path that is not UTF-8 under 'strict') are real.
      this.probing = false;
      // Nothing after the space: the name starts with a newline (a relative path "\n..."), and
      // the next line is more of it. Its first byte is then the newline at `end`.
      abstract = this.bytes[pathStart] === AT;
      path = pathStart < end ? this.path(pathStart, end, abstract) : '';
      this.pathStart = pathStart;
    }
    return {
      refCount,
      protocol,
      flags,
      listening: (flags & SO_ACCEPTCON) !== 0,
      type,
      typeName: UNIX_SOCKET_TYPE_NAMES[type] ?? 'unknown',
      state,
      stateName: UNIX_SOCKET_STATE_NAMES[state] ?? 'UNKNOWN',
      inode,
      path,
      abstract,
      possiblyForged: false,
      pathMayContinue: false,
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
