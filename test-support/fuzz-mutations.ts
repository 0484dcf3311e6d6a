// Mutations that damage real captured inputs: bytes overwritten, inserted, deleted, numbers and
// lines replaced, chunks of other inputs spliced in. Counterexamples show the mutated bytes.
import fc from 'fast-check';

const encoder = new TextEncoder();
/** The UTF-8 bytes of `text` (ASCII in practice: tokens, lines written back). */
export const ascii = (text: string): Uint8Array => encoder.encode(text);

/** Bytes that matter to some parser: separators, signs, brackets, digit and hex edges, UTF-8 leads. */
export const INTERESTING_BYTES: readonly number[] = [
  0x00, 0x0a, 0x0d, 0x09, 0x20, 0x2d, 0x2b, 0x3a, 0x28, 0x29, 0x5b, 0x5d, 0x40, 0x3d, 0x5c, 0x2f,
  0x30, 0x31, 0x37, 0x38, 0x39, 0x41, 0x46, 0x47, 0x61, 0x66, 0x67, 0x6b, 0x6e, 0x78, 0x7f, 0x80,
  0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xfe, 0xff,
];

/** Byte strings worth inserting anywhere: invalid and valid UTF-8, separators, markers. */
export const INTERESTING_TOKENS: readonly Uint8Array[] = [
  // Not UTF-8: a stray byte, a lone lead, a cut sequence, a surrogate, overlong, past U+10FFFF.
  Uint8Array.of(0xff),
  Uint8Array.of(0x80),
  Uint8Array.of(0xc3),
  Uint8Array.of(0xe2, 0x82),
  Uint8Array.of(0xed, 0xa0, 0x80),
  Uint8Array.of(0xed, 0xbf, 0xbf),
  Uint8Array.of(0xc0, 0xaf),
  Uint8Array.of(0xe0, 0x80, 0xaf),
  Uint8Array.of(0xf4, 0x90, 0x80, 0x80),
  Uint8Array.of(0xf0, 0x9f, 0x98),
  // UTF-8: é, €, U+FFFD, emoji (U+1F4A9's low surrogate is U+DCA9, an escaped byte's range), a
  // bidi override, U+2028.
  ascii('é'),
  ascii('€'),
  ascii('\ufffd'),
  ascii('😀'),
  ascii('\u{1F4A9}'),
  ascii('\u202e'),
  ascii('\u2028'),
  ascii('\0'),
  ascii('\n'),
  ascii('\r\n'),
  ascii('\n\n'),
  ascii('\0\0'),
  ascii(' '),
  ascii('  '),
  ascii('\t'),
  ascii('\\'),
  ascii('\\n'),
  ascii(':'),
  ascii(': '),
  ascii(':\t'),
  ascii('='),
  ascii('('),
  ascii(')'),
  ascii(') '),
  ascii(' ('),
  ascii('['),
  ascii(']'),
  ascii('@'),
  ascii('-'),
  ascii(' (deleted)'),
  ascii(' kB'),
  ascii('0x'),
];

/** Text to put where a number was: huge, negative, signed, not decimal, not ASCII digits, empty. */
export const NUMBER_TOKENS: readonly Uint8Array[] = [
  '',
  '0',
  '00',
  '-0',
  '-1',
  '+1',
  '-',
  '1.5',
  '1e3',
  '0x1f',
  'NaN',
  'Infinity',
  '٣',
  '１',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '99999999999999999',
  '18446744073709551615',
  '18446744073709551616',
  '340282366920938463463374607431768211455',
  '99999999999999999999999999999999999999999999999999',
  '0000000000000000000000000000000000000000001',
  'ffffffff',
  'FFFFFFFFFFFFFFFF',
  'fffffffffffffffff',
  'ffffffffffffffffffffffffffffffff',
  '7fffffffffffffff',
  '80000000',
  'g',
  'x',
  ' 1',
  '1 ',
  '\t',
].map(ascii);

/** Little-endian u16 and u32 values worth writing into a binary message. */
export const INTERESTING_WORDS: readonly number[] = [
  0, 1, 2, 3, 4, 5, 7, 8, 10, 15, 16, 17, 18, 19, 20, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000,
  0xfffe, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
];

/** How mutations see an input: where its lines (or NUL-separated entries) are. */
export interface MutationOptions {
  /** Bytes that end a line for the line mutations ([0x0a] unless set; [] for binary input). */
  separators?: readonly number[];
  /** Byte strings worth inserting, on top of INTERESTING_TOKENS (a format's keywords). */
  tokens?: readonly Uint8Array[];
  /** Whether to write u16/u32 words at aligned offsets (binary formats). */
  words?: boolean;
  /** At most this many mutations on one input (8 unless set). */
  maxMutations?: number;
}

// A mutation is three u32s [operation, position, argument], generated as one Uint32Array per
// input: fast-check builds a typed array far faster than a list of records (a list of records
// cost more than the parse it fed), and it still shrinks. Counterexamples show the mutated
// bytes, not the mutations.
type Operation =
  | 'set'
  | 'insert'
  | 'delete'
  | 'truncate'
  | 'number'
  | 'splice'
  | 'repeat'
  | 'lineDup'
  | 'lineDelete'
  | 'lineSwap'
  | 'word';

/** Operations by weight: an operation's share of mutations is its count here. */
function operations(options: MutationOptions): Operation[] {
  const table: Operation[] = [];
  const add = (operation: Operation, weight: number) => {
    for (let i = 0; i < weight; i++) table.push(operation);
  };
  add('set', 4);
  add('insert', 3);
  add('delete', 2);
  add('truncate', 2);
  add('number', 3);
  add('splice', 1);
  add('repeat', 1);
  if ((options.separators ?? [0x0a]).length > 0) {
    add('lineDup', 2);
    add('lineDelete', 1);
    add('lineSwap', 1);
  }
  if (options.words) add('word', 5);
  return table;
}

/** Mutations of one input, as `mutate` reads them: 3 u32s each. */
export type Mutations = Uint32Array;

/** A mutator: the operations and tokens `options` allow, and the corpus splices draw from. */
export interface Mutator {
  table: Operation[];
  tokens: readonly Uint8Array[];
  separators: readonly number[];
  corpus: readonly Uint8Array[];
}

export function mutator(corpus: readonly Uint8Array[], options: MutationOptions): Mutator {
  return {
    table: operations(options),
    tokens: [...INTERESTING_TOKENS, ...(options.tokens ?? [])],
    separators: options.separators ?? [0x0a],
    corpus,
  };
}

/** The bytes of `parts`, one after the other, in a new array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** [start, end) of the line holding `at`, its separator included. */
function lineAt(bytes: Uint8Array, at: number, separators: readonly number[]): [number, number] {
  let start = at;
  while (start > 0 && !separators.includes(bytes[start - 1] as number)) start--;
  let end = at;
  while (end < bytes.length && !separators.includes(bytes[end] as number)) end++;
  return [start, Math.min(end + 1, bytes.length)];
}

const isNumberByte = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) ||
  (byte >= 0x41 && byte <= 0x46) ||
  (byte >= 0x61 && byte <= 0x66);

/** A byte from an argument: half the time one of INTERESTING_BYTES. */
const byteOf = (argument: number): number =>
  argument & 1
    ? (INTERESTING_BYTES[(argument >>> 1) % INTERESTING_BYTES.length] as number)
    : (argument >>> 1) & 0xff;

/**
 * Applies one mutation to `bytes`, which the caller owns (it may be changed in place); returns
 * the result, `bytes` itself or a new array.
 */
function applyMutation(
  bytes: Uint8Array,
  code: number,
  where: number,
  argument: number,
  m: Mutator,
): Uint8Array {
  const length = bytes.length;
  const at = where % (length + 1); // a place between bytes, the end included
  const operation = m.table[code % m.table.length] as Operation;
  switch (operation) {
    case 'set': {
      if (length === 0) return Uint8Array.of(byteOf(argument));
      bytes[where % length] = byteOf(argument);
      return bytes;
    }
    case 'insert': {
      // A token (3 in 5), a few arbitrary bytes, or one byte.
      const kind = argument % 5;
      const rest = Math.floor(argument / 5);
      let insertion: Uint8Array;
      if (kind < 3) insertion = m.tokens[rest % m.tokens.length] as Uint8Array;
      else if (kind === 3) {
        insertion = new Uint8Array(1 + (rest % 4));
        for (let i = 0, x = rest; i < insertion.length; i++, x >>>= 8) insertion[i] = x & 0xff;
      } else insertion = Uint8Array.of(byteOf(rest));
      return concat(bytes.subarray(0, at), insertion, bytes.subarray(at));
    }
    case 'delete': {
      const count = argument & 1 ? 1 + ((argument >>> 1) % 4) : 1 + ((argument >>> 1) % 200);
      return concat(bytes.subarray(0, at), bytes.subarray(at + count));
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'number': {
      // The first run of digits or hex letters at or after `where` (or the first of all)
      // becomes a token of NUMBER_TOKENS.
      if (length === 0) return bytes;
      let start = where % length;
      while (start < length && !isNumberByte(bytes[start] as number)) start++;
      if (start === length) {
        start = 0;
        while (start < length && !isNumberByte(bytes[start] as number)) start++;
        if (start === length) return bytes;
      }
      while (start > 0 && isNumberByte(bytes[start - 1] as number)) start--;
      let end = start;
      while (end < length && isNumberByte(bytes[end] as number)) end++;
      const text = NUMBER_TOKENS[argument % NUMBER_TOKENS.length] as Uint8Array;
      return concat(bytes.subarray(0, start), text, bytes.subarray(end));
    }
    case 'splice': {
      // A chunk of up to 300 bytes of a corpus input, inserted.
      const source = m.corpus[argument % m.corpus.length] as Uint8Array;
      const rest = Math.floor(argument / m.corpus.length);
      const from = rest % (source.length + 1);
      const chunk = source.subarray(from, from + 1 + (Math.floor(rest / 4096) % 300));
      return concat(bytes.subarray(0, at), chunk, bytes.subarray(at));
    }
    case 'repeat': {
      // A chunk of up to 40 bytes, 2 to 64 times.
      const chunk = bytes.subarray(at, at + 1 + (argument % 40));
      if (chunk.length === 0) return bytes;
      const copies = Array.from({ length: 2 + ((argument >>> 8) % 63) }, () => chunk);
      return concat(bytes.subarray(0, at), ...copies, bytes.subarray(at + chunk.length));
    }
    case 'lineDup':
    case 'lineDelete':
    case 'lineSwap': {
      if (length === 0) return bytes;
      const [start, end] = lineAt(bytes, where % length, m.separators);
      const line = bytes.subarray(start, end);
      if (operation === 'lineDelete') return concat(bytes.subarray(0, start), bytes.subarray(end));
      if (operation === 'lineDup') {
        const copies = Array.from({ length: 1 + (argument % 3) }, () => line);
        return concat(bytes.subarray(0, end), ...copies, bytes.subarray(end));
      }
      const [otherStart, otherEnd] = lineAt(bytes, argument % length, m.separators);
      if (otherStart === start) return bytes;
      const [a, b] = start < otherStart ? [start, otherStart] : [otherStart, start];
      const [aEnd, bEnd] = start < otherStart ? [end, otherEnd] : [otherEnd, end];
      return concat(
        bytes.subarray(0, a),
        bytes.subarray(b, bEnd),
        bytes.subarray(aEnd, b),
        bytes.subarray(a, aEnd),
        bytes.subarray(bEnd),
      );
    }
    case 'word': {
      // A u16 or u32 at an aligned offset: one of INTERESTING_WORDS, or the word there nudged
      // by -8..8 (a length or count off by a few).
      const size = argument & 1 ? 4 : 2;
      if (length < size) return bytes;
      const offset = (where % (length - size + 1)) & ~(size - 1);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const nudge = (argument >>> 1) % 3 === 0 ? ((argument >>> 3) % 17) - 8 : 0;
      const old = size === 2 ? view.getUint16(offset, true) : view.getUint32(offset, true);
      const value =
        nudge !== 0
          ? (old + nudge) >>> 0
          : (INTERESTING_WORDS[(argument >>> 3) % INTERESTING_WORDS.length] as number);
      if (size === 2) view.setUint16(offset, value & 0xffff, true);
      else view.setUint32(offset, value >>> 0, true);
      return bytes;
    }
  }
}

/**
 * A real input from `corpus` with 1 to `maxMutations` mutations applied: bytes overwritten,
 * inserted (tokens, invalid UTF-8, NUL, newlines), deleted, the input truncated, numbers replaced
 * by huge, negative or non-digit text, lines duplicated, deleted or swapped, chunks of other
 * inputs spliced in, chunks repeated, words of binary formats rewritten. Now and then (1 in 8)
 * the input is left whole.
 */
export function mutatedBytes(
  corpus: readonly Uint8Array[],
  options: MutationOptions = {},
): fc.Arbitrary<Uint8Array> {
  if (corpus.length === 0) throw new Error('mutatedBytes: an empty corpus');
  const m = mutator(corpus, options);
  const max = options.maxMutations ?? 8;
  return fc
    .tuple(fc.nat(corpus.length * 8 - 1), fc.uint32Array({ minLength: 3, maxLength: 3 * max }))
    .map(([pick, list]) => {
      const bytes = corpus[pick >>> 3] as Uint8Array;
      return (pick & 7) === 7 ? bytes.slice() : applyAll(bytes, list, m);
    });
}

const mutators = new WeakMap<MutationOptions, WeakMap<readonly Uint8Array[], Mutator>>();

/**
 * `bytes` (never changed) with `list` (3 u32s a mutation, any values) applied, as a new array;
 * splices take from `corpus`, and `options` say which mutations apply.
 */
export function mutate(
  bytes: Uint8Array,
  list: Mutations,
  corpus: readonly Uint8Array[],
  options: MutationOptions = {},
): Uint8Array {
  let byCorpus = mutators.get(options);
  if (byCorpus === undefined) {
    byCorpus = new WeakMap();
    mutators.set(options, byCorpus);
  }
  let m = byCorpus.get(corpus);
  if (m === undefined) {
    m = mutator(corpus, options);
    byCorpus.set(corpus, m);
  }
  return applyAll(bytes, list, m);
}

export function applyAll(bytes: Uint8Array, list: Mutations, m: Mutator): Uint8Array {
  let out: Uint8Array = bytes.slice();
  for (let i = 0; i + 2 < list.length; i += 3) {
    out = applyMutation(out, list[i] as number, list[i + 1] as number, list[i + 2] as number, m);
  }
  // A view (truncate) of a larger array is fine: the callers copy or wrap it as they need.
  return out;
}
