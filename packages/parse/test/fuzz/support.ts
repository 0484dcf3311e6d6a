// What the parse package's fuzz targets share: the captured fixtures as seed corpora, the
// ParseError check every call goes through, and the check that bytes and their text parse alike.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  accepted,
  type FuzzFile,
  type FuzzInput,
  fail,
  type MutationOptions,
  type Outcome,
  outcome,
  prefixes,
  procInput,
  sameOutcome,
  show,
  wrongType,
} from '../../../../test-support/fuzz.js';
import {
  decodeText,
  encodeText,
  ParseError,
  type ProcFileKind,
  type TextDecoding,
} from '../../src/index.js';

export * from '../../../../test-support/fuzz.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);

/** Every file of test/fixtures/<folder> (or those `accept` keeps), as bytes. */
export function corpus(folder: string, accept: (name: string) => boolean = () => true) {
  const dir = new URL(`${folder}/`, FIXTURES);
  return readdirSync(dir)
    .filter(accept)
    .sort()
    .map((name) => new Uint8Array(readFileSync(new URL(name, dir))));
}

/** Each line of a fixture file as one input (the fd-target lists), without its newline. */
export function corpusLines(folder: string): Uint8Array[] {
  const lines: Uint8Array[] = [];
  for (const file of corpus(folder)) {
    let start = 0;
    for (let i = 0; i <= file.length; i++) {
      if (i === file.length || file[i] === 0x0a) {
        if (i > start) lines.push(file.slice(start, i));
        start = i + 1;
      }
    }
  }
  return lines;
}

/**
 * The seeds, and pieces of `lines` lines (or NUL-separated entries) of each longer one: real
 * content, but small, so that mutations are denser and each case costs less. The whole seeds
 * stay in, for inputs of real size.
 */
export function withPieces(seeds: readonly Uint8Array[], lines: number, separator = 0x0a) {
  const out = [...seeds];
  for (const seed of seeds) {
    const ends: number[] = [];
    for (let at = seed.indexOf(separator); at >= 0; at = seed.indexOf(separator, at + 1)) {
      ends.push(at + 1);
    }
    if (ends.length <= lines) continue;
    for (let i = 0; i < ends.length; i += lines) {
      out.push(seed.slice(i === 0 ? 0 : ends[i - 1], ends[Math.min(i + lines, ends.length) - 1]));
    }
  }
  return out;
}

/** Lines in the input: each newline ends one, and text after the last newline is one more. */
export function lineCount(bytes: Uint8Array): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) count++;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? count + 1 : count;
}

/** Bytes as a fuzz input, given as they are. */
export const asInput = (bytes: Uint8Array): FuzzInput => ({ input: bytes, bytes, form: 'bytes' });

/** A sweep of every prefix of every seed (`what` and `values` for a target's `sweep` option). */
export const everyPrefix = <T>(
  seeds: readonly Uint8Array[],
  make: (input: FuzzInput) => T,
  what = 'every prefix of every seed',
) => ({ what, values: prefixes(seeds).map((bytes) => make(asInput(bytes))) });

/**
 * Pieces of `lines` lines (or NUL-separated entries) of each seed, for sweeps of files whose
 * lines stand alone: every cut of every line, without parsing a long file again for each.
 */
export function pieces(seeds: readonly Uint8Array[], lines: number, separator = 0x0a) {
  return withPieces(seeds, lines, separator).filter(
    (piece) => !seeds.includes(piece) || piece.length <= 512,
  );
}

/** The lossless text of bytes, as a parser's string input. */
export const textOf = (bytes: Uint8Array): string =>
  decodeText('text', bytes, 0, bytes.length, 'escape');

export const DECODINGS: readonly TextDecoding[] = ['escape', 'strict', 'replace', 'latin1'];

/** A decoding option: mostly a real one, sometimes left out, now and then garbage. */
export const decodingOption: fc.Arbitrary<TextDecoding | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...DECODINGS) },
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'utf8',
      'UTF-8',
      '',
      'ascii',
      'Escape',
    ) as unknown as fc.Arbitrary<TextDecoding>,
  },
);

/** What a parser target is given: a fuzz input, or (1 in 50) a value of the wrong type. */
export type ParserCase = FuzzInput | { input: unknown; bytes: undefined; form: 'wrong-type' };

/** How `parserInput` mutates its seeds, and how long its random inputs get. */
export type ParserInputOptions = MutationOptions & { maxRandomBytes?: number };

/** A parser input: a mutated fixture in any form, random bytes or text; 1 in 50 a wrong type. */
export function parserInput(
  seeds: readonly Uint8Array[],
  options?: ParserInputOptions,
): fc.Arbitrary<ParserCase> {
  return fc.oneof(
    { weight: 49, arbitrary: procInput(seeds, textOf, options) },
    {
      weight: 1,
      arbitrary: wrongType.map((input) => ({
        input,
        bytes: undefined,
        form: 'wrong-type' as const,
      })),
    },
  );
}

/**
 * Runs a parser call: its value, or a ParseError of `kind` whose offset lies in the input's bytes
 * (`length`, when known) and whose message starts with the kind. Anything else fails the case.
 */
export function parsed<T>(
  run: () => T,
  kind: ProcFileKind,
  length: number | undefined,
): Outcome<T> {
  const result = outcome(run, [ParseError]);
  if (!result.ok) {
    const error = result.error as ParseError;
    if (error.name !== 'ParseError') fail(`ParseError named ${error.name}`);
    if (error.kind !== kind) fail(`ParseError of kind ${error.kind}, expected ${kind}`);
    if (!Number.isSafeInteger(error.offset) || error.offset < 0) {
      fail(`ParseError offset ${error.offset}`);
    }
    if (length !== undefined && error.offset > length) {
      fail(`ParseError offset ${error.offset} past the input's ${length} bytes: ${error.message}`);
    }
    if (typeof error.excerpt !== 'string' || !error.message.startsWith(`${kind}: `)) {
      fail(`ParseError shape: ${error.message}`);
    }
  }
  return result;
}

/**
 * The outcome of `parse` on a fuzz input, checked as `parsed` does; for an input given in a view
 * of a larger buffer or a Node Buffer (a quarter of the cases: the check costs a second parse),
 * also that the same bytes given as their text (a string) come to the same outcome, as
 * `ProcInput` promises.
 */
export function parseBoth<T>(
  value: { input: unknown; bytes: Uint8Array | undefined; form: string },
  kind: ProcFileKind,
  parse: (input: unknown) => T,
): Outcome<T> {
  const result = parsed(() => parse(value.input), kind, value.bytes?.length);
  if (result.ok) accepted();
  if (value.bytes !== undefined && (value.form === 'view' || value.form === 'buffer')) {
    const text = textOf(value.bytes);
    const twin = parsed(() => parse(text), kind, value.bytes.length);
    if (!sameOutcome(result, twin)) {
      const describe = (o: Outcome<T>) => (o.ok ? 'a value' : o.error.message);
      fail(
        `bytes and their text parse differently: ${describe(result)} / ${describe(twin)} for ${show(value.bytes)}`,
      );
    }
  }
  return result;
}

/** A parser whose one option is `decoding`, and the file kind its errors name. */
export interface DecodingParser<T> {
  /** The target's name: the parser's. */
  name: string;
  kind: ProcFileKind;
  parse: (input: Uint8Array, options: { decoding: TextDecoding } | undefined) => T;
}

/**
 * The target of a parser whose one option is `decoding`: mutated `seeds` with a decoding option
 * (mostly a real one, sometimes left out, now and then garbage), each parse checked as
 * `parseBoth` does, and `property` run on every value a parse gave. Its sweep is every prefix of
 * `sweep.seeds` (the seeds unless given) with the default decoding.
 */
export function decodingTarget<T>(
  fuzz: FuzzFile,
  parser: DecodingParser<T>,
  seeds: readonly Uint8Array[],
  property: (value: T, given: ParserCase, decoding: TextDecoding | undefined) => void,
  options?: {
    mutations?: ParserInputOptions;
    sweep?: { seeds: readonly Uint8Array[]; what: string };
  },
): void {
  fuzz.target(
    parser.name,
    fc.tuple(parserInput(seeds, options?.mutations), decodingOption),
    ([given, decoding]) => {
      const parseOptions = decoding === undefined ? undefined : { decoding };
      const result = parseBoth(given, parser.kind, (input) =>
        parser.parse(input as Uint8Array, parseOptions),
      );
      if (result.ok) property(result.value, given, decoding);
    },
    {
      sweep: everyPrefix(
        options?.sweep?.seeds ?? seeds,
        (input): [ParserCase, TextDecoding | undefined] => [input, undefined],
        options?.sweep?.what,
      ),
    },
  );
}

/** Whether encodeText refuses `text`: a lone surrogate that is not an escaped byte (U+DC80-U+DCFF). */
export function unencodable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    if (code <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        i++;
        continue;
      }
      return true;
    }
    if (code < 0xdc80 || code > 0xdcff) return true;
  }
  return false;
}

/** The string `text` reads back as after encodeText (escaped bytes may join into UTF-8). */
export const reread = (text: string): string => {
  const bytes = encodeText(text);
  return decodeText('text', bytes, 0, bytes.length, 'escape');
};
