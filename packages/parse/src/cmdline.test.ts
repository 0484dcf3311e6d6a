import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesOf,
  decodings,
  fixtures,
  latin1Bytes,
  latin1Text,
  parseErrorOf,
  safeEscapes,
  typeErrorOf,
  valueOrParseError,
} from '../test/helpers.js';
import { parseCmdline, parseCmdlineBytes, serializeCmdline } from './cmdline.js';
import { decodeText, encodeText, hasEscapedBytes, type TextDecoding } from './text.js';

const fixture = fixtures('cmdline');

const BASH_ARGS = [
  'bash',
  '-c',
  'sleep 30; :',
  'name',
  'a b',
  '',
  'ünï ✓',
  'caf\udce9',
  'trailing space ',
];

// [fixture, default result (psutil's heuristic), result with splitRewrittenTitle: false]
const cases: [string, string[], string[]][] = [
  // execve("/bin/sleep", ["sleep", "30"])
  ['sleep', ['sleep', '30'], ['sleep', '30']],
  // execve("/bin/bash", ["bash", "-c", "sleep 30; :", "name", "a b", "", "ünï ✓", "caf\xe9",
  // "trailing space "])
  ['bash-args', BASH_ARGS, BASH_ARGS],
  // execve("/bin/cat", ["cat with spaces"]): a genuine single argument, split by the heuristic
  ['single-arg-with-spaces', ['cat', 'with', 'spaces'], ['cat with spaces']],
  // node -e "process.title='my title with spaces'; ...": libuv pads the old argv with NULs
  [
    'node-process-title',
    ['my title with spaces', ...new Array<string>(50).fill('')],
    ['my title with spaces', ...new Array<string>(50).fill('')],
  ],
  // python3 writing "python-worker: serving requests on :8080\0" over its own argv and a space
  // over the last byte: the kernel then reads the title up to and including the first NUL
  [
    'setproctitle-python',
    ['python-worker:', 'serving', 'requests', 'on', ':8080'],
    ['python-worker: serving requests on :8080'],
  ],
  // /proc/2/cmdline (kthreadd) and a zombie's: both empty
  ['kernel-thread-kthreadd', [], []],
  ['zombie', [], []],
  // crafted: a title with no NUL at all (what older kernels showed for Chrome)
  [
    'chrome-title-no-nul',
    ['chrome', '--type=renderer', '--lang=en-US', '--num-raster-threads=4'],
    ['chrome --type=renderer --lang=en-US --num-raster-threads=4'],
  ],
  // crafted: "nginx: worker process \0": psutil splits on every space, so the last piece is empty
  ['crafted-title-trailing-space', ['nginx:', 'worker', 'process', ''], ['nginx: worker process ']],
  // crafted: "a\0b c": no final NUL (a read cut short). psutil splits on spaces and keeps the NUL
  // inside an argument; a file with a NUL is split on NULs, so no argument ever holds one
  ['crafted-nul-inside-no-terminator', ['a', 'b c'], ['a', 'b c']],
  // crafted: "x\0\0y\0\0": empty arguments kept
  ['crafted-empty-args', ['x', '', 'y', ''], ['x', '', 'y', '']],
];

describe('parseCmdline on captures', () => {
  it.each(cases)('%s', (name, heuristic, exact) => {
    expect(parseCmdline(fixture(name))).toEqual(heuristic);
    expect(parseCmdline(fixture(name), { splitRewrittenTitle: true })).toEqual(heuristic);
    expect(parseCmdline(fixture(name), { splitRewrittenTitle: false })).toEqual(exact);
  });

  it.each(cases)('%s as bytes', (name, heuristic, exact) => {
    const asBytes = (args: string[]) => args.map(encodeText);
    expect(parseCmdlineBytes(fixture(name))).toEqual(asBytes(heuristic));
    expect(parseCmdlineBytes(fixture(name), { splitRewrittenTitle: false })).toEqual(
      asBytes(exact),
    );
  });

  it('checks the arguments of the spawned bash against what was passed', () => {
    const args = parseCmdline(fixture('bash-args'));
    expect(args[4]).toBe('a b');
    expect(args[5]).toBe('');
    expect(args[8]).toBe('trailing space ');
    expect(hasEscapedBytes(args[7]!)).toBe(true);
    expect(encodeText(args[7]!)).toEqual(latin1Bytes('caf\xe9'));
  });
});

describe('parseCmdline heuristic edge cases (psutil)', () => {
  const both = (input: string) => [
    parseCmdline(bytesOf(input)),
    parseCmdline(bytesOf(input), { splitRewrittenTitle: false }),
  ];

  it('reads a lone NUL as one empty argument', () => {
    expect(both('\0')).toEqual([[''], ['']]);
  });

  it('drops one final space of an unterminated title, no more', () => {
    expect(both('title ')).toEqual([['title'], ['title ']]);
    expect(both('  ')).toEqual([['', ''], ['  ']]);
  });

  it('keeps an unterminated single word as one argument', () => {
    expect(both('word')).toEqual([['word'], ['word']]);
  });

  it('splits on NULs whenever there is one: a read cut short has no final NUL', () => {
    expect(both('a\0b')).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(both('a b\0c d')).toEqual([
      ['a b', 'c d'],
      ['a b', 'c d'],
    ]);
    expect(both('\0a b')).toEqual([
      ['', 'a b'],
      ['', 'a b'],
    ]);
    expect(both('a\0b\0\0')).toEqual([
      ['a', 'b', ''],
      ['a', 'b', ''],
    ]);
  });

  it('does not split several NUL-separated arguments on spaces', () => {
    expect(both('a b\0c d\0')).toEqual([
      ['a b', 'c d'],
      ['a b', 'c d'],
    ]);
  });

  it('reads a string input as the UTF-8 text of the file', () => {
    expect(parseCmdline('vim\0ünï.txt\0')).toEqual(['vim', 'ünï.txt']);
  });
});

describe('parseCmdline decodings', () => {
  it('refuses non-UTF-8 in strict mode, naming the argument', () => {
    const error = parseErrorOf(() => parseCmdline(fixture('bash-args'), { decoding: 'strict' }));
    expect(error.kind).toBe('cmdline');
    expect(error.offset).toBe(43);
    expect(error.message).toContain('argument 7 is not valid UTF-8');
  });

  it('decodes valid UTF-8 identically in strict mode', () => {
    expect(parseCmdline(fixture('sleep'), { decoding: 'strict' })).toEqual(['sleep', '30']);
  });

  it('replaces invalid sequences with U+FFFD when asked', () => {
    expect(parseCmdline(fixture('bash-args'), { decoding: 'replace' })[7]).toBe('caf\ufffd');
  });

  it('maps one byte to one character in latin1 mode', () => {
    const args = parseCmdline(fixture('bash-args'), { decoding: 'latin1' });
    expect(args[6]).toBe('\u00c3\u00bcn\u00c3\u00af \u00e2\u009c\u0093');
    expect(args[7]).toBe('caf\u00e9');
  });

  it('rejects an unknown decoding and a non-bytes input with a ParseError', () => {
    const unknown = parseErrorOf(() =>
      parseCmdline(fixture('sleep'), { decoding: 'ascii' as TextDecoding }),
    );
    expect(unknown.message).toContain('unknown text decoding "ascii"');
    const notBytes = parseErrorOf(() => parseCmdline(null as unknown as Uint8Array));
    expect(notBytes.kind).toBe('cmdline');
    const notBytesRaw = parseErrorOf(() => parseCmdlineBytes({} as unknown as Uint8Array));
    expect(notBytesRaw.message).toContain('expected a Uint8Array or a string, got object');
  });
});

describe('parseCmdlineBytes', () => {
  it('returns plain Uint8Array copies that outlive a reused Buffer', () => {
    const buffer = Buffer.from('ls\0-la\0');
    const args = parseCmdlineBytes(buffer);
    buffer.fill(0x21);
    expect(Object.getPrototypeOf(args[0])).toBe(Uint8Array.prototype);
    expect(args.map(latin1Text)).toEqual(['ls', '-la']);
  });

  it('returns the bytes undecoded', () => {
    expect(parseCmdlineBytes(fixture('bash-args'))[7]).toEqual(latin1Bytes('caf\xe9'));
  });
});

describe('serializeCmdline', () => {
  it('writes NUL-terminated arguments', () => {
    expect(serializeCmdline(['ls', '', 'a b', 'é'])).toEqual(bytesOf('ls\0\0a b\0é\0'));
    expect(serializeCmdline([])).toEqual(new Uint8Array(0));
    expect(serializeCmdline([''])).toEqual(bytesOf('\0'));
  });

  it('writes escaped bytes back as the bytes they stand for', () => {
    expect(serializeCmdline(['caf\udce9'])).toEqual(latin1Bytes('caf\xe9\0'));
  });

  it.each(['sleep', 'bash-args', 'node-process-title', 'kernel-thread-kthreadd'])(
    'gives back the exact bytes of the capture %s',
    (name) => {
      const args = parseCmdline(fixture(name), { splitRewrittenTitle: false });
      expect(serializeCmdline(args)).toEqual(fixture(name));
    },
  );

  it('throws a TypeError naming an argument that could not be read back', () => {
    expect(typeErrorOf(() => serializeCmdline(['ok', 'a\0b'])).message).toBe(
      'serializeCmdline: argument 1 contains NUL',
    );
    expect(typeErrorOf(() => serializeCmdline(['\udfff'])).message).toContain(
      'serializeCmdline: argument 0: encodeText: lone surrogate U+dfff',
    );
  });
});

const structuredBytes = fc
  .array(
    fc.oneof(fc.constantFrom(0x00, 0x20, 0x41, 0xc3, 0xa9, 0xff), fc.integer({ min: 0, max: 255 })),
    { maxLength: 400 },
  )
  .map((values) => Uint8Array.from(values));
// Whole cmdline files from a few words, joined by NULs or spaces, with or without a final NUL
// or space: titles, single arguments with spaces and empty arguments are common.
const cmdlineBytes = fc
  .tuple(
    fc.array(fc.constantFrom('a', 'b c', '', ' ', 'd\xff', '\xc3\xa9'), { maxLength: 6 }),
    fc.constantFrom('\0', ' '),
    fc.constantFrom('', '\0', ' ', '\0\0'),
  )
  .map(([words, separator, end]) => latin1Bytes(words.join(separator) + end));
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 2000 }), structuredBytes, cmdlineBytes);
/** Any bytes, with any decoding and either setting of the rewritten-title heuristic. */
const anyCall = fc.tuple(anyBytes, fc.constantFrom(...decodings), fc.boolean());

const argument = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }),
      fc.constantFrom(...safeEscapes, ' '),
    ),
    { maxLength: 8 },
  )
  .map((units) => units.join(''))
  .filter((arg) => !arg.includes('\0'));

/**
 * psutil's `cmdline()`, line for line, on a one-character-per-byte string, but for one line: psutil
 * splits on NULs only when the file ends in one, which leaves NULs inside arguments when a read was
 * cut short; here any NUL makes NUL the separator.
 */
function psutilModel(data: string): string[] {
  if (!data) return [];
  const sep = data.includes('\0') ? '\0' : ' ';
  let rest = data;
  if (rest.endsWith(sep)) rest = rest.slice(0, -1);
  let cmdline = rest.split(sep);
  if (sep === '\0' && cmdline.length === 1 && rest.includes(' ')) cmdline = rest.split(' ');
  return cmdline;
}

describe('parseCmdline properties', () => {
  it('returns strings or throws a ParseError for any bytes, in every decoding', () => {
    fc.assert(
      fc.property(anyCall, ([input, decoding, split]) => {
        valueOrParseError(() => {
          const args = parseCmdline(input, { decoding, splitRewrittenTitle: split });
          expect(args.every((arg) => typeof arg === 'string')).toBe(true);
        });
        const raw = parseCmdlineBytes(input, { splitRewrittenTitle: split });
        expect(raw.every((arg) => arg instanceof Uint8Array)).toBe(true);
      }),
    );
  });

  it('returns strings or throws a ParseError for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (input) => {
        valueOrParseError(() => expect(Array.isArray(parseCmdline(input))).toBe(true));
      }),
    );
  });

  it("follows psutil's heuristic, with NUL the separator whenever there is one", () => {
    fc.assert(
      fc.property(anyBytes, (input) => {
        expect(parseCmdline(input, { decoding: 'latin1' })).toEqual(psutilModel(latin1Text(input)));
      }),
    );
  });

  it('never returns an argument that holds a NUL, with or without the heuristic', () => {
    fc.assert(
      fc.property(anyCall, ([input, decoding, split]) => {
        const options = { decoding, splitRewrittenTitle: split };
        valueOrParseError(() => {
          for (const arg of parseCmdline(input, options)) expect(arg.includes('\0')).toBe(false);
        });
        for (const arg of parseCmdlineBytes(input, options)) expect(arg.includes(0)).toBe(false);
      }),
    );
  });

  it('splits exactly on NULs without the heuristic', () => {
    fc.assert(
      fc.property(anyBytes, (input) => {
        const text = latin1Text(input);
        const expected =
          text === '' ? [] : (text.endsWith('\0') ? text.slice(0, -1) : text).split('\0');
        expect(parseCmdline(input, { decoding: 'latin1', splitRewrittenTitle: false })).toEqual(
          expected,
        );
      }),
    );
  });

  it('gives the bytes of each argument, decoded as parseCmdline decodes them', () => {
    fc.assert(
      fc.property(
        anyBytes,
        fc.constantFrom<TextDecoding>('escape', 'replace', 'latin1'),
        fc.boolean(),
        (input, decoding, split) => {
          const options = { decoding, splitRewrittenTitle: split };
          const decoded = parseCmdlineBytes(input, options).map((arg) =>
            decodeText('cmdline', arg, 0, arg.length, decoding),
          );
          expect(parseCmdline(input, options)).toEqual(decoded);
        },
      ),
    );
  });

  it('loses no byte with the default decoding', () => {
    fc.assert(
      fc.property(anyBytes, fc.boolean(), (input, split) => {
        const options = { splitRewrittenTitle: split };
        expect(parseCmdline(input, options).map(encodeText)).toEqual(
          parseCmdlineBytes(input, options),
        );
      }),
    );
  });

  it('round-trips any arguments without NUL through serializeCmdline', () => {
    fc.assert(
      fc.property(fc.array(argument, { maxLength: 8 }), (args) => {
        const file = serializeCmdline(args);
        expect(parseCmdline(file, { splitRewrittenTitle: false })).toEqual(args);
        const ambiguous = args.length === 1 && args[0]!.includes(' ');
        if (!ambiguous) expect(parseCmdline(file)).toEqual(args);
        else expect(parseCmdline(file)).toEqual(args[0]!.split(' '));
      }),
    );
  });

  it('round-trips any grapheme strings through serializeCmdline', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme' }).filter((arg) => !arg.includes('\0')),
          { maxLength: 8 },
        ),
        (args) => {
          expect(
            parseCmdline(serializeCmdline(args), {
              splitRewrittenTitle: false,
              decoding: 'strict',
            }),
          ).toEqual(args);
        },
      ),
    );
  });
});

describe('parseCmdline on large input', () => {
  // A million arguments take about a second here; a loaded CI machine is many times slower.
  it('splits a million NULs into a million empty arguments', { timeout: 60_000 }, () => {
    const input = new Uint8Array(1_000_000);
    expect(parseCmdline(input, { splitRewrittenTitle: false })).toHaveLength(1_000_000);
    expect(parseCmdlineBytes(input)).toHaveLength(1_000_000);
  });
});
