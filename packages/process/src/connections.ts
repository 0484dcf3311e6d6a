// Every socket of the machine with the processes that hold it: what `ss -tunapx`, `lsof -i` and
// psutil's `net_connections('all')` show. One listing of the socket tables, one walk of every
// process's fd/ (socket-holders.ts), joined by inode.
//
// The listing is @procmon/netsock's `SocketResolver.list()`, which has no async form: the async
// call runs that same sync listing (a sock_diag dump is a few milliseconds) while the walk's
// asynchronous reads run on libuv's pool. Sockets are those of this program's network
// namespace; their holders may live in any (a descriptor's link does not depend on the
// namespace).

import type { SocketEntry, SocketResolver, TableName } from '@procmon/netsock';
import type { ProcFS } from '@procmon/procfs';
import { procfsOf } from './default-procfs.js';
import { SocketHolderIndex } from './holder-index.js';
import type { SocketHolder } from './socket-holders.js';
import { defaultSocketResolver } from './sockets.js';

/** A socket and every (pid, start time, fd) that holds it. */
export interface Connection {
  socket: SocketEntry;
  /** In pid then fd order; empty for a socket with no descriptor (inode 0: TIME_WAIT, requests). */
  holders: SocketHolder[];
}

export interface ConnectionsOptions {
  procfs?: ProcFS | undefined;
  /** Lists the sockets; the shared resolver of `defaultSocketLookup` unless given (only for /proc). */
  resolver?: SocketResolver | undefined;
  /** The index the walk refreshes (a firewall's own, kept warm for later lookups); a new one unless given. */
  index?: SocketHolderIndex | undefined;
  /** Which tables to list; every table unless given. */
  tables?: readonly TableName[] | undefined;
  /** Keeps only the sockets it returns true for (before the holders are looked for). */
  filter?: ((socket: SocketEntry) => boolean) | undefined;
}

/** Every socket (of `tables`, kept by `filter`) with its holders, in the resolver's order. */
export function connections(options: ConnectionsOptions = {}): Connection[] {
  return connectionsReport(options).connections;
}

/** The same with asynchronous reads of /proc (see connectionsReportAsync). */
export async function connectionsAsync(options: ConnectionsOptions = {}): Promise<Connection[]> {
  return (await connectionsReportAsync(options)).connections;
}

/**
 * `connections`, and the pids whose descriptors could not be read: a socket listed with no holder
 * may be held by one of them (another user's process when unprivileged; one with more
 * capabilities than ours as root), so "no holder" is not "nobody holds it" while any are listed.
 */
export interface ConnectionsReport {
  connections: Connection[];
  unreadable: number[];
}

/** Every socket with its holders, and the processes that could not be read. */
export function connectionsReport(options: ConnectionsOptions = {}): ConnectionsReport {
  const { procfs, resolver, index } = partsOf(options);
  const listed = resolver.list(listOptionsOf(options));
  return joined(listed, procfs.run(index.everyHolderFlow()), options);
}

/**
 * The same with asynchronous reads of /proc. The walk of every process is started first: while
 * its reads run on libuv's pool, the socket tables are dumped here (`list()` has no async form,
 * see the top), so the two overlap instead of adding up.
 */
export async function connectionsReportAsync(
  options: ConnectionsOptions = {},
): Promise<ConnectionsReport> {
  const { procfs, resolver, index } = partsOf(options);
  const pids = await procfs.runAsync(procfs.flows.listPids());
  // Its first batch is queued before this returns (runAsync runs until its first wait).
  const walking = procfs.runAsync(index.everyHolderFlow(pids));
  let listed: SocketEntry[];
  try {
    listed = resolver.list(listOptionsOf(options));
  } catch (error) {
    // The walk's own failure, if any, is not the one to report.
    await walking.catch(() => {});
    throw error;
  }
  return joined(listed, await walking, options);
}

function listOptionsOf(options: ConnectionsOptions): { tables?: readonly TableName[] } {
  return options.tables === undefined ? {} : { tables: options.tables };
}

/** The listed sockets kept by the filter, each with its holders (none for inode 0). */
function joined(
  listed: SocketEntry[],
  walked: { byInode: Map<number, SocketHolder[]>; unreadable: number[] },
  options: ConnectionsOptions,
): ConnectionsReport {
  const { filter } = options;
  const sockets = filter === undefined ? listed : listed.filter((socket) => filter(socket));
  return {
    connections: sockets.map((socket) => ({
      socket,
      holders: socket.inode === 0 ? [] : (walked.byInode.get(socket.inode) ?? []),
    })),
    unreadable: walked.unreadable,
  };
}

function partsOf(options: ConnectionsOptions): {
  procfs: ProcFS;
  resolver: SocketResolver;
  index: SocketHolderIndex;
} {
  const procfs = options.procfs ?? options.index?.procfs ?? procfsOf({});
  const resolver = options.resolver ?? defaultSocketResolver(procfs);
  if (resolver === undefined) {
    throw new TypeError(
      `connections() has no default resolver for a ProcFS on ${procfs.root} (the kernel asked would not be the one that wrote it): pass options.resolver`,
    );
  }
  const index = options.index ?? new SocketHolderIndex({ procfs });
  if (index.procfs !== procfs) {
    throw new TypeError('options.index reads another ProcFS than options.procfs');
  }
  if (options.filter !== undefined && typeof options.filter !== 'function') {
    throw new TypeError(`filter must be a function, got ${typeof options.filter}`);
  }
  return { procfs, resolver, index };
}
