// Fuzz target of /proc/meminfo: only ParseError comes out; a result holds every line once, in
// whole KiB or as a count, and its typed properties are their lines.
import { parseMeminfo } from '../../src/index.js';
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
  withPieces,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);
const tokens = [' kB', 'MemTotal:', 'MemFree:', 'MemAvailable:', '       ', ':', '__proto__'].map(
  ascii,
);

// Pieces of the live file, each after the two lines every meminfo must have.
const REQUIRED = ascii('MemTotal:  16 kB\nMemFree:  8 kB\n');
const seeds = withPieces(corpus('meminfo'), 8).map((piece) =>
  piece[0] === 0x4d && piece[3] === 0x54 ? piece : Uint8Array.from([...REQUIRED, ...piece]),
);

fuzz.target(
  'parseMeminfo',
  parserInput(seeds, { tokens }),
  (value) => {
    const result = parseBoth(value, 'meminfo', (input) => parseMeminfo(input as Uint8Array));
    if (!result.ok) return;
    const info = result.value;
    const where = () => show(value.bytes ?? value.input);
    if (value.bytes !== undefined) {
      check(
        info.bytes.size + info.counts.size === lineCount(value.bytes),
        () => `a line is missing: ${where()}`,
      );
    }
    for (const [key, size] of info.bytes) {
      check(!info.counts.has(key), () => `${key} twice`);
      check(size >= 0 && size % 1024 === 0 && Number.isFinite(size), () => `${key} is ${size}`);
      const plain = [...key].every((c) => c > ' ' && c !== '\x7f' && c !== ':');
      check(key.length > 0 && plain, () => `key ${JSON.stringify(key)}`);
    }
    for (const [key, count] of info.counts) check(isNat(count), () => `${key} is ${count}`);
    check(info.memTotal === info.bytes.get('MemTotal'), 'memTotal');
    check(info.memFree === info.bytes.get('MemFree'), 'memFree');
    check(info.memAvailable === info.bytes.get('MemAvailable'), 'memAvailable');
  },
  { sweep: everyPrefix(corpus('meminfo'), (input): FuzzInput => input) },
);
