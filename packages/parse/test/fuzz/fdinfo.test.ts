// Fuzz target of /proc/<pid>/fdinfo/<fd>: only ParseError comes out; a result has the
// documented types, flag names that match the bits, and every other line in `extra`.
import { openFlagNames, parseFdinfo } from '../../src/index.js';
import {
  ascii,
  check,
  corpus,
  everyPrefix,
  type FuzzInput,
  fuzzFile,
  isNat,
  isU32,
  isUbig,
  lineCount,
  parseBoth,
  parserInput,
  same,
  show,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);
const tokens = ['pos:\t', 'flags:\t0', 'mnt_id:\t', 'ino:\t', 'inotify wd:', '-', '7777777'].map(
  ascii,
);

fuzz.target(
  'parseFdinfo',
  parserInput(corpus('fdinfo'), { tokens }),
  (value) => {
    const result = parseBoth(value, 'fdinfo', (input) => parseFdinfo(input as Uint8Array));
    if (!result.ok) return;
    const info = result.value;
    check(typeof info.pos === 'bigint' && info.pos >= -(2n ** 63n) && info.pos < 2n ** 63n, 'pos');
    check(isU32(info.flags), () => `flags ${info.flags}`);
    check(
      same({ names: info.flagNames, unknown: info.unknownFlags }, openFlagNames(info.flags)),
      'flag names',
    );
    check(info.mntId === undefined || isNat(info.mntId), 'mnt_id');
    check(info.ino === undefined || isUbig(info.ino), 'ino');
    if (value.bytes !== undefined) {
      const known = 2 + (info.mntId === undefined ? 0 : 1) + (info.ino === undefined ? 0 : 1);
      check(
        info.extra.length === lineCount(value.bytes) - known,
        () => `a line is missing: ${show(value)}`,
      );
    }
    for (const line of info.extra) {
      check(!line.key.includes(':') && !line.key.includes('\n'), () => `key ${line.key}`);
      check(!line.value.includes('\n'), 'value');
    }
  },
  { sweep: everyPrefix(corpus('fdinfo'), (input): FuzzInput => input) },
);
