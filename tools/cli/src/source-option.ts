// Where a command's data comes from: the live /proc of this machine, or a snapshot file
// (`--from FILE`). A snapshot is read whole (readSnapshot refuses hostile archives), then served
// to the model as a procfs backend; with it come what the live machine would otherwise give: its
// sockets (the captured tables, through netsock's procfs backend), its user and group names (the
// manifest's) and its clock (the backend's capture moment, which procfs and the model read).
import type { SocketEntry, SocketResolver, TableName } from '@procmon/netsock';
import type { SocketLookup } from '@procmon/process';
import type { ProcFS } from '@procmon/procfs';
import type { SnapshotManifest } from '@procmon/snapshot';
import { readSnapshotFile } from './snapshot-file.js';
import { UsageError } from './usage-error.js';
import { GETENT, groupNames, type UserLookupCommand, uidOfUser, userNames } from './users.js';

/** Names for ids, and ids for `-u/--user`: the system's databases, or a snapshot's. */
export interface NameSource {
  users(uids: Iterable<number>): Map<number, string>;
  groups(gids: Iterable<number>): Map<number, string>;
  /** A uid as `-u/--user` gives it (digits or a name); a name no user has is a usage error. */
  uidOfUser(user: string): number;
}

export interface DataSource {
  /** The ProcFS to read; undefined for the live /proc through the shared defaults. */
  procfs?: ProcFS | undefined;
  /** The socket lookup descriptors use; undefined for the live default. */
  sockets?: SocketLookup | undefined;
  /** The resolver `net` and `net owner` list and find with; undefined for the live default. */
  resolver?: SocketResolver | undefined;
  names: NameSource;
  /** Set when the data is a snapshot's. */
  snapshot?: SnapshotFacts | undefined;
}

export interface SnapshotFacts {
  file: string;
  manifest: SnapshotManifest;
  /** The socket tables it can answer for (an older capture holds fewer; none holds sctp). */
  tables: TableName[];
}

/** Each table's files under /proc/net, as the capture reads them. */
const TABLE_FILES: Record<TableName, readonly string[]> = {
  tcp: ['tcp', 'tcp6'],
  udp: ['udp', 'udp6'],
  udplite: ['udplite', 'udplite6'],
  raw: ['raw', 'raw6'],
  icmp: ['icmp', 'icmp6'],
  unix: ['unix'],
  sctp: [],
};

/** A snapshot file that could not be read or is not a sound snapshot: one line, exit 1. */
export class SnapshotFileError extends Error {
  override name = 'SnapshotFileError';
}

/** The live machine: the shared ProcFS and resolver, names through `lookup` (getent). */
export function liveSource(lookup: UserLookupCommand = GETENT): DataSource {
  return {
    names: {
      users: (uids) => userNames(uids, lookup),
      groups: (gids) => groupNames(gids, lookup),
      uidOfUser: (user) => uidOfUser(user, lookup),
    },
  };
}

/** `--from FILE` if given, else the live machine. */
export function sourceOf(from: string | undefined): Promise<DataSource> {
  return from === undefined ? Promise.resolve(liveSource()) : snapshotSource(from);
}

/** The data of a snapshot file. */
export async function snapshotSource(file: string): Promise<DataSource> {
  const [{ readSnapshot, snapshotBackend }, { ProcFS }, { SocketResolver }] = await Promise.all([
    import('@procmon/snapshot'),
    import('@procmon/procfs'),
    import('@procmon/netsock'),
  ]);
  let bytes: Uint8Array;
  try {
    bytes = await readSnapshotFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new SnapshotFileError(
      `cannot read the snapshot ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  let snapshot: Awaited<ReturnType<typeof readSnapshot>>;
  try {
    snapshot = await readSnapshot(bytes);
  } catch (error) {
    if ((error as { name?: unknown }).name !== 'SnapshotError') throw error;
    throw new SnapshotFileError(
      `${file} is not a snapshot procmon can read: ${(error as Error).message}`,
    );
  }
  const procfs = new ProcFS({ backend: snapshotBackend(snapshot) });
  // The captured tables, read as /proc/net files: the kernel of this machine never had them.
  const resolver = new SocketResolver({ procfs, backend: 'procfs' });
  return {
    procfs,
    sockets: capturedTables(resolver),
    resolver,
    names: manifestNames(snapshot.manifest),
    snapshot: { file, manifest: snapshot.manifest, tables: tablesIn(procfs) },
  };
}

/**
 * The tables whose every file the snapshot answers for: read, or failed at the capture (a kernel
 * without udplite: ENOENT, as live); not those it never read (ENODATA).
 */
function tablesIn(procfs: ProcFS): TableName[] {
  const answers = (file: string): boolean => {
    try {
      procfs.readNetFile(file);
      return true;
    } catch (error) {
      return (error as { code?: unknown }).code !== 'ENODATA';
    }
  };
  return (Object.keys(TABLE_FILES) as TableName[]).filter(
    (table) => TABLE_FILES[table].length > 0 && TABLE_FILES[table].every(answers),
  );
}

/** The tables asked for (all unless given), each one the snapshot holds; else a usage error. */
export function tablesFrom(
  snapshot: SnapshotFacts,
  asked: readonly TableName[] | undefined,
): TableName[] {
  if (asked === undefined) return snapshot.tables;
  const missing = asked.filter((table) => !snapshot.tables.includes(table));
  if (missing.length > 0) {
    throw notFromSnapshot(
      `--proto ${missing.join(',')}`,
      `${snapshot.file} holds the tables of ${snapshot.tables.join(', ')} only`,
    );
  }
  return [...asked];
}

/**
 * Descriptors' sockets looked up in the captured tables. The model asks in each process's own
 * namespace (`<pid>/net/*`), which a snapshot does not hold: it has the tables of the capturing
 * namespace, where an inode of another namespace is simply not found (inodes are unique).
 */
function capturedTables(resolver: SocketResolver): SocketLookup {
  return {
    resolve: (inodes: Iterable<number>): Map<number, SocketEntry> => resolver.resolve(inodes),
    resolveAsync: (inodes: Iterable<number>): Promise<Map<number, SocketEntry>> =>
      resolver.resolveAsync(inodes),
  };
}

/** The manifest's names (absent ones show as numbers); `-u` names only what it names. */
export function manifestNames(manifest: SnapshotManifest): NameSource {
  const table = (names: Record<string, string> | undefined): Map<number, string> =>
    new Map(Object.entries(names ?? {}).map(([id, name]) => [Number(id), name]));
  const users = table(manifest.users);
  const groups = table(manifest.groups);
  const pick = (known: Map<number, string>, ids: Iterable<number>): Map<number, string> => {
    const found = new Map<number, string>();
    for (const id of ids) {
      const name = known.get(id);
      if (name !== undefined) found.set(id, name);
    }
    return found;
  };
  return {
    users: (uids) => pick(users, uids),
    groups: (gids) => pick(groups, gids),
    uidOfUser: (user) => {
      if (/^\d+$/.test(user)) return Number(user);
      for (const [uid, name] of users) if (name === user) return uid;
      throw new UsageError(`no user is named "${user}" in the snapshot (-u/--user)`);
    },
  };
}

/** A usage error for an option or command a snapshot cannot answer. */
export function notFromSnapshot(what: string, why: string): UsageError {
  return new UsageError(`${what} cannot be answered from a snapshot (--from): ${why}`);
}
