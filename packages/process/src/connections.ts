// Every socket of the machine with the processes that hold it: what `ss -tunapx`, `lsof -i` and
// psutil's `net_connections('all')` show. One listing of the socket tables, one walk of every
// process's fd/ (socket-holders.ts), joined by inode.
//
// The listing is @procmon/netsock's `SocketResolver.list()`, which has no async form: the async
// call runs that same sync listing (a sock_diag dump is a few milliseconds), then walks with
// asynchronous reads. Sockets are those of this program's network namespace; their holders may
// live in any (a descriptor's link does not depend on the namespace).

import type { SocketEntry, SocketResolver, TableName } from '@procmon/netsock';
import { external, type Flow, type ProcFS } from '@procmon/procfs';
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
  const { procfs, flow } = prepare(options);
  return procfs.run(flow);
}

/** The same with asynchronous reads of /proc (the socket listing itself is sync: see the top). */
export function connectionsAsync(options: ConnectionsOptions = {}): Promise<Connection[]> {
  try {
    const { procfs, flow } = prepare(options);
    return procfs.runAsync(flow);
  } catch (error) {
    return Promise.reject(error);
  }
}

function prepare(options: ConnectionsOptions): { procfs: ProcFS; flow: Flow<Connection[]> } {
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
  return { procfs, flow: connectionsFlow(resolver, index, options) };
}

function* connectionsFlow(
  resolver: SocketResolver,
  index: SocketHolderIndex,
  options: ConnectionsOptions,
): Flow<Connection[]> {
  const listOptions = options.tables === undefined ? {} : { tables: options.tables };
  const listed = yield* external(
    () => resolver.list(listOptions),
    async () => resolver.list(listOptions),
  );
  const { filter } = options;
  const sockets = filter === undefined ? listed : listed.filter((socket) => filter(socket));
  const inodes = new Set<number>();
  for (const socket of sockets) if (socket.inode !== 0) inodes.add(socket.inode);
  const holders = yield* index.holdersOfFlow(inodes);
  return sockets.map((socket) => ({
    socket,
    holders: socket.inode === 0 ? [] : (holders.get(socket.inode) ?? []),
  }));
}
