// The second look at the inodes one pass through the tables did not find (README: "Dumps are not
// snapshots"), as a flow.
import { type NetInodeTable, parseNetInodes } from '@procmon/parse';
import { type Flow, ProcessGoneError } from '@procmon/procfs';
import type { Source } from './channels.js';
import type { DumpSink } from './netlink/tables.js';
import { TABLE_ORDER } from './netlink/tables.js';
import { INET_TABLE_ORDER, lookupUnix, type ReadContext, readTables } from './table-reads.js';
import type { SocketEntry } from './types.js';

// The /proc/<pid>/net files of the sockets no table has, read before the tables are looked at again.
const NON_DIAG_FILES: readonly NetInodeTable[] = ['netlink', 'packet'];
// Up to this many inodes still missing after one pass are each asked of unix_diag by inode (one
// short exchange each) rather than by dumping the unix table again.
const MAX_UNIX_LOOKUPS = 32;

/**
 * The second look at the inodes one pass through the tables did not find. A dump is no
 * snapshot, and neither is a /proc/net file: the kernel resumes each batch at a position in a
 * hash bucket, so a socket is skipped when one before it in its bucket closes between two
 * batches (and a socket opened after a table was read is not in it). The sockets no table has
 * (netlink, packet: /proc/<pid>/net lists them) are left out. When at most MAX_UNIX_LOOKUPS
 * remain and the kernel is known to have unix_diag, each is asked of it by inode (an exact
 * lookup finds a unix socket wherever it is in the table; `unixAsked`: the caller just did)
 * and the other tables are read again; with more, every table is read again and then the few
 * left asked by inode. A unix socket is then lost to skips only when more than
 * MAX_UNIX_LOOKUPS inodes are still missing after the second read; an inet socket when both
 * reads skip it: rarer still, not impossible. A process that exited since the first pass took
 * its sockets with it: what that pass found is the answer.
 *
 * The unix rows of /proc/<pid>/net/unix that may be text of another socket's name (see
 * addUnixRows in procfs-tables.ts) are never found here: they are only claims on the sink,
 * which the caller settles after this look. So an inode that only such rows have always gets
 * this second look, where a row the kernel surely wrote (of this or any table) wins, and
 * where a claim that disagrees with the first read's leaves the inode without an entry. A
 * forged row gains nothing from the re-read: it is read again as what it is.
 */
export function* lookAgain(
  context: ReadContext,
  source: Source,
  wanted: Set<number>,
  found: Map<number, SocketEntry>,
  sink: DumpSink,
  unixAsked = false,
): Flow<void> {
  if (found.size === wanted.size) return;
  try {
    yield* dropNonDiag(context, wanted, found, source.pid);
    // Few left: unix sockets by inode first, then only the other tables. Many (a process
    // opening sockets during the call): every table, then the few left by inode.
    const askedFirst = unixAsked || (yield* askUnixByInode(context, source, wanted, found));
    const tables = askedFirst ? INET_TABLE_ORDER : TABLE_ORDER;
    yield* readTables(context, source, tables, wanted, found, sink);
    if (!askedFirst) yield* askUnixByInode(context, source, wanted, found);
  } catch (error) {
    if (!(error instanceof ProcessGoneError)) throw error;
  }
}

/**
 * Asks unix_diag for each inode not found yet, by inode, when at most MAX_UNIX_LOOKUPS are
 * left and this kernel is known to have unix_diag. Returns whether it asked.
 */
function* askUnixByInode(
  context: ReadContext,
  source: Source,
  wanted: Set<number>,
  found: Map<number, SocketEntry>,
): Flow<boolean> {
  if (source.backend !== 'netlink' || !source.channel.supported.has('unix')) return false;
  if (found.size === wanted.size || wanted.size - found.size > MAX_UNIX_LOOKUPS) return false;
  for (const inode of wanted) {
    if (found.has(inode)) continue;
    const entry = yield* lookupUnix(context, source.channel, inode);
    if (entry !== undefined) found.set(inode, entry);
  }
  return true;
}

/**
 * Removes from `wanted` the missing inodes that /proc/<pid>/net/netlink or /proc/<pid>/net/packet
 * (/proc/net/* without a pid) list: sockets no sock_diag table has, in that namespace. Any error
 * reading or parsing them only means none are removed: the tables are then searched for them
 * too, as for a netlink socket never bound, which /proc/net/netlink does not list.
 */
function* dropNonDiag(
  context: ReadContext,
  wanted: Set<number>,
  found: Map<number, SocketEntry>,
  pid: number | undefined,
): Flow<void> {
  for (const file of NON_DIAG_FILES) {
    if (found.size === wanted.size) return;
    let bytes: Uint8Array;
    try {
      bytes = yield* context.procfs.flows.readNetFile(file, pid);
    } catch {
      continue;
    }
    let inodes: number[];
    try {
      inodes = parseNetInodes(bytes, { table: file });
    } catch {
      continue;
    }
    for (const inode of inodes) if (!found.has(inode)) wanted.delete(inode);
  }
}
