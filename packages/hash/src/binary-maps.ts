// Which lines of /proc/<pid>/maps map a process's binary. Matched on what the kernel wrote, not
// on the parser's `deleted` flag: a file may be named `firefox (deleted)`, and its lines then
// read exactly like those of a deleted `firefox`. So an entry's text (its pathname, with the
// ` (deleted)` the parser took off put back) is compared with the exe link's text as the kernel
// wrote it (the path, plus ` (deleted)` when readExe found the file deleted), and then the file
// itself is checked: one device and inode for all of them, and the binary's inode when known.
import type { MapsEntry } from '@procmon/parse';

const MARK = ' (deleted)';

/**
 * The pathname text maps shows for the file at `path` (deleted or not). maps writes a newline in
 * a name as `\012` (and nothing else escaped); the exe link writes it as is.
 */
export function mapsText(path: string, deleted: boolean): string {
  return path.replaceAll('\n', '\\012') + (deleted ? MARK : '');
}

/** An entry's pathname text as the kernel wrote it; undefined for no file (anonymous, [heap]). */
export function entryText(entry: MapsEntry): string | undefined {
  if (entry.kind !== 'file' || entry.pathname === null) return undefined;
  return entry.deleted ? `${entry.pathname}${MARK}` : entry.pathname;
}

/** The entries of maps whose text is `text`, in file order. */
export function entriesNamed(entries: readonly MapsEntry[], text: string): MapsEntry[] {
  return entries.filter((entry) => entryText(entry) === text);
}

/**
 * The files (device:inode) among `entries`: more than one means two files show the same text
 * (a deleted `x` and a real `x (deleted)`, or a path that holds `\012` and one that holds a
 * newline), and text alone cannot say which is the binary.
 */
export function filesOf(entries: readonly MapsEntry[]): string[] {
  return [...new Set(entries.map(fileOf))];
}

export const fileOf = (entry: MapsEntry): string =>
  `${entry.device.major}:${entry.device.minor}:${entry.inode}`;

/** The glibc encoding of a dev_t split into major and minor, as maps writes them. */
export function deviceOf(dev: bigint): { major: number; minor: number } {
  return {
    major: Number((dev >> 8n) & 0xfffn) | Number((dev >> 32n) & ~0xfffn),
    minor: Number(dev & 0xffn) | Number((dev >> 12n) & ~0xffn),
  };
}
