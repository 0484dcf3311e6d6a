// Fuzz target of /proc/<pid>/smaps_rollup: only ParseError comes out; a result has every line
// of the file in its maps, sizes in whole KiB, and typed properties equal to their lines.
import fc from 'fast-check';
import { parseSmapsRollup } from '../../src/index.js';
import {
  ascii,
  check,
  corpus,
  everyPrefix,
  type FuzzInput,
  fuzzFile,
  isUbig,
  lineCount,
  parseBoth,
  parserInput,
  show,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

const TYPED: [string, string][] = [
  ['Rss', 'rss'],
  ['Pss', 'pss'],
  ['Pss_Dirty', 'pssDirty'],
  ['Pss_Anon', 'pssAnon'],
  ['Pss_File', 'pssFile'],
  ['Pss_Shmem', 'pssShmem'],
  ['Shared_Clean', 'sharedClean'],
  ['Shared_Dirty', 'sharedDirty'],
  ['Private_Clean', 'privateClean'],
  ['Private_Dirty', 'privateDirty'],
  ['Swap', 'swap'],
  ['SwapPss', 'swapPss'],
];

const CORE =
  'Rss: 8 kB\nPss: 4 kB\nShared_Clean: 0 kB\nShared_Dirty: 0 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\nSwap: 0 kB\nSwapPss: 0 kB\n';

const tokens = [' kB', '[rollup]', 'Rss:', 'Private_Dirty:', '          ', '-', ':'].map(ascii);

fuzz.target(
  'parseSmapsRollup',
  parserInput(corpus('smaps_rollup'), { tokens }),
  (value) => {
    const result = parseBoth(value, 'smaps_rollup', (input) =>
      parseSmapsRollup(input as Uint8Array),
    );
    if (!result.ok) return;
    const rollup = result.value;
    const where = () => show(value.bytes ?? value.input);
    check(isUbig(rollup.start) && isUbig(rollup.end), 'header range');
    if (value.bytes !== undefined) {
      check(
        rollup.bytes.size + rollup.counts.size === lineCount(value.bytes) - 1,
        () => `a line is missing: ${where()}`,
      );
    }
    for (const [key, size] of rollup.bytes) {
      check(size >= 0 && size % 1024 === 0 && Number.isFinite(size), () => `${key} is ${size}`);
    }
    const record = rollup as unknown as Record<string, unknown>;
    for (const [key, property] of TYPED) {
      check(record[property] === rollup.bytes.get(key), () => `${property} is not ${key}`);
    }
    check(rollup.uss === rollup.privateClean + rollup.privateDirty, 'uss');
  },
  {
    sweep: everyPrefix(corpus('smaps_rollup'), (input): FuzzInput => input),
  },
);

// The header alone, damaged harder: random text after a valid-looking range.
fuzz.target(
  'parseSmapsRollup (header)',
  fc.tuple(
    fc.bigInt({ min: 0n, max: 2n ** 65n }),
    fc.bigInt({ min: 0n, max: 2n ** 65n }),
    fc.oneof(
      fc.string(),
      fc.string().map((text) => `${text} [rollup]`),
    ),
  ),
  ([start, end, rest]) => {
    const text = `${start.toString(16)}-${end.toString(16)} ${rest}\n${CORE}`;
    const result = parseBoth(
      { input: text, bytes: undefined, form: 'text' },
      'smaps_rollup',
      (input) => parseSmapsRollup(input as string),
    );
    if (result.ok) check(result.value.start === start && result.value.end === end, 'range');
    else
      check(
        start >= 2n ** 64n || end >= 2n ** 64n || !rest.endsWith('[rollup]') || /[\n]/.test(rest),
        () => `refused ${JSON.stringify(text)}: ${result.error.message}`,
      );
  },
);
