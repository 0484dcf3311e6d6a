import {
  escapeText,
  formatFdTarget,
  type NetInodeTable,
  parseFdTarget,
  parseNetInodes,
} from '@procmon/parse';
import { ProcessGoneError, type ProcFS, procfsOf } from '@procmon/procfs';
import { loadAddon, type NetsockAddon } from './addon.js';
import { type BackendChoice, type NetlinkChannel, netsockBackend } from './backend.js';
import { Channels, type Source } from './channels.js';
import {
  type SocketDescriptor,
  socketDescriptors,
  socketDescriptorsAsync,
  startSocketDescriptors,
} from './descriptors.js';
import { formatSocket } from './format.js';
import { ALL_STATES, TCP_TIME_WAIT } from './netlink/constants.js';
import { DumpInterruptedError } from './netlink/errors.js';
import {
  DumpRecording,
  type DumpSink,
  dumpTableRetrying,
  listSink,
  resolveSink,
  TABLE_ORDER,
  type TableName,
} from './netlink/tables.js';
import { lookupUnixByInode } from './netlink/unix-lookup.js';
import { hasProcFiles, readProcTable, readProcTableAsync } from './procfs-tables.js';
import type {
  ResolveOptions,
  SocketBackendName,
  SocketEntry,
  SocketResolverOptions,
} from './types.js';

// A socket in TIME_WAIT (and a connection request, NEW_SYN_RECV) has no inode and so no
// descriptor: a lookup by inode leaves them out of the dump.
const NEW_SYN_RECV = 12;
const RESOLVE_STATES = ALL_STATES & ~(1 << TCP_TIME_WAIT) & ~(1 << NEW_SYN_RECV);

// The tables socketsOf dumps while it lists descriptors: where nearly every socket is.
const EARLY_TABLES: readonly TableName[] = ['tcp', 'unix'];
// At most this many socketsOf calls of one resolver hold early dumps at once (each holds a copy
// of the tcp and unix tables until its listing is done); more list first, then resolve.
const MAX_EARLY_IN_FLIGHT = 4;
// The /proc/<pid>/net files of the sockets no table has, read before the tables are looked at again.
const NON_DIAG_FILES: readonly NetInodeTable[] = ['netlink', 'packet'];
// Up to this many inodes still missing after one pass are each asked of unix_diag by inode (one
// short exchange each) rather than by dumping the unix table again.
const MAX_UNIX_LOOKUPS = 32;
const INET_TABLE_ORDER = TABLE_ORDER.filter((table) => table !== 'unix');

/** What socketsOf dumped while the descriptors were being listed. */
interface EarlyDump {
  /** Where it was dumped: its channel may be closed by the time the listing is done. */
  source: Source & { backend: 'netlink' };
  recorded: Map<TableName, DumpRecording>;
}

/** One descriptor of {@link SocketResolver.describeDescriptors}. */
export interface DescribedDescriptor {
  fd: number;
  /** The link target as text (`socket:[123]`, a path, ...). */
  target: string;
  /** The socket behind it, when it is one this package resolves. */
  socket?: SocketEntry;
  /** `formatSocket(socket)` for a resolved socket, else the target with control characters escaped: one line. */
  text: string;
}

/**
 * Resolves socket inodes (from `socket:[N]` descriptor links) to the sockets behind them, with
 * one dump per socket table for a whole set of inodes, stopping as soon as every inode is found.
 * Keeps its netlink socket(s) open between calls: `close()` releases them (a resolver dropped
 * without it has them closed once the garbage collector takes it).
 */
export class SocketResolver {
  /** The backend in use (after `auto`). */
  readonly backend: SocketBackendName;
  /** Why that backend. */
  readonly reason: string;
  readonly procfs: ProcFS;
  private readonly resolveHost: ((address: string) => string | undefined) | undefined;
  private readonly addon: NetsockAddon | undefined;
  private readonly channels: Channels;
  // One recording per early table, kept from an earlier socketsOf for its memory (a call takes
  // it, or makes its own when another call has it; only one goes back).
  private readonly recordings = new Map<TableName, DumpRecording>();
  // socketsOf calls holding early dumps now (at most MAX_EARLY_IN_FLIGHT).
  private earlyInFlight = 0;

  constructor(options: SocketResolverOptions = {}) {
    const wanted = options.backend ?? 'auto';
    if (wanted !== 'auto' && wanted !== 'netlink' && wanted !== 'procfs') {
      throw new TypeError(`backend must be 'auto', 'netlink' or 'procfs', got ${String(wanted)}`);
    }
    this.procfs = procfsOf(options);
    this.resolveHost = options.resolveHost;
    let choice: BackendChoice;
    if (wanted === 'procfs') {
      choice = { name: 'procfs', reason: "backend 'procfs' was asked for" };
    } else {
      choice = netsockBackend();
      if (wanted === 'netlink' && choice.name !== 'netlink') {
        throw new Error(`the netlink backend is not available: ${choice.reason}`);
      }
    }
    this.backend = choice.name;
    this.reason = choice.reason;
    if (choice.name === 'netlink') {
      const loaded = loadAddon();
      this.addon = 'addon' in loaded ? loaded.addon : undefined;
    }
    this.channels = new Channels(this.procfs, () => this.addon, this.reason);
  }

  /**
   * The socket of each inode, with one dump per table (tcp, unix, udp, udplite, raw, icmp,
   * sctp, in that order, stopping once all are found), in the network namespace of
   * `options.pid` when given (else the caller's). Inodes still missing after that pass are looked
   * for once more (see "Dumps are not snapshots" in the README): a dump can skip a socket that
   * exists throughout when others close meanwhile. Inodes that are no socket of these tables
   * (netlink, packet sockets; gone meanwhile) are simply absent. Unix sockets read from
   * /proc/<pid>/net/unix may carry `unverified` (see SocketEntry), or be absent when the file's
   * rows for them contradict each other (README: "What each backend can prove"). Throws
   * NetlinkError when the kernel refuses a dump, ParseError for a malformed reply,
   * DumpInterruptedError when a table changed during its dump twice in a row, ProcessGoneError /
   * PermissionDeniedError from /proc reads.
   */
  resolve(inodes: Iterable<number>, options?: ResolveOptions): Map<number, SocketEntry> {
    const wanted = inodeSet(inodes);
    const found = new Map<number, SocketEntry>();
    if (wanted.size === 0) return found;
    const source = this.channels.sourceFor(options?.pid);
    const sink = resolveSink(wanted, found);
    this.readTables(source, TABLE_ORDER, wanted, found, sink);
    this.lookAgain(source, wanted, found, sink);
    sink.settle();
    return found;
  }

  /**
   * `resolve`, asynchronously. With the procfs backend the table files are read with async I/O.
   * With the netlink backend the exchange itself runs synchronously inside this call (a dump of
   * thousands of sockets takes a few milliseconds, less than handing it to a thread would cost);
   * the promise is there so one call style serves both backends.
   */
  async resolveAsync(
    inodes: Iterable<number>,
    options?: ResolveOptions,
  ): Promise<Map<number, SocketEntry>> {
    const source = this.channels.sourceFor(options?.pid);
    if (source.backend === 'netlink') return this.resolve(inodes, options);
    const wanted = inodeSet(inodes);
    const found = new Map<number, SocketEntry>();
    const sink = resolveSink(wanted, found);
    await this.readProcTablesAsync(source.pid, wanted, found, sink);
    // The second look of lookAgain, with async reads: /proc/net files skip sockets as dumps do.
    if (found.size < wanted.size) {
      const lists = await Promise.all(
        NON_DIAG_FILES.map((file) =>
          this.procfs.promises.readNetFile(file, source.pid).then(
            (bytes) => ({ file, bytes }),
            () => undefined,
          ),
        ),
      );
      for (const list of lists) {
        if (list !== undefined) dropListed(wanted, found, list.file, list.bytes);
      }
      try {
        await this.readProcTablesAsync(source.pid, wanted, found, sink);
      } catch (error) {
        if (!(error instanceof ProcessGoneError)) throw error;
      }
    }
    sink.settle();
    return found;
  }

  /**
   * One socket by inode. A unix socket is asked for by inode alone (unix_diag's exact lookup,
   * `udiag_ino` with no cookie); sock_diag cannot find an inet socket by inode (its exact lookup
   * needs addresses and ports), so the inet tables are dumped, one after another, until it is
   * found, and looked at once more when none had it (as in `resolve`). undefined when no table
   * has it.
   */
  lookup(inode: number, options?: ResolveOptions): SocketEntry | undefined {
    const wanted = inodeSet([inode]);
    if (wanted.size === 0) return undefined;
    const source = this.channels.sourceFor(options?.pid);
    let unixAsked = false;
    if (source.backend === 'netlink') {
      const unix = this.lookupUnix(source.channel, inode);
      if (unix !== undefined) return unix;
      // "No such socket" from a kernel known to have unix_diag: the unix table is done.
      unixAsked = source.channel.supported.has('unix');
    }
    const found = new Map<number, SocketEntry>();
    const sink = resolveSink(wanted, found);
    this.readTables(source, unixAsked ? INET_TABLE_ORDER : TABLE_ORDER, wanted, found, sink);
    this.lookAgain(source, wanted, found, sink, unixAsked);
    sink.settle();
    return found.get(inode);
  }

  /**
   * Every socket of the given tables (all by default) in the namespace of `options.pid`, in every
   * state (TIME_WAIT and connection requests too, with inode 0). A socket seen twice in a dump is
   * listed once (same inode, or same cookie for inode 0). One read of each table: a socket the
   * kernel skipped while others closed is not looked for again (see `resolve`).
   */
  list(options?: ResolveOptions & { tables?: readonly TableName[] }): SocketEntry[] {
    const source = this.channels.sourceFor(options?.pid);
    const entries: SocketEntry[] = [];
    const sink = listSink(entries);
    for (const table of options?.tables ?? TABLE_ORDER) {
      this.readTable(source, table, ALL_STATES, sink, () => entries.slice());
    }
    // The unix rows that may be forged, for the inodes no table had (see addUnixRows).
    sink.settle();
    return entries;
  }

  /**
   * Every socket descriptor of a process with the socket behind it (`socket` absent when no table
   * has it: a netlink or packet socket, or one closed meanwhile), resolved in the process's
   * network namespace as one `resolve` would. The descriptors are listed in one native pass
   * (getdents64 + readlinkat) when the addon is loaded, else with `procfs.listFds`. With the
   * netlink backend the listing runs on a native thread while the tcp and unix tables are dumped
   * here (kept undecoded until the inodes are known); the other tables are dumped after it, only
   * for inodes still missing, which are then looked for once more as `resolve` does (a socket
   * opened after the first dump but listed is found there), so the result is the one of listing
   * first, then resolving. Errors are those of the listing first, then of `resolve`.
   */
  socketsOf(pid: number): SocketDescriptor[] {
    const addon = this.loadedAddon();
    const pending =
      addon !== undefined && this.overlaps(pid)
        ? startSocketDescriptors(this.procfs, addon, pid)
        : undefined;
    if (pending === undefined) {
      const descriptors = socketDescriptors(this.procfs, addon, pid);
      return this.withSockets(descriptors, this.resolve(inodesOf(descriptors), { pid }));
    }
    let early: EarlyDump | undefined;
    try {
      early = this.dumpEarly(pid);
    } catch {
      // Not thrown from here: resolve() runs after the listing and says what is wrong, if it
      // still is (and the listing's own errors come first, as they always did).
      early = undefined;
    }
    try {
      const descriptors = pending.join(); // always joined: nothing above throws
      return this.withSockets(descriptors, this.finishEarly(early, inodesOf(descriptors), pid));
    } finally {
      if (early !== undefined) this.releaseEarly(early);
    }
  }

  /**
   * `socketsOf`, asynchronously: the listing runs on libuv's thread pool (the event loop is free
   * meanwhile), overlapped with the tcp and unix dumps as in `socketsOf`. The netlink exchanges
   * themselves run synchronously, as in `resolveAsync`. A `close()` while the listing runs does
   * not fail the call: the dumps still to do after it open a netlink socket again, as a call
   * after `close()` does (close again to release it).
   */
  async socketsOfAsync(pid: number): Promise<SocketDescriptor[]> {
    const addon = this.loadedAddon();
    const listing = socketDescriptorsAsync(this.procfs, addon, pid);
    // Awaited below in every case; this only keeps a rejection from counting as unhandled first.
    listing.catch(() => {});
    let early: EarlyDump | undefined;
    if (addon !== undefined && this.overlaps(pid)) {
      try {
        early = this.dumpEarly(pid);
      } catch {
        early = undefined;
      }
    }
    try {
      const descriptors = await listing;
      const inodes = inodesOf(descriptors);
      const found =
        early !== undefined
          ? this.finishEarly(early, inodes, pid)
          : await this.resolveAsync(inodes, { pid });
      return this.withSockets(descriptors, found);
    } finally {
      if (early !== undefined) this.releaseEarly(early);
    }
  }

  /**
   * Every descriptor of a process with a one-line text: `formatSocket` for its sockets (resolved
   * with one `resolve` call, in the process's namespace), the link target for the others.
   */
  describeDescriptors(pid: number): DescribedDescriptor[] {
    const fds = this.procfs.listFds(pid);
    const inodes: number[] = [];
    const targets: { fd: number; target: string; inode: number }[] = [];
    for (const entry of fds) {
      if (entry.error !== undefined) continue;
      const parsed = parseFdTarget(entry.target);
      const inode = parsed.type === 'socket' ? parsed.inode : 0;
      if (inode !== 0) inodes.push(inode);
      // The kernel's text, decoded losslessly (bytes that are not UTF-8 kept as escapes).
      targets.push({ fd: entry.fd, target: formatFdTarget(parsed), inode });
    }
    const sockets = this.resolve(inodes, { pid });
    return targets.map(({ fd, target, inode }) => {
      const socket = inode !== 0 ? sockets.get(inode) : undefined;
      return socket === undefined
        ? { fd, target, text: escapeText(target) }
        : { fd, target, socket, text: this.format(socket) };
    });
  }

  /** `formatSocket` with this resolver's `resolveHost`. */
  format(entry: SocketEntry): string {
    return this.resolveHost === undefined
      ? formatSocket(entry)
      : formatSocket(entry, { resolveHost: this.resolveHost });
  }

  /**
   * Which backend a call for `pid` uses and why: netlink in the caller's namespace, netlink
   * inside the process's own namespace (setns), or `/proc/<pid>/net` (the procfs backend, setns
   * not allowed, or the namespace link unreadable).
   */
  backendFor(pid?: number): { name: SocketBackendName; reason: string } {
    const source = this.channels.sourceFor(pid);
    return { name: source.backend, reason: source.reason };
  }

  /** Closes the netlink socket(s) this resolver keeps open; a later call opens them again. */
  close(): void {
    this.channels.close();
  }

  private readTable(
    source: Source,
    table: TableName,
    states: number,
    sink: DumpSink,
    partial: () => SocketEntry[],
  ): void {
    if (source.backend === 'procfs') {
      readProcTable(this.procfs, table, source.pid, sink);
      return;
    }
    let result: 'done' | 'unsupported';
    try {
      result = dumpTableRetrying(source.channel, table, states, sink, partial);
    } catch (error) {
      // A dump cut short may leave the kernel's side of it running: go on with a new socket.
      if (!(error instanceof DumpInterruptedError)) this.channels.drop(source.channel);
      throw error;
    }
    // No diag handler here (raw_diag, sctp_diag absent; none for ICMP ping sockets):
    // /proc/<pid>/net has the same sockets.
    if (result === 'unsupported' && hasProcFiles(table)) {
      readProcTable(this.procfs, table, source.pid, sink);
    }
  }

  /** Whether socketsOf(pid) may dump while the descriptors are listed (else: as resolve does). */
  private overlaps(pid: number): boolean {
    return this.backend === 'netlink' && Number.isSafeInteger(pid) && pid > 0;
  }

  /**
   * The tables most sockets are in (tcp, unix) dumped into recordings, in the namespace of `pid`,
   * before the inodes wanted from them are known; undefined when its tables are read from
   * /proc/<pid>/net (those reads wait for the listing, whose errors come first), or when
   * MAX_EARLY_IN_FLIGHT calls already hold early dumps. Hand it to releaseEarly once done.
   */
  private dumpEarly(pid: number): EarlyDump | undefined {
    if (this.earlyInFlight >= MAX_EARLY_IN_FLIGHT) return undefined;
    const source = this.channels.sourceFor(pid);
    if (source.backend !== 'netlink') return undefined;
    const early: EarlyDump = { source, recorded: new Map() };
    this.earlyInFlight++;
    try {
      for (const table of EARLY_TABLES) {
        const recording = this.recordings.get(table) ?? new DumpRecording();
        this.recordings.delete(table);
        recording.reset();
        let result: 'done' | 'unsupported';
        try {
          result = dumpTableRetrying(source.channel, table, RESOLVE_STATES, recording, () => []);
        } catch (error) {
          if (!(error instanceof DumpInterruptedError)) this.channels.drop(source.channel);
          throw error;
        }
        // An unsupported table is read from /proc/<pid>/net after the listing, as resolve does.
        if (result === 'done') early.recorded.set(table, recording);
      }
    } catch (error) {
      this.releaseEarly(early);
      throw error;
    }
    return early;
  }

  /** The end of an early dump: its recordings go back to the pool, one per table at most. */
  private releaseEarly(early: EarlyDump): void {
    this.earlyInFlight--;
    for (const [table, recording] of early.recorded) {
      if (!this.recordings.has(table)) this.recordings.set(table, recording);
    }
    early.recorded.clear();
  }

  /**
   * resolve(inodes, { pid }) on top of an early dump: the recorded tables are replayed (decoding
   * the wanted sockets), the others dumped now, in the usual order, until every inode is found.
   * An inode still missing may also be a socket opened after the early dump (the listing found
   * it later): lookAgain, as in resolve(), finds it, so the result is the one resolve() gives
   * after the listing. The live reads go through the channel of the early dump while it is open,
   * else through this.channels.sourceFor(pid) again (close(), another call's failed dump or the namespace
   * LRU may have closed it while the listing ran).
   */
  private finishEarly(
    early: EarlyDump | undefined,
    inodes: number[],
    pid: number,
  ): Map<number, SocketEntry> {
    if (early === undefined) return this.resolve(inodes, { pid });
    const wanted = inodeSet(inodes);
    const found = new Map<number, SocketEntry>();
    const sink = resolveSink(wanted, found);
    let live: Source | undefined;
    for (const table of TABLE_ORDER) {
      if (found.size === wanted.size) break;
      const recording = early.recorded.get(table);
      if (recording !== undefined) {
        recording.replay(sink);
        continue;
      }
      live ??= this.liveSource(early, pid);
      this.readTable(live, table, RESOLVE_STATES, sink, () => [...found.values()]);
    }
    if (found.size < wanted.size) {
      this.lookAgain(live ?? this.liveSource(early, pid), wanted, found, sink);
    }
    sink.settle();
    return found;
  }

  /** The channel of an early dump while it is open, else this.channels.sourceFor(pid) again. */
  private liveSource(early: EarlyDump, pid: number): Source {
    return early.source.channel.closed ? this.channels.sourceFor(pid) : early.source;
  }

  /** Reads `tables` in order into `sink`, stopping once every wanted inode is found. */
  private readTables(
    source: Source,
    tables: readonly TableName[],
    wanted: Set<number>,
    found: Map<number, SocketEntry>,
    sink: DumpSink,
  ): void {
    for (const table of tables) {
      if (found.size === wanted.size) return;
      this.readTable(source, table, RESOLVE_STATES, sink, () => [...found.values()]);
    }
  }

  /** readTables for the procfs backend, with async reads. */
  private async readProcTablesAsync(
    pid: number | undefined,
    wanted: Set<number>,
    found: Map<number, SocketEntry>,
    sink: DumpSink,
  ): Promise<void> {
    for (const table of TABLE_ORDER) {
      if (found.size === wanted.size) return;
      await readProcTableAsync(this.procfs, table, pid, sink);
    }
  }

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
  private lookAgain(
    source: Source,
    wanted: Set<number>,
    found: Map<number, SocketEntry>,
    sink: DumpSink,
    unixAsked = false,
  ): void {
    if (found.size === wanted.size) return;
    try {
      this.dropNonDiag(wanted, found, source.pid);
      // Few left: unix sockets by inode first, then only the other tables. Many (a process
      // opening sockets during the call): every table, then the few left by inode.
      const askedFirst = unixAsked || this.askUnixByInode(source, wanted, found);
      this.readTables(source, askedFirst ? INET_TABLE_ORDER : TABLE_ORDER, wanted, found, sink);
      if (!askedFirst) this.askUnixByInode(source, wanted, found);
    } catch (error) {
      if (!(error instanceof ProcessGoneError)) throw error;
    }
  }

  /**
   * Asks unix_diag for each inode not found yet, by inode, when at most MAX_UNIX_LOOKUPS are
   * left and this kernel is known to have unix_diag. Returns whether it asked.
   */
  private askUnixByInode(
    source: Source,
    wanted: Set<number>,
    found: Map<number, SocketEntry>,
  ): boolean {
    if (source.backend !== 'netlink' || !source.channel.supported.has('unix')) return false;
    if (found.size === wanted.size || wanted.size - found.size > MAX_UNIX_LOOKUPS) return false;
    for (const inode of wanted) {
      if (found.has(inode)) continue;
      const entry = this.lookupUnix(source.channel, inode);
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
  private dropNonDiag(
    wanted: Set<number>,
    found: Map<number, SocketEntry>,
    pid: number | undefined,
  ): void {
    for (const file of NON_DIAG_FILES) {
      if (found.size === wanted.size) return;
      let bytes: Uint8Array;
      try {
        bytes = this.procfs.readNetFile(file, pid);
      } catch {
        continue;
      }
      dropListed(wanted, found, file, bytes);
    }
  }

  private withSockets(
    descriptors: SocketDescriptor[],
    found: Map<number, SocketEntry>,
  ): SocketDescriptor[] {
    return descriptors.map(({ fd, inode }) => withSocket(fd, inode, found.get(inode)));
  }

  /** One unix socket by inode (unix_diag's exact lookup); a channel that failed is dropped. */
  private lookupUnix(channel: NetlinkChannel, inode: number): SocketEntry | undefined {
    try {
      return lookupUnixByInode(channel, inode);
    } catch (error) {
      this.channels.drop(channel);
      throw error;
    }
  }

  /** The addon for the fd listing: loaded whichever backend reads the tables. */
  private loadedAddon(): NetsockAddon | undefined {
    if (this.addon !== undefined) return this.addon;
    const loaded = loadAddon();
    return 'addon' in loaded ? loaded.addon : undefined;
  }
}

function inodesOf(descriptors: SocketDescriptor[]): number[] {
  return descriptors.map((d) => d.inode);
}

function inodeSet(inodes: Iterable<number>): Set<number> {
  const set = new Set<number>();
  for (const inode of inodes) {
    if (Number.isSafeInteger(inode) && inode > 0) set.add(inode);
  }
  return set;
}

/** Removes from `wanted` the inodes not found yet that a /proc/net/{netlink,packet} file lists. */
function dropListed(
  wanted: Set<number>,
  found: Map<number, SocketEntry>,
  file: NetInodeTable,
  bytes: Uint8Array,
): void {
  let inodes: number[];
  try {
    inodes = parseNetInodes(bytes, { table: file });
  } catch {
    return;
  }
  for (const inode of inodes) if (!found.has(inode)) wanted.delete(inode);
}

function withSocket(fd: number, inode: number, socket: SocketEntry | undefined): SocketDescriptor {
  return socket === undefined ? { fd, inode } : { fd, inode, socket };
}
