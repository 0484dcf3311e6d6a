import { NEWLINE, SPACE } from './bytes.js';
import { ParseError, shownValue } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { readUint } from './numbers.js';

const KIND = 'statm';

/** The seven columns of `/proc/<pid>/statm`, in one unit (pages or bytes). */
export interface StatmFields {
  /** Total program size (same as `VmSize` in `/proc/<pid>/status`). */
  size: number;
  /** Resident set size (`VmRSS`). */
  resident: number;
  /** Resident shared pages, i.e. backed by a file (`RssFile` + `RssShmem`). */
  shared: number;
  /** Text (code). */
  text: number;
  /** Library: always 0 since Linux 2.6. */
  lib: number;
  /** Data + stack. */
  data: number;
  /** Dirty pages: always 0 since Linux 2.6. */
  dt: number;
}

/** `/proc/<pid>/statm` in pages, as the kernel writes it, and in bytes. */
export interface Statm {
  pages: StatmFields;
  /**
   * `pages * pageSize`. Exact: the page size is a power of two, so the product only moves a
   * double's exponent, and stays exact even past `Number.MAX_SAFE_INTEGER`.
   */
  bytes: StatmFields;
}

/** Options of {@link parseStatm}. */
export interface ParseStatmOptions {
  /** The machine's page size in bytes (`getconf PAGESIZE`): a power of two, such as 4096. */
  pageSize: number;
}

const FIELD_NAMES = ['size', 'resident', 'shared', 'text', 'lib', 'data', 'dt'] as const;

/**
 * Parses `/proc/<pid>/statm`: exactly seven unsigned decimals separated by single spaces, with an
 * optional trailing newline.
 *
 * @returns the columns in pages and in bytes.
 * @throws ParseError when `pageSize` is not a positive power of two (a safe integer), when a
 *   column is missing, malformed or too large to be exact, or when there are more than seven.
 */
export function parseStatm(input: ProcInput, options: ParseStatmOptions): Statm {
  checkInput(KIND, input);
  const pageSize = options?.pageSize;
  if (!isPowerOfTwo(pageSize)) {
    throw new ParseError(
      KIND,
      `option pageSize must be a positive power of two, got ${shownValue(pageSize)}`,
      '',
      0,
    );
  }
  const bytes = toBytes(input);
  const pages = readInOnePass(bytes) ?? readCarefully(bytes);
  return {
    pages,
    bytes: {
      size: pages.size * pageSize,
      resident: pages.resident * pageSize,
      shared: pages.shared * pageSize,
      text: pages.text * pageSize,
      lib: pages.lib * pageSize,
      data: pages.data * pageSize,
      dt: pages.dt * pageSize,
    },
  };
}

const scratch = new Float64Array(7);

/**
 * The fast path: seven columns of up to 15 digits, single spaces, an optional final newline,
 * read in one loop. Anything else gives undefined and `readCarefully` reads the same bytes
 * again, naming the column that is wrong; both accept exactly the same input.
 */
function readInOnePass(bytes: Uint8Array): StatmFields | undefined {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === NEWLINE) end--;
  let pos = 0;
  for (let field = 0; field < 7; field++) {
    const start = pos;
    let value = 0;
    while (pos < end) {
      const digit = (bytes[pos] as number) - 0x30;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
      pos++;
    }
    if (pos === start || pos - start > 15) return undefined;
    scratch[field] = value;
    if (field < 6) {
      if (bytes[pos] !== SPACE) return undefined;
      pos++;
    }
  }
  if (pos !== end) return undefined;
  return {
    size: scratch[0] as number,
    resident: scratch[1] as number,
    shared: scratch[2] as number,
    text: scratch[3] as number,
    lib: scratch[4] as number,
    data: scratch[5] as number,
    dt: scratch[6] as number,
  };
}

/** The careful path: column by column, with a message that names what is wrong. */
function readCarefully(bytes: Uint8Array): StatmFields {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === NEWLINE) end--;
  const values = [0, 0, 0, 0, 0, 0, 0];
  let pos = 0;
  for (let field = 0; field < 7; field++) {
    const name = FIELD_NAMES[field] as string;
    if (pos >= end) {
      throw new ParseError(KIND, `field ${field + 1} (${name}) is missing`, bytes, end);
    }
    let stop = bytes.indexOf(SPACE, pos);
    if (stop === -1 || stop > end) stop = end;
    values[field] = readColumn(bytes, field, pos, stop);
    pos = stop + 1;
  }
  if (pos <= end) {
    throw new ParseError(
      KIND,
      'expected exactly 7 fields, found more after field 7 (dt)',
      bytes,
      pos - 1,
    );
  }
  const [size, resident, shared, text, lib, data, dt] = values as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { size, resident, shared, text, lib, data, dt };
}

function isPowerOfTwo(value: unknown): value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) return false;
  if (value <= 2 ** 30) return (value & (value - 1)) === 0;
  let rest = value;
  while (rest > 1) {
    if (rest % 2 !== 0) return false;
    rest /= 2;
  }
  return true;
}

function readColumn(bytes: Uint8Array, field: number, start: number, stop: number): number {
  try {
    return readUint(KIND, bytes, start, stop);
  } catch {
    // Re-scan only on failure, so the message names the column and what was wrong with it.
    const label = `field ${field + 1} (${FIELD_NAMES[field]})`;
    if (start === stop) throw new ParseError(KIND, `${label} is empty`, bytes, start);
    for (let i = start; i < stop; i++) {
      const byte = bytes[i] as number;
      if (byte < 0x30 || byte > 0x39) {
        throw new ParseError(KIND, `${label} is not an unsigned decimal number`, bytes, i);
      }
    }
    throw new ParseError(KIND, `${label} is too large to be exact as a number`, bytes, start);
  }
}
