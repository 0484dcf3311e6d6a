import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { readUint } from './numbers.js';
import { decodeText } from './text.js';

const KIND = 'limits';
const NEWLINE = 0x0a;
const SPACE = 0x20;
const HEADER_START = new TextEncoder().encode('Limit ');
const UNLIMITED = new TextEncoder().encode('unlimited');

/** Short names of the resource limits, as prlimit(1) and `RLIMIT_*` call them. */
export type LimitKey =
  | 'cpu'
  | 'fsize'
  | 'data'
  | 'stack'
  | 'core'
  | 'rss'
  | 'nproc'
  | 'nofile'
  | 'memlock'
  | 'as'
  | 'locks'
  | 'sigpending'
  | 'msgqueue'
  | 'nice'
  | 'rtprio'
  | 'rttime';

/** The kernel's row names (`fs/proc/base.c`) and their short names. */
export const LIMIT_KEYS: ReadonlyMap<string, LimitKey> = new Map<string, LimitKey>([
  ['Max cpu time', 'cpu'],
  ['Max file size', 'fsize'],
  ['Max data size', 'data'],
  ['Max stack size', 'stack'],
  ['Max core file size', 'core'],
  ['Max resident set', 'rss'],
  ['Max processes', 'nproc'],
  ['Max open files', 'nofile'],
  ['Max locked memory', 'memlock'],
  ['Max address space', 'as'],
  ['Max file locks', 'locks'],
  ['Max pending signals', 'sigpending'],
  ['Max msgqueue size', 'msgqueue'],
  ['Max nice priority', 'nice'],
  ['Max realtime priority', 'rtprio'],
  ['Max realtime timeout', 'rttime'],
]);

/** One row of `/proc/<pid>/limits`. */
export interface LimitRow {
  /** The name as the kernel prints it: `Max open files`. */
  name: string;
  /** The short name (`nofile`), or undefined for a row this parser does not know. */
  key: LimitKey | undefined;
  /**
   * The soft limit, `Infinity` for `unlimited` (RLIM_INFINITY), so `used < soft` reads right
   * for every row.
   */
  soft: number;
  /** The hard limit (the ceiling of the soft one), `Infinity` for `unlimited`. */
  hard: number;
  /** `seconds`, `bytes`, `processes`, `files`, `locks`, `signals`, `us`; null where none is printed (nice, rtprio). */
  unit: string | null;
}

/** `/proc/<pid>/limits`: the rows in the file's order, and the known ones by short name. */
export interface Limits {
  rows: LimitRow[];
  byKey: Partial<Record<LimitKey, LimitRow>>;
}

/**
 * Parses `/proc/<pid>/limits`: a header line `Limit  Soft Limit  Hard Limit  Units`, then one
 * row per resource: its name, the soft and hard limits (a decimal or `unlimited`) and an
 * optional unit, in columns padded with spaces. Rows are read from the right, so a name is all
 * the text before the soft limit, however wide the columns are.
 *
 * A limit is a `number`: `Infinity` when unlimited, and a ParseError past 2^53, which only a
 * deliberate setrlimit(2) can set (no resource comes near it).
 *
 * @throws ParseError naming the line, for a missing header, a row that does not end with two
 *   limits (each a decimal or `unlimited`) and an optional one-word unit, a number past 2^53, a
 *   row without a name, a row name given twice, or an empty line.
 */
export function parseLimits(input: ProcInput): Limits {
  checkInput(KIND, input);
  const bytes = toBytes(input);
  const length = bytes.length;
  let headerEnd = bytes.indexOf(NEWLINE);
  if (headerEnd === -1) headerEnd = length;
  if (!startsWith(bytes, HEADER_START)) {
    throw new ParseError(KIND, 'line 1 is not the header "Limit  Soft Limit ..."', bytes, 0);
  }
  const rows: LimitRow[] = [];
  const byKey: Partial<Record<LimitKey, LimitRow>> = {};
  const names = new Set<string>();
  let pos = headerEnd + 1;
  for (let line = 2; pos < length; line++) {
    let lineEnd = bytes.indexOf(NEWLINE, pos);
    if (lineEnd === -1) lineEnd = length;
    if (lineEnd === pos) throw new ParseError(KIND, `line ${line} is empty`, bytes, pos);
    const row = readRow(bytes, line, pos, lineEnd);
    if (names.has(row.name)) {
      throw new ParseError(KIND, `line ${line} repeats the limit "${row.name}"`, bytes, pos);
    }
    names.add(row.name);
    rows.push(row);
    if (row.key !== undefined) byKey[row.key] = row;
    pos = lineEnd + 1;
  }
  return { rows, byKey };
}

/** Words of a row from the right: unit (optional), hard, soft; the rest is the name. */
function readRow(bytes: Uint8Array, line: number, start: number, end: number): LimitRow {
  const words: [number, number][] = [];
  let cursor = end;
  while (words.length < 3) {
    while (cursor > start && bytes[cursor - 1] === SPACE) cursor--;
    const wordEnd = cursor;
    while (cursor > start && bytes[cursor - 1] !== SPACE) cursor--;
    if (cursor === wordEnd) break;
    words.push([cursor, wordEnd]);
  }
  // With a unit: [unit, hard, soft]; without one: [hard, soft, last word of the name].
  const withUnit = words.length === 3 && !isLimitWord(bytes, words[0] as [number, number]);
  const [hardWord, softWord] = (withUnit ? words.slice(1, 3) : words.slice(0, 2)) as [
    number,
    number,
  ][];
  if (
    softWord === undefined ||
    !isLimitWord(bytes, softWord) ||
    !isLimitWord(bytes, hardWord as [number, number])
  ) {
    throw new ParseError(
      KIND,
      `line ${line} does not end with two limits (each a decimal or "unlimited") and a unit`,
      bytes,
      start,
    );
  }
  let nameEnd = softWord[0];
  while (nameEnd > start && bytes[nameEnd - 1] === SPACE) nameEnd--;
  if (nameEnd === start) throw new ParseError(KIND, `line ${line} has no name`, bytes, start);
  const name = decodeText(KIND, bytes, start, nameEnd, 'escape');
  const soft = readLimit(bytes, line, name, 'soft', softWord);
  const hard = readLimit(bytes, line, name, 'hard', hardWord as [number, number]);
  const unitWord = withUnit ? (words[0] as [number, number]) : undefined;
  const unit = unitWord === undefined ? null : decodeText(KIND, bytes, ...unitWord, 'escape');
  return { name, key: LIMIT_KEYS.get(name), soft, hard, unit };
}

function isLimitWord(bytes: Uint8Array, [start, end]: [number, number]): boolean {
  if (matches(bytes, start, end, UNLIMITED)) return true;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte < 0x30 || byte > 0x39) return false;
  }
  return true;
}

function readLimit(
  bytes: Uint8Array,
  line: number,
  name: string,
  which: string,
  [start, end]: [number, number],
): number {
  if (matches(bytes, start, end, UNLIMITED)) return Number.POSITIVE_INFINITY;
  // The word is digits (readRow checked): only its size can fail.
  try {
    return readUint(KIND, bytes, start, end);
  } catch {
    throw new ParseError(
      KIND,
      `line ${line} (${name}): the ${which} limit is too large to be exact as a number`,
      bytes,
      start,
    );
  }
}

function matches(bytes: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[start + i] !== word[i]) return false;
  return true;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return matches(bytes, 0, Math.min(prefix.length, bytes.length), prefix);
}
