// Fuzz target of namespace link targets (`net:[4026531840]`): only ParseError comes out, and a
// result written back as `<type>:[<inode>]` reads as the same result.
import { parseNamespaceLink } from '../../src/index.js';
import {
  ascii,
  check,
  corpusLines,
  everyPrefix,
  type FuzzInput,
  fuzzFile,
  isNat,
  parseBoth,
  parsed,
  parserInput,
  same,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);
const tokens = ['net:[', ']', 'pid_for_children', '4026531840', '9007199254740993'].map(ascii);

fuzz.target(
  'parseNamespaceLink',
  parserInput(corpusLines('ns'), { tokens }),
  (value) => {
    const result = parseBoth(value, 'ns', (input) => parseNamespaceLink(input as Uint8Array));
    if (!result.ok) return;
    const { type, inode } = result.value;
    check(/^[a-z_]+$/.test(type) && isNat(inode), () => `${type} ${inode}`);
    const again = parsed(() => parseNamespaceLink(`${type}:[${inode}]`), 'ns', undefined);
    check(again.ok && same(again.value, result.value), 'written back, it reads differently');
  },
  { sweep: everyPrefix(corpusLines('ns'), (input): FuzzInput => input) },
);
