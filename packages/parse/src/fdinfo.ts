import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { NumberTooLargeError, readUint, readUintBig } from './numbers.js';
import { type OpenFlagName, openFlagNames } from './open-flags.js';
import { decodeText } from './text.js';

const KIND = 'fdinfo';
const NEWLINE = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const MINUS = 0x2d;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** A line of fdinfo past the four common ones, as text: the file type's own details. */
export interface FdinfoLine {
  /**
   * The text before the first `:` (`eventfd-count`, `tfd`, `inotify wd`, `clockid`); for a line
   * without a colon, `''`.
   */
  key: string;
  /**
   * The text after the first `:`, without the spaces and tabs that follow it, as written
   * (`1 ino:20c5dd sdev:fe00000 mask:300 ...` for an inotify watch); for a line without a colon,
   * the whole line.
   */
  value: string;
}

/** `/proc/<pid>/fdinfo/<fd>`: one open file description as the process holds it. */
export interface Fdinfo {
  /** `pos`: the file offset (signed 64-bit: some devices, `/proc/<pid>/mem`, go past 2^63). */
  pos: bigint;
  /** `flags`: the status flags, written in octal, as a number (O_CLOEXEC included when set on the fd). */
  flags: number;
  /** The names of `flags`: access mode first (`O_RDONLY`, `O_WRONLY`, `O_RDWR`), then the others. */
  flagNames: OpenFlagName[];
  /** Bits of `flags` without a name in `flagNames` (0 when all are named). */
  unknownFlags: number;
  /** `mnt_id` (Linux 3.15+): the id of the mount the file is on, as in `/proc/<pid>/mountinfo`. */
  mntId?: number;
  /** `ino` (Linux 5.14+): the file's inode number. */
  ino?: bigint;
  /** Every other line, in order, as text (eventfd counts, epoll targets, inotify watches, ...). */
  extra: FdinfoLine[];
}

/**
 * Parses `/proc/<pid>/fdinfo/<fd>`: `pos:`, `flags:`, then `mnt_id:` and `ino:` on newer kernels,
 * as `key:<tab>value` lines, followed by lines the file's type adds, which are kept as text.
 *
 * @throws ParseError naming the line, for a missing `pos` or `flags`, one of the four given
 *   twice, a `pos` that is not a signed 64-bit decimal, `flags` that are not octal or pass 32
 *   bits, a `mnt_id` past 2^53, an `ino` past 64 bits, or an empty line.
 */
export function parseFdinfo(input: ProcInput): Fdinfo {
  checkInput(KIND, input);
  const bytes = toBytes(input);
  const length = bytes.length;
  let pos: bigint | undefined;
  let flags: number | undefined;
  let mntId: number | undefined;
  let ino: bigint | undefined;
  const extra: FdinfoLine[] = [];
  let at = 0;
  for (let line = 1; at < length; line++) {
    let lineEnd = bytes.indexOf(NEWLINE, at);
    if (lineEnd === -1) lineEnd = length;
    if (lineEnd === at) throw new ParseError(KIND, `line ${line} is empty`, bytes, at);
    let colon = bytes.indexOf(COLON, at);
    if (colon > lineEnd) colon = -1;
    let valueStart = colon + 1;
    while (valueStart < lineEnd && (bytes[valueStart] === SPACE || bytes[valueStart] === TAB)) {
      valueStart++;
    }
    const key = colon === -1 ? '' : decodeText(KIND, bytes, at, colon, 'escape');
    const once = (seen: unknown) => {
      if (seen !== undefined) {
        throw new ParseError(KIND, `line ${line} repeats the key ${key}`, bytes, at);
      }
    };
    switch (key) {
      case 'pos':
        once(pos);
        pos = readPos(bytes, line, valueStart, lineEnd);
        break;
      case 'flags':
        once(flags);
        flags = readFlags(bytes, line, valueStart, lineEnd);
        break;
      case 'mnt_id':
        once(mntId);
        mntId = readNumber(bytes, line, key, valueStart, lineEnd);
        break;
      case 'ino':
        once(ino);
        ino = readInode(bytes, line, valueStart, lineEnd);
        break;
      default:
        extra.push(
          colon === -1
            ? { key: '', value: decodeText(KIND, bytes, at, lineEnd, 'escape') }
            : { key, value: decodeText(KIND, bytes, valueStart, lineEnd, 'escape') },
        );
    }
    at = lineEnd + 1;
  }
  if (pos === undefined) throw new ParseError(KIND, 'the line pos is missing', bytes, length);
  if (flags === undefined) throw new ParseError(KIND, 'the line flags is missing', bytes, length);
  const { names, unknown } = openFlagNames(flags);
  return {
    pos,
    flags,
    flagNames: names,
    unknownFlags: unknown,
    ...(mntId === undefined ? {} : { mntId }),
    ...(ino === undefined ? {} : { ino }),
    extra,
  };
}

function readPos(bytes: Uint8Array, line: number, start: number, end: number): bigint {
  const negative = start < end && bytes[start] === MINUS;
  try {
    const magnitude = readUintBig(KIND, bytes, negative ? start + 1 : start, end);
    const value = negative ? -magnitude : magnitude;
    if (value >= I64_MIN && value <= I64_MAX) return value;
  } catch (error) {
    if (!(error instanceof NumberTooLargeError)) {
      throw new ParseError(KIND, `line ${line} (pos): not a decimal number`, bytes, start);
    }
  }
  throw new ParseError(KIND, `line ${line} (pos): past a signed 64-bit number`, bytes, start);
}

function readFlags(bytes: Uint8Array, line: number, start: number, end: number): number {
  if (start === end) throw new ParseError(KIND, `line ${line} (flags): no value`, bytes, start);
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 7) {
      throw new ParseError(KIND, `line ${line} (flags): not an octal number`, bytes, i);
    }
    value = value * 8 + digit;
    if (value > 0xffff_ffff) {
      throw new ParseError(KIND, `line ${line} (flags): more than 32 bits`, bytes, start);
    }
  }
  return value;
}

function readNumber(
  bytes: Uint8Array,
  line: number,
  key: string,
  start: number,
  end: number,
): number {
  try {
    return readUint(KIND, bytes, start, end);
  } catch (error) {
    const what =
      error instanceof NumberTooLargeError ? 'too large to be exact' : 'not a decimal number';
    throw new ParseError(KIND, `line ${line} (${key}): ${what}`, bytes, start);
  }
}

function readInode(bytes: Uint8Array, line: number, start: number, end: number): bigint {
  try {
    return readUintBig(KIND, bytes, start, end);
  } catch (error) {
    const what =
      error instanceof NumberTooLargeError ? 'larger than 64 bits' : 'not a decimal number';
    throw new ParseError(KIND, `line ${line} (ino): ${what}`, bytes, start);
  }
}
