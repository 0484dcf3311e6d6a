import { ParseError, type ProcFileKind } from './errors.js';
import { NumberTooLargeError, readUint } from './numbers.js';
import { decodeText } from './text.js';

// The `Key:   N kB` lines of /proc/meminfo and /proc/<pid>/smaps_rollup, read in one pass with
// indexOf, and the maps both parsers give: sizes in bytes, plain counts (`HugePages_Total: 0`).

const NEWLINE = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const DEL = 0x7f;
const KB_SUFFIX = [SPACE, 0x6b, 0x42]; // " kB"

/** The lines of a `Key: N kB` file, by the key as the kernel names it. */
export interface SizeLines {
  /** Every `Key: N kB` line, in bytes (N * 1024). */
  bytes: Map<string, number>;
  /** Every `Key: N` line without a unit: a count (huge pages), not a size. */
  counts: Map<string, number>;
}

/**
 * Reads `Key:<spaces>N[ kB]` lines from `start` to the end. The key is everything before the
 * colon (not empty; no colon, space or ASCII control in it); at least one space or tab follows the colon.
 * A size in kB is at most 2^53 kB, and its bytes are exact (times 1024 only moves a double's
 * exponent), though past 2^53 bytes they are no longer a safe integer.
 *
 * @throws ParseError naming the line (numbered from `firstLine`) and the key, for an empty line,
 *   a line that is not `Key: N` or `Key: N kB`, a key given twice, or a number past 2^53.
 */
export function readSizeLines(
  kind: ProcFileKind,
  bytes: Uint8Array,
  start: number,
  firstLine: number,
): SizeLines {
  const sizes = new Map<string, number>();
  const counts = new Map<string, number>();
  const length = bytes.length;
  let pos = start;
  for (let line = firstLine; pos < length; line++) {
    let lineEnd = bytes.indexOf(NEWLINE, pos);
    if (lineEnd === -1) lineEnd = length;
    if (lineEnd === pos) throw new ParseError(kind, `line ${line} is empty`, bytes, pos);
    const colon = bytes.indexOf(COLON, pos);
    if (colon === -1 || colon > lineEnd) {
      throw new ParseError(kind, `line ${line} is not "Key: N kB" (no ":")`, bytes, pos);
    }
    if (colon === pos) throw new ParseError(kind, `line ${line} has no key`, bytes, pos);
    for (let i = pos; i < colon; i++) {
      const byte = bytes[i] as number;
      if (byte <= SPACE || byte === DEL) {
        throw new ParseError(kind, `line ${line}: a key has no spaces or control bytes`, bytes, i);
      }
    }
    const key = decodeText(kind, bytes, pos, colon, 'escape');
    let digits = colon + 1;
    while (digits < lineEnd && (bytes[digits] === SPACE || bytes[digits] === TAB)) digits++;
    if (digits === colon + 1) {
      throw new ParseError(kind, `line ${line} (${key}): no space after ":"`, bytes, colon);
    }
    let digitsEnd = digits;
    while (digitsEnd < lineEnd && isDigit(bytes[digitsEnd] as number)) digitsEnd++;
    const inKb = digitsEnd + 3 === lineEnd && hasKbSuffix(bytes, digitsEnd);
    if (digitsEnd === digits || (digitsEnd !== lineEnd && !inKb)) {
      throw new ParseError(
        kind,
        `line ${line} (${key}): expected a decimal number, then " kB" or the end of the line`,
        bytes,
        digitsEnd === digits ? digits : digitsEnd,
      );
    }
    if (sizes.has(key) || counts.has(key)) {
      throw new ParseError(kind, `line ${line} repeats the key ${key}`, bytes, pos);
    }
    const value = readValue(kind, bytes, line, key, digits, digitsEnd);
    if (inKb) sizes.set(key, value * 1024);
    else counts.set(key, value);
    pos = lineEnd + 1;
  }
  return { bytes: sizes, counts };
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

function hasKbSuffix(bytes: Uint8Array, at: number): boolean {
  return (
    bytes[at] === KB_SUFFIX[0] && bytes[at + 1] === KB_SUFFIX[1] && bytes[at + 2] === KB_SUFFIX[2]
  );
}

function readValue(
  kind: ProcFileKind,
  bytes: Uint8Array,
  line: number,
  key: string,
  start: number,
  end: number,
): number {
  try {
    return readUint(kind, bytes, start, end);
  } catch (error) {
    if (!(error instanceof NumberTooLargeError)) throw error;
    throw new ParseError(
      kind,
      `line ${line} (${key}): the value is too large to be exact as a number`,
      bytes,
      start,
    );
  }
}
