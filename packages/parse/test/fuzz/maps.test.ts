import { encodeText, type MapsEntry, parseMaps } from '../../src/index.js';
import {
  ascii,
  check,
  corpus,
  decodingTarget,
  fuzzFile,
  isNat,
  isUbig,
  lineCount,
  parsed,
  pieces,
  same,
  show,
  withPieces,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

const NAMED: Record<string, MapsEntry['kind']> = {
  '[heap]': 'heap',
  '[stack]': 'stack',
  '[vdso]': 'vdso',
  '[vvar]': 'vvar',
  '[vsyscall]': 'vsyscall',
};

/** The line the kernel would write for an entry (escape-decoded pathname back to its bytes). */
function mapsLine(entry: MapsEntry): Uint8Array {
  const hex = (value: bigint | number) => value.toString(16);
  const head = ascii(
    `${hex(entry.start)}-${hex(entry.end)} ${entry.perms} ${hex(entry.offset).padStart(8, '0')} ${hex(entry.device.major)}:${hex(entry.device.minor)} ${entry.inode}`,
  );
  if (entry.pathname === null) return Uint8Array.from([...head, 0x20, 0x0a]);
  const path = encodeText(entry.pathname + (entry.deleted ? ' (deleted)' : ''));
  return Uint8Array.from([...head, ...ascii('    '), ...path, 0x0a]);
}

const tokens = [
  '[heap]',
  '[stack]',
  '[vdso]',
  '[anon:x]',
  ' (deleted)',
  'ffffffffff600000',
  'r-xp',
  'rw-s',
  '00:00 0',
  '                          ',
  '\\012',
].map(ascii);

decodingTarget(
  fuzz,
  { name: 'parseMaps', kind: 'maps', parse: parseMaps },
  withPieces(corpus('maps'), 6),
  (entries, value, decoding) => {
    const where = () => show(value.bytes ?? value.input);
    check(Array.isArray(entries), 'not an array');
    if (value.bytes !== undefined) {
      check(entries.length === lineCount(value.bytes), () => `not one entry a line: ${where()}`);
    }
    for (const entry of entries) {
      check(
        isUbig(entry.start) && isUbig(entry.end) && entry.start < entry.end,
        () => `range ${entry.start}-${entry.end}: ${where()}`,
      );
      check(isUbig(entry.offset) && isUbig(entry.inode), 'offset or inode');
      check(/^[r-][w-][x-][sp]$/.test(entry.perms), () => `perms ${entry.perms}`);
      check(
        entry.read === (entry.perms[0] === 'r') &&
          entry.write === (entry.perms[1] === 'w') &&
          entry.execute === (entry.perms[2] === 'x') &&
          entry.shared === (entry.perms[3] === 's'),
        () => `flags of ${entry.perms}`,
      );
      check(
        isNat(entry.device.major) && isNat(entry.device.minor) && entry.device.major <= 0xffffffff,
        'device',
      );
      const path = entry.pathname;
      check(
        (path === null) === (entry.kind === 'anonymous'),
        () => `kind ${entry.kind} of ${path}`,
      );
      check(!entry.deleted || entry.kind === 'file', 'deleted but not a file');
      if (path !== null) {
        check(
          !path.includes('\n') && !path.startsWith(' '),
          () => `pathname ${JSON.stringify(path)}`,
        );
        // Named by the column as written: "[vdso] (deleted)" is a deleted file named "[vdso]".
        const bracketed = !entry.deleted && path.startsWith('[') && path.endsWith(']');
        const expected = bracketed ? (NAMED[path] ?? 'pseudo') : 'file';
        check(entry.kind === expected, () => `${JSON.stringify(path)} is ${entry.kind}`);
      }
    }
    // Written back as the kernel writes it, each entry reads the same (default decoding only:
    // the others do not keep the bytes; the first and last two entries of a longer file).
    if (decoding === undefined || decoding === 'escape') {
      const some = entries.length <= 4 ? entries : [...entries.slice(0, 2), ...entries.slice(-2)];
      for (const entry of some) {
        const again = parsed(() => parseMaps(mapsLine(entry)), 'maps', undefined);
        check(again.ok && same(again.value, [entry]), () => `re-reads differently: ${where()}`);
      }
    }
  },
  {
    mutations: { tokens },
    sweep: { seeds: pieces(corpus('maps'), 4), what: 'every prefix of every piece of 4 lines' },
  },
);
