// Fuzz targets of /proc/<pid>/environ: parseEnviron (every decoding), parseEnvironEntries, and
// serializeEnviron's round trips. An environment keeps every `NAME=value` entry, repeated names
// included, and nothing is lost with the default decoding.
import fc from 'fast-check';
import {
  decodeText,
  Environ,
  parseEnviron,
  parseEnvironEntries,
  serializeEnviron,
  type TextDecoding,
} from '../../src/index.js';
import {
  anyString,
  ascii,
  check,
  corpus,
  decodingTarget,
  everyPrefix,
  fuzzFile,
  latin1Text,
  outcome,
  parseBoth,
  parsed,
  parserInput,
  pieces,
  reread,
  same,
  show,
  unencodable,
  withPieces,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

/** The entries of an environ file by the documented rule, computed independently: latin1 text. */
function modelEntries(bytes: Uint8Array): [string, string][] {
  const text = latin1Text(bytes);
  const entries: [string, string][] = [];
  for (const entry of text.split('\0')) {
    const equals = entry.indexOf('=');
    if (equals >= 0) entries.push([entry.slice(0, equals), entry.slice(equals + 1)]);
  }
  return entries;
}

const latin1 = latin1Text;

const environSeeds = withPieces(corpus('environ'), 8, 0x00);
const environMutations = {
  separators: [0x00],
  tokens: ['=', '==', 'LD_PRELOAD=', '__proto__=', 'constructor=', 'PATH=', '\0='].map(ascii),
};
const environSweep = {
  seeds: pieces(corpus('environ'), 4, 0x00),
  what: 'every prefix of every piece of 4 entries',
};

decodingTarget(
  fuzz,
  { name: 'parseEnviron', kind: 'environ', parse: parseEnviron },
  environSeeds,
  (environ, value, decoding) => {
    check(environ instanceof Environ, 'not an Environ');
    const raw = parsed(() => parseEnvironEntries(value.input as Uint8Array), 'environ', undefined);
    check(raw.ok, () => `parseEnviron read what parseEnvironEntries refused: ${show(value.input)}`);
    const pairs = [...environ];
    // Every entry is kept, in order, repeated names included.
    check(
      environ.size === raw.value.length && pairs.length === environ.size,
      () => `${environ.size} definitions, ${raw.value.length} entries: ${show(value.input)}`,
    );
    const used: TextDecoding = decoding ?? 'escape';
    const firsts = new Map<string, string>();
    for (let i = 0; i < pairs.length; i++) {
      const [name, text] = pairs[i] as [string, string];
      const entry = raw.value[i]!;
      check(
        !name.includes('=') && !name.includes('\0') && !text.includes('\0'),
        'a separator kept',
      );
      // Each string is its entry's bytes, decoded as asked (for 'strict' too: it read them all).
      const decode = (b: Uint8Array) =>
        decodeText('environ', b, 0, b.length, used === 'strict' ? 'escape' : used);
      check(
        decode(entry.key) === name && decode(entry.value) === text,
        () =>
          `entry ${i} is ${JSON.stringify([name, text])}, its bytes ${show(entry.key)}=${show(entry.value)}`,
      );
      if (!firsts.has(name)) firsts.set(name, text);
    }
    // Lookups see the first definition; toMap and toObject keep it too.
    for (const [name, text] of firsts) {
      check(environ.get(name) === text && environ.has(name), () => `get(${JSON.stringify(name)})`);
    }
    check(same(environ.toMap(), firsts), 'toMap is not the first definitions');
    const object = environ.toObject();
    check(Object.getPrototypeOf(object) === null, 'toObject has a prototype');
    // (An object lists integer-like keys first: compared as a map, not in order.)
    check(same(new Map(Object.entries(object)), firsts), 'toObject is not the first definitions');
  },
  { mutations: environMutations, sweep: environSweep },
);

fuzz.target(
  'parseEnvironEntries',
  parserInput(environSeeds, environMutations),
  (value) => {
    const result = parseBoth(value, 'environ', (input) => parseEnvironEntries(input as Uint8Array));
    if (!result.ok) return;
    const source = value.input instanceof Uint8Array ? value.input.buffer : undefined;
    for (const { key, value: text } of result.value) {
      check(key instanceof Uint8Array && text instanceof Uint8Array, 'not bytes');
      check(key.buffer !== source && text.buffer !== source, 'a view of the input, not a copy');
      check(!key.includes(0x3d) && !key.includes(0) && !text.includes(0), 'a separator kept');
    }
    if (value.bytes === undefined) return;
    const got = result.value.map(({ key, value: text }) => [latin1(key), latin1(text)]);
    check(
      same(got, modelEntries(value.bytes)),
      () => `entries differ from the rule: ${show(value.bytes)}`,
    );
    // Without empty names, serializeEnviron gives the entries back as a NUL-terminated file.
    const environ = parseEnviron(value.bytes);
    const written = outcome(() => serializeEnviron(environ), [TypeError]);
    const emptyName = result.value.some(({ key }) => key.length === 0);
    check(
      written.ok === !emptyName,
      () => `serializeEnviron of an empty name: ${show(value.bytes)}`,
    );
    if (written.ok) {
      const expected = result.value.map(
        ({ key, value: text }) => `${latin1(key)}=${latin1(text)}\0`,
      );
      check(
        latin1(written.value) === expected.join(''),
        () => `round trip of ${show(value.bytes)}`,
      );
    }
  },
  { sweep: everyPrefix(environSweep.seeds, (input) => input, environSweep.what) },
);

const envName = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/) },
  { weight: 2, arbitrary: anyString(20) },
  { weight: 1, arbitrary: fc.constantFrom('', '=', 'A=B', 'A\0', '__proto__', 'constructor') },
);
const envEntry = fc.oneof(
  { weight: 30, arbitrary: fc.tuple(envName, anyString(40)) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.oneof(envName, fc.constantFrom(null, 1, undefined)),
      fc.constantFrom(null, 1, undefined, 2n),
    ),
  },
);

fuzz.target(
  'serializeEnviron',
  fc.tuple(fc.array(envEntry, { maxLength: 12 }), fc.constantFrom('array', 'generator', 'environ')),
  ([entries, shape]) => {
    const refused = entries.some(
      ([key, text]) =>
        typeof key !== 'string' ||
        typeof text !== 'string' ||
        key === '' ||
        key.includes('=') ||
        key.includes('\0') ||
        text.includes('\0') ||
        unencodable(key) ||
        unencodable(text),
    );
    const pairs = entries as [string, string][];
    const iterable =
      shape === 'array'
        ? pairs
        : shape === 'generator'
          ? (function* () {
              yield* pairs;
            })()
          : // An Environ holding the same definitions iterates them the same way.
            new Environ(
              pairs.map(([key]) => key),
              pairs.map(([, text]) => text),
            );
    const written = outcome(() => serializeEnviron(iterable), [TypeError]);
    check(written.ok === !refused, () => `refused ${!written.ok}, expected ${refused}`);
    if (!written.ok) return;
    const again = [...parseEnviron(written.value)];
    const expected = pairs.map(([key, text]) => [reread(key), reread(text)]);
    check(same(again, expected), () => `round trip of ${JSON.stringify(pairs)}`);
    // Writing what was read gives the same bytes.
    const rewritten = serializeEnviron(again as [string, string][]);
    check(same(rewritten, written.value), 'serialize(parse(serialize(x))) differs');
  },
);
