import { COLON, endOfLine, NEWLINE, SPACE } from './bytes.js';
import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { readUintBig } from './numbers.js';

const KIND = 'io';

/**
 * The I/O counters of `/proc/<pid>/io` (summed over the process's threads, live and exited, and
 * its reaped children) or of `/proc/<pid>/task/<tid>/io` (one thread). 64-bit, so bigint.
 */
export interface Io {
  /** `rchar`: bytes passed to read(2) and similar calls, from storage or not. */
  rchar: bigint;
  /** `wchar`: bytes passed to write(2) and similar calls. */
  wchar: bigint;
  /** `syscr`: read system calls. */
  syscr: bigint;
  /** `syscw`: write system calls. */
  syscw: bigint;
  /** `read_bytes`: bytes fetched from the storage layer. */
  readBytes: bigint;
  /** `write_bytes`: bytes sent (or to be sent) to the storage layer. */
  writeBytes: bigint;
  /** `cancelled_write_bytes`: bytes of `write_bytes` that truncating dirty page cache undid. */
  cancelledWriteBytes: bigint;
}

const KEYS = [
  'rchar',
  'wchar',
  'syscr',
  'syscw',
  'read_bytes',
  'write_bytes',
  'cancelled_write_bytes',
] as const;

// Compared in place against each line's key, so no line becomes a string.
const encoder = new TextEncoder();
const KEY_BYTES = KEYS.map((key) => encoder.encode(key));

/**
 * Parses `/proc/<pid>/io`: one `key: value` line per counter, in any order, with an optional
 * final newline. Lines with keys this parser does not know (a newer kernel's) are skipped, but
 * must still have the `key: ` shape.
 *
 * @returns the seven counters.
 * @throws ParseError when a counter is missing, given twice, or not an unsigned decimal (a
 *   trailing `\r` included), or when a line is empty or not `key: value`; the message names the
 *   line and the key.
 */
export function parseIo(input: ProcInput): Io {
  checkInput(KIND, input);
  const bytes = toBytes(input);
  return readInKernelOrder(bytes) ?? readCarefully(bytes);
}

// Prefixes of the seven lines, "rchar: " to "cancelled_write_bytes: ", in the order every kernel
// since 2.6.20 writes them.
const LINE_PREFIXES = KEY_BYTES.map((key) => Uint8Array.of(...key, COLON, SPACE));

/**
 * The fast path: the seven lines in the kernel's order, values of up to 15 digits, read in one
 * pass with no calls per byte. Anything else gives undefined, and `readCarefully` reads the
 * same bytes again, so both paths accept exactly the same input.
 */
function readInKernelOrder(bytes: Uint8Array): Io | undefined {
  const length = bytes.length;
  const values = scratchCounters;
  let pos = 0;
  for (let index = 0; index < 7; index++) {
    const prefix = LINE_PREFIXES[index] as Uint8Array;
    if (pos + prefix.length > length) return undefined;
    for (let k = 0; k < prefix.length; k++) if (bytes[pos + k] !== prefix[k]) return undefined;
    pos += prefix.length;
    const digitsStart = pos;
    let value = 0;
    while (pos < length && bytes[pos] !== NEWLINE) {
      const digit = (bytes[pos] as number) - 0x30;
      if (digit < 0 || digit > 9) return undefined;
      value = value * 10 + digit;
      pos++;
    }
    if (pos === digitsStart || pos - digitsStart > 15) return undefined;
    values[index] = value;
    pos++; // the newline, or past the end on a last line without one
  }
  if (pos < length) return undefined; // more lines: a newer kernel's, read carefully
  return {
    rchar: BigInt(values[0] as number),
    wchar: BigInt(values[1] as number),
    syscr: BigInt(values[2] as number),
    syscw: BigInt(values[3] as number),
    readBytes: BigInt(values[4] as number),
    writeBytes: BigInt(values[5] as number),
    cancelledWriteBytes: BigInt(values[6] as number),
  };
}

const scratchCounters = new Float64Array(7);

/** The careful path: any line order, unknown keys skipped, errors that name the line. */
function readCarefully(bytes: Uint8Array): Io {
  const length = bytes.length;
  const values: (bigint | undefined)[] = [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ];

  let pos = 0;
  for (let line = 1; pos < length; line++) {
    const lineEnd = endOfLine(bytes, pos);
    if (lineEnd === pos) throw new ParseError(KIND, `line ${line} is empty`, bytes, pos);
    const colon = bytes.indexOf(COLON, pos);
    if (colon === -1 || colon > lineEnd) {
      throw new ParseError(KIND, `line ${line} is not "key: value" (no ":")`, bytes, pos);
    }
    if (colon === pos) throw new ParseError(KIND, `line ${line} has no key`, bytes, pos);
    if (colon + 1 === lineEnd || bytes[colon + 1] !== SPACE) {
      throw new ParseError(
        KIND,
        `line ${line} is not "key: value" (no space after ":")`,
        bytes,
        colon,
      );
    }
    const index = keyIndex(bytes, pos, colon);
    if (index !== -1) {
      const key = KEYS[index] as string;
      if (values[index] !== undefined) {
        throw new ParseError(KIND, `line ${line} repeats the key ${key}`, bytes, pos);
      }
      values[index] = readValue(bytes, line, key, colon + 2, lineEnd);
    }
    pos = lineEnd + 1;
  }

  for (let index = 0; index < KEYS.length; index++) {
    if (values[index] === undefined) {
      throw new ParseError(KIND, `the counter ${KEYS[index]} is missing`, bytes, length);
    }
  }
  const [rchar, wchar, syscr, syscw, readBytes, writeBytes, cancelledWriteBytes] = values as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return { rchar, wchar, syscr, syscw, readBytes, writeBytes, cancelledWriteBytes };
}

/** Index in KEYS of the key in `bytes[start, end)`, or -1 for a key this parser does not know. */
function keyIndex(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  for (let index = 0; index < KEY_BYTES.length; index++) {
    const key = KEY_BYTES[index] as Uint8Array;
    if (key.length !== length) continue;
    let k = 0;
    while (k < length && bytes[start + k] === key[k]) k++;
    if (k === length) return index;
  }
  return -1;
}

function readValue(
  bytes: Uint8Array,
  line: number,
  key: string,
  start: number,
  end: number,
): bigint {
  try {
    return readUintBig(KIND, bytes, start, end);
  } catch {
    // Re-scan only on failure, so the message names the key and what was wrong with its value.
    const label = `line ${line} (${key})`;
    if (start === end) throw new ParseError(KIND, `${label}: the value is empty`, bytes, start);
    for (let i = start; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte < 0x30 || byte > 0x39) {
        throw new ParseError(KIND, `${label}: the value is not an unsigned decimal`, bytes, i);
      }
    }
    throw new ParseError(KIND, `${label}: the value is larger than 64 bits`, bytes, start);
  }
}
