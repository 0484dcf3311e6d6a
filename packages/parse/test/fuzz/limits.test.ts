// Fuzz target of /proc/<pid>/limits: only ParseError comes out; a result has one row a line
// past the header, limits that are counts or Infinity, and byKey agreeing with the rows.
import { LIMIT_KEYS, parseLimits } from '../../src/index.js';
import {
  ascii,
  check,
  corpus,
  everyPrefix,
  type FuzzInput,
  fuzzFile,
  isNat,
  lineCount,
  parseBoth,
  parserInput,
  show,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);
const tokens = ['unlimited', 'Max open files', '                    ', ' files', 'Limit '].map(
  ascii,
);
const isLimit = (value: unknown) => value === Number.POSITIVE_INFINITY || isNat(value);

fuzz.target(
  'parseLimits',
  parserInput(corpus('limits'), { tokens }),
  (value) => {
    const result = parseBoth(value, 'limits', (input) => parseLimits(input as Uint8Array));
    if (!result.ok) return;
    const { rows, byKey } = result.value;
    if (value.bytes !== undefined) {
      check(rows.length === lineCount(value.bytes) - 1, () => `not one row a line: ${show(value)}`);
    }
    const names = new Set<string>();
    for (const row of rows) {
      check(row.name.length > 0 && !row.name.endsWith(' '), () => `name ${row.name}`);
      check(!names.has(row.name), 'a name twice');
      names.add(row.name);
      check(isLimit(row.soft) && isLimit(row.hard), () => `limits of ${row.name}`);
      check(row.unit === null || (row.unit.length > 0 && !row.unit.includes(' ')), 'unit');
      check(row.key === LIMIT_KEYS.get(row.name), 'key');
      if (row.key !== undefined) check(byKey[row.key] === row, 'byKey');
    }
    check(Object.keys(byKey).length === rows.filter((row) => row.key).length, 'byKey size');
  },
  { sweep: everyPrefix(corpus('limits'), (input): FuzzInput => input) },
);
