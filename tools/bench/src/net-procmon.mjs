// procmon's side of the connection benchmark. The whole-machine listing, the holder index and the
// exact lookup by tuple are being built on other branches: each call here is looked up on the
// module at run time, and a missing export gives a reason (a row that says why it was skipped)
// instead of an error, so the bench runs with the alternatives alone until they are merged.
import { statSync } from 'node:fs';
import { parseFdTarget } from '@procmon/parse';
import * as processModule from '@procmon/process';

/** The tables `ss -tunap` shows. */
export const INET_TABLES = ['tcp', 'udp'];

const missingExport = (pkg, name) => `${pkg} exports no \`${name}\` on this branch`;

/**
 * The calls the procmon rows make, each `{ call }` or `{ why }`:
 * `connections(procfs)` / `connectionsAsync(procfs)` (whole machine, ss's tables), `newIndex(procfs)`
 * (a SocketHolderIndex), `find(resolver, query)`.
 */
export function procmonApi(mod = processModule) {
  const api = {};
  api.connections =
    typeof mod.connections === 'function'
      ? { call: (procfs, resolver) => mod.connections({ tables: INET_TABLES, procfs, resolver }) }
      : { why: missingExport('@procmon/process', 'connections') };
  api.connectionsAsync =
    typeof mod.connectionsAsync === 'function'
      ? {
          call: (procfs, resolver) =>
            mod.connectionsAsync({ tables: INET_TABLES, procfs, resolver }),
        }
      : { why: missingExport('@procmon/process', 'connectionsAsync') };
  api.newIndex =
    typeof mod.SocketHolderIndex === 'function'
      ? { call: (procfs) => new mod.SocketHolderIndex({ procfs }) }
      : { why: missingExport('@procmon/process', 'SocketHolderIndex') };
  return api;
}

/** `resolver.find` (netsock's exact sock_diag lookup), or why it cannot be called. */
export function findApi(resolver) {
  return typeof resolver.find === 'function'
    ? { call: (query) => resolver.find(query) }
    : { why: missingExport('@procmon/netsock', 'SocketResolver.find') };
}

/**
 * Tuple → holders, in one place because the call may be named differently at merge:
 * `connectionOwners(query, { index, resolver })` when exported, else `find` then
 * `index.holders(inode, { uid })` (what connectionOwners joins); `uidNarrowing: false` always
 * composes, without the uid, so a miss walks every process. Gives `{ call(query, index) }`
 * returning `{ socket, lookup }` and `how` (the calls, for the row's name) (lookup: the index's HolderLookup, undefined when find found no
 * socket), or `{ why }`.
 */
export function ownersApi(resolver, { uidNarrowing = true } = {}, mod = processModule) {
  if (typeof mod.connectionOwners === 'function' && uidNarrowing)
    return {
      how: '`connectionOwners(tuple, { index, resolver })`',
      call: (query, index) => {
        const result = mod.connectionOwners(query, { index, resolver });
        return { socket: result?.socket, lookup: result?.lookup ?? result };
      },
    };
  const find = findApi(resolver);
  if (find.why) return { why: find.why };
  if (typeof mod.SocketHolderIndex !== 'function')
    return { why: missingExport('@procmon/process', 'SocketHolderIndex') };
  return {
    how: uidNarrowing
      ? '`find` + `index.holders(inode, { uid })`'
      : '`find` + `index.holders(inode)`',
    call: (query, index) => {
      const socket = find.call(query);
      if (!socket || socket.inode === 0) return { socket, lookup: undefined };
      const lookup = index.holders(socket.inode, uidNarrowing ? { uid: socket.uid } : undefined);
      return { socket, lookup };
    },
  };
}

/** The socket inode of an fd entry from procfs.listFds, or -1. */
function socketInode(entry) {
  if (entry.error !== undefined) return -1;
  const target = parseFdTarget(entry.target);
  return target.type === 'socket' ? target.inode : -1;
}

/** The socket inodes among a process's descriptors ([] when it ended or may not be read). */
export function socketInodesOf(procfs, pid) {
  return fdsOrNothing(procfs, pid)
    .map(socketInode)
    .filter((inode) => inode !== -1);
}

/** listFds of a pid, or [] for a process that ended or may not be read meanwhile. */
function fdsOrNothing(procfs, pid) {
  try {
    return procfs.listFds(pid);
  } catch {
    return [];
  }
}

/**
 * The pieces joined by hand, the baseline the issue measured: one `resolver.list()` of the tables,
 * then `procfs.listFds` of every pid, joined by inode. Returns the [entry, holders] pairs.
 */
export function handJoined(procfs, resolver, tables = INET_TABLES) {
  const byInode = new Map();
  for (const entry of resolver.list({ tables })) {
    if (entry.inode !== 0) byInode.set(entry.inode, { socket: entry, holders: [] });
  }
  for (const pid of procfs.listPids()) {
    for (const fd of fdsOrNothing(procfs, pid)) {
      const joined = byInode.get(socketInode(fd));
      if (joined) joined.holders.push({ pid, fd: fd.fd });
    }
  }
  return [...byInode.values()];
}

/**
 * How the uid walk reads a process's owner: procfs's `statProcess` flow (the stat of /proc/<pid>,
 * on the procfs's own backend) when this branch has it, else node:fs `statSync`.
 */
export const ownerReader = (procfs) =>
  typeof procfs.flows?.statProcess === 'function'
    ? {
        name: 'procfs `statProcess`',
        uidOf: (pid) => procfs.run(procfs.flows.statProcess(pid)).uid,
      }
    : { name: 'node:fs `statSync`', uidOf: (pid) => statSync(`/proc/${pid}`).uid };

/** The pids whose /proc/<pid> is owned by `uid` (what a uid-narrowed walk reads first). */
export function pidsOfUid(procfs, uid) {
  const { uidOf } = ownerReader(procfs);
  return procfs.listPids().filter((pid) => {
    try {
      return uidOf(pid) === uid;
    } catch {
      return false;
    }
  });
}

/**
 * The reference of a cold lookup: the fd walk of that uid's processes alone (the pid list, each
 * /proc/<pid>'s owner, every listFds of the matching ones), every holder of `inode` collected.
 */
export function uidFdWalk(procfs, uid, inode) {
  return fdWalk(procfs, pidsOfUid(procfs, uid), inode);
}

/** Every holder of `inode` among `pids` (listFds of each): { pid, fd }[]. */
export function fdWalk(procfs, pids, inode) {
  const found = [];
  for (const pid of pids) {
    for (const fd of fdsOrNothing(procfs, pid)) {
      if (socketInode(fd) === inode) found.push({ pid, fd: fd.fd });
    }
  }
  return found;
}
