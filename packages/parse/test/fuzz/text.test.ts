// Fuzz targets of the text decodings every text parser uses (decodeText with 'escape', 'strict',
// 'replace' and 'latin1', on any slice of any bytes) and of encodeText, their inverse: escape is
// lossless, strict refuses exactly what is not UTF-8, replace and latin1 are what they say.
import fc from 'fast-check';
import {
  decodeText,
  encodeText,
  hasEscapedBytes,
  ParseError,
  type ProcFileKind,
  type TextDecoding,
} from '../../src/index.js';
import {
  anyString,
  check,
  corpus,
  fuzzFile,
  INTERESTING_TOKENS,
  mutatedBytes,
  outcome,
  same,
  show,
  unencodable,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

const KINDS: readonly ProcFileKind[] = ['environ', 'cmdline', 'stat', 'status', 'maps', 'text'];
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const replacing = new TextDecoder('utf-8', { ignoreBOM: true });
const validUtf8 = (bytes: Uint8Array) => {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

// Text that is not all ASCII: names, arguments and paths with UTF-8 and bytes that are not.
const textSeeds = [
  ...corpus('environ', (name) => ['non-utf8', 'basic', 'whitespace-edges'].includes(name)),
  ...corpus('cmdline', (name) => ['bash-args', 'setproctitle-python'].includes(name)),
  ...corpus('stat', (name) => name.startsWith('comm-')),
  ...INTERESTING_TOKENS,
];
const bytesArbitrary = fc.oneof(
  { weight: 3, arbitrary: mutatedBytes(textSeeds, { separators: [0x00, 0x0a] }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...INTERESTING_TOKENS), { maxLength: 20 })
      .map((parts) => Uint8Array.from(parts.flatMap((part) => [...part]))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
);
/** Bytes and a slice of them: start <= end, both inside. */
const slice = fc
  .tuple(bytesArbitrary, fc.nat(), fc.nat(), fc.constantFrom(...KINDS), fc.boolean())
  .map(([bytes, a, b, kind, whole]) => {
    const x = a % (bytes.length + 1);
    const y = b % (bytes.length + 1);
    return whole
      ? { bytes, start: 0, end: bytes.length, kind }
      : { bytes, start: Math.min(x, y), end: Math.max(x, y), kind };
  });

type Slice = { bytes: Uint8Array; start: number; end: number; kind: ProcFileKind };

function decodeTarget(decoding: TextDecoding, property: (s: Slice, text: string | Error) => void) {
  fuzz.target(`decodeText ${decoding}`, slice, (s) => {
    const result = outcome(
      () => decodeText(s.kind, s.bytes, s.start, s.end, decoding),
      decoding === 'strict' ? [ParseError] : [],
    );
    property(s, result.ok ? result.value : result.error);
  });
}

/** Whether `text` holds an escaped byte: U+DC80-U+DCFF not paired with a high surrogate. */
function hasLoneEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) i++;
    } else if (code >= 0xdc80 && code <= 0xdcff) return true;
  }
  return false;
}

/** hasEscapedBytes(text) is `expected` (valid characters past U+FFFF included, such as U+1F4A9). */
function checkHasEscapedBytes(text: string, expected: boolean): void {
  const got = hasEscapedBytes(text);
  check(got === expected, () => `hasEscapedBytes(${JSON.stringify(text)}) is ${got}`);
}

decodeTarget('escape', ({ bytes, start, end }, text) => {
  const part = bytes.slice(start, end);
  check(typeof text === 'string', 'not a string');
  check(same(encodeText(text), part), () => `encodeText(decodeText(b)) is not b: ${show(part)}`);
  const valid = validUtf8(part);
  checkHasEscapedBytes(text, !valid);
  if (valid) check(text === fatal.decode(part), 'valid UTF-8 decoded differently');
});

decodeTarget('strict', ({ bytes, start, end, kind }, text) => {
  const part = bytes.slice(start, end);
  const valid = validUtf8(part);
  if (typeof text === 'string') {
    check(valid && text === fatal.decode(part), () => `strict accepted ${show(part)}`);
    return;
  }
  const error = text as ParseError;
  check(!valid, () => `strict refused valid UTF-8 ${show(part)}`);
  check(error.kind === kind, 'kind');
  // The offset is the first byte that is not UTF-8: everything before it decodes.
  check(
    error.offset >= start && error.offset < end && validUtf8(bytes.slice(start, error.offset)),
    () => `offset ${error.offset} in [${start}, ${end}) of ${show(bytes)}`,
  );
});

decodeTarget('replace', ({ bytes, start, end }, text) => {
  check(text === replacing.decode(bytes.slice(start, end)), 'not the WHATWG decoding');
});

decodeTarget('latin1', ({ bytes, start, end }, text) => {
  check(typeof text === 'string' && text.length === end - start, 'not one character a byte');
  for (let i = 0; i < text.length; i++) {
    check(text.charCodeAt(i) === bytes[start + i], () => `character ${i} of ${show(bytes)}`);
  }
});

const wellFormed = (text: string) =>
  !/[\ud800-\udfff]/.test(text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));

fuzz.target(
  'encodeText',
  fc.oneof(
    { weight: 2, arbitrary: anyString(100).map((text) => ({ text, from: undefined })) },
    {
      weight: 1,
      arbitrary: bytesArbitrary.map((bytes) => ({
        text: decodeText('text', bytes, 0, bytes.length, 'escape'),
        from: bytes,
      })),
    },
  ),
  ({ text, from }) => {
    const result = outcome(() => encodeText(text), [TypeError]);
    check(result.ok === !unencodable(text), () => `encodeText ${JSON.stringify(text)}`);
    if (!result.ok) return;
    const bytes = result.value;
    // Text decoded from bytes gives those bytes back; well-formed text is plain UTF-8.
    if (from !== undefined) check(same(bytes, from), () => `round trip of ${show(from)}`);
    if (wellFormed(text)) {
      check(same(bytes, new TextEncoder().encode(text)), 'not UTF-8');
      check(decodeText('text', bytes, 0, bytes.length, 'escape') === text, 'no round trip');
    }
    checkHasEscapedBytes(text, hasLoneEscape(text));
    // Whatever it was, the bytes are a fixed point: decode then encode gives them again.
    const again = decodeText('text', bytes, 0, bytes.length, 'escape');
    check(same(encodeText(again), bytes), () => `not a fixed point: ${JSON.stringify(text)}`);
  },
);
