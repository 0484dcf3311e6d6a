// Inputs for parsers: mutated real inputs in each form a parser takes (bytes, a view, a Buffer,
// text), random bytes and strings, and values of the wrong type.
import fc from 'fast-check';
import { applyAll, type MutationOptions, mutator } from './fuzz-mutations.js';

/** A string code unit, lone surrogates (escaped bytes and others) included. */
const anyCodeUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('\0', '\n', ' ', '=', ':', '\t', '\\', '(', ')', '@') },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0xdc80, max: 0xdcff }).map((c) => String.fromCharCode(c)),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  },
);

/** Any JavaScript string: control characters, astral code points and lone surrogates too. */
export const anyString = (maxLength = 200): fc.Arbitrary<string> =>
  fc.string({ unit: anyCodeUnit, maxLength });

/**
 * Any value at all as an option, `String()`-proof or not: an option check must answer a
 * ParseError for an object without a prototype too (the campaign once found it did not).
 */
export const anyStringable: fc.Arbitrary<unknown> = fc.anything({ withNullPrototype: true });

/** Values that are neither a Uint8Array nor a string. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    0,
    42,
    -1,
    Number.NaN,
    10n,
    true,
    Symbol('x'),
    [0x61, 0x0a],
    { length: 2, 0: 0x61, 1: 0x0a },
    new ArrayBuffer(8),
    new DataView(new ArrayBuffer(8)),
    new Uint16Array(4),
    new Int8Array(4),
    new Uint8ClampedArray(4),
    () => 'text',
    new String('text'),
  ),
  fc.anything(),
);

/**
 * How an input reaches a parser: plain bytes; a view into a larger buffer (bytes before and
 * after it that the parser must not read); a Node Buffer; or a string (the bytes' lossless
 * `'escape'` text, `textOf`).
 */
export type InputForm = 'bytes' | 'view' | 'buffer' | 'text';

/** An input as the parser receives it, with the bytes it stands for. */
export interface FuzzInput {
  input: Uint8Array | string;
  /**
   * The bytes the parser reads: `input` itself, or the bytes the text stands for; undefined for a
   * random string (its bytes are the parser's to work out).
   */
  bytes: Uint8Array | undefined;
  form: InputForm | 'random-string';
}

/**
 * Puts `bytes` in the chosen form. `textOf` turns bytes into their exact text (the parse
 * package's `decodeText(..., 'escape')`), for the string form.
 */
export function inForm(bytes: Uint8Array, form: InputForm, textOf: (b: Uint8Array) => string) {
  switch (form) {
    case 'bytes':
      return bytes;
    case 'view': {
      const outer = new Uint8Array(bytes.length + 16);
      outer.fill(0x0a, 0, 8);
      outer.fill(0xff, 8 + bytes.length);
      outer.set(bytes, 8);
      return outer.subarray(8, 8 + bytes.length);
    }
    case 'buffer':
      return Buffer.from(bytes);
    case 'text':
      return textOf(bytes);
  }
}

/**
 * The usual parser input: mostly (6 in 8) a mutated real input, in any form, then pure random
 * bytes and random strings (1 in 8 each). `textOf` is the escape decoding, for the string form.
 */
export function procInput(
  corpus: readonly Uint8Array[],
  textOf: (b: Uint8Array) => string,
  options: MutationOptions & { maxRandomBytes?: number } = {},
): fc.Arbitrary<FuzzInput> {
  if (corpus.length === 0) throw new Error('procInput: an empty corpus');
  const m = mutator(corpus, options);
  const max = options.maxMutations ?? 8;
  // One nat picks the seed, whether to mutate it (7 in 8) and the form; one Uint32Array holds
  // the mutations: two generated values a case (nesting arbitraries costs more than the parse).
  const mutated = fc
    .tuple(fc.nat(), fc.uint32Array({ minLength: 3, maxLength: 3 * max }))
    .map(([pick, list]): FuzzInput => {
      const seed = corpus[pick % corpus.length] as Uint8Array;
      const rest = Math.floor(pick / corpus.length);
      const bytes = rest % 8 === 7 ? seed.slice() : applyAll(seed, list, m);
      const form = FORMS[Math.floor(rest / 8) % FORMS.length] as InputForm;
      return { input: inForm(bytes, form, textOf), bytes, form };
    });
  const random = fc
    .tuple(fc.uint8Array({ maxLength: options.maxRandomBytes ?? 512 }), fc.nat(FORMS.length - 1))
    .map(([bytes, f]): FuzzInput => {
      const form = FORMS[f] as InputForm;
      return { input: inForm(bytes, form, textOf), bytes, form };
    });
  return fc.oneof(
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: random },
    {
      weight: 1,
      arbitrary: anyString(300).map(
        (text): FuzzInput => ({ input: text, bytes: undefined, form: 'random-string' }),
      ),
    },
  );
}

/** Forms of an input by weight: plain bytes half the time. */
const FORMS: readonly InputForm[] = ['bytes', 'bytes', 'bytes', 'view', 'buffer', 'text'];
