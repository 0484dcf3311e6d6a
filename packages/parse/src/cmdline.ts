import { NUL, SPACE } from './bytes.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { decodeWhole, encodeNulTerminated, type TextDecoding } from './text.js';

/** Options of `parseCmdlineBytes`. */
export interface CmdlineBytesOptions {
  /**
   * Whether to split a rewritten process title on spaces, as psutil does (see `parseCmdline`).
   * `true` unless set; with `false` the result is exactly the NUL-separated arguments.
   */
  splitRewrittenTitle?: boolean;
}

/** Options of `parseCmdline`. */
export interface CmdlineOptions extends CmdlineBytesOptions {
  /** How arguments become strings; `'escape'` (lossless) unless set. See `TextDecoding`. */
  decoding?: TextDecoding;
}

/**
 * The arguments of a process from `/proc/<pid>/cmdline`: the kernel writes them NUL-separated
 * and NUL-terminated. Empty arguments and spaces inside an argument are kept. An empty file
 * (kernel thread, zombie) gives `[]`.
 *
 * A process can rewrite its title (Chrome, nginx, `setproctitle`): the file is then one string
 * with spaces instead of NULs, with no NUL at all or a single final one. With
 * `splitRewrittenTitle` (the default) this follows psutil's heuristic:
 * - a file without any NUL is split on spaces (after dropping one final space);
 * - a file with a NUL is split on NULs (after dropping one final NUL), and if that gives a single
 *   argument containing a space, that argument is split on spaces instead.
 *
 * No argument ever contains a NUL. psutil splits a file that holds NULs but does not end in one
 * (a read cut short, a process rewriting its arguments meanwhile) on spaces, which leaves NULs
 * inside arguments; here any NUL makes NUL the separator.
 *
 * The heuristic is ambiguous: a genuine single argument containing spaces (`execve` of
 * `["my prog"]`, saved as `my prog\0`) looks exactly like a rewritten title and is split too.
 * A title padded with many NULs (Node's `process.title`) is not recognised: it reads as the title
 * followed by empty arguments. Pass `splitRewrittenTitle: false` to get exactly the NUL-separated
 * arguments (a missing final NUL tolerated).
 *
 * Decoding is `'escape'` unless `options.decoding` says otherwise: UTF-8, where each byte that is
 * not valid UTF-8 becomes the lone surrogate U+DC80 + byte; `encodeText` gives back the exact
 * bytes and `hasEscapedBytes` tells whether a string holds any. `'strict'` refuses a file with
 * any byte that is not UTF-8; `'replace'` and `'latin1'` are as in `TextDecoding`.
 *
 * @throws ParseError if the input is neither bytes nor a string, if `decoding` is `'strict'` and
 *   an argument is not UTF-8 (the message names it), or if `decoding` is unknown.
 */
export function parseCmdline(input: ProcInput, options?: CmdlineOptions): string[] {
  checkInput('cmdline', input);
  const bytes = toBytes(input);
  const text = decodeWhole('cmdline', bytes, options?.decoding ?? 'escape', describeInvalid);
  const splitTitle = options?.splitRewrittenTitle ?? true;
  const length = text.length;
  if (length === 0) return [];
  const end = text.charCodeAt(length - 1) === NUL ? length - 1 : length;
  if (splitTitle && end === length && text.indexOf('\0') === -1) {
    return splitText(text, ' ', text.charCodeAt(length - 1) === SPACE ? length - 1 : length);
  }
  const args = splitText(text, '\0', end);
  // A single argument here means the one NUL was the final one: a title, or a lone argument.
  if (splitTitle && args.length === 1 && text.indexOf(' ') !== -1) return splitText(text, ' ', end);
  return args;
}

/**
 * The arguments of a process from `/proc/<pid>/cmdline` as raw bytes, nothing decoded: the same
 * rules as `parseCmdline`, including the rewritten-title heuristic unless `splitRewrittenTitle`
 * is `false`. The arrays are views of one copy of the input, safe to keep when the input buffer is
 * reused; they share that copy's ArrayBuffer (each has its own `byteOffset`).
 *
 * @throws ParseError if the input is neither bytes nor a string.
 */
export function parseCmdlineBytes(input: ProcInput, options?: CmdlineBytesOptions): Uint8Array[] {
  checkInput('cmdline', input);
  const bytes = toBytes(input);
  const splitTitle = options?.splitRewrittenTitle ?? true;
  const length = bytes.length;
  if (length === 0) return [];
  const end = bytes[length - 1] === NUL ? length - 1 : length;
  if (splitTitle && end === length && bytes.indexOf(NUL) === -1) {
    return splitBytes(bytes, SPACE, bytes[length - 1] === SPACE ? length - 1 : length);
  }
  const args = splitBytes(bytes, NUL, end);
  if (splitTitle && args.length === 1 && bytes.indexOf(SPACE) !== -1) {
    return splitBytes(bytes, SPACE, end);
  }
  return args;
}

/**
 * The bytes of a cmdline file holding these arguments: each encoded with `encodeText` (so escaped
 * bytes come back as themselves) and terminated by a NUL; `[]` gives an empty file. The inverse of
 * `parseCmdline(..., { splitRewrittenTitle: false })`, and of the default too unless `args` is a
 * single argument containing a space.
 *
 * @throws TypeError naming the argument if one contains NUL, or holds a lone surrogate that is
 *   not an escaped byte.
 */
export function serializeCmdline(args: readonly string[]): Uint8Array {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg !== 'string')
      throw new TypeError(`serializeCmdline: argument ${i} is not a string`);
    if (arg.includes('\0')) throw new TypeError(`serializeCmdline: argument ${i} contains NUL`);
  }
  return encodeNulTerminated(args, (i) => `serializeCmdline: argument ${i}`);
}

/** The message of a 'strict' decoding's error: which argument holds the byte at `offset`. */
function describeInvalid(bytes: Uint8Array, offset: number): string {
  let index = 0;
  for (let i = 0; i < offset; i++) if (bytes[i] === NUL) index++;
  return `argument ${index} is not valid UTF-8`;
}

/** `text[0, end)` split on `separator`, as Python's `str.split(sep)`: at least one piece. */
function splitText(text: string, separator: string, end: number): string[] {
  const pieces: string[] = [];
  let count = 0;
  let start = 0;
  for (;;) {
    const next = text.indexOf(separator, start);
    if (next === -1 || next >= end) {
      pieces[count] = text.slice(start, end);
      return pieces;
    }
    pieces[count++] = text.slice(start, next);
    start = next + 1;
  }
}

/**
 * `bytes[0, end)` split on `separator`, as `splitText`. The pieces are views of one copy: a view is
 * one allocation where a copy of each piece is two (its ArrayBuffer and the array), which is most
 * of the time for a file of many short arguments. The copy is a plain Uint8Array, also for a Node
 * Buffer, whose views would be Buffers.
 */
function splitBytes(bytes: Uint8Array, separator: number, end: number): Uint8Array[] {
  const copy = new Uint8Array(bytes.subarray(0, end));
  const pieces: Uint8Array[] = [];
  let count = 0;
  let start = 0;
  for (;;) {
    const next = copy.indexOf(separator, start);
    if (next === -1) {
      pieces[count] = copy.subarray(start, end);
      return pieces;
    }
    pieces[count++] = copy.subarray(start, next);
    start = next + 1;
  }
}
