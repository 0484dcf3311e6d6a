import { EQUALS, NUL } from './bytes.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { decodeText, decodeWhole, encodeNulTerminated, type TextDecoding } from './text.js';

/** Options of `parseEnviron`. */
export interface EnvironOptions {
  /** How names and values become strings; `'escape'` (lossless) unless set. See `TextDecoding`. */
  decoding?: TextDecoding;
}

/** One `NAME=value` entry of `/proc/<pid>/environ` as raw bytes (copies, not views of the input). */
export interface EnvironEntryBytes {
  key: Uint8Array;
  value: Uint8Array;
}

/**
 * The environment of a process as `/proc/<pid>/environ` holds it: every `NAME=value`
 * definition in file order. Read it like a `Map`:
 *
 * - `get(name)` and `has(name)` see the FIRST definition of a name: what `getenv()` inside the
 *   process returns. (OpenSnitch keeps the last one, a value the process never sees.)
 * - Iteration (`entries()`, `keys()`, `values()`, `forEach`, `for...of`) and `size` cover every
 *   definition, repeated names included, so a second `LD_PRELOAD=` cannot hide. Do not build
 *   an object from the iteration (the last repeat would win): use `toMap()` or `toObject()`,
 *   which keep the first.
 *
 * Lookups scan the names in order, as `getenv()` does; for many lookups in a large environment,
 * take `toMap()` once.
 */
export class Environ implements Iterable<[string, string]> {
  private readonly names: string[];
  private readonly definitions: string[];

  /** Built by `parseEnviron`: names and values are parallel arrays in file order. */
  constructor(names: string[], values: string[]) {
    this.names = names;
    this.definitions = values;
  }

  /** How many definitions there are, repeated names counted each time. */
  get size(): number {
    return this.names.length;
  }

  /** The value of the first definition of `name`, or `undefined`. */
  get(name: string): string | undefined {
    const index = this.names.indexOf(name);
    return index === -1 ? undefined : this.definitions[index];
  }

  /** Whether `name` is defined. */
  has(name: string): boolean {
    return this.names.indexOf(name) !== -1;
  }

  /** Every definition as `[name, value]`, in file order. */
  entries(): IterableIterator<[string, string]> {
    return new EnvironEntries(this.names, this.definitions);
  }

  /** Every defined name, in file order (a repeated name appears each time). */
  keys(): IterableIterator<string> {
    return this.names.values();
  }

  /** Every value, in file order. */
  values(): IterableIterator<string> {
    return this.definitions.values();
  }

  /** Calls `callback(value, name)` for every definition, in file order. */
  forEach(callback: (value: string, name: string, environ: Environ) => void): void {
    for (let i = 0; i < this.names.length; i++) {
      callback(this.definitions[i] as string, this.names[i] as string, this);
    }
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** A `Map` of each name to its first definition, in the order names first appear. */
  toMap(): Map<string, string> {
    const map = new Map<string, string>();
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as string;
      if (!map.has(name)) map.set(name, this.definitions[i] as string);
    }
    return map;
  }

  /**
   * A plain object of each name to its first definition. It has no prototype, so names such as
   * `__proto__` and `constructor` are ordinary keys.
   */
  toObject(): Record<string, string> {
    const object: Record<string, string> = Object.create(null);
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as string;
      if (!(name in object)) object[name] = this.definitions[i] as string;
    }
    return object;
  }
}

// A plain iterator object rather than a generator: V8 inlines its `next` into `for...of`, which
// makes iterating an environment several times cheaper.
class EnvironEntries implements IterableIterator<[string, string]> {
  private index = 0;

  constructor(
    private readonly names: string[],
    private readonly values: string[],
  ) {}

  next(): IteratorResult<[string, string]> {
    const index = this.index;
    if (index >= this.names.length) return { done: true, value: undefined };
    this.index = index + 1;
    return { done: false, value: [this.names[index] as string, this.values[index] as string] };
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this;
  }
}

/**
 * Parses `/proc/<pid>/environ` (NUL-separated `NAME=value` entries, normally NUL-terminated).
 *
 * - The name is everything before the first `=`; the value everything after it, `=` included,
 *   byte for byte: nothing is trimmed (`\r`, `\n`, `\t` and spaces stay where they are).
 *   `NAME=` gives an empty value; `=value` gives the empty name.
 * - Entries without `=` (and the empty entries of doubled or trailing NULs) are skipped.
 * - See `Environ` for how repeated names read: lookups see the first, as `getenv()` does.
 *
 * Decoding is `'escape'` unless `options.decoding` says otherwise: UTF-8, where each byte that is
 * not valid UTF-8 becomes the lone surrogate U+DC80 + byte. Nothing is lost: `encodeText` turns
 * such a string back into the exact bytes and `hasEscapedBytes` tells whether it holds any.
 * `'strict'` refuses a file with any byte that is not UTF-8, even in an entry that would be
 * skipped; `'replace'` and `'latin1'` are as in `TextDecoding`.
 *
 * @throws ParseError if the input is neither bytes nor a string, if `decoding` is `'strict'` and
 *   a name or value is not UTF-8 (the message names the entry), or if `decoding` is unknown.
 */
export function parseEnviron(input: ProcInput, options?: EnvironOptions): Environ {
  checkInput('environ', input);
  const bytes = toBytes(input);
  const text = decodeWhole('environ', bytes, options?.decoding ?? 'escape', describeInvalid);
  const names: string[] = [];
  const values: string[] = [];
  const end = text.length;
  let start = 0;
  let equals = -1; // as in parseEnvironEntries
  while (start < end) {
    if (equals < start) {
      equals = text.indexOf('=', start);
      if (equals === -1) break;
    }
    let nul = text.indexOf('\0', start);
    if (nul === -1) nul = end;
    if (equals < nul) {
      names.push(text.slice(start, equals));
      values.push(text.slice(equals + 1, nul));
    }
    start = nul + 1;
  }
  return new Environ(names, values);
}

/**
 * The raw bytes of every entry of `/proc/<pid>/environ` that has a `=`, in file order, repeated
 * names kept, nothing decoded: for callers that want bytes. `key` is what precedes the first
 * `=`, `value` what follows it. The arrays are copies, safe to keep when the input buffer is
 * reused for the next read.
 *
 * @throws ParseError if the input is neither bytes nor a string.
 */
export function parseEnvironEntries(input: ProcInput): EnvironEntryBytes[] {
  checkInput('environ', input);
  const bytes = toBytes(input);
  const entries: EnvironEntryBytes[] = [];
  const end = bytes.length;
  let start = 0;
  // The next `=` at or after `start`, kept between entries so that entries without `=` cost
  // one scan in total rather than one scan each to the end of the input.
  let equals = -1;
  while (start < end) {
    if (equals < start) {
      equals = bytes.indexOf(EQUALS, start);
      if (equals === -1) break;
    }
    let nul = bytes.indexOf(NUL, start);
    if (nul === -1) nul = end;
    if (equals < nul) {
      entries.push({
        key: copyBytes(bytes, start, equals),
        value: copyBytes(bytes, equals + 1, nul),
      });
    }
    start = nul + 1;
  }
  return entries;
}

/**
 * The bytes of an environ file holding these entries: each `NAME=value` encoded with
 * `encodeText` (so escaped bytes come back as themselves) and terminated by a NUL. The inverse of
 * `parseEnviron` for valid entries; used to build fixtures and in round-trip tests.
 *
 * @throws TypeError naming the entry if a name is empty or contains `=` or NUL, if a value
 *   contains NUL (none of these could be read back), or if a string holds a lone surrogate that
 *   is not an escaped byte.
 */
export function serializeEnviron(entries: Iterable<readonly [string, string]>): Uint8Array {
  const lines: string[] = [];
  const names: string[] = [];
  for (const [key, value] of entries) {
    if (typeof key !== 'string' || typeof value !== 'string') {
      throw new TypeError(
        `serializeEnviron: entry ${JSON.stringify(key)} is not a pair of strings`,
      );
    }
    if (key.length === 0) throw new TypeError('serializeEnviron: empty variable name');
    if (key.includes('=')) {
      throw new TypeError(`serializeEnviron: variable name ${JSON.stringify(key)} contains "="`);
    }
    if (key.includes('\0')) {
      throw new TypeError(`serializeEnviron: variable name ${JSON.stringify(key)} contains NUL`);
    }
    if (value.includes('\0')) {
      throw new TypeError(`serializeEnviron: value of ${JSON.stringify(key)} contains NUL`);
    }
    lines.push(`${key}=${value}`);
    names.push(key);
  }
  return encodeNulTerminated(
    lines,
    (i) => `serializeEnviron: variable ${JSON.stringify(names[i])}`,
  );
}

// A plain Uint8Array copy, also for a Node Buffer (whose `slice` returns a view, not a copy).
function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

/** The message of a 'strict' decoding's error: the entry, and its name or value, at `offset`. */
function describeInvalid(bytes: Uint8Array, offset: number): string {
  let index = 0;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === NUL) {
      index++;
      start = i + 1;
    }
  }
  let nul = bytes.indexOf(NUL, offset);
  if (nul === -1) nul = bytes.length;
  const equals = bytes.indexOf(EQUALS, start);
  if (equals === -1 || equals > nul) return `entry ${index} (which has no "=") is not valid UTF-8`;
  if (equals > offset) return `name of entry ${index} is not valid UTF-8`;
  // Everything before `offset` is valid UTF-8, so the name decodes.
  const name = decodeText('environ', bytes, start, equals, 'strict');
  return `value of ${JSON.stringify(name)} (entry ${index}) is not valid UTF-8`;
}
