// What the parseMaps tests share: expected entries written the way a maps line reads.
import type { MapsEntry, MapsEntryKind } from '../src/maps.js';

// Permission columns and what they mean, written out once.
export const PERMS = {
  'r--p': { read: true, write: false, execute: false, shared: false },
  'r-xp': { read: true, write: false, execute: true, shared: false },
  'rw-p': { read: true, write: true, execute: false, shared: false },
  '---p': { read: false, write: false, execute: false, shared: false },
  '--xp': { read: false, write: false, execute: true, shared: false },
  'r--s': { read: true, write: false, execute: false, shared: true },
  'rw-s': { read: true, write: true, execute: false, shared: true },
} as const;

/** One expected entry; every value is as read off the fixture line. */
export const entry = (
  start: bigint,
  end: bigint,
  perms: keyof typeof PERMS,
  offset: bigint,
  major: number,
  minor: number,
  inode: bigint,
  pathname: string | null,
  deleted: boolean,
  kind: MapsEntryKind,
): MapsEntry => ({
  start,
  end,
  perms,
  ...PERMS[perms],
  offset,
  device: { major, minor },
  inode,
  pathname,
  deleted,
  kind,
});

/** The vsyscall page, the same last line in every x86-64 process's maps. */
export const VSYSCALL = entry(
  0xffffffffff600000n,
  0xffffffffff601000n,
  '--xp',
  0n,
  0,
  0,
  0n,
  '[vsyscall]',
  false,
  'vsyscall',
);
