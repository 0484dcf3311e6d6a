// The firewall's question, "whose connection is this?": the kernel finds the socket of a tuple
// (@procmon/netsock's exact sock_diag lookup), the holder index finds the processes holding its
// inode (each with its identity checked), and when none is found the answer says why.
import {
  type ConnectionQuery,
  checkQuery,
  datagramRivals,
  type ResolveOptions,
  type SocketEntry,
  type SocketResolver,
} from '@procmon/netsock';
import { type ProcFS, procfsOf } from '@procmon/procfs';
import type { ProcessEventFeed } from './event-feed.js';
import { type HolderLookup, SocketHolderIndex } from './holder-index.js';
import type { SocketHolder } from './socket-holders.js';
import { defaultSocketResolver } from './sockets.js';

/**
 * Why no holder was found.
 * - `no-socket`: the kernel has no socket for the tuple in the namespace asked (closed, never
 *   there, or in another network namespace: pass `pid` of a process in that one).
 * - `no-inode`: the kernel has the connection, but no process holds it yet or any more:
 *   `TIME_WAIT` after a close, `NEW_SYN_RECV` or a connection waiting in a listener's accept
 *   queue (the listener's holders are who will accept it).
 * - `exited`: the socket closed while its holders were looked for (its last holder exited or
 *   closed it).
 * - `not-permitted`: the descriptors of some processes may not be read, and a holder may be one
 *   of them (`unreadable` lists them).
 * - `no-visible-holder`: the socket is still there and every visible process was read: it is held
 *   by no process of this /proc (a kernel socket; one in flight over a unix socket, sent with
 *   SCM_RIGHTS and not received yet; a holder in another pid namespace, or a thread made with its
 *   own descriptor table, which is not walked).
 * - `ambiguous`: a UDP tuple that other sockets could also have sent from (`rivals`: bound to the
 *   same port, on the local address or a wildcard; SO_REUSEADDR lets any user do that). The
 *   kernel's answer is the socket a reply would reach, not surely the sender: naming its holders
 *   would let one process pass its datagrams off as another's, so none is named.
 */
export type NoOwnerReason =
  | 'ambiguous'
  | 'no-socket'
  | 'no-inode'
  | 'exited'
  | 'not-permitted'
  | 'no-visible-holder';

export interface ConnectionOwners {
  /** The socket the kernel found for the tuple. */
  socket?: SocketEntry;
  /** Every holder found, each checked to be the process it was when its descriptors were read. */
  holders: SocketHolder[];
  /** Set when `holders` is empty. */
  reason?: NoOwnerReason;
  /** The reason in a sentence, for people. */
  explanation?: string;
  /** Pids whose descriptors could not be read. */
  unreadable: number[];
  /** With reason `ambiguous`: the other sockets that could be the tuple's local side. */
  rivals?: SocketEntry[];
  /** How far the holder lookup went (see HolderLookup.searched); absent when it did not run. */
  searched?: HolderLookup['searched'];
}

export interface ConnectionOwnersOptions {
  procfs?: ProcFS | undefined;
  /** The resolver that asks the kernel (default: the shared one, only for /proc). */
  resolver?: SocketResolver | undefined;
  /** The holder index to use and keep warm between calls (default: one kept per ProcFS). */
  index?: SocketHolderIndex | undefined;
  /** Look in the network namespace of this process (default: the caller's). */
  pid?: number | undefined;
}

/** The processes that hold the connection `query` names, or why none was found. */
export function connectionOwners(
  query: ConnectionQuery,
  options: ConnectionOwnersOptions = {},
): ConnectionOwners {
  const { resolver, index, pid, where } = partsOf(options);
  const socket = resolver.find(query, where);
  if (socket === undefined) return noSocket(pid);
  if (socket.inode === 0) return noInode(socket);
  const rivals = rivalsOf(resolver, query, socket, where);
  if (rivals.length > 0) return ambiguous(socket, rivals);
  const lookup = index.holders(socket.inode, { uid: socket.uid });
  if (lookup.holders.length > 0) return found(socket, lookup);
  return noHolder(socket, lookup, stillThere(resolver.find(withCookie(query, socket), where)));
}

/** `connectionOwners` with asynchronous reads. */
export async function connectionOwnersAsync(
  query: ConnectionQuery,
  options: ConnectionOwnersOptions = {},
): Promise<ConnectionOwners> {
  const { resolver, index, pid, where } = partsOf(options);
  const socket = await resolver.findAsync(query, where);
  if (socket === undefined) return noSocket(pid);
  if (socket.inode === 0) return noInode(socket);
  // list() has no async form (a dump of one table is a few milliseconds).
  const rivals = rivalsOf(resolver, query, socket, where);
  if (rivals.length > 0) return ambiguous(socket, rivals);
  const lookup = await index.holdersAsync(socket.inode, { uid: socket.uid });
  if (lookup.holders.length > 0) return found(socket, lookup);
  const again = await resolver.findAsync(withCookie(query, socket), where);
  return noHolder(socket, lookup, stillThere(again));
}

// One index per ProcFS, kept warm across calls that bring none of their own.
const indexes = new WeakMap<ProcFS, SocketHolderIndex>();

/**
 * The holder index `connectionOwners` keeps warm for a ProcFS (the shared one on /proc unless
 * given) when a call brings no index of its own.
 */
export function sharedHolderIndex(
  options: { procfs?: ProcFS | undefined } = {},
): SocketHolderIndex {
  const procfs = options.procfs ?? procfsOf({});
  let index = indexes.get(procfs);
  if (index === undefined) {
    index = new SocketHolderIndex({ procfs });
    indexes.set(procfs, index);
  }
  return index;
}

/**
 * Makes the index `connectionOwners` shares for a ProcFS follow `feed` (exits, execs, forks and
 * resyncs: see SocketHolderIndex.follow); returns the function that stops it. An index passed as
 * `options.index` follows a feed through its own `follow`.
 */
export function followConnectionIndex(
  feed: ProcessEventFeed,
  options: { procfs?: ProcFS | undefined } = {},
): () => void {
  return sharedHolderIndex(options).follow(feed);
}

function partsOf(options: ConnectionOwnersOptions) {
  const procfs = options.procfs ?? options.index?.procfs ?? procfsOf({});
  const resolver = options.resolver ?? defaultSocketResolver(procfs);
  if (resolver === undefined) {
    throw new TypeError(
      `connectionOwners() has no default resolver for a ProcFS on ${procfs.root} (the kernel asked would not be the one that wrote it): pass options.resolver`,
    );
  }
  const index = options.index ?? sharedHolderIndex({ procfs });
  const where: ResolveOptions = options.pid === undefined ? {} : { pid: options.pid };
  return { resolver, index, pid: options.pid, where };
}

/** The same tuple, and the same socket: a new one on the tuple (port reused) is not it. */
function withCookie(query: ConnectionQuery, socket: SocketEntry): ConnectionQuery {
  return socket.cookie === undefined ? query : { ...query, cookie: socket.cookie };
}

const stillThere = (again: SocketEntry | undefined): boolean => again !== undefined;

/** For a UDP or UDP-Lite query: the other sockets that could have sent from its local side. */
function rivalsOf(
  resolver: SocketResolver,
  query: ConnectionQuery,
  socket: SocketEntry,
  where: ResolveOptions,
): SocketEntry[] {
  if (query.protocol === 'tcp') return [];
  // Only the sockets on the query's port: a table of thousands is filtered by the kernel. An
  // IPv6 tuple (not IPv4-mapped) has no IPv4 rival, so the IPv4 dump (a walk of the kernel's
  // whole UDP table) is not made; an IPv4 one has IPv6 rivals (`::`, `::ffff:` binds).
  const family = checkQuery(query).ipv4 ? undefined : 'inet6';
  const onPort = resolver.list({
    ...where,
    tables: [query.protocol],
    localPort: query.localPort,
    ...(family === undefined ? {} : { family }),
  });
  return datagramRivals(onPort, query, socket);
}

function ambiguous(socket: SocketEntry, rivals: SocketEntry[]): ConnectionOwners {
  return {
    socket,
    holders: [],
    unreadable: [],
    rivals,
    reason: 'ambiguous',
    explanation: `${rivals.length + 1} sockets are bound where this ${socket.protocol} datagram could come from (same port, same or wildcard address): which one sent it cannot be told`,
  };
}

function found(socket: SocketEntry, lookup: HolderLookup): ConnectionOwners {
  return {
    socket,
    holders: lookup.holders,
    unreadable: lookup.unreadable,
    searched: lookup.searched,
  };
}

function noSocket(pid: number | undefined): ConnectionOwners {
  const where =
    pid === undefined ? 'in this network namespace' : `in the network namespace of process ${pid}`;
  return {
    holders: [],
    unreadable: [],
    reason: 'no-socket',
    explanation: `the kernel has no such socket ${where}`,
  };
}

function noInode(socket: SocketEntry): ConnectionOwners {
  return {
    socket,
    holders: [],
    unreadable: [],
    reason: 'no-inode',
    explanation: `no process holds a ${socket.state} socket (closed and waiting out TIME_WAIT, or not accepted yet)`,
  };
}

function noHolder(socket: SocketEntry, lookup: HolderLookup, open: boolean): ConnectionOwners {
  const base = { socket, holders: [], unreadable: lookup.unreadable, searched: lookup.searched };
  if (!open) {
    return {
      ...base,
      reason: 'exited',
      explanation: 'the socket closed while its holders were looked for',
    };
  }
  if (lookup.unreadable.length > 0) {
    return {
      ...base,
      reason: 'not-permitted',
      explanation: `the descriptors of ${lookup.unreadable.length} processes may not be read, and one of them may hold it`,
    };
  }
  return {
    ...base,
    reason: 'no-visible-holder',
    explanation:
      'no process of this /proc holds it (a kernel socket, one in flight over a unix socket, a holder in another pid namespace, or a thread with its own descriptor table)',
  };
}
