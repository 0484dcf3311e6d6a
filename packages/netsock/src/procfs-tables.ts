import {
  type InetFamily,
  type InetProtocol,
  type InetSocketEntry,
  parseNetInet,
  parseNetUnix,
  type UnixSocketEntry,
} from '@procmon/parse';
import { type Flow, ProcessGoneError, type ProcFS, ProcfsError } from '@procmon/procfs';
import type { DumpSink, TableName } from './netlink/tables.js';
import type { SocketEntry } from './types.js';

/** The /proc/net files of each table. */
const FILES: Readonly<Record<TableName, readonly (readonly [string, InetFamily])[]>> = {
  tcp: [
    ['tcp', 'inet'],
    ['tcp6', 'inet6'],
  ],
  unix: [],
  udp: [
    ['udp', 'inet'],
    ['udp6', 'inet6'],
  ],
  udplite: [
    ['udplite', 'inet'],
    ['udplite6', 'inet6'],
  ],
  raw: [
    ['raw', 'inet'],
    ['raw6', 'inet6'],
  ],
  icmp: [
    ['icmp', 'inet'],
    ['icmp6', 'inet6'],
  ],
  // SCTP has its own text format (/proc/net/sctp/eps, assocs), which @procmon/parse does not read.
  sctp: [],
};

/** An inet row as an entry. */
export function fromInetRow(row: InetSocketEntry): SocketEntry {
  return {
    family: row.family,
    protocol: row.protocol,
    inode: row.inode,
    uid: row.uid,
    state: row.stateName,
    localAddress: row.localAddress,
    localPort: row.localPort,
    remoteAddress: row.remoteAddress,
    remotePort: row.remotePort,
    rxQueue: row.rxQueue,
    txQueue: row.txQueue,
  };
}

/**
 * A unix row as an entry: no uid (-1), peer, queues or cookie, which the file does not have.
 * `unverified` says what the text cannot prove: `'row'` for a row that may be text of another
 * socket's name, `'path'` for the kernel's row whose name may go on into the next line, or
 * reads as abstract (as a relative path starting with "@" does too).
 */
export function fromUnixRow(row: UnixSocketEntry): SocketEntry {
  const entry: SocketEntry = {
    family: 'unix',
    protocol: 'unix',
    inode: row.inode,
    uid: -1,
    // SS_CONNECTED is named as sock_diag names a connected unix socket's state.
    state: row.listening ? 'LISTEN' : row.stateName === 'CONNECTED' ? 'ESTABLISHED' : row.stateName,
  };
  if (row.typeName !== 'unknown') entry.type = row.typeName;
  if (row.path !== null) {
    entry.path = row.path;
    entry.abstract = row.abstract;
  }
  if (row.possiblyForged) entry.unverified = 'row';
  else if (row.pathMayContinue || row.abstract) entry.unverified = 'path';
  return entry;
}

/*
 * /proc/net/unix cannot be trusted as the netlink replies can. Its only text a process chooses
 * is a socket's name, written as it is, newlines included, at the end of the socket's row: so a
 * process can bind a name such as "x\n<a whole row>" and that row, claiming any inode (another
 * user's socket), any name (/run/dbus/system_bus_socket), type and state (LISTEN), reads like
 * the kernel's. There is no uid column to tell whose it is. What the text does prove:
 *
 * - The kernel writes one row per socket. Forged text can only be where a name is: right after
 *   the row of the socket holding that name, and within the 108 bytes the kernel prints of a
 *   name. parseNetUnix marks each row that lies within reach of an earlier name, or is not in
 *   the kernel's exact shape, as `possiblyForged`; every other row is the kernel's. The kernel's
 *   rows are the only evidence taken as fact.
 * - An inode in more than one row: at least one row is forged, or the socket moved in the
 *   kernel's hash table while the file was read (binding a socket does that) and was written
 *   twice. When one of them is the kernel's for sure, it is the answer (the last such, the
 *   newest, if there are two: both were true when written, as any row of a table read while it
 *   changes). The others are ignored, whatever they say.
 * - When only rows that may be forged have the inode, nothing is proven, but the row is often
 *   the kernel's (any socket whose row follows a short name is in reach of it): the entry is
 *   claimed, marked `unverified: 'row'`, and given only after every other table was read
 *   without finding the inode (a forged unix row cannot shadow the real udp socket with its
 *   inode) and, as the resolver reads again for inodes not found (lookAgain), after a second
 *   read of this file: a socket the first read skipped then shows its row, which either proves
 *   the answer or contradicts the claim. Claims that disagree, in one read or across reads,
 *   give nothing.
 * - A kernel row whose name is followed by a row within its reach: the name may go on into that
 *   row, so the path is only what the text shows up to there (`unverified: 'path'`); type and
 *   state are the kernel's. The same mark for a name that reads as abstract: the kernel prints
 *   a relative path "@x" exactly as the abstract name "x" (and each NUL of an abstract name as
 *   "@"), so anyone can bind a name that reads as another's abstract name, no newline needed.
 *
 * What is left: a claim for an inode that no table has (a socket of another family, a TCP
 * socket bound but not listening, a unix socket of another namespace held by this process) or
 * whose kernel row both reads skipped; it is marked 'row'. The netlink backend has none of this.
 */
function addUnixRows(rows: readonly UnixSocketEntry[], sink: DumpSink): void {
  // Per wanted inode: the last row the kernel surely wrote, or else every row that may be forged.
  const proven = new Map<number, UnixSocketEntry>();
  const unproven = new Map<number, UnixSocketEntry[]>();
  for (const row of rows) {
    if (!sink.wants(row.inode)) continue;
    if (row.inode === 0) {
      // A connection no process has accepted yet (list() only): nothing to check it against or
      // to shadow. As it is, marked 'row' if it may be forged.
      sink.add(fromUnixRow(row));
    } else if (!row.possiblyForged) {
      proven.set(row.inode, row);
    } else {
      const list = unproven.get(row.inode);
      if (list === undefined) unproven.set(row.inode, [row]);
      else list.push(row);
    }
  }
  for (const row of proven.values()) sink.add(fromUnixRow(row));
  for (const [inode, list] of unproven) {
    if (!proven.has(inode)) for (const row of list) sink.claim?.(fromUnixRow(row));
  }
}

/**
 * Reads one table from `/proc/net/*` (the caller's namespace) or `/proc/<pid>/net/*` (that
 * process's) into `sink`, as a flow of procfs reads. A file the kernel does not have (no IPv6, no
 * UDP-Lite) is skipped.
 */
export function* readProcTable(
  procfs: ProcFS,
  table: TableName,
  pid: number | undefined,
  sink: DumpSink,
): Flow<void> {
  if (table === 'unix') {
    const bytes = yield* readNet(procfs, 'unix', pid);
    if (bytes !== undefined) addUnixRows(parseNetUnix(bytes), sink);
    return;
  }
  for (const [file, family] of FILES[table]) {
    const bytes = yield* readNet(procfs, file, pid);
    if (bytes === undefined) continue;
    for (const row of parseNetInet(bytes, { protocol: inetProtocol(table), family })) {
      if (sink.wants(row.inode)) sink.add(fromInetRow(row));
    }
  }
}

// Every table with /proc files but unix (tcp, udp, udplite, raw, icmp) is one of parse's inet
// protocols, under the same name.
const inetProtocol = (table: TableName): InetProtocol => table as InetProtocol;

/** Whether a table has anything in /proc/net (sctp does not, for this package). */
export const hasProcFiles = (table: TableName): boolean =>
  table === 'unix' || FILES[table].length > 0;

function* readNet(
  procfs: ProcFS,
  file: string,
  pid: number | undefined,
): Flow<Uint8Array | undefined> {
  try {
    return yield* procfs.flows.readNetFile(file, pid);
  } catch (error) {
    if (yield* isMissingTable(error, procfs, pid)) return undefined;
    throw error;
  }
}

/** ENOENT for a table file of a live process (or of the machine): the kernel lacks that table. */
function* isMissingTable(error: unknown, procfs: ProcFS, pid: number | undefined): Flow<boolean> {
  if (!(error instanceof ProcfsError) || error.code !== 'ENOENT') return false;
  if (pid === undefined) return true;
  return error instanceof ProcessGoneError && (yield* procfs.flows.processState(pid)) !== 'gone';
}
