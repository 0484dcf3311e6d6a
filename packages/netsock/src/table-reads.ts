// The reads a lookup is made of, as flows (run by procfs's sync or async runner): one table from
// netlink (its /proc/<pid>/net files when the kernel has no diag handler for it) or from
// /proc/<pid>/net, tables in order until every inode is found, and one unix socket by inode.
import type { Flow, ProcFS } from '@procmon/procfs';
import type { NetlinkChannel } from './backend.js';
import type { Source } from './channels.js';
import { ALL_STATES, TCP_TIME_WAIT } from './netlink/constants.js';
import { DumpInterruptedError } from './netlink/errors.js';
import {
  type DumpSink,
  dumpTableRetryingFlow,
  type InetFamily,
  TABLE_ORDER,
  type TableName,
} from './netlink/tables.js';
import { lookupUnixByInode } from './netlink/unix-lookup.js';
import { hasProcFiles, readProcTable } from './procfs-tables.js';
import type { SocketEntry } from './types.js';

// A socket in TIME_WAIT (and a connection request, NEW_SYN_RECV) has no inode and so no
// descriptor: a lookup by inode leaves them out of the dump.
const NEW_SYN_RECV = 12;
export const RESOLVE_STATES = ALL_STATES & ~(1 << TCP_TIME_WAIT) & ~(1 << NEW_SYN_RECV);

export const INET_TABLE_ORDER = TABLE_ORDER.filter((table) => table !== 'unix');

/** What the reads of one resolver share: its procfs, and how a failed channel is let go. */
export interface ReadContext {
  readonly procfs: ProcFS;
  /** Closes a channel that failed, so the next call opens a new one. */
  drop(channel: NetlinkChannel): void;
}

/**
 * One table of `source` into `sink`; `partial` is what a DumpInterruptedError carries. `localPort`
 * and `family` narrow what the kernel dumps (the /proc/net files are read whole).
 */
export function* readTable(
  context: ReadContext,
  source: Source,
  table: TableName,
  states: number,
  sink: DumpSink,
  partial: () => SocketEntry[],
  localPort?: number,
  family?: InetFamily,
): Flow<void> {
  if (source.backend === 'procfs') {
    yield* readProcTable(context.procfs, table, source.pid, sink);
    return;
  }
  let result: 'done' | 'unsupported';
  try {
    result = yield* dumpTableRetryingFlow(
      source.channel,
      table,
      states,
      sink,
      partial,
      localPort,
      family,
    );
  } catch (error) {
    // A dump cut short may leave the kernel's side of it running: go on with a new socket.
    if (!(error instanceof DumpInterruptedError)) context.drop(source.channel);
    throw error;
  }
  // No diag handler here (raw_diag, sctp_diag absent; none for ICMP ping sockets):
  // /proc/<pid>/net has the same sockets.
  if (result === 'unsupported' && hasProcFiles(table)) {
    yield* readProcTable(context.procfs, table, source.pid, sink);
  }
}

/** Reads `tables` in order into `sink`, stopping once every wanted inode is found. */
export function* readTables(
  context: ReadContext,
  source: Source,
  tables: readonly TableName[],
  wanted: Set<number>,
  found: Map<number, SocketEntry>,
  sink: DumpSink,
): Flow<void> {
  for (const table of tables) {
    if (found.size === wanted.size) return;
    yield* readTable(context, source, table, RESOLVE_STATES, sink, () => [...found.values()]);
  }
}

/** One unix socket by inode (unix_diag's exact lookup); a channel that failed is dropped. */
export function* lookupUnix(
  context: ReadContext,
  channel: NetlinkChannel,
  inode: number,
): Flow<SocketEntry | undefined> {
  try {
    return yield* lookupUnixByInode(channel, inode);
  } catch (error) {
    context.drop(channel);
    throw error;
  }
}

/** The positive safe integers of `inodes`, once each. */
export function inodeSet(inodes: Iterable<number>): Set<number> {
  const set = new Set<number>();
  for (const inode of inodes) {
    if (Number.isSafeInteger(inode) && inode > 0) set.add(inode);
  }
  return set;
}
