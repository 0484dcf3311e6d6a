import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { readSizeLines } from './size-lines.js';

const KIND = 'meminfo';

/**
 * `/proc/meminfo`, the machine's memory. Keys are kept as the kernel names them (`MemTotal`,
 * `Active(anon)`, `Hugepagesize`), because the set changes with the kernel's version and
 * configuration: look them up in `bytes` and `counts`.
 */
export interface Meminfo {
  /** `MemTotal`, in bytes. */
  memTotal: number;
  /** `MemFree`, in bytes. */
  memFree: number;
  /** `MemAvailable` (Linux 3.14+), in bytes: what can be allocated without swapping. */
  memAvailable?: number;
  /** Every `Key: N kB` line, in bytes (`MemTotal`, `Cached`, `Hugepagesize`, ...). */
  bytes: Map<string, number>;
  /** Every line without `kB`, as a plain count (`HugePages_Total`, `HugePages_Free`, ...). */
  counts: Map<string, number>;
}

/**
 * Parses `/proc/meminfo`: one `Key:   N kB` or `Key:   N` line per figure, in any order.
 *
 * @throws ParseError for a line that is not `Key: N kB` or `Key: N`, a key given twice, a number
 *   past 2^53, or a missing `MemTotal` or `MemFree` (every kernel writes both, in kB); the message
 *   names the line and the key.
 */
export function parseMeminfo(input: ProcInput): Meminfo {
  checkInput(KIND, input);
  const bytes = toBytes(input);
  const lines = readSizeLines(KIND, bytes, 0, 1);
  const memTotal = required(lines.bytes, lines.counts, 'MemTotal', bytes);
  const memFree = required(lines.bytes, lines.counts, 'MemFree', bytes);
  const memAvailable = lines.bytes.get('MemAvailable');
  if (memAvailable === undefined && lines.counts.has('MemAvailable')) {
    throw new ParseError(KIND, 'the line MemAvailable has no "kB"', bytes, bytes.length);
  }
  return {
    memTotal,
    memFree,
    ...(memAvailable === undefined ? {} : { memAvailable }),
    bytes: lines.bytes,
    counts: lines.counts,
  };
}

function required(
  sizes: Map<string, number>,
  counts: Map<string, number>,
  key: string,
  bytes: Uint8Array,
): number {
  const value = sizes.get(key);
  if (value !== undefined) return value;
  const why = counts.has(key) ? 'has no "kB"' : 'is missing';
  throw new ParseError(KIND, `the line ${key} ${why}`, bytes, bytes.length);
}
