import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { readHexBig } from './numbers.js';
import { readSizeLines } from './size-lines.js';

const KIND = 'smaps_rollup';
const NEWLINE = 0x0a;
const DASH = 0x2d;
const SPACE = 0x20;
const ROLLUP_MARK = new TextEncoder().encode('[rollup]');

/**
 * `/proc/<pid>/smaps_rollup` (Linux 4.14+): the process's memory, summed over all its mappings.
 * Every size is in bytes. Lines a kernel writes only from some version on are optional.
 */
export interface SmapsRollup {
  /** Start of the first mapping (the header's range; `start > end` when there is no mapping). */
  start: bigint;
  /** End of the last mapping. */
  end: bigint;
  /** `Rss`: resident memory. */
  rss: number;
  /** `Pss`: resident memory, each shared page divided among the processes that map it. */
  pss: number;
  /** `Pss_Dirty` (Linux 6.0+). */
  pssDirty?: number;
  /** `Pss_Anon` (Linux 5.7+). */
  pssAnon?: number;
  /** `Pss_File` (Linux 5.7+). */
  pssFile?: number;
  /** `Pss_Shmem` (Linux 5.7+). */
  pssShmem?: number;
  /** `Shared_Clean`. */
  sharedClean: number;
  /** `Shared_Dirty`. */
  sharedDirty: number;
  /** `Private_Clean`. */
  privateClean: number;
  /** `Private_Dirty`. */
  privateDirty: number;
  /**
   * Unique set size: `Private_Clean + Private_Dirty`, the memory that would be freed if the
   * process exited now (psutil's `uss`; swapped-out private pages are not counted).
   */
  uss: number;
  /** `Swap`. */
  swap: number;
  /** `SwapPss`: swap, each shared swap entry divided among its users. */
  swapPss: number;
  /**
   * Every `Key: N kB` line by the kernel's name (`Rss`, `Referenced`, `AnonHugePages`, `KSM`,
   * ...), in bytes: the typed properties above and any line this parser has no property for.
   */
  bytes: Map<string, number>;
  /** Lines without a unit, by name: none on kernels so far, kept should one appear. */
  counts: Map<string, number>;
}

/** Lines every kernel with smaps_rollup writes, and the properties they become. */
const REQUIRED = [
  ['Rss', 'rss'],
  ['Pss', 'pss'],
  ['Shared_Clean', 'sharedClean'],
  ['Shared_Dirty', 'sharedDirty'],
  ['Private_Clean', 'privateClean'],
  ['Private_Dirty', 'privateDirty'],
  ['Swap', 'swap'],
  ['SwapPss', 'swapPss'],
] as const;

const OPTIONAL = [
  ['Pss_Dirty', 'pssDirty'],
  ['Pss_Anon', 'pssAnon'],
  ['Pss_File', 'pssFile'],
  ['Pss_Shmem', 'pssShmem'],
] as const;

type Sized = Record<(typeof REQUIRED)[number][1], number> &
  Partial<Record<(typeof OPTIONAL)[number][1], number>>;

/**
 * Parses `/proc/<pid>/smaps_rollup`: a header line `<start>-<end> ---p 00000000 00:00 0
 * [rollup]`, then `Key:   N kB` lines in any order. Unknown keys are kept in `bytes` (or
 * `counts`, without a unit).
 *
 * @throws ParseError for an empty input (a kernel thread's or a zombie's file is empty: the
 *   process has no memory to sum), a header that is not `<hex>-<hex> ... [rollup]`, a line that
 *   is not `Key: N kB`, a key given twice, one of Rss, Pss, Shared_Clean, Shared_Dirty,
 *   Private_Clean, Private_Dirty, Swap or SwapPss missing or without `kB`, or a number past 2^53.
 */
export function parseSmapsRollup(input: ProcInput): SmapsRollup {
  checkInput(KIND, input);
  const bytes = toBytes(input);
  if (bytes.length === 0) {
    throw new ParseError(KIND, 'the file is empty (a process without memory)', bytes, 0);
  }
  let headerEnd = bytes.indexOf(NEWLINE);
  if (headerEnd === -1) headerEnd = bytes.length;
  const { start, end } = readHeader(bytes, headerEnd);
  const lines = readSizeLines(KIND, bytes, headerEnd + 1, 2);

  const sized: Partial<Sized> = {};
  for (const [key, property] of REQUIRED) {
    const value = lines.bytes.get(key);
    if (value === undefined) {
      const why = lines.counts.has(key) ? 'has no "kB"' : 'is missing';
      throw new ParseError(KIND, `the line ${key} ${why}`, bytes, bytes.length);
    }
    sized[property] = value;
  }
  for (const [key, property] of OPTIONAL) {
    const value = lines.bytes.get(key);
    if (value !== undefined) sized[property] = value;
    else if (lines.counts.has(key)) {
      throw new ParseError(KIND, `the line ${key} has no "kB"`, bytes, bytes.length);
    }
  }
  const known = sized as Sized;
  return {
    start,
    end,
    ...known,
    uss: known.privateClean + known.privateDirty,
    bytes: lines.bytes,
    counts: lines.counts,
  };
}

function readHeader(bytes: Uint8Array, headerEnd: number): { start: bigint; end: bigint } {
  const dash = bytes.indexOf(DASH);
  if (dash === -1 || dash > headerEnd) {
    throw new ParseError(KIND, 'line 1 is not "<start>-<end> ... [rollup]" (no "-")', bytes, 0);
  }
  let space = bytes.indexOf(SPACE, dash);
  if (space === -1 || space > headerEnd) space = headerEnd;
  const start = readAddress(bytes, 0, dash, 'start');
  const end = readAddress(bytes, dash + 1, space, 'end');
  let markEnd = headerEnd;
  while (markEnd > space && bytes[markEnd - 1] === SPACE) markEnd--;
  const markStart = markEnd - ROLLUP_MARK.length;
  let marked = markStart > space;
  for (let i = 0; marked && i < ROLLUP_MARK.length; i++) {
    marked = bytes[markStart + i] === ROLLUP_MARK[i];
  }
  if (!marked) throw new ParseError(KIND, 'line 1 does not end with "[rollup]"', bytes, markEnd);
  return { start, end };
}

function readAddress(bytes: Uint8Array, from: number, to: number, which: string): bigint {
  try {
    return readHexBig(KIND, bytes, from, to);
  } catch (error) {
    const at = error instanceof ParseError ? error.offset : from;
    throw new ParseError(
      KIND,
      `line 1: the ${which} address is not a 64-bit hex number`,
      bytes,
      at,
    );
  }
}
