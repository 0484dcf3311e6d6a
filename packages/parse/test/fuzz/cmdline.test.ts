// Fuzz targets of /proc/<pid>/cmdline: parseCmdline (every decoding, with and without the
// rewritten-title heuristic), parseCmdlineBytes against the documented rule (psutil's, no NUL inside an argument), and
// serializeCmdline's round trips.
import fc from 'fast-check';
import {
  decodeText,
  parseCmdline,
  parseCmdlineBytes,
  serializeCmdline,
  type TextDecoding,
} from '../../src/index.js';
import {
  anyString,
  ascii,
  check,
  corpus,
  decodingOption,
  everyPrefix,
  type FuzzInput,
  fuzzFile,
  latin1Text,
  outcome,
  parseBoth,
  parsed,
  parserInput,
  reread,
  same,
  show,
  unencodable,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);
const latin1 = latin1Text;

/**
 * The documented split, on one character a byte: NULs only; or psutil's heuristic, except that
 * any NUL makes NUL the separator (no argument holds a NUL).
 */
function modelArgs(text: string, split: boolean): string[] {
  if (text === '') return [];
  const body = text.endsWith('\0') ? text.slice(0, -1) : text;
  if (!split) return body.split('\0');
  if (!text.includes('\0')) return (text.endsWith(' ') ? text.slice(0, -1) : text).split(' ');
  const args = body.split('\0');
  return args.length === 1 && text.includes(' ') ? body.split(' ') : args;
}

const cmdlineInput = parserInput(corpus('cmdline'), {
  separators: [0x00],
  tokens: ['\0\0\0\0', ' \0', '\0 ', '--', 'a b'].map(ascii),
});
/** splitRewrittenTitle: the two documented values, left out, or another value read as truthy. */
const splitOption = fc.constantFrom(true, false, undefined, 0, 1, '', null);

fuzz.target(
  'parseCmdline',
  fc.tuple(cmdlineInput, decodingOption, splitOption),
  ([value, decoding, split]) => {
    const options = { decoding, splitRewrittenTitle: split } as Parameters<typeof parseCmdline>[1];
    const result = parseBoth(value, 'cmdline', (input) =>
      parseCmdline(input as Uint8Array, options),
    );
    if (!result.ok) return;
    const args = result.value;
    check(Array.isArray(args) && args.every((arg) => typeof arg === 'string'), 'not strings');
    const raw = parsed(
      () => parseCmdlineBytes(value.input as Uint8Array, { splitRewrittenTitle: split as boolean }),
      'cmdline',
      undefined,
    );
    check(raw.ok, 'parseCmdlineBytes refused what parseCmdline read');
    // The same arguments as the bytes reader, each decoded as asked.
    const used: TextDecoding = decoding ?? 'escape';
    const decoded = raw.value.map((arg) =>
      decodeText('cmdline', arg, 0, arg.length, used === 'strict' ? 'escape' : used),
    );
    check(same(args, decoded), () => `${JSON.stringify(args)} is not ${JSON.stringify(decoded)}`);
    // With the default decoding and NULs only, serializeCmdline writes the file back (with the
    // final NUL a kernel always writes).
    if (used === 'escape' && split === false && value.bytes !== undefined) {
      const bytes = value.bytes;
      const expected =
        bytes.length === 0 || bytes[bytes.length - 1] === 0
          ? bytes
          : Uint8Array.from([...bytes, 0]);
      check(same(serializeCmdline(args), expected), () => `round trip of ${show(bytes)}`);
    }
  },
  {
    sweep: everyPrefix(corpus('cmdline'), (input): [FuzzInput, undefined, false] => [
      input,
      undefined,
      false,
    ]),
  },
);

fuzz.target(
  'parseCmdlineBytes',
  fc.tuple(cmdlineInput, splitOption),
  ([value, split]) => {
    const options = { splitRewrittenTitle: split } as Parameters<typeof parseCmdlineBytes>[1];
    const result = parseBoth(value, 'cmdline', (input) =>
      parseCmdlineBytes(input as Uint8Array, options),
    );
    if (!result.ok) return;
    const source = value.input instanceof Uint8Array ? value.input.buffer : undefined;
    for (const arg of result.value) {
      check(arg instanceof Uint8Array && arg.buffer !== source, 'a view of the input, not a copy');
    }
    if (value.bytes === undefined) return;
    const expected = modelArgs(latin1(value.bytes), !!(split ?? true));
    const got = result.value.map(latin1);
    check(same(got, expected), () => `${JSON.stringify(got)} for ${show(value.bytes)}`);
  },
  { sweep: everyPrefix(corpus('cmdline'), (input): [FuzzInput, undefined] => [input, undefined]) },
);

const argument = fc.oneof(
  { weight: 20, arbitrary: anyString(40) },
  { weight: 4, arbitrary: fc.constantFrom('', ' ', 'a b', '--flag=x y', '\0', 'a\0b') },
  { weight: 1, arbitrary: fc.constantFrom(null, 1, undefined, ['x']) },
);

fuzz.target('serializeCmdline', fc.array(argument, { maxLength: 10 }), (args) => {
  const refused = args.some(
    (arg) => typeof arg !== 'string' || arg.includes('\0') || unencodable(arg),
  );
  const written = outcome(() => serializeCmdline(args as string[]), [TypeError]);
  check(written.ok === !refused, () => `refused ${!written.ok}, expected ${refused}`);
  if (!written.ok) return;
  const strings = args as string[];
  const expected = strings.map(reread);
  const exact = parseCmdline(written.value, { splitRewrittenTitle: false });
  check(same(exact, expected), () => `round trip of ${JSON.stringify(strings)}`);
  // The default heuristic reads it the same, unless it is one argument holding a space.
  const ambiguous = strings.length === 1 && expected[0]!.includes(' ');
  const heuristic = parseCmdline(written.value);
  check(
    same(heuristic, ambiguous ? expected[0]!.split(' ') : expected),
    () => `heuristic read of ${JSON.stringify(strings)}: ${JSON.stringify(heuristic)}`,
  );
  check(same(serializeCmdline(exact), written.value), 'serialize(parse(serialize(x))) differs');
});
