// User and group names at capture: the ids the capture saw (each process's status, the owners in
// the socket tables), named by the caller's resolver, kept in the manifest as `users` / `groups`
// (id as a decimal key → name). The library asks no user database itself: which one is right
// (NSS through getent, a file, a directory service) is the caller's choice, and the CLI already
// has its lookup (tools/cli/src/users.ts).
import { type InetProtocol, parseNetInet, parseStatus } from '@procmon/parse';
import { isIdName, type SnapshotNames } from './manifest.js';
import type { TarMember } from './tar-format.js';

/** The names found for ids; an id without a name is simply absent. */
export interface IdNames {
  users: ReadonlyMap<number, string>;
  groups: ReadonlyMap<number, string>;
}

/** Names the uids and gids a capture saw (captureSnapshot's `names` option). */
export type NameResolver = (ids: {
  uids: readonly number[];
  gids: readonly number[];
}) => IdNames | Promise<IdNames>;

const INET_TABLES: Record<string, [InetProtocol, 'inet' | 'inet6']> = {
  'proc/net/tcp': ['tcp', 'inet'],
  'proc/net/tcp6': ['tcp', 'inet6'],
  'proc/net/udp': ['udp', 'inet'],
  'proc/net/udp6': ['udp', 'inet6'],
};

/** Every uid and gid in the status files (real, effective, saved, fs) and the tables' owners. */
export function idsSeen(
  statuses: readonly (Uint8Array | undefined)[],
  machine: readonly TarMember[],
): { uids: number[]; gids: number[] } {
  const uids = new Set<number>();
  const gids = new Set<number>();
  for (const bytes of statuses) {
    if (bytes === undefined) continue;
    try {
      const { uid, gid } = parseStatus(bytes);
      for (const id of [uid.real, uid.effective, uid.saved, uid.filesystem]) uids.add(id);
      for (const id of [gid.real, gid.effective, gid.saved, gid.filesystem]) gids.add(id);
    } catch {
      // A status that does not parse names no one; the reader meets the same bytes.
    }
  }
  for (const member of machine) {
    const table = INET_TABLES[member.path];
    if (table === undefined || member.type !== 'file') continue;
    try {
      for (const row of parseNetInet(member.data, { protocol: table[0], family: table[1] }))
        uids.add(row.uid);
    } catch {
      // As above: a table that does not parse names no one.
    }
  }
  const ascending = (a: number, b: number) => a - b;
  return { uids: [...uids].sort(ascending), gids: [...gids].sort(ascending) };
}

/**
 * The manifest's `users` and `groups`: the resolver's names for the asked ids, each name checked
 * as a reader checks it (a capture never writes a manifest its own reader refuses).
 */
export async function namesOf(
  ids: { uids: number[]; gids: number[] },
  resolve: NameResolver,
): Promise<SnapshotNames> {
  const found = await resolve(ids);
  const pick = (asked: number[], names: ReadonlyMap<number, string>): Record<string, string> => {
    const kept: Record<string, string> = {};
    for (const id of asked) {
      const name = names.get(id);
      if (name !== undefined && isIdName(name)) kept[String(id)] = name;
    }
    return kept;
  };
  return { users: pick(ids.uids, found.users), groups: pick(ids.gids, found.groups) };
}
