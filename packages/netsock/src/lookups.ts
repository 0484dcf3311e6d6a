// What resolve, lookup and list do once they know where to read (a Source), as flows: the sync
// methods run them with procfs's sync runner, the async ones with its async runner, so the two
// cannot drift apart.
import type { Flow } from '@procmon/procfs';
import type { Source } from './channels.js';
import { ALL_STATES } from './netlink/constants.js';
import {
  type InetFamily,
  listSink,
  resolveSink,
  TABLE_ORDER,
  type TableName,
} from './netlink/tables.js';
import { lookAgain } from './second-look.js';
import {
  INET_TABLE_ORDER,
  inodeSet,
  lookupUnix,
  type ReadContext,
  readTable,
  readTables,
} from './table-reads.js';
import type { SocketEntry } from './types.js';

/** The socket of each inode: every table once, in order, then the second look. */
export function* resolveFlow(
  context: ReadContext,
  source: Source,
  inodes: Iterable<number>,
): Flow<Map<number, SocketEntry>> {
  const wanted = inodeSet(inodes);
  const found = new Map<number, SocketEntry>();
  if (wanted.size === 0) return found;
  const sink = resolveSink(wanted, found);
  yield* readTables(context, source, TABLE_ORDER, wanted, found, sink);
  yield* lookAgain(context, source, wanted, found, sink);
  sink.settle();
  return found;
}

/** One socket: a unix one by inode first (netlink), then the tables as resolveFlow reads them. */
export function* lookupFlow(
  context: ReadContext,
  source: Source,
  inode: number,
): Flow<SocketEntry | undefined> {
  const wanted = inodeSet([inode]);
  if (wanted.size === 0) return undefined;
  let unixAsked = false;
  if (source.backend === 'netlink') {
    const unix = yield* lookupUnix(context, source.channel, inode);
    if (unix !== undefined) return unix;
    // "No such socket" from a kernel known to have unix_diag: the unix table is done.
    unixAsked = source.channel.supported.has('unix');
  }
  const found = new Map<number, SocketEntry>();
  const sink = resolveSink(wanted, found);
  const tables = unixAsked ? INET_TABLE_ORDER : TABLE_ORDER;
  yield* readTables(context, source, tables, wanted, found, sink);
  yield* lookAgain(context, source, wanted, found, sink, unixAsked);
  sink.settle();
  return found.get(inode);
}

/**
 * Every socket of `tables`, every state, each once: one read of each table. With `localPort`,
 * only the inet sockets bound to that port; with `family`, only the sockets of that inet family.
 * The kernel filters the dumps that can be filtered, and every entry is checked here too (the
 * /proc/net files, the tcp compat dump, unix tables).
 */
export function* listFlow(
  context: ReadContext,
  source: Source,
  tables: readonly TableName[],
  localPort?: number,
  family?: InetFamily,
): Flow<SocketEntry[]> {
  const entries: SocketEntry[] = [];
  const sink = listSink(entries);
  const partial = () => entries.slice();
  for (const table of tables) {
    yield* readTable(context, source, table, ALL_STATES, sink, partial, localPort, family);
  }
  // The unix rows that may be forged, for the inodes no table had (see addUnixRows).
  sink.settle();
  if (localPort === undefined && family === undefined) return entries;
  return entries.filter(
    (entry) =>
      entry.family !== 'unix' &&
      (localPort === undefined || entry.localPort === localPort) &&
      (family === undefined || entry.family === family),
  );
}
