/**
 * Names of the `open(2)` flags in a file's status flags (`flags:` of fdinfo, octal), with the
 * values of the kernel's asm-generic headers: x86, arm64, riscv, s390, powerpc and most others.
 * alpha, arm (32-bit), mips, parisc and sparc number some flags differently; their fdinfo reads
 * with the wrong names here.
 */
export type OpenFlagName =
  | 'O_RDONLY'
  | 'O_WRONLY'
  | 'O_RDWR'
  | 'O_CREAT'
  | 'O_EXCL'
  | 'O_NOCTTY'
  | 'O_TRUNC'
  | 'O_APPEND'
  | 'O_NONBLOCK'
  | 'O_DSYNC'
  | 'FASYNC'
  | 'O_DIRECT'
  | 'O_LARGEFILE'
  | 'O_DIRECTORY'
  | 'O_NOFOLLOW'
  | 'O_NOATIME'
  | 'O_CLOEXEC'
  | 'O_SYNC'
  | 'O_PATH'
  | 'O_TMPFILE';

const ACCESS_MODES: readonly OpenFlagName[] = ['O_RDONLY', 'O_WRONLY', 'O_RDWR'];

// Octal, as in include/uapi/asm-generic/fcntl.h. O_SYNC is __O_SYNC | O_DSYNC and O_TMPFILE is
// __O_TMPFILE | O_DIRECTORY: each is named only when all its bits are set, and then its
// companion bit is not named again.
const FLAGS: readonly [number, OpenFlagName][] = [
  [0o100, 'O_CREAT'],
  [0o200, 'O_EXCL'],
  [0o400, 'O_NOCTTY'],
  [0o1000, 'O_TRUNC'],
  [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'],
  [0o20000, 'FASYNC'],
  [0o40000, 'O_DIRECT'],
  [0o100000, 'O_LARGEFILE'],
  [0o400000, 'O_NOFOLLOW'],
  [0o1000000, 'O_NOATIME'],
  [0o2000000, 'O_CLOEXEC'],
  [0o10000000, 'O_PATH'],
];
const O_DSYNC = 0o10000;
const O_SYNC = 0o4000000 | O_DSYNC;
const O_DIRECTORY = 0o200000;
const O_TMPFILE = 0o20000000 | O_DIRECTORY;
const KNOWN_BITS =
  0o3 | FLAGS.reduce((bits, [bit]) => bits | bit, 0) | O_SYNC | O_TMPFILE | O_DIRECTORY;

/**
 * The names of `flags` (an unsigned 32-bit value): the access mode first, then each flag that is
 * set, and the bits that have no name here. Access mode 3 has no name (Linux reads it as "no
 * read, no write, ioctl only"): it stays in `unknown`.
 */
export function openFlagNames(flags: number): { names: OpenFlagName[]; unknown: number } {
  const mode = flags & 0o3;
  const names: OpenFlagName[] = [];
  const modeName = ACCESS_MODES[mode];
  if (modeName !== undefined) names.push(modeName);
  for (const [bit, name] of FLAGS) {
    if ((flags & bit) !== 0) names.push(name);
  }
  if ((flags & O_SYNC) === O_SYNC) names.push('O_SYNC');
  else if ((flags & O_DSYNC) !== 0) names.push('O_DSYNC');
  if ((flags & O_TMPFILE) === O_TMPFILE) names.push('O_TMPFILE');
  else if ((flags & O_DIRECTORY) !== 0) names.push('O_DIRECTORY');
  const unknownMode = mode === 3 ? 0o3 : 0;
  return { names, unknown: ((flags & ~KNOWN_BITS) | unknownMode) >>> 0 };
}
